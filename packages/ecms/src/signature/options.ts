import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { VerifyLetterOptions } from './verify.js';

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `${what} must be a function` });

function readablePem(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** A trust anchor that cannot be read is a configuration error, found when the client or worker is made. */
export const trustAnchorsSchema = z.array(z.string().refine(readablePem, 'a PEM certificate')).readonly();

/** The trust options shared by the client, the inbox worker and `verifyLetterSignature` (strict). */
export const letterTrustShape = {
  trustAnchors: trustAnchorsSchema,
  signerPolicy: fn<NonNullable<VerifyLetterOptions['signerPolicy']>>('signerPolicy').optional(),
  extendedKeyUsages: z
    .array(z.string().regex(/^\d+(\.\d+)+$/, 'an OID such as 1.3.6.1.5.5.7.3.4'))
    .readonly()
    .optional(),
  maxChainLength: z.number().int().min(1).max(20).optional(),
  dangerouslyAllowWeakAlgorithms: z.boolean().optional(),
  certificateValidator:
    fn<NonNullable<VerifyLetterOptions['certificateValidator']>>('certificateValidator').optional(),
  at: z.date().optional(),
};

export const signaturePolicySchema = z.enum(['require', 'verify-if-present', 'ignore']);

/** Per-item verification of fetched letters: the policy and who may sign. */
export type LetterVerification = Omit<VerifyLetterOptions, 'limits'>;

export const letterVerificationSchema = z
  .object({ policy: signaturePolicySchema, ...letterTrustShape })
  .strict();
