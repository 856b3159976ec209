import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeCertificates } from '@thgov/transcript';
import { generateTranscripts, MAX_GENERATE } from './generate.js';
import { formatSummary, toJsonReport } from './summary.js';
import { verifyFolder } from './verify-folder.js';

const USAGE = `usage: transcript-verify <folder> --trust <root.pem> [--json <report.json>] [--concurrency N] [--quiet]
       transcript-verify <folder> --generate N [--tampered M] [--trust <root.pem>] ...

  Verifies every *.pdf under <folder> (subfolders too) against the trust anchors in <root.pem>,
  prints a table per file and the counts per indication, and optionally writes a JSON report.
  --generate N   first issue N transcripts from the sandbox university into <folder> (with root.pem,
                 used as --trust when none is given); --tampered M also writes M copies with one byte changed.
Exit: 0 every file TOTAL_PASSED; 1 any other result, or no PDF found; 2 bad arguments, folder or trust file.
`;

function fail(message: string): never {
  process.stderr.write(`transcript-verify: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

let parsed: ReturnType<typeof parse>;
function parse() {
  // `pnpm start -- <folder> …` passes the `--` through; parseArgs would take everything after it as positionals.
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      trust: { type: 'string' },
      json: { type: 'string' },
      concurrency: { type: 'string' },
      generate: { type: 'string' },
      tampered: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail('give exactly one folder');
const folder = resolve(positionals[0] as string);
const generate = integer('generate', values.generate, 1, MAX_GENERATE);
const tampered = integer('tampered', values.tampered, 0, MAX_GENERATE);
const concurrency = integer('concurrency', values.concurrency, 1, 32);
if (tampered !== undefined && generate === undefined) fail('--tampered needs --generate');

let trustPath = values.trust;
if (generate !== undefined) {
  const made = await generateTranscripts(folder, { count: generate, tampered: tampered ?? 0 });
  process.stdout.write(
    `generated ${made.good.length} transcripts and ${made.tampered.length} tampered copies in ${folder} (trust anchor ${made.rootPemPath})\n\n`,
  );
  trustPath ??= made.rootPemPath;
}
if (!trustPath) fail('--trust <root.pem> is required');

const folderStat = await stat(folder).catch(() => undefined);
if (!folderStat?.isDirectory()) fail(`${folder} is not a folder`);
let trust: Uint8Array[];
try {
  trust = decodeCertificates(await readFile(trustPath));
  if (trust.length === 0) throw new Error('no certificate in it');
  // decodeCertificates takes non-PEM bytes as DER as they are: parse each, so a wrong file fails here.
  for (const der of trust) {
    if (!new X509Certificate(der).ca) throw new Error('a trust anchor must be a CA certificate');
  }
} catch (err) {
  fail(`cannot use ${trustPath} as trust anchor: ${(err as Error).message}`);
}

const result = await verifyFolder(folder, {
  trust,
  ...(concurrency ? { concurrency } : {}),
  onFile: values.quiet
    ? undefined
    : (r, done, total) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\r${done}/${total} ${r.file}`.padEnd(60).slice(0, 80));
      },
});
if (!values.quiet && process.stderr.isTTY) process.stderr.write('\r'.padEnd(81) + '\r');
process.stdout.write(formatSummary(result));
if (values.json) {
  await writeFile(values.json, `${JSON.stringify(toJsonReport(result), null, 2)}\n`);
  process.stdout.write(`JSON report: ${resolve(values.json)}\n`);
}
if (result.files.length === 0) process.stderr.write(`no PDF found under ${folder}\n`);
const allPassed = result.files.length > 0 && result.counts.TOTAL_PASSED === result.files.length;
process.exitCode = allPassed ? 0 : 1;
