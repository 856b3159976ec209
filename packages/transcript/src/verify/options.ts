import { checkOptions, is, withOptionCheck, z } from '@thgov/core/internal';
import type { CertificateInput, RevocationOptions as EsignRevocationOptions, PdfLimits } from '@thgov/esign';
import {
  certInput,
  isCertInputs,
  type NormalizedVerifyOptions,
  normalizeVerifyOptions,
  pdfLimitChecks,
  pdfLimitsSchema,
  revocationOptionChecks,
  revocationOptionsSchema,
} from '@thgov/esign/internal';
import type { OnlineRevocationOptions } from '@thgov/pki';
import { onlineOptionsSchema } from '@thgov/pki/internal';
import type { ZodType } from 'zod';
import { DEFAULT_MAX_XML_BYTES, DEFAULT_MAX_XML_DEPTH } from '../xml/check-xml.js';
import { TRANSCRIPT_POLICY } from './transcript-policy.js';

export type { CertificateInput };

/**
 * Revocation data you hold (closed agency networks keep the CA's CRLs and OCSP responses on disk) and the
 * freshness rules. Supplied evidence is weighed with what the file carries: a revocation in any of it wins.
 * (Online fetching is the top-level `online` option here; `@thgov/esign` takes it as `revocation.online`.)
 */
export type RevocationOptions = Omit<EsignRevocationOptions, 'online'>;

/** Result of a caller-supplied XML check (for example an XSD validator). */
export type XmlValidatorResult = boolean | { valid: boolean; errors?: string[] };
/** A caller-supplied XML check (an XSD validator or anything else), run after the built-in checks. */
export type XmlValidator = (input: {
  xml: Uint8Array;
  text: string;
}) => XmlValidatorResult | Promise<XmlValidatorResult>;

/** Options of `verifyTranscript` (unknown keys are refused). */
export interface VerifyOptions {
  /** Trust anchors for signer chains (PEM text with one or more certificates, or DER). Never Node's TLS roots. */
  trust?: CertificateInput | CertificateInput[];
  /** Trust anchors for time-stamp authorities. Defaults to `trust`. */
  tsaTrust?: CertificateInput | CertificateInput[];
  /** Time at which to validate when no time-stamp proves an earlier one. Default: now. */
  validationTime?: Date;
  /** `transcript` (strict, the default of verifyTranscript) or `pdf` (generic). */
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
  /**
   * Extra XML validation (XSD or anything else) run after the built-in checks. A throw, or an answer other than
   * `true` or `{ valid: true }`, fails the XML check (step 14).
   */
  xmlValidator?: XmlValidator;
  /**
   * A zod schema applied to the XML converted to plain data (see `xmlToData`). Parsed with `safeParseAsync`, so
   * async refinements work; a schema that throws fails the XML check (step 14).
   */
  xmlSchema?: ZodType;
  /**
   * The namespace URI(s) the XML's root element must be in (`''` for no namespace); otherwise the XML check
   * (step 14) fails. `xmlToData` keys elements by local name, so without this an XML of another vocabulary with the
   * same element names passes an `xmlSchema`. No namespace is assumed by default (ขมธอ. 25-2563's is not public).
   *
   * @example
   * ```ts
   * await verifyTranscript(pdf, { trust, xmlNamespace: 'urn:example:transcript:1', xmlSchema });
   * ```
   */
  xmlNamespace?: string | readonly string[];
  abortSignal?: AbortSignal;
}

/** The engine's options plus what only the transcript steps read. */
export interface NormalizedOptions extends NormalizedVerifyOptions {
  maxXmlBytes: number;
  maxXmlDepth: number;
  xmlValidator: XmlValidator | undefined;
  xmlSchema: ZodType | undefined;
  xmlNamespaces: readonly string[] | undefined;
}

const revocationWithoutOnline = Object.fromEntries(
  Object.entries(revocationOptionChecks).filter(([key]) => key !== 'online'),
);

export const verifyTranscriptOptionsSchema = withOptionCheck(
  z
    .object({
      trust: z.union([certInput, z.array(certInput)]).optional(),
      tsaTrust: z.union([certInput, z.array(certInput)]).optional(),
      validationTime: z.date().optional(),
      policy: z.enum(['transcript', 'pdf']).optional(),
      online: z.union([z.boolean(), onlineOptionsSchema]).optional(),
      revocation: revocationOptionsSchema.omit({ online: true }).optional(),
      limits: pdfLimitsSchema
        .extend({
          maxXmlBytes: z.number().int().positive().optional(),
          maxXmlDepth: z.number().int().positive().max(10_000).optional(),
        })
        .strict()
        .optional(),
      xmlValidator: z.function().optional(),
      xmlSchema: z.custom<ZodType>((v) => typeof v === 'object' && v !== null && 'safeParse' in v).optional(),
      xmlNamespace: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
      abortSignal: z.instanceof(AbortSignal).optional(),
    })
    .strict(),
  // What the schema surely accepts (see `withOptionCheck`); an xmlSchema, or online options with a proxy
  // URL, are left to zod.
  is.shape({
    trust: isCertInputs,
    tsaTrust: isCertInputs,
    validationTime: is.date,
    policy: is.literal('transcript', 'pdf'),
    online: is.either(is.boolean, is.schema(onlineOptionsSchema)),
    revocation: is.shape(revocationWithoutOnline),
    limits: is.shape({
      ...pdfLimitChecks,
      maxXmlBytes: is.integer(1, Number.MAX_SAFE_INTEGER),
      maxXmlDepth: is.integer(1, 10_000),
    }),
    xmlValidator: is.function,
    xmlNamespace: is.either(is.string(), (v) => Array.isArray(v) && v.length > 0 && is.array(is.string())(v)),
    abortSignal: is.instance(AbortSignal),
  }),
);

/** Validates the transcript options (naming the bad key), then lets the engine decode certificates and CRLs. */
export function normalizeOptions(
  options: VerifyOptions | undefined,
  defaultPolicy: 'transcript' | 'pdf',
): NormalizedOptions {
  checkOptions(verifyTranscriptOptionsSchema, options ?? {}, 'verifyTranscript options');
  const o = options ?? {};
  const { maxXmlBytes, maxXmlDepth, ...limits } = o.limits ?? {};
  const policy = o.policy ?? defaultPolicy;
  const engine = normalizeVerifyOptions({
    ...(o.trust !== undefined ? { trustAnchors: o.trust } : {}),
    ...(o.tsaTrust !== undefined ? { tsaTrustAnchors: o.tsaTrust } : {}),
    ...(o.validationTime ? { validationTime: o.validationTime } : {}),
    policy: policy === 'transcript' ? TRANSCRIPT_POLICY : 'pdf',
    revocation: { ...o.revocation, ...(o.online ? { online: o.online } : {}) },
    limits,
    ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
  });
  return {
    ...engine,
    maxXmlBytes: maxXmlBytes ?? DEFAULT_MAX_XML_BYTES,
    maxXmlDepth: maxXmlDepth ?? DEFAULT_MAX_XML_DEPTH,
    xmlValidator: o.xmlValidator,
    xmlSchema: o.xmlSchema,
    xmlNamespaces: o.xmlNamespace === undefined ? undefined : [o.xmlNamespace].flat(),
  };
}
