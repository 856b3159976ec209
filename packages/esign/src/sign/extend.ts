import { invalidArgument } from '@thgov/core';
import { validateOptions, z } from '@thgov/core/internal';
import { toArrayBuffer } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
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
  /**
   * The time-stamp authority. Needed for `B-LTA`, and for `B-LT` when a signature has no time-stamp proving its
   * time (no signature time-stamp, no document time-stamp after it): it first gets a document time-stamp.
   */
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

/**
 * The CMS of a /Contents value without its zero padding: the first BER element, definite length or not (NSS,
 * and so poppler's and Firefox-era signers, write the indefinite-length form, which ends in its own 00 00).
 */
function derOf(contents: Uint8Array): Uint8Array {
  const parsed = asn1js.fromBER(contents);
  return parsed.offset > 0 ? contents.subarray(0, parsed.offset) : contents;
}

/** The SignedData of a signature's CMS; a /Contents that holds none is refused (ERR_ESIGN_DOCUMENT). */
function signedDataOf(der: Uint8Array): pkijs.SignedData {
  try {
    return new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(der)).content });
  } catch (cause) {
    throw new EsignError(
      'ERR_ESIGN_DOCUMENT',
      'A signature of the PDF holds no readable CMS SignedData: its validation data cannot be collected',
      { cause },
    );
  }
}

/** The certificates of a CMS SignedData (the signer's chain as the signature carries it), signer first. */
function cmsCertificates(der: Uint8Array): Uint8Array[] {
  const sd = signedDataOf(der);
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = sd.signerInfos[0]?.sid;
  const isSigner = (c: pkijs.Certificate) =>
    sid instanceof pkijs.IssuerAndSerialNumber && c.serialNumber.isEqual(sid.serialNumber);
  const ordered = [...certs.filter(isSigner), ...certs.filter((c) => !isSigner(c))];
  return ordered.map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

/** The signature time-stamp token of a CMS signature, if it has one (its TSA chain belongs in /DSS too). */
function signatureToken(der: Uint8Array): Uint8Array | undefined {
  const sd = signedDataOf(der);
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
 * time-stamp. B-LT needs a proven time: a signature with no signature time-stamp and no document time-stamp after
 * it (one written before it proves nothing about it) first gets a document time-stamp from `tsa`, covered by that
 * /DSS; without a `tsa` it is refused (ERR_INVALID_ARG). Run it again with `B-LTA` before the last archive
 * time-stamp's TSA certificate expires to renew the archive. Each step is an incremental update: nothing signed
 * changes.
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
  const unproven = lacksTimeProof(found);
  if (unproven && !options.tsa)
    throw invalidArgument(
      'A signature has no time-stamp proving its time (B-B, and no document time-stamp after it): B-LT needs ' +
        'one, so pass a tsa (extendPdf then time-stamps the document before writing /DSS)',
    );
  const tsa = options.tsa ? timeStamper(options.tsa, options) : undefined;
  try {
    // B-LT needs a proven time: a signature that no time-stamp covers (B-B, or signed after the last document
    // time-stamp) first gets a document time-stamp, so that the /DSS written next covers its TSA too.
    const timed = unproven ? await appendDocumentTimeStamp(pdf, tsa!.stamp) : pdf;
    const lt = await withValidationData(timed, options);
    return options.level === 'B-LT' ? lt : await appendDocumentTimeStamp(lt, tsa!.stamp);
  } finally {
    await tsa?.close();
  }
}

type Found = ReturnType<typeof discoverSignatures>['found'][number];

/** The /ByteRange of a signature dictionary as four numbers, if it has one. */
function byteRangeOf(f: Found): number[] | undefined {
  const br = f.sig.get('ByteRange');
  return Array.isArray(br) && br.length === 4 && br.every((n) => typeof n === 'number')
    ? (br as number[])
    : undefined;
}

/**
 * Whether a document time-stamp covers signature `sig`: it was written after it, so the bytes it signs before
 * its own /Contents include all of the signature's signed range (and so its /Contents).
 */
function coveredByStamp(sig: Found, stamps: Found[]): boolean {
  const range = byteRangeOf(sig);
  if (!range) return false;
  const end = range[2]! + range[3]!;
  return stamps.some((s) => s !== sig && (byteRangeOf(s)?.[1] ?? -1) >= end);
}

/**
 * Whether some signature's time is proven by nothing: no signature time-stamp of its own and no document
 * time-stamp after it. A document time-stamp proves the time of what it covers only; one written before a
 * signature proves nothing about it, whichever TSA made it.
 */
function lacksTimeProof(found: Found[]): boolean {
  const stamps = found.filter((f) => f.kind === 'document-timestamp');
  return found.some((f) => {
    if (f.kind !== 'signature') return false;
    const contents = f.sig.get('Contents');
    if (!(contents instanceof PdfString)) return false;
    return signatureToken(derOf(contents.bytes)) === undefined && !coveredByStamp(f, stamps);
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
