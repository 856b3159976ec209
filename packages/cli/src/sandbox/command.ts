import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Sandbox } from '@thgov/sandbox';
import { type ParsedCommandArgs, parseCommandArgs } from '../args.js';
import { thgovCommand } from '../command-name.js';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { isSandboxCertificate, SANDBOX_PKI_ORGANIZATION } from '../doctor/sandbox-trust.js';
import { type CliIo, EXIT, terminalSafeIo, UsageError } from '../io.js';
import { InputFileError, MAX_JSON_BYTES, readInputFile } from '../read-input-file.js';
import { writeOutputFile } from '../write-file.js';
import { faultProfile, isFaultProfileName, SANDBOX_FAULT_PROFILES } from './faults.js';
import { loadSandbox } from './load.js';
import { SANDBOX_CONFIG_MARK, sandboxConfig } from './sandbox-config.js';
import { SANDBOX_USAGE } from './usage.js';

export { SANDBOX_USAGE };

/** Options of `sandboxCommand` when it is run from code. */
export interface SandboxCommandOptions {
  /** Stops the sandbox (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

const OPTIONS = {
  port: { type: 'string' },
  'config-out': { type: 'string' },
  transcripts: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65533)
    throw new UsageError(`${name} must be a port number (1-65533)`);
  return n;
}

/**
 * Refuses to replace a file at `file` that thgov sandbox did not write: it is read (a regular file of at most
 * 4 MiB, never a FIFO or device, which would block the read or fill memory) for the sandbox's mark.
 */
async function refuseForeignFile(file: string): Promise<void> {
  let text: string;
  try {
    text = Buffer.from(await readInputFile(file, MAX_JSON_BYTES)).toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError && err.code === 'ERR_NOT_REGULAR_FILE')
      throw new UsageError(`${file} exists and is ${err.message}; pass --config-out FILE to write elsewhere`);
    // Nothing there (or unreadable): the write decides. Over 4 MiB: no configuration the sandbox writes.
    if (!(err instanceof InputFileError)) return;
    text = '';
  }
  let mark: unknown;
  try {
    mark = (JSON.parse(text) as { $comment?: unknown }).$comment;
  } catch {
    mark = undefined;
  }
  if (typeof mark !== 'string' || !mark.startsWith(SANDBOX_CONFIG_MARK)) {
    throw new UsageError(
      `${file} exists and was not written by thgov sandbox; pass --config-out FILE to write elsewhere`,
    );
  }
}

/** The trust anchor written beside the configuration. */
const ROOT_FILE = 'thgov-sandbox-root.pem';

/** The files `--transcripts DIR` receives. */
const SAMPLE_FILES = [
  'transcript-good.pdf',
  'transcript-tampered.pdf',
  'transcript-revoked.pdf',
  'root.pem',
  'issuing-ca.crl',
  'root.crl',
] as const;

const PKI_MARKS = [
  SANDBOX_PKI_ORGANIZATION,
  Buffer.from(SANDBOX_PKI_ORGANIZATION).toString('hex'),
  Buffer.from(SANDBOX_PKI_ORGANIZATION).toString('hex').toUpperCase(),
];

/**
 * Whether a file names the sandbox's test PKI, as every file thgov sandbox writes besides the configuration
 * does: a certificate (PEM), a CRL (DER) or a signed PDF (whose signature holds the certificates, in hex).
 */
function fromSandboxPki(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes);
  if (PKI_MARKS.some((mark) => buf.includes(mark))) return true;
  try {
    return isSandboxCertificate(new X509Certificate(buf));
  } catch {
    return false;
  }
}

/**
 * Refuses to replace the trust anchor beside the configuration, or a sample in `--transcripts DIR`, that thgov
 * sandbox did not write: a project's real `root.pem` must not silently become the sandbox's test root.
 */
async function refuseForeignSamples(s: Settings): Promise<void> {
  const files = [join(dirname(s.configOut), ROOT_FILE)];
  const samples = s.transcripts;
  if (samples) files.push(...SAMPLE_FILES.map((name) => join(samples, name)));
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readInputFile(file);
    } catch (err) {
      if (err instanceof InputFileError && err.code === 'ERR_NOT_REGULAR_FILE')
        throw new UsageError(`${file} exists and is ${err.message}; name another folder`);
      // Nothing there (or unreadable): the write decides. Over 50 MiB: nothing the sandbox writes.
      if (!(err instanceof InputFileError)) continue;
      bytes = new Uint8Array();
    }
    if (!fromSandboxPki(bytes))
      throw new UsageError(`${file} exists and was not written by thgov sandbox; name another folder`);
  }
}

interface Settings {
  base: number | undefined;
  faults: keyof typeof SANDBOX_FAULT_PROFILES;
  seed: number;
  configOut: string;
  transcripts: string | undefined;
}

function settings(values: ParsedCommandArgs<typeof OPTIONS, false>['values']): Settings {
  const base = port(values.port, '--port');
  const faults = values.faults ?? 'none';
  if (!isFaultProfileName(faults)) {
    throw new UsageError(`--faults must be one of ${Object.keys(SANDBOX_FAULT_PROFILES).join(', ')}`);
  }
  const seed = values.seed === undefined ? 2026 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
  if (values.transcripts === '') throw new UsageError('--transcripts needs a folder');
  return {
    base,
    faults,
    seed,
    configOut: resolve(values['config-out'] ?? DEFAULT_CONFIG_FILE),
    transcripts: values.transcripts === undefined ? undefined : resolve(values.transcripts),
  };
}

