import { dirname, isAbsolute, resolve } from 'node:path';
import { redactText, registerSecret } from '@thgov/core';
import { thgovCommand } from '../command-name.js';
import { duplicateKeyPaths } from '../json-keys.js';
import { jsonErrorPosition } from '../json-position.js';
import { readFailure, readInputFile } from '../read-input-file.js';
import { allowedEnvNames, substituteEnv } from './env.js';
import { DEFAULT_CONFIG_FILE } from './file-name.js';

export { DEFAULT_CONFIG_FILE };

import { ConfigError, type ConfigIssue } from './errors.js';
import { configIssues } from './issues.js';
import { type ThgovConfig, type TransportConfig, thgovConfigSchema } from './schema.js';
import { type ConfigFileWarning, configFileWarnings, configSecrets } from './secrets.js';

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Options of `parseConfig` (and, but for `baseDir`, of `loadConfig`). */
export interface ParseConfigOptions {
  /** Relative file paths in the configuration are resolved against this. Default: the working directory. */
  baseDir?: string;
  /** Variables for `${NAME}`. Default: process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Further variable names `${NAME}` may read, besides `THGOV_*` and those listed in `THGOV_ENV_ALLOW`. Set in
   * code, never from the file: the file is what the restriction protects against.
   */
  allowEnv?: readonly string[];
}

/** Options of `loadConfig`: those of `parseConfig` but `baseDir` (the file's folder), and where warnings go. */
export interface LoadConfigOptions extends Omit<ParseConfigOptions, 'baseDir'> {
  /**
   * Called with each warning about the file (redacted, naming keys, never values): a file others may read (mode
   * g+r or o+r) that holds secrets in clear, and a file every local user may change (o+w). Default:
   * `process.emitWarning` (code `THGOV_CONFIG_READABLE` or `THGOV_CONFIG_WRITABLE`). The CLI prints them on stderr
   * and goes on.
   */
  onWarning?: (message: string) => void;
}

function resolveFiles(t: TransportConfig | undefined, baseDir: string): void {
  const tls = t?.tls;
  if (!tls) return;
  const abs = (f: string) => (isAbsolute(f) ? f : resolve(baseDir, f));
  if (tls.caFile !== undefined)
    tls.caFile = Array.isArray(tls.caFile) ? tls.caFile.map(abs) : abs(tls.caFile);
  if (tls.certFile !== undefined) tls.certFile = abs(tls.certFile);
  if (tls.keyFile !== undefined) tls.keyFile = abs(tls.keyFile);
  if (tls.pfxFile !== undefined) tls.pfxFile = abs(tls.pfxFile);
}

