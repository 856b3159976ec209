import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type AuditAnchor,
  type AuditChainKey,
  type AuditLogVerification,
  FileAnchorStore,
  parseAuditChainKeys,
  ThGovError,
  verifyAuditLog,
} from '@thgov/core';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { MAX_SECRET_BYTES, readFailure, readInputFile, readInputFileSync } from '../read-input-file.js';

/** Environment variable with the chain keys, in the `--key-file` format. */
export const AUDIT_KEYS_ENV = 'THGOV_AUDIT_CHAIN_KEYS';

/** Help text of `thgov audit verify`. */
export const AUDIT_VERIFY_USAGE = `Usage: thgov audit verify [--key-file FILE] [--anchor FILE] [--expect-log HASH] [--strict] [--allow-legacy] [--json] FILE...
       thgov audit verify --postgres URL [--schema NAME] [--key-file FILE] [--anchor FILE] [CHAIN...]

Checks thgov audit logs (JSONL written by FileAuditSink): every record's MAC under the chain keys,
the hash chain (edited, deleted, inserted, reordered, malformed or truncated records, with their line)
and the anchor, which finds removal of the newest records.

Options:
  --key-file FILE         the chain keys, one ID:SECRET per line (default: $${AUDIT_KEYS_ENV});
                          every key id the log uses, after rotations
  --anchor FILE           the anchor the sink kept (default: FILE.anchor when it exists); one log only
  --strict                warnings fail too: legacy unkeyed records, no anchor or a format-1 anchor
                          (older writers), records after the anchor
  --allow-legacy          accept a log of legacy (unkeyed) records only, with a warning: for a log written
                          before the chain was keyed, once, before a sink adopts it (files only)
  --expect-head SEQ:HASH  a head recorded elsewhere (FileAuditSink.head()), checked like an anchor
  --expect-log HASH       the log's identity recorded elsewhere ("log" in --json output): finds a log
                          swapped whole, with its anchor, for another log under the same chain key
  --postgres URL          check chains kept by PostgresAuditSink instead of files (CHAIN default
                          'default'); the password may come from PGPASSWORD instead of the URL;
                          --anchor is then the mirror the sink wrote outside the database; a chain
                          without a record fails, as a missing log file does
  --schema NAME           the schema of the audit tables (default thgov)
  --json                  one JSON array of results (file, ok, format, records, head, log, anchored, errors,
                          warnings)
  -h, --help              this help

Logs written by current sinks say so in every record (anchor format 3): without their anchor, or
with another log's anchor, or one further behind than a crash can leave it (one batch), they fail.
Records after the anchor within one batch (a crash between the records and the anchor) are a warning.
For a log of an older writer, a missing anchor is a warning ("no anchor: tail truncation cannot be
detected") and a format-1 anchor, which names no log, one too. A log of unkeyed records only is an
error (anyone can write one) unless --allow-legacy is given. A log file or a PostgreSQL chain holding
no record fails (emptied together with its anchor, it looks like one never written to). The keys are
never taken on the command line.

✓ marks a log with no errors and no warnings, ⚠ one with no errors but warnings (what could not be
ruled out), ✗ one that fails.

Exit status: 0 when every log verifies (warnings are printed), 1 when any does not, cannot be read or
(with --strict) has warnings, 2 for usage errors.
`;

export interface Values {
  'key-file'?: string;
  anchor?: string;
  strict?: boolean;
  'allow-legacy'?: boolean;
  'expect-head'?: string;
  'expect-log'?: string;
  json?: boolean;
  help?: boolean;
  postgres?: string;
  schema?: string;
}

export interface Result {
  file: string;
  result?: AuditLogVerification;
  error?: string;
}

function parseLogIdentity(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9a-f]{64}$/.test(value)) throw new UsageError('--expect-log must be 64 lower-case hex digits');
  return value;
}

