import { parseArgs } from 'node:util';
import { type AuditLogVerification, verifyAuditLog } from '@thgov/core';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const AUDIT_VERIFY_USAGE = `Usage: thgov audit verify [--expect-head SEQ:HASH] [--json] FILE...

Checks the hash chain of thgov audit logs (JSONL written by FileAuditSink): any edited, deleted,
inserted, reordered, malformed or truncated record is reported with its line.

Options:
  --expect-head SEQ:HASH  the head recorded elsewhere (FileAuditSink.head()); without it, removing the
                          newest records cannot be told apart from a shorter log
  --json                  one JSON array of results (file, ok, records, head, errors)
  -h, --help              this help

Exit status: 0 when every log is intact, 1 when any is not (or cannot be read), 2 for usage errors.
`;

function parseHead(value: string | undefined): { seq: number; hash: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(value);
  if (!m) throw new UsageError('--expect-head must be SEQ:HASH (a number, a colon and 64 hex digits)');
  return { seq: Number(m[1]), hash: m[2] as string };
}

/** `thgov audit verify`: the PDPA records-of-processing log is only evidence while its chain holds. */
export async function auditVerify(args: string[], io: CliIo): Promise<number> {
  let parsed: { values: { 'expect-head'?: string; json?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        'expect-head': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
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
  if (positionals.length === 0) throw new UsageError('give at least one audit log file');
  const expectHead = parseHead(values['expect-head']);
  const results: Array<{ file: string; result?: AuditLogVerification; error?: string }> = [];
  for (const file of positionals) {
    try {
      results.push({ file, result: await verifyAuditLog({ path: file }, expectHead ? { expectHead } : {}) });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      results.push({ file, error: `${e.code ?? 'ERR'}: ${e.message ?? String(err)}` });
    }
  }
  const allOk = results.every((r) => r.result?.ok === true);
  if (values.json) {
    const out = results.map((r) =>
      r.result
        ? {
            file: r.file,
            ok: r.result.ok,
            records: r.result.records.length,
            head: r.result.head,
            errors: r.result.errors,
          }
        : { file: r.file, ok: false, error: r.error },
    );
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return allOk ? EXIT.OK : EXIT.FAILED;
  }
  for (const r of results) {
    if (!r.result) {
      io.stdout.write(`✗ ${r.file}: ${r.error}\n`);
      continue;
    }
    const { ok, records, errors, head } = r.result;
    io.stdout.write(
      ok
        ? `✓ ${r.file}: ${records.length} records, chain intact (head ${head.seq}:${head.hash})\n`
        : `✗ ${r.file}: ${errors.length} problem(s), ${records.length} intact records\n`,
    );
    for (const e of errors)
      io.stdout.write(
        `    line ${e.line}${e.seq === undefined ? '' : ` (seq ${e.seq})`}: ${e.kind}: ${e.message}\n`,
      );
  }
  return allOk ? EXIT.OK : EXIT.FAILED;
}
