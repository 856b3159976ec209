import { isThGovError, redactPreview } from '@thgov/core';
import { EcmsSignatureError, type SignatureFailureReason, type SignerEvidence } from '../errors.js';

/** What the journal keeps about a letter's signature check (JSON-safe). */
export interface SignatureEvidence {
  status: 'valid' | 'absent' | 'ignored' | 'failed';
  /** When the check ran (ISO 8601). */
  checkedAt: string;
  /** Error code and reason when `failed`. */
  code?: string;
  reason?: SignatureFailureReason;
  message?: string;
  /** The signer, when its certificate could be read (subject, issuer, serial, fingerprint, usages, algorithms). */
  signer?: SignerEvidence;
  /** What the certificate validator said, when one ran. */
  validatorDetail?: string;
}

export function passedEvidence(
  status: 'valid' | 'absent' | 'ignored',
  signer?: SignerEvidence,
  validatorDetail?: string,
): SignatureEvidence {
  return {
    status,
    checkedAt: new Date().toISOString(),
    ...(signer ? { signer } : {}),
    ...(validatorDetail ? { validatorDetail } : {}),
  };
}

/** Evidence of a refused signature (or of a letter refused before its signature could be judged). */
export function failedEvidence(err: unknown): SignatureEvidence {
  const e: SignatureEvidence = {
    status: 'failed',
    checkedAt: new Date().toISOString(),
    code: isThGovError(err) ? err.code : 'ERR_ECMS_SIGNATURE',
    message: err instanceof Error ? redactPreview(err.message, 300) : 'signature check failed',
  };
  if (err instanceof EcmsSignatureError) {
    e.reason = err.reason;
    if (err.signer) e.signer = err.signer;
  }
  return e;
}

/** The journal's short status string: `valid`, `absent`, `ignored` or `failed:<code>`. */
export function signatureStatusOf(e: SignatureEvidence | undefined): string {
  if (!e) return 'absent';
  return e.status === 'failed' ? `failed:${e.code ?? 'ERR_ECMS_SIGNATURE'}` : e.status;
}
