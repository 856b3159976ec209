import { X509Certificate } from 'node:crypto';
import { z } from '@thgov/core/internal';
import { revocationSchema } from '@thgov/pki/internal';
import { xmlLimitsSchema } from '../xml/limits.js';
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
  // @thgov/pki builds paths of at most 10 certificates.
  maxChainLength: z.number().int().min(1).max(10).optional(),
  dangerouslyAllowWeakAlgorithms: z.boolean().optional(),
  revocation: revocationSchema.optional(),
  certificateValidator:
    fn<NonNullable<VerifyLetterOptions['certificateValidator']>>('certificateValidator').optional(),
  at: z.date().optional(),
};

export const signaturePolicySchema = z.enum(['require', 'verify-if-present', 'ignore']);

/** Per-item verification of fetched letters: the policy and who may sign. */
export type LetterVerification = Omit<
  VerifyLetterOptions,
  'limits' | 'abortSignal' | 'timeoutInMs' | 'requestId'
>;

export const letterVerificationSchema = z
  .object({ policy: signaturePolicySchema, ...letterTrustShape })
  .strict();

/** `verifyLetterSignature`'s options: the policy, who may sign, XML limits and the operation options. */
export const verifyLetterOptionsSchema = z
  .object({
    policy: signaturePolicySchema,
    ...letterTrustShape,
    limits: xmlLimitsSchema.optional(),
    abortSignal: z.instanceof(AbortSignal).optional(),
    timeoutInMs: z.number().int().positive().max(600_000).optional(),
    requestId: z.string().min(1).max(200).optional(),
  })
  .strict();