function parseHead(value: string | undefined): { seq: number; hash: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(value);
  if (!m) throw new UsageError('--expect-head must be SEQ:HASH (a number, a colon and 64 hex digits)');
  return { seq: Number(m[1]), hash: m[2] as string };
}

/** The chain keys from --key-file or the environment; none is not an error (legacy logs need none). */
function readKeys(file: string | undefined, env: NodeJS.ProcessEnv): AuditChainKey[] | undefined {
  let text: string | undefined = env[AUDIT_KEYS_ENV];
  let source = AUDIT_KEYS_ENV;
  if (file !== undefined) {
    try {
      // A secret: it may come through a pipe (<(pass show …)), and is refused past MAX_SECRET_BYTES.
      text = new TextDecoder().decode(
        readInputFileSync(file, {
          maxBytes: MAX_SECRET_BYTES,
          streams: true,
          limitName: 'the limit for a secret',
        }),
      );
      source = '--key-file';
    } catch (err) {
      throw new UsageError(`cannot read --key-file ${file}${readFailure(err)}`);
    }
  }
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseAuditChainKeys(text);
  } catch (err) {
    // The message names the entry and the rule, never the secret.
    throw new UsageError(`${source}: ${(err as Error).message}`);
  }
}

/**
 * The largest audit log read: what Node's readFile, which read it before, can read (2 GiB - 1). A log is read
 * by `readInputFile`, so a FIFO, a device or a folder is refused before anything is read (an anchor by
 * `FileAnchorStore`, which refuses them too).
 */
const MAX_AUDIT_LOG_BYTES = 2 ** 31 - 1;

async function readLog(file: string): Promise<Uint8Array> {
  try {
    return await readInputFile(file, {
      maxBytes: MAX_AUDIT_LOG_BYTES,
      limitName: 'the limit for an audit log',
    });
  } catch (err) {
    throw new ThGovError('ERR_AUDIT_IO', `The audit log file could not be read${readFailure(err)}`, {
      cause: err,
    });
  }
}

async function readAnchor(file: string, given: string | undefined): Promise<AuditAnchor | undefined> {
  const path = given ?? `${file}.anchor`;
  if (given === undefined && !existsSync(path)) return undefined;
  const anchor = await new FileAnchorStore({ path }).read();
  if (!anchor) throw new ThGovError('ERR_AUDIT_ANCHOR', `the anchor file ${path} does not exist`);
  return anchor;
}

async function verifyOne(
  file: string,
  values: Values,
  keys: AuditChainKey[] | undefined,
  expectHead: { seq: number; hash: string } | undefined,
): Promise<Result> {
  try {
    const anchor = await readAnchor(file, values.anchor);
    const result = await verifyAuditLog(await readLog(file), {
      ...(keys ? { keys } : {}),
      ...(anchor ? { anchor } : {}),
      ...(expectHead ? { expectHead } : {}),
      ...(values['expect-log'] ? { expectLog: values['expect-log'] } : {}),
      ...(values['allow-legacy'] ? { allowLegacy: true } : {}),
    });
    return { file, result };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { file, error: `${e.code ?? 'ERR'}: ${e.message ?? String(err)}` };
  }
}

const passed = (r: Result, strict: boolean): boolean =>
  r.result?.ok === true && (!strict || r.result.warnings.length === 0);

