import type { VerificationReport } from '@thgov/esign';
import { decodeCertificates, parseCrl, parseOcspResponse } from '@thgov/pki';
import { parseCommandArgs } from '../args.js';
import { certificatesOf } from '../certificate-file.js';
import { thgovCommand } from '../command-name.js';
import { type CliIo, EXIT, terminalSafeIo, UsageError } from '../io.js';
import { type JunitCase, renderJunit } from '../junit.js';
import { ProgressBar } from '../progress.js';
import { readFailure, readInputFile } from '../read-input-file.js';
import { renderTable } from '../table.js';
import { writeOutputFile } from '../write-file.js';
import { expandInputs, type Input } from './inputs.js';
import { summaryLine } from './summary.js';
import { TRANSCRIPT_VERIFY_USAGE } from './usage.js';

export { TRANSCRIPT_VERIFY_USAGE };

const OPTIONS = {
  trust: { type: 'string', multiple: true },
  'tsa-trust': { type: 'string', multiple: true },
  policy: { type: 'string' },
  crl: { type: 'string', multiple: true },
  'ocsp-response': { type: 'string', multiple: true },
  online: { type: 'boolean' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  'allow-empty': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A transcript report with the file it is about (and `error` when the file could not be read). */
export type FileReport = VerificationReport & { file: string; error?: string };

/**
 * Reads `--trust` / `--tsa-trust` files. A file that is not a certificate is a mistake in the command line, not
 * a property of the transcripts: a usage error, before any file is verified.
 */
async function readAnchors(files: string[], flag: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readInputFile(f);
    } catch (err) {
      throw new UsageError(`cannot read trust file ${f}${readFailure(err)}`);
    }
    out.push(...certificatesOf(bytes, flag, f));
  }
  return out;
}

/** Reads the files of one flag; an unreadable one is a usage error. */
async function readFlagFiles(files: string[], what: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of files) {
    try {
      out.push(await readInputFile(f));
    } catch (err) {
      throw new UsageError(`cannot read ${what} file ${f}${readFailure(err)}`);
    }
  }
  return out;
}

/**
 * Reads `--crl` and `--ocsp-response` files (revocation data the verifier holds, weighed with each file's own),
 * refusing one that is not what it claims before any file is verified.
 */
async function readRevocation(crlFiles: string[], ocspFiles: string[]) {
  const crls = await readFlagFiles(crlFiles, 'CRL');
  const ocspResponses = await readFlagFiles(ocspFiles, 'OCSP response');
  crls.forEach((c, i) => {
    try {
      for (const der of decodeCertificates(c, 'X509 CRL')) parseCrl(der);
    } catch {
      throw new UsageError(`--crl ${crlFiles[i]} is not a CRL (PEM or DER)`);
    }
  });
  ocspResponses.forEach((r, i) => {
    try {
      parseOcspResponse(r);
    } catch {
      throw new UsageError(`--ocsp-response ${ocspFiles[i]} is not a DER OCSP response`);
    }
  });
  return crls.length + ocspResponses.length ? { revocation: { crls, ocspResponses } } : {};
}

function failedRead(file: string, policy: 'transcript' | 'pdf', message: string, code: string): FileReport {
  return {
    file,
    indication: 'INDETERMINATE',
    policy,
    validationTime: new Date().toISOString(),
    fileSize: 0,
    revisions: 0,
    anomalies: [],
    checks: [],
    signatures: [],
    errorCode: code,
    error: message,
  };
}

/** The first check that decided a non-passing result, for the table. */
function reason(r: FileReport): string {
  if (r.error) return r.error;
  if (r.indication === 'TOTAL_PASSED') return '';
  const all = [...r.checks, ...r.signatures.flatMap((s) => s.checks)].filter(
    (c) => c.status === 'FAILED' || c.status === 'INDETERMINATE',
  );
  all.sort((a, b) => a.step - b.step);
  return all[0]?.message ?? '';
}

function signerOf(r: FileReport): string {
  const s = r.signatures.find((x) => x.kind === 'signature');
  return s?.signer?.subject.match(/CN=([^,]+)/)?.[1] ?? '';
}

type Verify = (bytes: Uint8Array) => Promise<VerificationReport>;

