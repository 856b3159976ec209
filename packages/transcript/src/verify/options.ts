import { invalidArgument } from '@thgov/core';
import type { ZodType } from 'zod';
import { z } from 'zod';
import { DEFAULT_PDF_LIMITS, type PdfLimits } from '../pdf/limits.js';
import { decodeCertificates } from '../pki/pem.js';

export type CertificateInput = string | Uint8Array;

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
  /** Fetch OCSP/CRL online when embedded revocation data is missing (opt-in). */
  online?: boolean | { timeoutInMs?: number };
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
  online: { timeoutInMs: number } | undefined;
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
    online: z
      .union([
        z.boolean(),
        z.object({ timeoutInMs: z.number().int().positive().max(120_000).optional() }).strict(),
      ])
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
  return {
    trust,
    tsaTrust,
    validationTime: o.validationTime ?? new Date(),
    policy: o.policy ?? defaultPolicy,
    online: o.online
      ? { timeoutInMs: (typeof o.online === 'object' ? o.online.timeoutInMs : undefined) ?? 5_000 }
      : undefined,
    limits: { ...DEFAULT_PDF_LIMITS, ...pdfLimits },
    maxXmlBytes: maxXmlBytes ?? 5 * 1024 * 1024,
    maxXmlDepth: maxXmlDepth ?? 64,
    xmlValidator: o.xmlValidator,
    xmlSchema: o.xmlSchema,
    abortSignal: o.abortSignal,
  };
}