/** `thgov audit verify`: the PDPA records-of-processing log is only evidence while its chain holds. */
export async function auditVerify(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        'key-file': { type: 'string' },
        anchor: { type: 'string' },
        strict: { type: 'boolean' },
        'allow-legacy': { type: 'boolean' },
        'expect-head': { type: 'string' },
        'expect-log': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        postgres: { type: 'string' },
        schema: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(AUDIT_VERIFY_USAGE);
    return EXIT.OK;
  }
  if (values.postgres === undefined && positionals.length === 0)
    throw new UsageError('give at least one audit log file');
  if (values.anchor !== undefined && positionals.length > 1)
    throw new UsageError('--anchor belongs to one log: give one FILE with it');
  if (values['allow-legacy'] && values.postgres !== undefined)
    throw new UsageError('--allow-legacy is for log files: PostgreSQL chains were never written unkeyed');
  const expectHead = parseHead(values['expect-head']);
  parseLogIdentity(values['expect-log']);
  if (values['expect-log'] !== undefined && (positionals.length > 1 || values.postgres !== undefined))
    throw new UsageError('--expect-log belongs to one log file: give one FILE with it');
  const keys = readKeys(values['key-file'], env);
  const results: Result[] = [];
  if (values.postgres !== undefined) {
    const { verifyPostgresChain } = await import('./verify-postgres.js');
    for (const chain of positionals.length ? positionals : ['default'])
      results.push(await verifyPostgresChain(values.postgres, chain, values, keys));
  } else for (const file of positionals) results.push(await verifyOne(file, values, keys, expectHead));
  const strict = values.strict === true;
  if (values.json) writeJson(results, strict, io);
  else writeText(results, strict, keys !== undefined, io);
  return results.every((r) => passed(r, strict)) ? EXIT.OK : EXIT.FAILED;
}

function writeJson(results: Result[], strict: boolean, io: CliIo): void {
  const out = results.map((r) =>
    r.result
      ? {
          file: r.file,
          ok: passed(r, strict),
          format: r.result.format,
          records: r.result.records.length,
          head: r.result.head,
          log: r.result.log,
          anchored: r.result.anchored ?? null,
          errors: r.result.errors,
          warnings: r.result.warnings,
        }
      : { file: r.file, ok: false, error: r.error },
  );
  io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function summary(result: AuditLogVerification): string {
  const anchored = result.anchored ? `anchored at seq ${result.anchored.seq}` : 'not anchored';
  return `${result.records.length} records, ${result.format}, ${anchored}`;
}

function writeText(results: Result[], strict: boolean, haveKeys: boolean, io: CliIo): void {
  for (const r of results) {
    if (!r.result) {
      io.stdout.write(`✗ ${r.file}: ${r.error}\n`);
      continue;
    }
    io.stdout.write(`${statusLine(r.file, r.result, strict)}\n`);
    const { errors, warnings } = r.result;
    for (const e of errors)
      io.stdout.write(
        `    line ${e.line}${e.seq === undefined ? '' : ` (seq ${e.seq})`}: ${e.kind}: ${e.message}\n`,
      );
    for (const w of warnings) io.stdout.write(`    warning: ${w.message}\n`);
    if (!haveKeys && errors.some((e) => e.kind === 'unverified'))
      io.stdout.write(`    give the chain keys with --key-file FILE or ${AUDIT_KEYS_ENV}\n`);
    if (errors.some((e) => e.kind === 'legacy'))
      io.stdout.write(
        "    only if this log was written before the chain was keyed: check it with --allow-legacy, once, then let the sink adopt it (onMissingAnchor: 'adopt', allowLegacy: true)\n",
      );
  }
}

/** ✓ only with no errors and no warnings: a warning is something verification could not rule out. */
function statusLine(file: string, result: AuditLogVerification, strict: boolean): string {
  const { ok, errors, warnings, head } = result;
  if (!ok) return `✗ ${file}: ${errors.length} problem(s), ${result.records.length} records read`;
  if (warnings.length === 0)
    return `✓ ${file}: ${summary(result)}, chain intact (head ${head.seq}:${head.hash})`;
  const kinds = [...new Set(warnings.map((w) => w.kind))].join(', ');
  if (strict)
    return `✗ ${file}: ${summary(result)}, ${warnings.length} warning(s) (${kinds}), failed under --strict`;
  return `⚠ ${file}: ${summary(result)}, no errors but ${warnings.length} warning(s) (${kinds}): not proven intact (head ${head.seq}:${head.hash})`;
}
