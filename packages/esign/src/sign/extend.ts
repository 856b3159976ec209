import { validateOptions, z } from '@thgov/core/internal';
import { toArrayBuffer } from '@thgov/pki/internal';
import * as pkijs from 'pkijs';
import { EsignError } from '../errors.js';
import { PdfString } from '../pdf/objects.js';
import { addTo, appendDss, type ValidationData, type VriEntry } from '../pki/dss-write.js';
import { tokenGenTime } from '../time-order.js';
import { discoverSignatures } from '../verify/steps/signature-discovery.js';
import { openForUpdate } from './open-for-update.js';
import { type SuppliedValidationData, tsaSchema, validationDataSchema } from './options.js';
import { appendDocumentTimeStamp } from './sign-pdf.js';
import { collectTimeStampData, collectValidationData } from './signer-check.js';
import { type TimeStampSource, timeStamper, tokenCertificates } from './timestamp.js';

/** Options of {@link extendPdf}. */
export interface ExtendPdfOptions {
  /** `B-LT` adds /DSS; `B-LTA` also adds (or renews) the archive document time-stamp and needs `tsa`. */
  level: 'B-LT' | 'B-LTA';
  tsa?: TimeStampSource;
  /** `embed` (default) uses `validationData`; `fetch` also asks the certificates' OCSP and CRL URLs. */
  revocation?: 'embed' | 'fetch';
  validationData?: SuppliedValidationData;
  /** Anchors the signers' paths are built to (the path's certificates join /DSS). */
  trustAnchors?: Uint8Array | string | (Uint8Array | string)[];
  abortSignal?: AbortSignal;
  timeoutInMs?: number;
}

const schema = z
  .object({
    level: z.enum(['B-LT', 'B-LTA']),
    tsa: tsaSchema.optional(),
    revocation: z.enum(['embed', 'fetch']).optional(),
    validationData: validationDataSchema.optional(),
    trustAnchors: z
      .union([z.string(), z.instanceof(Uint8Array), z.array(z.union([z.string(), z.instanceof(Uint8Array)]))])
      .optional(),
    abortSignal: z.instanceof(AbortSignal).optional(),
    timeoutInMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict()
  .refine((o) => o.level !== 'B-LTA' || o.tsa, { message: 'B-LTA needs a tsa' });

/** The DER of a /Contents value without its zero padding (the length its outer SEQUENCE header gives). */
function derOf(contents: Uint8Array): Uint8Array {
  if (contents[0] !== 0x30) return contents;
  const first = contents[1] ?? 0;
  if (first < 0x80) return contents.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (contents[2 + i] ?? 0);
  return contents.subarray(0, Math.min(contents.length, 2 + n + len));
}

/** The certificates of a CMS SignedData (the signer's chain as the signature carries it), signer first. */
function cmsCertificates(der: Uint8Array): Uint8Array[] {
  const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(der)).content });
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = sd.signerInfos[0]?.sid;
  const isSigner = (c: pkijs.Certificate) =>
    sid instanceof pkijs.IssuerAndSerialNumber && c.serialNumber.isEqual(sid.serialNumber);
  const ordered = [...certs.filter(isSigner), ...certs.filter((c) => !isSigner(c))];
  return ordered.map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

/** The signature time-stamp token of a CMS signature, if it has one (its TSA chain belongs in /DSS too). */
function signatureToken(der: Uint8Array): Uint8Array | undefined {
  const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(der)).content });
  const attr = sd.signerInfos[0]?.unsignedAttrs?.attributes.find(
    (a) => a.type === '1.2.840.113549.1.9.16.2.14',
  );
  const value = attr?.values[0];
  return value ? new Uint8Array(value.toBER(false)) : undefined;
}

/**
 * The validation data of one signature: its signer's path and its signature time-stamp's TSA path (B-LT needs
 * both, ETSI EN 319 142-1), or of one document time-stamp's TSA path. Collected now, as the caller allows.
 */
