import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_PDF_LIMITS,
  type Indication,
  type VerificationReport,
  verifyTranscript,
} from '@thgov/transcript';
import { findPdfs } from './find-pdfs.js';

/** One row of the report. `ERROR` means the file could not be read (not a verdict on its content). */
export interface FileResult {
  file: string;
  size: number;
  indication: Indication | 'ERROR';
  subIndication: string | undefined;
  /** Why it did not pass: the first failed (or indeterminate) check, in step order. */
  reason: string | undefined;
  signer: string | undefined;
  /** Signing time proven by a time-stamp, when there is one. */
  signedAt: string | undefined;
  durationInMs: number;
}

export interface FolderResult {
  folder: string;
  files: FileResult[];
  counts: Record<FileResult['indication'], number>;
  durationInMs: number;
}

export interface VerifyFolderOptions {
  /** Trust anchors: the issuing universities' roots (PEM text or DER). */
  trust: string | Uint8Array | Array<string | Uint8Array>;
  /** Files verified at the same time. Default 4. */
  concurrency?: number;
  /** Per-file size limit in bytes (checked before reading). Default: the verifier's 50 MiB. */
  maxBytes?: number;
  /** Called after each file (progress). */
  onFile?: (result: FileResult, done: number, total: number) => void;
  abortSignal?: AbortSignal;
}

export function failureReason(report: VerificationReport): string | undefined {
  if (report.indication === 'TOTAL_PASSED') return undefined;
  const checks = [...report.checks, ...report.signatures.flatMap((s) => s.checks)].sort(
    (a, b) => a.step - b.step,
  );
  const bad = checks.find((c) => c.status === 'FAILED') ?? checks.find((c) => c.status === 'INDETERMINATE');
  return bad ? `step ${bad.step} ${bad.id}: ${bad.message}` : report.errorCode;
}

function commonName(subject: string | undefined): string | undefined {
  return subject ? (/CN=([^,]+)/.exec(subject)?.[1] ?? subject) : undefined;
}

async function verifyOne(folder: string, file: string, options: VerifyFolderOptions): Promise<FileResult> {
  const started = performance.now();
  const path = join(folder, file);
  const maxBytes = options.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
  const base = { file, signer: undefined, signedAt: undefined, subIndication: undefined };
  let size = 0;
  try {
    size = (await stat(path)).size;
    if (size > maxBytes) {
      return {
        ...base,
        size,
        indication: 'ERROR',
        reason: `larger than the ${maxBytes}-byte limit; not read`,
        durationInMs: performance.now() - started,
      };
    }
    const bytes = new Uint8Array(await readFile(path));
    const report = await verifyTranscript(bytes, {
      trust: options.trust,
      limits: { maxBytes },
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    const sig = report.signatures.find((s) => s.kind === 'signature') ?? report.signatures[0];
    return {
      file,
      size,
      indication: report.indication,
      subIndication: report.subIndication,
      reason: failureReason(report),
      signer: commonName(sig?.signer?.subject),
      signedAt: sig?.signingTime.proven,
      durationInMs: performance.now() - started,
    };
  } catch (err) {
    const e = err as Error & { code?: string };
    return {
      ...base,
      size,
      indication: 'ERROR',
      reason: `${e.code ? `${e.code}: ` : ''}${e.message}`,
      durationInMs: performance.now() - started,
    };
  }
}

/** Verifies every PDF under a folder; never throws for a bad file (it becomes a row), only for a bad folder. */
export async function verifyFolder(folder: string, options: VerifyFolderOptions): Promise<FolderResult> {
  const started = performance.now();
  const files = await findPdfs(folder);
  const results: FileResult[] = new Array(files.length);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, 32));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length && !options.abortSignal?.aborted) {
      const i = next++;
      const result = await verifyOne(folder, files[i] as string, options);
      results[i] = result;
      options.onFile?.(result, ++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const counts: FolderResult['counts'] = {
    TOTAL_PASSED: 0,
    TOTAL_FAILED: 0,
    INDETERMINATE: 0,
    NO_SIGNATURE_FOUND: 0,
    ERROR: 0,
  };
  const finished = results.filter(Boolean);
  for (const r of finished) counts[r.indication]++;
  return { folder, files: finished, counts, durationInMs: performance.now() - started };
}
