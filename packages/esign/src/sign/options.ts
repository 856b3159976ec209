import { X509Certificate } from 'node:crypto';
import { validateOptions, z } from '@thgov/core/internal';
import type { CertificateInput } from '@thgov/pki';
import type { SignatureAppearance } from '../appearance/appearance.js';
import type { DigestAlgorithm, Signer } from '../signers/signer.js';
import type { PadesLevel } from '../verify/report.js';
import type { TimeStampSource } from './timestamp.js';

export type { PadesLevel };

/** Revocation data the caller already holds, embedded as given (DER). */
export interface SuppliedValidationData {
  /** Extra certificates (the TSA's chain, cross-certificates) for the document security store. */
  certificates?: Uint8Array[];
  crls?: Uint8Array[];
  ocspResponses?: Uint8Array[];
}

/** Options of {@link signPdf}. */
export interface SignPdfOptions {
  /** The key: {@link keyObjectSigner}, `pkcs11Signer`, `cscSigner`, or any {@link Signer}. */
  signer: Signer;
  /** Default `B-B`. B-T and above need `tsa`; B-LT and above need revocation data (supplied or fetched). */
  level?: PadesLevel;
  /** Time-stamp authority: an RFC 3161 URL or a function returning tokens. */
  tsa?: TimeStampSource;
  /**
   * Where B-LT's revocation data comes from: `embed` (default) uses `validationData` only; `fetch` also asks
   * the OCSP responders and CRL distribution points the certificates name.
   */
  revocation?: 'embed' | 'fetch';
  validationData?: SuppliedValidationData;
  /** Anchors the signer's certificate must chain to before anything is signed (the pre-sign check). */
  trustAnchors?: CertificateInput | CertificateInput[];
  /**
   * Skips the chain and revocation part of the pre-sign check (the validity period and key usage are always
   * checked). Only for a key whose anchors are not configured here: a verifier will still check the chain.
   */
  skipChainCheck?: boolean;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Name of the new signature field; default `Signature<n>`. */
  fieldName?: string;
  /** A visible signature (name, position, date in Thai and English) on a page rectangle; invisible by default. */
  appearance?: SignatureAppearance;
  /** Makes this the certification signature with DocMDP permissions P (1 no changes, 2 forms/signing, 3 + annotations). */
  certify?: 1 | 2 | 3;
  /** FieldMDP: lock every field, or the named ones, once signed. */
  lockFields?: 'all' | string[];
  /** Default `ETSI.CAdES.detached` (PAdES); `adbe.pkcs7.detached` for legacy readers (B-B/B-T only). */
  subFilter?: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
  /**
   * The claimed signing time written to /M (and, with `adbe.pkcs7.detached`, to the CMS signingTime attribute);
   * default now. In a CMS signingTime with a time-stamp (B-T and up), one more than five minutes later than the
   * token's genTime is ERR_INVALID_ARG once the TSA has answered (verification would call the signature
   * INDETERMINATE, TIMESTAMP_ORDER_FAILURE), and no document is returned.
   */
  signingTime?: Date;
  /** Default SHA-256. */
  digestAlgorithm?: DigestAlgorithm;
  abortSignal?: AbortSignal;
  /** Deadline of each TSA and revocation request. */
  timeoutInMs?: number;
}

const bytesList = z.array(z.instanceof(Uint8Array)).max(1000);

/** Schema of {@link SuppliedValidationData} (shared with extendPdf). */
export const validationDataSchema = z
  .object({
    certificates: bytesList.optional(),
    crls: bytesList.optional(),
    ocspResponses: bytesList.optional(),
  })
  .strict();

/** Schema of a time-stamp source: an http(s) URL or a function (shared with extendPdf). */
export const tsaSchema = z.union([
  z.string().url(),
  z.custom<(r: unknown) => unknown>((v) => typeof v === 'function'),
]);
const certInput = z.union([z.string(), z.instanceof(Uint8Array), z.instanceof(X509Certificate)]);
const text = z.string().max(1000);

const schema = z
  .object({
    signer: z.custom<Signer>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as Signer).sign === 'function' &&
        Array.isArray((v as Signer).certificateChain),
      { message: 'expected a Signer ({ certificateChain, sign })' },
    ),
    level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).optional(),
    tsa: tsaSchema.optional(),
    revocation: z.enum(['embed', 'fetch']).optional(),
    validationData: validationDataSchema.optional(),
    trustAnchors: z.union([certInput, z.array(certInput)]).optional(),
    skipChainCheck: z.boolean().optional(),
    reason: text.optional(),
    location: text.optional(),
    contactInfo: text.optional(),
    fieldName: z.string().min(1).max(200).optional(),
    appearance: z
      .object({
        page: z.number().int().min(1).max(100_000).optional(),
        rect: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        name: text.optional(),
        position: text.optional(),
        font: z.instanceof(Uint8Array).optional(),
      })
      .strict()
      .optional(),
    certify: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    lockFields: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
    subFilter: z.enum(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']).optional(),
    signingTime: z.date().optional(),
    digestAlgorithm: z.enum(['SHA-256', 'SHA-384', 'SHA-512']).optional(),
    abortSignal: z.instanceof(AbortSignal).optional(),
    timeoutInMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict()
  .refine((o) => !o.level || o.level === 'B-B' || o.tsa, { message: 'B-T and above need a tsa' })
  .refine((o) => o.trustAnchors || o.skipChainCheck, {
    message: 'Configure trustAnchors for the pre-sign check, or set skipChainCheck: true',
  })
  .refine(
    (o) => o.subFilter !== 'adbe.pkcs7.detached' || !o.level || o.level === 'B-B' || o.level === 'B-T',
    {
      message: 'adbe.pkcs7.detached signatures are not PAdES baseline: use level B-B or B-T',
    },
  );

/** Validates {@link SignPdfOptions} (zod, strict): unknown keys and impossible combinations are argument errors. */
export function validateSignOptions(options: SignPdfOptions): SignPdfOptions {
  validateOptions(schema, options, 'signPdf options');
  return options;
}