function decodedOrSame(value: string | undefined): string | undefined {
  try {
    return value === undefined ? value : decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * An issue at a key whose value was one `${NAME}` set to the empty string, told as such: CI systems give a secret
 * or variable not defined for the job, branch or fork as empty, and "too small" would not say where it came from.
 */
function fromEmpty(empty: Map<string, string>): (issue: ConfigIssue) => ConfigIssue {
  return (issue) => {
    const name = empty.get(issue.path);
    if (name === undefined) return issue;
    const why = `${name} is set but empty (in CI: a secret or variable not defined for this job)`;
    return { path: issue.path, message: `${issue.message} (from \${${name}}: ${why})` };
  };
}

/**
 * Validates a configuration object (the parsed JSON, or one built in code): `${NAME}` substitution, the
 * strict schema (every issue names its key path), file paths made absolute, secrets registered for redaction.
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): ThgovConfig {
  const env = options.env ?? process.env;
  const { value, substituted, empty } = substituteEnv(input, env, allowedEnvNames(env, options.allowEnv));
  // Whatever came from the environment is treated as a secret, wherever the file put it: a path or URL that
  // embeds a token must not print it ("cannot read /x/<token>").
  for (const s of substituted) registerSecret(s);
  const result = thgovConfigSchema.safeParse(value, {
    error: (iss) => (iss.input === undefined && iss.code === 'invalid_type' ? 'Required' : undefined),
  });
  if (!result.success) {
    const issues = result.error.issues.flatMap((i) => configIssues(i, value)).map(fromEmpty(empty));
    throw new ConfigError(
      'ERR_CLI_CONFIG_INVALID',
      `Invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      issues,
    );
  }
  const config = result.data;
  const baseDir = options.baseDir ?? process.cwd();
  resolveFiles(config.transport, baseDir);
  resolveFiles(config.exchange?.transport, baseDir);
  resolveFiles(config.ecms?.transport, baseDir);
  resolveFiles(config.catalog?.transport, baseDir);
  const providers = [
    config.digitalId?.thaid,
    config.digitalId?.dga,
    ...Object.values(config.digitalId?.providers ?? {}),
  ];
  for (const p of providers) resolveFiles(p?.transport, baseDir);
  if (config.transcript) {
    const abs = (f: string) => (isAbsolute(f) ? f : resolve(baseDir, f));
    config.transcript.trustAnchors = config.transcript.trustAnchors.map(abs);
    if (config.transcript.tsaTrustAnchors)
      config.transcript.tsaTrustAnchors = config.transcript.tsaTrustAnchors.map(abs);
  }
  const abs = (f: string) => (isAbsolute(f) ? f : resolve(baseDir, f));
  if (config.audit) {
    if (config.audit.path !== undefined) config.audit.path = abs(config.audit.path);
    if (config.audit.anchor !== undefined) config.audit.anchor = abs(config.audit.anchor);
  }
  const store = config.ecms?.store;
  if (store && 'sqlite' in store) store.sqlite = abs(store.sqlite);
  for (const { keys, value } of configSecrets(config)) {
    registerSecret(value);
    // A database password in a URL also as decoded (a stray `%` leaves it as written).
    if (keys.at(-1) === 'url') registerSecret(decodedOrSame(value));
  }
  return config;
}

/**
 * Reads and validates `thgov.config.json`; relative paths inside it are relative to the file. The file may be
 * a pipe (`--config /dev/stdin`, `--config <(sops -d thgov.config.json)`), read up to 1 MiB; relative paths in
 * such a one are relative to the working directory. A directory or socket is refused (`ERR_CLI_CONFIG_READ`).
 */
export async function loadConfig(
  path: string = DEFAULT_CONFIG_FILE,
  options: LoadConfigOptions = {},
): Promise<ThgovConfig> {
  let text: string;
  try {
    // A pipe is read too (`--config <(sops -d thgov.config.json)`, /dev/stdin), up to the same limit.
    const bytes = await readInputFile(path, {
      maxBytes: MAX_CONFIG_BYTES,
      streams: true,
      limitName: 'the limit for a configuration file',
    });
    text = configText(bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      'ERR_CLI_CONFIG_READ',
      `Cannot read the configuration file ${path}${readFailure(err)}`,
      [],
      {
        hint:
          code === 'ENOENT'
            ? `Pass --config FILE, or run \`${thgovCommand()} sandbox --config-out thgov.config.json\` for a local one.`
            : undefined,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error, which may be a secret: report the position only.
    throw new ConfigError('ERR_CLI_CONFIG_READ', `${path} is not valid JSON${jsonErrorPosition(text, err)}`);
  }
  refuseDuplicateKeys(text);
  const { onWarning, ...parse } = options;
  const config = parseConfig(json, { ...parse, baseDir: configFolder(path) });
  for (const w of await configFileWarnings(path, json, config)) {
    const message = redactText(w.message);
    if (onWarning) onWarning(message);
    else emitConfigWarning({ ...w, message });
  }
  return config;
}

function emitConfigWarning(w: ConfigFileWarning): void {
  process.emitWarning(w.message, { code: w.code });
}

/**
 * A key written twice in one object: JSON.parse keeps the last, so the value a reviewer reads is not the one
 * used. Refused naming the key paths, never the values.
 */
function refuseDuplicateKeys(text: string): void {
  const paths = duplicateKeyPaths(text);
  if (!paths.length) return;
  const issues = paths.map((path) => ({
    path,
    message: 'duplicate key: JSON keeps only the last value, so write the key once',
  }));
  throw new ConfigError(
    'ERR_CLI_CONFIG_INVALID',
    `Invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    issues,
  );
}

/** Folders of pipes and devices (`/dev/stdin`, `<(sops -d …)` as /dev/fd/63, /proc/self/fd/0), not of files. */
const STREAM_FOLDERS = /^\/(?:dev|proc)(?:\/|$)/;

/**
 * What relative paths in the configuration at `path` are relative to: its folder, or the working directory for
 * a configuration read from a pipe or device, which has no folder of its own (`/dev/root.pem` is never meant).
 */
function configFolder(path: string): string {
  const folder = dirname(resolve(path));
  return STREAM_FOLDERS.test(folder) ? process.cwd() : folder;
}

/**
 * The text of a configuration file as Windows editors save it: UTF-8 with or without a byte-order mark
 * (Notepad), or UTF-16 with one (Notepad's "Unicode", PowerShell 5's `>` and Out-File). The mark is dropped, so
 * a JSON error's line and column count from the first character the user sees.
 */
function configText(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)))
      .swap16()
      .toString('utf16le');
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}
