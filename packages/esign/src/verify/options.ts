import { invalidArgument, type OperationOptions } from '@thgov/core';
import { checkOptions, is, type OptionCheck, withOptionCheck, z } from '@thgov/core/internal';
import {
  decodeCertificates,
  type OnlineRevocationOptions,
  type ParsedCrl,
  type ParsedOcspResponse,
  parseCrl,
  parseOcspResponse,
} from '@thgov/pki';
import { certFromDer, onlineOptionsSchema } from '@thgov/pki/internal';
import { DEFAULT_PDF_LIMITS, type PdfLimits } from '../pdf/limits.js';
import { PDF_POLICY, type VerificationPolicy } from './policy.js';

/** A certificate as PEM text (one or more) or DER bytes. */
export type CertificateInput = string | Uint8Array;

/**
 * Revocation data you hold (closed agency networks keep the CA's CRLs and OCSP responses on disk), online
 * fetching, and the freshness rules. Supplied evidence is weighed with what the file carries: a revocation in
 * any of it wins.
 */
export interface RevocationOptions {
  /** CRLs, PEM (`X509 CRL`) or DER. */
  crls?: (string | Uint8Array)[];
  /** OCSP responses, DER (a full OCSPResponse or a BasicOCSPResponse). */
  ocspResponses?: Uint8Array[];
  /**
   * Fetch OCSP/CRL online (the certificates' AIA OCSP and CRL distribution point URLs) when the evidence at hand
   * does not settle a status. Opt-in; goes through `@thgov/core`'s Transport (`proxy`, per-request `timeoutInMs`,
   * `maxResponseBytes`).
   */
  online?: boolean | OnlineRevocationOptions;
  /** Policy maximum age: evidence issued longer than this before the validated time is not fresh. */
  maxAgeInMs?: number;
  /** How long an OCSP answer without nextUpdate counts. Default 24 hours. */
  maxAgeWithoutNextUpdateInMs?: number;
}

/** Options of `verifyPdfSignatures` (unknown keys are refused). */
export interface VerifyPdfOptions extends OperationOptions {
  /** Trust anchors for signer chains (PEM text with one or more certificates, or DER). Never Node's TLS roots. */
  trustAnchors?: CertificateInput | CertificateInput[];
  /** Trust anchors for time-stamp authorities. Default: `trustAnchors`. */
  tsaTrustAnchors?: CertificateInput | CertificateInput[];
  /** Time at which to validate when no time-stamp proves an earlier one. Default: now. */
  validationTime?: Date;
  /** `pdf` (the default, {@link PDF_POLICY}) or a policy of your own. */
  policy?: 'pdf' | VerificationPolicy;
  /** CRLs and OCSP responses you hold, online fetching, and freshness rules. */
  revocation?: RevocationOptions;
  /** Input limits; `timeInMs` is the whole verification's budget (`timeoutInMs` sets it too). */
  limits?: Partial<PdfLimits>;
}

/** The options after validation, as the verification steps read them. */
export interface NormalizedVerifyOptions {
  trust: Uint8Array[];
  tsaTrust: Uint8Array[];
  validationTime: Date;
  policy: VerificationPolicy;
  online: OnlineRevocationOptions | undefined;
  suppliedCrls: ParsedCrl[];
  suppliedOcsps: ParsedOcspResponse[];
  freshness: { maxAgeInMs?: number; maxAgeWithoutNextUpdateInMs?: number };
  limits: PdfLimits;
  abortSignal: AbortSignal | undefined;
  requestId: string | undefined;
}

/** A certificate or CRL as PEM text or DER bytes (shared with profiles built on this package). */
export const certInput = z.union([z.string(), z.instanceof(Uint8Array)]);
const policySchema = z
  .object({
    name: z.string().min(1).max(64),
    afterSigning: z.enum(['docmdp', 'security-updates']),
    requireRevocation: z.boolean(),
    javaScript: z.enum(['warn', 'refuse']),
    shadowSignals: z.enum(['warn', 'refuse']),
    invalidSignatureTimeStamp: z.enum(['warn', 'refuse']),
    metadataUpdates: z.enum(['allow', 'refuse']).optional(),
  })
  .strict();

// Acceptance checks (see `withOptionCheck` in @thgov/core/internal): what these schemas surely accept; online
// options with a proxy URL are left to zod. The field checks are shared with @thgov/transcript's options.
const MAX_INT = Number.MAX_SAFE_INTEGER;
export const isCertInput: OptionCheck = is.either(is.string(), is.instance(Uint8Array));
export const isCertInputs: OptionCheck = is.either(isCertInput, is.array(isCertInput));
export const revocationOptionChecks: Readonly<Record<string, OptionCheck>> = {
  crls: is.array(isCertInput, 10_000),
  ocspResponses: is.array(is.instance(Uint8Array), 10_000),
  online: is.either(is.boolean, is.schema(onlineOptionsSchema)),
  maxAgeInMs: is.integer(0, MAX_INT),
  maxAgeWithoutNextUpdateInMs: is.integer(0, MAX_INT),
};
export const pdfLimitChecks: Readonly<Record<string, OptionCheck>> = {
  maxBytes: is.integer(1, MAX_INT),
  maxObjects: is.integer(1, MAX_INT),
  maxDepth: is.integer(1, 1000),
  maxStreamBytes: is.integer(1, MAX_INT),
  timeInMs: is.integer(1, MAX_INT),
};
const warnOrRefuse = is.literal('warn', 'refuse');
const isPolicy = is.shape(
  {
    name: is.string(1, 64),
    afterSigning: is.literal('docmdp', 'security-updates'),
    requireRevocation: is.boolean,
    javaScript: warnOrRefuse,
    shadowSignals: warnOrRefuse,
    invalidSignatureTimeStamp: warnOrRefuse,
    metadataUpdates: is.literal('allow', 'refuse'),
  },
  ['name', 'afterSigning', 'requireRevocation', 'javaScript', 'shadowSignals', 'invalidSignatureTimeStamp'],
);