async function validationDataFor(der: Uint8Array, isTimeStamp: boolean, options: ExtendPdfOptions) {
  const chain = cmsCertificates(der);
  const token = isTimeStamp ? undefined : signatureToken(der);
  const data: ValidationData = {
    certificates: [...(token ? tokenCertificates(token) : [])],
    crls: [],
    ocsps: [],
  };
  const o = { known: chain, strict: false };
  if (token) addTo(data, await collectTimeStampData(token, tokenGenTime(token) ?? new Date(), options, o));
  if (!chain.length) return data;
  const usage = isTimeStamp ? 'timestamping' : 'document-signing';
  addTo(data, (await collectValidationData(chain, options, new Date(), usage)).data);
  return data;
}

/**
 * Augments the signatures of a signed PDF: `B-LT` writes the certificates, OCSP responses and CRLs of every
 * signature (and of their time-stamps) to /DSS with a /VRI entry each; `B-LTA` then adds a document
 * time-stamp (a B-B signature, whose time nothing proves, first gets a document time-stamp of its own, covered by
 * that /DSS: B-LT needs a proven time and its TSA's validation data). Run it again with `B-LTA` before the last archive time-stamp's TSA certificate expires to renew
 * the archive. Each step is an incremental update: nothing signed changes.
 *
 * @example
 * ```ts
 * const archived = await extendPdf(signedPdf, {
 *   level: 'B-LTA',
 *   tsa: 'http://127.0.0.1:8080/tsa',
 *   trustAnchors: rootCertPem,
 *   revocation: 'fetch',
 * });
 * ```
 */
export async function extendPdf(pdf: Uint8Array, options: ExtendPdfOptions): Promise<Uint8Array> {
  validateOptions(schema, options, 'extendPdf options');
  const { found } = discoverSignatures(openForUpdate(pdf));
  if (!found.length) throw new EsignError('ERR_ESIGN_DOCUMENT', 'The PDF has no signature to extend');
  if (options.level === 'B-LT') return withValidationData(pdf, options);
  const tsa = timeStamper(options.tsa!, options);
  try {
    // B-LTA needs B-LT, which needs a proven time: a signature without a time-stamp (B-B) first gets a document
    // time-stamp, so that the /DSS written next covers its TSA too and the archive time-stamp covers both.
    const timed = lacksTimeProof(found) ? await appendDocumentTimeStamp(pdf, tsa.stamp) : pdf;
    return await appendDocumentTimeStamp(await withValidationData(timed, options), tsa.stamp);
  } finally {
    await tsa.close();
  }
}

/** Whether no time-stamp proves a signature's time: no document time-stamp, and a signature without its own. */
function lacksTimeProof(found: ReturnType<typeof discoverSignatures>['found']): boolean {
  if (found.some((f) => f.kind === 'document-timestamp')) return false;
  return found.some((f) => {
    const contents = f.sig.get('Contents');
    return contents instanceof PdfString && signatureToken(derOf(contents.bytes)) === undefined;
  });
}

/** The PDF with a /DSS (and a /VRI entry each) holding the validation data of every signature and time-stamp. */
async function withValidationData(pdf: Uint8Array, options: ExtendPdfOptions): Promise<Uint8Array> {
  const doc = openForUpdate(pdf);
  const { found } = discoverSignatures(doc);
  const all: ValidationData = { certificates: [], crls: [], ocsps: [] };
  const vri: VriEntry[] = [];
  for (const f of found) {
    const contents = f.sig.get('Contents');
    if (!(contents instanceof PdfString)) continue;
    const der = derOf(contents.bytes);
    const data = await validationDataFor(der, f.kind === 'document-timestamp', options);
    all.certificates.push(...data.certificates);
    all.crls.push(...data.crls);
    all.ocsps.push(...data.ocsps);
    vri.push({ signatureContents: der, data });
  }
  if (!all.crls.length && !all.ocsps.length)
    throw new EsignError(
      'ERR_ESIGN_VALIDATION_DATA',
      'No OCSP response or CRL for the signatures: nothing to add',
    );
  return appendDss(doc, pdf, all, vri);
}
