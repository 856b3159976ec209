import { EsignError } from '../errors.js';

/** Bounds on a PDF the reader accepts: size, objects, nesting, decoded stream size and time. */
export interface PdfLimits {
  /** Largest accepted file. Default 50 MiB. */
  maxBytes: number;
  /** Most objects across all revisions. Default 200,000. */
  maxObjects: number;
  /** Deepest array/dictionary nesting. Default 64. */
  maxDepth: number;
  /** Largest decoded stream. Default 64 MiB. */
  maxStreamBytes: number;
  /** Wall-clock budget for reading and checking one file. Default 10 s. */
  timeInMs: number;
}

/** The limits every PDF is read with unless `limits` says otherwise. */
export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxObjects: 200_000,
  maxDepth: 64,
  maxStreamBytes: 64 * 1024 * 1024,
  timeInMs: 10_000,
};

/** Shared budget for one verification: deadline and counters, checked inside every loop. */
export class Budget {
  readonly deadline: number;
  objects = 0;
  constructor(readonly limits: PdfLimits) {
    this.deadline = Date.now() + limits.timeInMs;
  }
  tick(): void {
    if (Date.now() > this.deadline) {
      throw new EsignError(
        'ERR_PDF_LIMIT',
        `Verification exceeded the time limit of ${this.limits.timeInMs} ms`,
      );
    }
  }
  countObject(): void {
    this.objects++;
    if (this.objects > this.limits.maxObjects) {
      throw new EsignError('ERR_PDF_LIMIT', `The PDF has more than ${this.limits.maxObjects} objects`);
    }
    if ((this.objects & 0xff) === 0) this.tick();
  }
}
