import { invalidArgument } from '@thgov/core';
import {
  decodeCertificates,
  type OnlineRevocationOptions,
  type ParsedCrl,
  type ParsedOcspResponse,
  parseCrl,
  parseOcspResponse,
} from '@thgov/pki';
import { onlineOptionsSchema } from '@thgov/pki/internal';
import type { ZodType } from 'zod';
import { z } from 'zod';
import { DEFAULT_PDF_LIMITS, type PdfLimits } from '../pdf/limits.js';

export type CertificateInput = string | Uint8Array;

/**
 * Revocation data you hold (closed agency networks keep the CA's CRLs and OCSP responses on disk) and the
 * freshness rules. Supplied evidence is weighed with what the file carries: a revocation in any of it wins.
 */
export interface RevocationOptions {
  /** CRLs, PEM (`X509 CRL`) or DER. */
  crls?: (string | Uint8Array)[];
  /** OCSP responses, DER (a full OCSPResponse or a BasicOCSPResponse). */
  ocspResponses?: Uint8Array[];
  /** Policy maximum age: evidence issued longer than this before the validated time is not fresh. */
  maxAgeInMs?: number;
  /** How long an OCSP answer without nextUpdate counts. Default 24 hours. */
  maxAgeWithoutNextUpdateInMs?: number;
}

/** Result of a caller-supplied XML check (for example an XSD validator). */
export type XmlValidatorResult = boolean | { valid: boolean; errors?: string[] };
export type XmlValidator = (input: {
  xml: Uint8Array;
  text: string;
}) => XmlValidatorResult | Promise<XmlValidatorResult>;

export interface VerifyOptions {
  /** Trust anchors for signer chains (PEM text with one or more certificates, or DER). Never Node's TLS roots. */
  trust?: CertificateInput | CertificateInput[];
  /** Trust anchors for time-stamp authorities. Defaults to `trust`. */
  tsaTrust?: CertificateInput | CertificateInput[];
  /** Time at which to validate when no time-stamp proves an earlier one. Default: now. */
  validationTime?: Date;
  /** `transcript` (strict, default of verifyTranscript) or `pdf` (generic, default of verifyPdfSignatures). */
  policy?: 'transcript' | 'pdf';
  /**
   * Fetch OCSP/CRL online (the certificates' AIA OCSP and CRL distribution point URLs) when the evidence at hand
   * does not settle a status. Opt-in; goes through `@thgov/core`'s Transport (`proxy`, per-request `timeoutInMs`,
   * `maxResponseBytes`).
   */
  online?: boolean | OnlineRevocationOptions;
  /** CRLs and OCSP responses you hold, and freshness rules. */
  revocation?: RevocationOptions;
  limits?: Partial<PdfLimits> & { maxXmlBytes?: number; maxXmlDepth?: number };
  /** Extra XML validation (XSD or anything else) run after the built-in checks. */
  xmlValidator?: XmlValidator;
  /** A zod schema applied to the XML converted to plain data (see `xmlToData`). */
  xmlSchema?: ZodType;
  abortSignal?: AbortSignal;
}

export interface NormalizedOptions {
  trust: Uint8Array[];
  tsaTrust: Uint8Array[];
  validationTime: Date;
  policy: 'transcript' | 'pdf';
  online: OnlineRevocationOptions | undefined;
  suppliedCrls: ParsedCrl[];
  suppliedOcsps: ParsedOcspResponse[];
  freshness: { maxAgeInMs?: number; maxAgeWithoutNextUpdateInMs?: number };
  limits: PdfLimits;
  maxXmlBytes: number;
  maxXmlDepth: number;
  xmlValidator: XmlValidator | undefined;
  xmlSchema: ZodType | undefined;
  abortSignal: AbortSignal | undefined;
}

const certInput = z.union([z.string(), z.instanceof(Uint8Array)]);
const schema = z
  .object({
    trust: z.union([certInput, z.array(certInput)]).optional(),
    tsaTrust: z.union([certInput, z.array(certInput)]).optional(),
    validationTime: z.date().optional(),
    policy: z.enum(['transcript', 'pdf']).optional(),
    online: z.union([z.boolean(), onlineOptionsSchema]).optional(),
    revocation: z
      .object({
        crls: z
          .array(z.union([z.string(), z.instanceof(Uint8Array)]))
          .max(10_000)
          .optional(),
        ocspResponses: z.array(z.instanceof(Uint8Array)).max(10_000).optional(),
        maxAgeInMs: z.number().int().min(0).optional(),
        maxAgeWithoutNextUpdateInMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        maxBytes: z.number().int().positive().optional(),
        maxObjects: z.number().int().positive().optional(),
        maxDepth: z.number().int().positive().max(1000).optional(),
        maxStreamBytes: z.number().int().positive().optional(),
        timeInMs: z.number().int().positive().optional(),
        maxXmlBytes: z.number().int().positive().optional(),
        maxXmlDepth: z.number().int().positive().max(10_000).optional(),
      })
      .strict()
      .optional(),
    xmlValidator: z.function().optional(),
    xmlSchema: z.custom<ZodType>((v) => typeof v === 'object' && v !== null && 'safeParse' in v).optional(),
    abortSignal: z.instanceof(AbortSignal).optional(),
  })
  .strict();

export function normalizeOptions(
  options: VerifyOptions | undefined,
  defaultPolicy: 'transcript' | 'pdf',
): NormalizedOptions {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidArgument(
      `Invalid verify options at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  const o = options ?? {};
  let trust: Uint8Array[] = [];
  let tsaTrust: Uint8Array[] = [];
  try {
    trust = o.trust === undefined ? [] : decodeCertificates(o.trust);
    tsaTrust = o.tsaTrust === undefined ? trust : decodeCertificates(o.tsaTrust);
  } catch {
    throw invalidArgument('A trust anchor is neither PEM nor DER certificate data');
  }
  const { maxXmlBytes, maxXmlDepth, ...pdfLimits } = o.limits ?? {};
  const { crls = [], ocspResponses = [], ...freshness } = o.revocation ?? {};
  return {
    trust,
    tsaTrust,
    validationTime: o.validationTime ?? new Date(),
    policy: o.policy ?? defaultPolicy,
    online: o.online ? (typeof o.online === 'object' ? o.online : {}) : undefined,
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
    limits: { ...DEFAULT_PDF_LIMITS, ...pdfLimits },
    maxXmlBytes: maxXmlBytes ?? 5 * 1024 * 1024,
    maxXmlDepth: maxXmlDepth ?? 64,
    xmlValidator: o.xmlValidator,
    xmlSchema: o.xmlSchema,
    abortSignal: o.abortSignal,
  };
}

function supplied<T>(parse: () => T, message: string): T {
  try {
    return parse();
  } catch {
    throw invalidArgument(message);
  }
}