/** Verifies every input, a few at a time; returns the reports in input order and the time each took. */
async function verifyAll(
  inputs: Input[],
  verify: Verify,
  policy: 'transcript' | 'pdf',
  io: CliIo,
): Promise<{ reports: FileReport[]; timesInMs: number[] }> {
  const progress = new ProgressBar(io, inputs.length);
  const reports: FileReport[] = new Array(inputs.length);
  const timesInMs: number[] = new Array(inputs.length).fill(0);
  let next = 0;
  // A few files in flight: reading overlaps with the CPU-bound checks without flooding memory.
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const { file, error } = inputs[i]!;
      const started = performance.now();
      reports[i] = error
        ? failedRead(file, policy, error, 'ERR_FILE_READ')
        : await verifyFile(file, verify, policy);
      timesInMs[i] = Math.round(performance.now() - started);
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, inputs.length) }, worker));
  progress.finish();
  return { reports, timesInMs };
}

async function verifyFile(file: string, verify: Verify, policy: 'transcript' | 'pdf'): Promise<FileReport> {
  let bytes: Uint8Array;
  try {
    // Not readFile: a FIFO would block it forever and /dev/zero would fill memory; a file over the verifier's
    // size limit is refused before it is read.
    bytes = await readInputFile(file);
  } catch (err) {
    return failedRead(file, policy, `cannot read file${readFailure(err)}`, 'ERR_FILE_READ');
  }
  try {
    return { file, ...(await verify(bytes)) };
  } catch (err) {
    // The verifier reports bad PDFs itself; anything it throws still leaves the other files to check.
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'ERR_VERIFY';
    return failedRead(file, policy, `${code}: ${String(e.message ?? err)}`, code);
  }
}

function renderText(reports: FileReport[], withLevel: boolean): string {
  const rows = reports.map((r) => {
    const s = r.signatures.find((x) => x.kind === 'signature');
    const when = s?.signingTime.proven
      ? `${s.signingTime.proven} (proven)`
      : (s?.signingTime.claimedCms ?? '');
    const row = [r.file, r.indication, r.subIndication ?? '', signerOf(r), when, reason(r)];
    // The PAdES level of the document's signatures: the lowest any of them reaches.
    if (withLevel) row.splice(4, 0, levelOf(r));
    return row;
  });
  const head = ['FILE', 'INDICATION', 'SUB-INDICATION', 'SIGNER', 'SIGNED AT', 'REASON'];
  if (withLevel) head.splice(4, 0, 'LEVEL');
  const table = renderTable(head, rows);
  return `${table}\n${summaryLine(reports)}\n`;
}

const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

function levelOf(r: FileReport): string {
  const levels = r.signatures.filter((x) => x.kind === 'signature').map((x) => x.level ?? '');
  if (!levels.length || levels.some((l) => !LEVELS.includes(l))) return '';
  return levels.reduce((a, b) => (LEVELS.indexOf(a) <= LEVELS.indexOf(b) ? a : b));
}

/** What differs between `thgov transcript verify` and `thgov pdf verify`. */
export interface VerifyCommandSpec {
  /** `transcript verify` or `pdf verify`. */
  name: string;
  usage: string;
  /** A policy the command always applies (no --policy option); otherwise --policy chooses. */
  fixedPolicy?: 'pdf';
}

const TRANSCRIPT_SPEC: VerifyCommandSpec = { name: 'transcript verify', usage: TRANSCRIPT_VERIFY_USAGE };

function junitReport(
  spec: VerifyCommandSpec,
  reports: FileReport[],
  timesInMs: number[],
  startedAt: Date,
): string {
  const cases = reports.map((r, i): JunitCase => {
    const verdict = `${r.indication}${r.subIndication ? `/${r.subIndication}` : ''}`;
    const why = reason(r);
    const signer = signerOf(r);
    return {
      classname: `thgov.${spec.name.replace(' ', '.')}`,
      name: r.file,
      timeInMs: timesInMs[i] ?? 0,
      outcome:
        r.indication === 'TOTAL_PASSED' ? 'pass' : r.indication === 'TOTAL_FAILED' ? 'failure' : 'error',
      message: why ? `${verdict}: ${why}` : verdict,
      type: r.errorCode ?? r.subIndication ?? r.indication,
      text: [verdict, signer ? `signer: ${signer}` : '', why].filter(Boolean).join('\n'),
    };
  });
  const total = timesInMs.reduce((a, b) => a + b, 0);
  return renderJunit(
    `thgov ${spec.name}`,
    [{ name: spec.fixedPolicy ? 'pdf files' : 'transcripts', cases }],
    startedAt.toISOString(),
    total,
  );
}

