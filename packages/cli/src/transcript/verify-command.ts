import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeCertificates, parseCrl, parseOcspResponse } from '@thgov/pki';
import { type VerificationReport, verifyPdfSignatures, verifyTranscript } from '@thgov/transcript';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { ProgressBar } from '../progress.js';
import { renderTable } from '../table.js';

export const TRANSCRIPT_VERIFY_USAGE = `Usage: thgov transcript verify [options] FILE...

Verify signed PDF transcripts (PDF/A-3 with embedded XML).

Options:
  --trust FILE       trust anchor for signers (PEM or DER; repeatable)
  --tsa-trust FILE   trust anchor for time-stamp authorities (repeatable; default: --trust)
  --policy NAME      transcript (strict, default) or pdf (generic PDF signatures)
  --crl FILE         a CRL (PEM or DER) to weigh with the file's own revocation data (repeatable)
  --ocsp-response FILE
                     an OCSP response (DER) to weigh likewise (repeatable)
  --online           fetch OCSP/CRL from the certificates' URLs when the data at hand settles nothing
                     (through HTTPS_PROXY/HTTP_PROXY when set, 5 s per request, 10 MiB at most)
  --json             print one JSON array of reports
  -h, --help         show this help

Exit status: 0 when every file is TOTAL_PASSED, 1 otherwise, 2 for usage errors.
`;

export type FileReport = VerificationReport & { file: string; error?: string };

async function readAnchors(files: string[], what = 'trust'): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of files) {
    try {
      out.push(new Uint8Array(await readFile(f)));
    } catch {
      throw new UsageError(`cannot read ${what} file ${f}`);
    }
  }
  return out;
}

/** Reads --crl and --ocsp-response files, refusing one that is not what it claims before any file is verified. */
async function readRevocation(crlFiles: string[], ocspFiles: string[]) {
  const crls = await readAnchors(crlFiles, 'CRL');
  const ocspResponses = await readAnchors(ocspFiles, 'OCSP response');
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

function failedRead(file: string, policy: 'transcript' | 'pdf', message: string): FileReport {
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
    errorCode: 'ERR_FILE_READ',
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

export async function transcriptVerify(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(TRANSCRIPT_VERIFY_USAGE);
    return EXIT.OK;
  }
  const policy = values.policy ?? 'transcript';
  if (policy !== 'transcript' && policy !== 'pdf')
    throw new UsageError(`--policy must be transcript or pdf, not ${policy}`);
  if (positionals.length === 0) throw new UsageError('no FILE given');
  const trust = await readAnchors(values.trust ?? []);
  const tsaTrust = values['tsa-trust'] ? await readAnchors(values['tsa-trust']) : undefined;
  const options = {
    trust,
    ...(tsaTrust ? { tsaTrust } : {}),
    policy,
    ...(await readRevocation(values.crl ?? [], values['ocsp-response'] ?? [])),
    ...(values.online ? { online: { proxy: 'env' } } : {}),
  } as const;
  const verify = policy === 'pdf' ? verifyPdfSignatures : verifyTranscript;
  const progress = new ProgressBar(io, positionals.length);
  const reports: FileReport[] = new Array(positionals.length);
  let next = 0;
  // A few files in flight: reading overlaps with the CPU-bound checks without flooding memory.
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= positionals.length) return;
      const file = positionals[i]!;
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (err) {
        reports[i] = failedRead(
          file,
          policy,
          `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        progress.tick();
        continue;
      }
      reports[i] = { file, ...(await verify(bytes, options)) };
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, positionals.length) }, worker));
  progress.finish();
  if (values.json) io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else {
    const rows = reports.map((r) => {
      const s = r.signatures.find((x) => x.kind === 'signature');
      const signer = s?.signer?.subject.match(/CN=([^,]+)/)?.[1] ?? '';
      const when = s?.signingTime.proven
        ? `${s.signingTime.proven} (proven)`
        : (s?.signingTime.claimedCms ?? '');
      return [r.file, r.indication, r.subIndication ?? '', signer, when, reason(r)];
    });
    io.stdout.write(
      renderTable(['FILE', 'INDICATION', 'SUB-INDICATION', 'SIGNER', 'SIGNED AT', 'REASON'], rows),
    );
  }
  return reports.every((r) => r.indication === 'TOTAL_PASSED') ? EXIT.OK : EXIT.FAILED;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      trust: { type: 'string', multiple: true },
      'tsa-trust': { type: 'string', multiple: true },
      policy: { type: 'string' },
      crl: { type: 'string', multiple: true },
      'ocsp-response': { type: 'string', multiple: true },
      online: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