/** The revocation part, shared with profiles built on this package. */
export const revocationOptionsSchema = withOptionCheck(
  z
    .object({
      crls: z.array(certInput).max(10_000).optional(),
      ocspResponses: z.array(z.instanceof(Uint8Array)).max(10_000).optional(),
      online: z.union([z.boolean(), onlineOptionsSchema]).optional(),
      maxAgeInMs: z.number().int().min(0).optional(),
      maxAgeWithoutNextUpdateInMs: z.number().int().min(0).optional(),
    })
    .strict(),
  is.shape(revocationOptionChecks),
);

/** The limits part, shared with profiles built on this package. */
export const pdfLimitsSchema = withOptionCheck(
  z
    .object({
      maxBytes: z.number().int().positive().optional(),
      maxObjects: z.number().int().positive().optional(),
      maxDepth: z.number().int().positive().max(1000).optional(),
      maxStreamBytes: z.number().int().positive().optional(),
      timeInMs: z.number().int().positive().optional(),
    })
    .strict(),
  is.shape(pdfLimitChecks),
);

export const verifyOptionsSchema = withOptionCheck(
  z
    .object({
      trustAnchors: z.union([certInput, z.array(certInput)]).optional(),
      tsaTrustAnchors: z.union([certInput, z.array(certInput)]).optional(),
      validationTime: z.date().optional(),
      policy: z.union([z.literal('pdf'), policySchema]).optional(),
      revocation: revocationOptionsSchema.optional(),
      limits: pdfLimitsSchema.optional(),
      abortSignal: z.instanceof(AbortSignal).optional(),
      timeoutInMs: z.number().int().positive().max(3_600_000).optional(),
      requestId: z.string().min(1).max(200).optional(),
    })
    .strict(),
  is.shape({
    trustAnchors: isCertInputs,
    tsaTrustAnchors: isCertInputs,
    validationTime: is.date,
    policy: is.either(is.literal('pdf'), isPolicy),
    revocation: is.schema(revocationOptionsSchema),
    limits: is.schema(pdfLimitsSchema),
    abortSignal: is.instance(AbortSignal),
    timeoutInMs: is.integer(1, 3_600_000),
    requestId: is.string(1, 200),
  }),
);

/** Validates `verifyPdfSignatures` options (naming the bad key) and decodes every certificate and CRL once. */
export function normalizeVerifyOptions(options: VerifyPdfOptions | undefined): NormalizedVerifyOptions {
  checkOptions(verifyOptionsSchema, options ?? {}, 'verifyPdfSignatures options');
  const o = options ?? {};
  let trust: Uint8Array[] = [];
  let tsaTrust: Uint8Array[] = [];
  try {
    trust = o.trustAnchors === undefined ? [] : decodeCertificates(o.trustAnchors);
    tsaTrust = o.tsaTrustAnchors === undefined ? trust : decodeCertificates(o.tsaTrustAnchors);
    // Read now (parsed once per process): an unreadable anchor is the caller's setting, not a fault of the PDF,
    // and would otherwise end every report as a file that "could not be processed".
    for (const der of new Set([...trust, ...tsaTrust])) certFromDer(der);
  } catch {
    throw invalidArgument('A trust anchor is not a readable PEM or DER certificate');
  }
  const { crls = [], ocspResponses = [], online, ...freshness } = o.revocation ?? {};
  return {
    trust,
    tsaTrust,
    validationTime: o.validationTime ?? new Date(),
    policy: o.policy === undefined || o.policy === 'pdf' ? PDF_POLICY : o.policy,
    online: online ? (typeof online === 'object' ? online : {}) : undefined,
    suppliedCrls: crls.flatMap((c, i) =>
      supplied(
        () => decodeCertificates(c, 'X509 CRL').map((der) => parseCrl(der)),
        `revocation.crls[${i}] is not a CRL`,
      ),
    ),
    suppliedOcsps: ocspResponses.map((r, i) =>
      supplied(() => parseOcspResponse(r), `revocation.ocspResponses[${i}] is not an OCSP response`),
    ),
    freshness,
    limits: {
      ...DEFAULT_PDF_LIMITS,
      ...o.limits,
      ...(o.timeoutInMs !== undefined ? { timeInMs: o.timeoutInMs } : {}),
    },
    abortSignal: o.abortSignal,
    requestId: o.requestId,
  };
}

function supplied<T>(parse: () => T, message: string): T {
  try {
    return parse();
  } catch {
    throw invalidArgument(message);
  }
}