/**
 * A FOLDER without a PDF under it fails the command (a usage error, before anything is verified), as a pattern
 * that matches no file fails ESLint: a CI job pointed at a wrong or not-yet-filled folder must not go green having
 * verified nothing there. `--allow-empty` accepts it (an inbox that may be empty): the folder is only noted.
 */
function refuseEmpty(
  spec: VerifyCommandSpec,
  emptyFolders: string[],
  inputCount: number,
  allowEmpty: boolean,
  io: CliIo,
): void {
  for (const f of emptyFolders) io.stderr.write(`thgov ${spec.name}: no *.pdf under ${f}\n`);
  if (allowEmpty) return;
  const accept = '--allow-empty accepts a folder without PDFs';
  if (inputCount === 0) throw new UsageError(`no PDF file to verify (${accept})`);
  if (emptyFolders.length)
    throw new UsageError(
      `no *.pdf under ${emptyFolders.length} of the folders given: nothing verified (${accept})`,
    );
}

/** `thgov transcript verify` (for code: `transcriptVerify` of commands.ts). */
export async function transcriptVerify(args: string[], rawIo: CliIo): Promise<number> {
  return verifyCommand(args, rawIo, TRANSCRIPT_SPEC);
}

/** The body of `thgov transcript verify` and `thgov pdf verify` (for code: `verifyCommand` of commands.ts). */
export async function verifyCommand(args: string[], rawIo: CliIo, spec: VerifyCommandSpec): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const { policy: _policy, ...fixedOptions } = OPTIONS;
  const { values, positionals } = parseCommandArgs(args, spec.fixedPolicy ? fixedOptions : OPTIONS, true);
  if (values.help) {
    io.stdout.write(spec.usage);
    return EXIT.OK;
  }
  const given = spec.fixedPolicy ?? (values as { policy?: string }).policy ?? 'transcript';
  if (given !== 'transcript' && given !== 'pdf')
    throw new UsageError(`--policy must be transcript or pdf, not ${given}`);
  const policy: 'transcript' | 'pdf' = given;
  if (positionals.length === 0) throw new UsageError('no FILE or FOLDER given');
  const trust = await readAnchors(values.trust ?? [], '--trust');
  const tsaTrust = values['tsa-trust'] ? await readAnchors(values['tsa-trust'], '--tsa-trust') : undefined;
  const { inputs, emptyFolders } = await expandInputs(positionals);
  refuseEmpty(spec, emptyFolders, inputs.length, values['allow-empty'] === true, io);
  if (trust.length === 0) {
    io.stderr.write(
      `thgov ${spec.name}: no --trust given: no signer can be traced to a trusted root, so no file can be TOTAL_PASSED (they stay INDETERMINATE). Pass the issuer's root, e.g. ${thgovCommand()} ${spec.name} --trust root.pem …\n`,
    );
  }
  const revocation = await readRevocation(values.crl ?? [], values['ocsp-response'] ?? []);
  // Through the agency's proxy when the environment names one (HTTPS_PROXY / NO_PROXY), as other CLI tools do.
  const online = values.online ? { proxy: 'env' as const } : undefined;
  const verify: Verify =
    policy === 'pdf'
      ? async (bytes) =>
          // Loaded here, as @thgov/transcript below: each policy loads only its own verifier.
          (await import('@thgov/esign')).verifyPdfSignatures(bytes, {
            trustAnchors: trust,
            ...(tsaTrust ? { tsaTrustAnchors: tsaTrust } : {}),
            revocation: { ...revocation.revocation, ...(online ? { online } : {}) },
          })
      : async (bytes) =>
          (await import('@thgov/transcript')).verifyTranscript(bytes, {
            trust,
            ...(tsaTrust ? { tsaTrust } : {}),
            ...revocation,
            ...(online ? { online } : {}),
          });
  const startedAt = new Date();
  const { reports, timesInMs } = await verifyAll(inputs, verify, policy, io);
  io.stdout.write(
    values.json ? `${JSON.stringify(reports, null, 2)}\n` : renderText(reports, policy === 'pdf'),
  );
  if (values.junit)
    await writeOutputFile(values.junit, junitReport(spec, reports, timesInMs, startedAt), {
      createFolders: true,
    });
  return reports.every((r) => r.indication === 'TOTAL_PASSED') ? EXIT.OK : EXIT.FAILED;
}