/** The trust anchor, and (with --transcripts) the samples with the files that verify them. */
async function writeFiles(sb: Sandbox, s: Settings, createSamples: SampleMaker): Promise<string> {
  const dir = dirname(s.configOut);
  await mkdir(dir, { recursive: true });
  const root = join(dir, ROOT_FILE);
  await writeOutputFile(root, sb.pki.rootPem);
  const config = sandboxConfig(sb, {
    trustAnchor: relative(dir, root) || root,
    auditLog: join('audit', 'thgov-sandbox.jsonl'),
  });
  await writeOutputFile(s.configOut, `${JSON.stringify(config, null, 2)}\n`, { secret: true });
  if (s.transcripts) {
    const person = sb.population.people[2] ?? sb.population.people[0];
    if (!person) throw new Error('the sandbox has no test people');
    const samples = await createSamples(sb.pki, person);
    await mkdir(s.transcripts, { recursive: true });
    const data: Record<(typeof SAMPLE_FILES)[number], string | Uint8Array> = {
      'transcript-good.pdf': samples.good,
      'transcript-tampered.pdf': samples.tampered,
      'transcript-revoked.pdf': samples.revoked,
      'root.pem': samples.rootPem,
      'issuing-ca.crl': samples.crls.ca,
      'root.crl': samples.crls.root,
    };
    for (const name of SAMPLE_FILES) await writeOutputFile(join(s.transcripts, name), data[name]);
  }
  return root;
}

type SampleMaker = Awaited<ReturnType<typeof loadSandbox>>['createSampleTranscripts'];

/**
 * `thgov sandbox`: starts every emulated platform, writes a configuration for it (and sample transcripts with
 * `--transcripts DIR`), prints what to use, and runs until SIGINT/SIGTERM or `options.signal`.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const done = sandboxCommand(['--config-out', 'tmp/thgov.config.json'], io, { signal: stop.signal });
 * ```
 */
export async function sandboxCommand(
  args: string[],
  rawIo: CliIo,
  options: SandboxCommandOptions = {},
): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const { values } = parseCommandArgs(args, OPTIONS, false);
  if (values.help) {
    io.stdout.write(SANDBOX_USAGE);
    return EXIT.OK;
  }
  const s = settings(values);
  await refuseForeignFile(s.configOut);
  await refuseForeignSamples(s);
  // Loaded here so other commands do not pay for (or warn about) the emulators' dependencies.
  const { startSandbox, samplePeopleLines, createSampleTranscripts } = await loadSandbox();
  const sb = await startSandbox({
    seed: s.seed,
    gdx: { ...(s.base ? { port: s.base } : {}), faults: faultProfile(s.faults) },
    thaid: s.base ? { port: s.base + 1 } : {},
    dga: s.base ? { port: s.base + 2 } : {},
    ecms: { faults: faultProfile(s.faults) },
  });
  // Handlers before anything is printed: whoever reads the banner may signal at once.
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((r) => {
    stop = r;
  });
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const root = await writeFiles(sb, s, createSampleTranscripts);
    io.stdout.write(banner(sb, s, root, samplePeopleLines));
    const signal = await stopped;
    io.stdout.write(`\n${signal === 'abort' ? 'stopping' : `${signal}: stopping`} the sandbox\n`);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    options.signal?.removeEventListener('abort', onAbort);
    await sb.close();
  }
  return EXIT.OK;
}

function banner(
  sb: Sandbox,
  s: Settings,
  trustAnchor: string,
  samplePeopleLines: (population: Sandbox['population']) => string[],
): string {
  const { gdx, thaid, dga, ecms, population } = sb;
  const thgov = thgovCommand();
  const out = [
    'thgov sandbox is running (synthetic data only; nothing here is real).',
    '',
    `GDX gateway       ${gdx.url}   (X-Road REST under ${gdx.url}/r1/)`,
    `ThaID (OIDC)      ${thaid.issuer}`,
    `DGA Digital ID    ${dga.issuer}`,
    ...ecms.nodes.map((n) => `e-CMS node        ${n.url}   ${n.organizationId} ${n.nameEn}`),
    `Faults            ${s.faults}`,
    '',
    'GDX consumers (Consumer-Key / Consumer-Secret):',
    ...gdx.consumers.map(
      (c) =>
        `  ${c.name.padEnd(18)} ${c.consumerKey} / ${c.consumerSecret}  services: ${c.services.join(', ')}`,
    ),
    `Officers with a DOPA session (AgentID): ${gdx.officers.join(', ')}`,
    '',
    'Digital ID clients (client_id / client_secret):',
    `  ThaID             ${thaid.clients.default.clientId} / ${thaid.clients.default.clientSecret}   API key ${thaid.apiKey}`,
    `  DGA Digital ID    ${dga.clients.default.clientId} / ${dga.clients.default.clientSecret}`,
    `  redirect URIs     ${thaid.clients.default.redirectUris.join(', ')}`,
    '',
    ...samplePeopleLines(population),
    '',
    `Configuration written to ${s.configOut} (mode 0600)`,
    `Transcript trust anchor (sandbox university root): ${trustAnchor}`,
    `Test PKI (CRL, OCSP, time-stamps): ${sb.pki.url}`,
    ...(s.transcripts
      ? [
          `Sample transcripts (good, tampered, revoked registrar) in ${s.transcripts}`,
          `Try: ${thgov} transcript verify --trust ${join(s.transcripts, 'root.pem')} ${s.transcripts}`,
        ]
      : []),
    `Try: ${thgov} doctor --config ${s.configOut}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  return out.join('\n');
}
