import { X509Certificate } from 'node:crypto';
import type { OperationOptions } from '@thgov/core';
import { is, type OptionCheck, withOptionCheck, z } from '@thgov/core/internal';
import { type AlgorithmPolicy, algorithmPolicySchema } from '../algorithms.js';
import { type CertificateInput, KEY_USAGE_NAMES } from '../certificate/types.js';
import type { ParsedCrl } from '../revocation/crl.js';
import type { ParsedOcspResponse } from '../revocation/ocsp.js';
import {
  type OnlineRevocationOptions,
  onlineOptionsSchema,
  type RevocationFetch,
  type RevocationFetcher,
} from '../revocation/online.js';
import type { FreshnessPolicy } from '../revocation/types.js';
import type { CertificateUsage } from './usage.js';

/** Revocation inputs and rules for a path validation. */
export interface PathRevocationOptions extends FreshnessPolicy {
  /** CRLs you hold (PEM or DER, or parsed with `parseCrl`). */
  crls?: readonly (string | Uint8Array | ParsedCrl)[];
  /** OCSP responses you hold (DER, or parsed with `parseOcspResponse`). */
  ocspResponses?: readonly (Uint8Array | ParsedOcspResponse)[];
  /**
   * Follow the certificates' AIA OCSP and CRL distribution point URLs when the evidence at hand does not settle
   * a status (opt-in): `true`, or options for the built-in fetcher. When no path reaches a trust anchor, the
   * issuer certificates missing from it are also downloaded from the AIA caIssuers URLs (at most four; each path
   * through them is checked as any other).
   */
  online?: boolean | OnlineRevocationOptions;
  /** Your own fetcher (implies online): a function, or one made by `createRevocationFetcher`. */
  fetch?: RevocationFetch | RevocationFetcher;
  /** Without a status for every certificate the result is INDETERMINATE/TRY_LATER. Default true. */
  required?: boolean;
}

/** Options of `validateCertificatePath` (unknown keys are refused). */
export interface ValidateCertificatePathOptions extends OperationOptions {
  /** The certificates you trust (never Node's TLS roots). */
  trustAnchors: CertificateInput | readonly CertificateInput[];
  /** Other certificates that may help to build the path (from the signature, a `/DSS`, a KeyInfo…). */
  intermediates?: CertificateInput | readonly CertificateInput[];
  /** The time to validate at. Default: now. */
  at?: Date;
  /**
   * `at` is proven (a verified time-stamp): then a revocation or expiry at or before it is a definite
   * FAILED/REVOKED or FAILED/EXPIRED rather than INDETERMINATE/…_NO_POE. Default false.
   */
  timeProven?: boolean;
  /** What the end-entity certificate is used for. Default `document-signing`. */
  usage?: CertificateUsage;
  /** Revocation inputs and rules; `false` skips revocation (path and constraints only). */
  revocation?: PathRevocationOptions | false;
  algorithmPolicy?: AlgorithmPolicy;
  /** Most certificates in a path, end entity and anchor included (1 to 10). Default 10. */
  maxPathLength?: number;
  /** The current time, for evidence "from the future". Default: the system clock. */
  now?: Date;
}

const certInput = z.union([z.string(), z.instanceof(Uint8Array), z.instanceof(X509Certificate)]);
const certInputs = z.union([certInput, z.array(certInput)]);
const parsed = (type: string) =>
  z.custom<object>((v) => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === type, {
    message: `expected PEM/DER bytes or a parsed ${type}`,
  });
const usage = z.union([
  z.enum(['document-signing', 'timestamping', 'ocsp-signing', 'any']),
  z
    .object({
      keyUsage: z.array(z.enum(KEY_USAGE_NAMES)).optional(),
      extendedKeyUsage: z.array(z.string().regex(/^\d+(\.\d+)+$/)).optional(),
      requireExtendedKeyUsage: z.boolean().optional(),
      requireKeyUsage: z.boolean().optional(),
      exclusiveExtendedKeyUsage: z.boolean().optional(),
    })
    .strict(),
]);
const ms = z
  .number()
  .int()
  .min(0)
  .max(100 * 365 * 86_400_000);

// Acceptance checks for the schemas below (see `withOptionCheck`): the common shapes only; an object usage,
// an algorithm policy or online options with a proxy URL are left to zod.
const isCertInput = is.either(is.string(), is.instance(Uint8Array), is.instance(X509Certificate));
const isCertInputs = is.either(isCertInput, is.array(isCertInput));
const isParsed =
  (type: string): OptionCheck =>
  (v) =>
    typeof v === 'object' && v !== null && (v as { type?: unknown }).type === type;
const isMs = is.integer(0, 100 * 365 * 86_400_000);
export const revocationSchema = withOptionCheck(
  z
    .object({
      crls: z.array(z.union([z.string(), z.instanceof(Uint8Array), parsed('crl')])).optional(),
      ocspResponses: z.array(z.union([z.instanceof(Uint8Array), parsed('ocsp')])).optional(),
      online: z.union([z.boolean(), onlineOptionsSchema]).optional(),
      fetch: z
        .custom<RevocationFetch | RevocationFetcher>(
          (v) =>
            typeof v === 'function' ||
            (typeof v === 'object' && v !== null && typeof (v as RevocationFetcher).fetch === 'function'),
          { message: 'expected a function or a revocation fetcher' },
        )
        .optional(),
      required: z.boolean().optional(),
      maxAgeInMs: ms.optional(),
      maxAgeWithoutNextUpdateInMs: ms.optional(),
      clockSkewInMs: ms.max(3_600_000).optional(),
    })
    .strict(),
  is.shape({
    crls: is.array(is.either(is.string(), is.instance(Uint8Array), isParsed('crl'))),
    ocspResponses: is.array(is.either(is.instance(Uint8Array), isParsed('ocsp'))),
    online: is.either(is.boolean, is.schema(onlineOptionsSchema)),
    fetch: (v) =>
      typeof v === 'function' ||
      (typeof v === 'object' && v !== null && typeof (v as RevocationFetcher).fetch === 'function'),
    required: is.boolean,
    maxAgeInMs: isMs,
    maxAgeWithoutNextUpdateInMs: isMs,
    clockSkewInMs: is.integer(0, 3_600_000),
  }),
);

export const validateOptionsSchema = withOptionCheck(
  z
    .object({
      trustAnchors: certInputs,
      intermediates: certInputs.optional(),
      at: z.date().optional(),
      timeProven: z.boolean().optional(),
      usage: usage.optional(),
      revocation: z.union([z.literal(false), revocationSchema]).optional(),
      algorithmPolicy: algorithmPolicySchema.optional(),
      maxPathLength: z.number().int().min(1).max(10).optional(),
      now: z.date().optional(),
      abortSignal: z.instanceof(AbortSignal).optional(),
      timeoutInMs: z.number().int().positive().max(600_000).optional(),
      requestId: z.string().min(1).max(200).optional(),
    })
    .strict(),
  is.shape(
    {
      trustAnchors: isCertInputs,
      intermediates: isCertInputs,
      at: is.date,
      timeProven: is.boolean,
      usage: is.literal('document-signing', 'timestamping', 'ocsp-signing', 'any'),
      revocation: is.either(is.literal(false), is.schema(revocationSchema)),
      maxPathLength: is.integer(1, 10),
      now: is.date,
      abortSignal: is.instance(AbortSignal),
      timeoutInMs: is.integer(1, 600_000),
      requestId: is.string(1, 200),
    },
    ['trustAnchors'],
  ),
);
