import { createHash } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { sharedTelemetry } from '@thgov/core/internal';
import type { TimeStampFunction } from '@thgov/pki';
import { appearanceLines, buildAppearance } from '../appearance/appearance.js';
import { EsignError } from '../errors.js';
import { PdfDocument } from '../pdf/document.js';
import { addTo, appendDss, type ValidationData } from '../pki/dss-write.js';
import type { DigestAlgorithm } from '../signers/signer.js';
import { signingTimeAfterToken, tokenGenTime } from '../time-order.js';
import { signCms } from './cms.js';
import { checkCertificationFirst, openForUpdate } from './open-for-update.js';
import { type PadesLevel, type SignPdfOptions, validateSignOptions } from './options.js';
import { fillContents, prepareSignature, type SignatureFieldSpec } from './placeholder.js';
import { checkSigner, collectTimeStampData } from './signer-check.js';
import { type TimeStampSource, timeStamper, tokenCertificates } from './timestamp.js';

/** Room for a signature time-stamp token (a TSA certificate chain is usually 2–6 kB). */
const TOKEN_ALLOWANCE = 12_000;

/** Bytes reserved for /Contents: the chain, the signature, a time-stamp token, revocation data, and slack. */
function estimateContents(options: SignPdfOptions, withToken: boolean, data: ValidationData): number {
  const chain = options.signer.certificateChain.reduce((n, c) => n + c.length, 0);
  const adbe = options.subFilter === 'adbe.pkcs7.detached';
  const revocation = adbe ? [...data.crls, ...data.ocsps].reduce((n, c) => n + c.length, 0) : 0;
  return chain + revocation + (withToken ? TOKEN_ALLOWANCE : 0) + 2_048;
}

type AppearanceBuilder = Awaited<ReturnType<typeof buildAppearance>>;

function fieldSpec(
  options: SignPdfOptions,
  contentsSize: number,
  signingTime: Date,
  appearance: AppearanceBuilder | undefined,
): SignatureFieldSpec {
  const visible = options.appearance;
  const lock = options.lockFields;
  return {
    kind: 'signature',
    subFilter: options.subFilter ?? 'ETSI.CAdES.detached',
    contentsSize,
    signingTime,
    ...(options.fieldName ? { fieldName: options.fieldName } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
    ...(options.contactInfo ? { contactInfo: options.contactInfo } : {}),
    ...(options.certify ? { certify: options.certify } : {}),
    ...(lock ? { lockFields: lock === 'all' ? { action: 'All' } : { action: 'Include', fields: lock } } : {}),
    ...(visible ? { widget: { pageIndex: (visible.page ?? 1) - 1, rect: visible.rect } } : {}),
    ...(appearance ? { extraObjects: appearance } : {}),
  };
}

const atLeast = (level: PadesLevel, wanted: PadesLevel) =>
  ['B-B', 'B-T', 'B-LT', 'B-LTA'].indexOf(level) >= ['B-B', 'B-T', 'B-LT', 'B-LTA'].indexOf(wanted);

/**
 * Signs `pdf` as one incremental update (earlier signatures stay valid, PDF/A-3 metadata and output intents are
 * untouched), at a PAdES baseline level: `B-B` (ETSI.CAdES.detached, ESS signing-certificate-v2, the time in
 * /M and not in the CMS), `B-T` (+ an RFC 3161 signature time-stamp), `B-LT` (+ certificates, OCSP responses
 * and CRLs in /DSS with a /VRI entry), `B-LTA` (+ a document time-stamp). The signer's certificate is checked
 * first (validity, key usage, chain to `trustAnchors`, revocation when data is at hand).
 *
 * @example
 * ```ts
 * import { keyObjectSigner, signPdf } from '@thgov/esign';
 *
 * const signer = keyObjectSigner(privateKey, [officerCertPem, caCertPem]);
 * const signed = await signPdf(letterPdf, {
 *   signer,
 *   level: 'B-LTA',
 *   tsa: 'http://127.0.0.1:8080/tsa',
 *   trustAnchors: rootCertPem,
 *   revocation: 'fetch',
 *   reason: 'อนุมัติ / Approved',
 * });
 * ```
 */
export function signPdf(pdf: Uint8Array, options: SignPdfOptions): Promise<Uint8Array> {
  return sharedTelemetry('@thgov/esign').operation('pdf.sign', () => signPdfUntraced(pdf, options), {
    'thgov.pades_level': String(options?.level ?? 'B-B'),
  });
}

const DIGESTS: readonly DigestAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];

/** The digest to sign over: the caller's, else the signer's preferred one (SHA-256 when it names none). */
function digestFor(options: SignPdfOptions): DigestAlgorithm {
  const named = options.signer.digests;
  const offered = Array.isArray(named) ? named.filter((d) => DIGESTS.includes(d)) : undefined;
  const wanted = options.digestAlgorithm ?? offered?.[0] ?? 'SHA-256';
  if (offered && !offered.includes(wanted))
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `The signer signs over ${offered.join(', ') || 'no digest thgov uses'} only, not ${wanted}`,
    );
  return wanted;
}

async function signPdfUntraced(pdf: Uint8Array, given: SignPdfOptions): Promise<Uint8Array> {
  if (!(pdf instanceof Uint8Array)) throw invalidArgument('pdf must be a Uint8Array');
  validateSignOptions(given);
  const options = { ...given, digestAlgorithm: digestFor(given) };
  const level = options.level ?? 'B-B';
  const signingTime = options.signingTime ?? new Date();
  // A damaged or encrypted document is refused before the signer check asks any responder.
  const doc = openForUpdate(pdf);
  checkCertificationFirst(doc, options.certify);
  const data = await checkSigner(options, signingTime);
  // From B-LT on, /DSS carries the supplied certificates: a TSA's certificate there verifies a token without it.
  const known = atLeast(level, 'B-LT')
    ? { knownCertificates: options.validationData?.certificates ?? [] }
    : {};
  const tsa = options.tsa ? timeStamper(options.tsa, { ...options, ...known }) : undefined;
  try {
    const signed = await signOnce(doc, pdf, options, signingTime, data, tsa?.stamp);
    if (options.subFilter === 'adbe.pkcs7.detached') checkTimeOrder(signingTime, signed.token);
    if (!atLeast(level, 'B-LT')) return signed.bytes;
    for (const c of tokenCertificates(signed.token ?? new Uint8Array())) data.certificates.push(c);
    if (!data.crls.length && !data.ocsps.length)
      throw new EsignError(
        'ERR_ESIGN_VALIDATION_DATA',
        'B-LT needs OCSP responses or CRLs for the signer chain: supply validationData or use revocation: "fetch"',
      );
    if (signed.token) addTo(data, await timeStampData(signed.token, signingTime, options, data));
    const withDss = appendDss(new PdfDocument(signed.bytes), signed.bytes, data, [
      { signatureContents: signed.cms, data },
    ]);
    if (level !== 'B-LTA') return withDss;
    return await appendDocumentTimeStamp(withDss, tsa!.stamp);
  } finally {
    await tsa?.close();
  }
}

/** The signature time-stamp's TSA path data, at the token's genTime ({@link collectTimeStampData}). */
function timeStampData(
  token: Uint8Array,
  signingTime: Date,
  options: SignPdfOptions,
  signerData: ValidationData,
): Promise<ValidationData> {
  const o = { known: [...signerData.certificates], strict: true };
  return collectTimeStampData(token, tokenGenTime(token) ?? signingTime, options, o);
}

/**
 * A CMS signingTime attribute (adbe.pkcs7.detached: CAdES carries none, only the /M claim) later than the signature
 * time-stamp's genTime (beyond the clocks' tolerance): no such document is handed out. The token is over the
 * signature value, so this can only be known once the TSA has answered.
 */
function checkTimeOrder(signingTime: Date, token: Uint8Array | undefined): void {
  const problem = signingTimeAfterToken(signingTime, token);
  if (problem) throw invalidArgument(problem);
}

async function signOnce(
  doc: PdfDocument,
  pdf: Uint8Array,
  options: SignPdfOptions,
  signingTime: Date,
  data: ValidationData,
  stamp: TimeStampFunction | undefined,
): Promise<{ bytes: Uint8Array; cms: Uint8Array; token?: Uint8Array }> {
  const level = options.level ?? 'B-B';
  const withToken = atLeast(level, 'B-T');
  let token: Uint8Array | undefined;
  const recordToken: TimeStampFunction = async (req) => {
    token = await stamp!(req);
    return token;
  };
  const appearance = options.appearance
    ? await buildAppearance(
        options.appearance,
        appearanceLines(options.appearance, options.signer.certificateChain[0]!, signingTime),
      )
    : undefined;
  let size = estimateContents(options, withToken, data);
  // The estimate is generous; if a token or a long chain still overflows it, sign again with the real size.
  for (let attempt = 0; ; attempt++) {
    const prepared = prepareSignature(doc, pdf, fieldSpec(options, size, signingTime, appearance));
    const cades = (options.subFilter ?? 'ETSI.CAdES.detached') === 'ETSI.CAdES.detached';
    const cms = await signCms({
      parts: prepared.parts,
      signer: options.signer,
      digest: options.digestAlgorithm ?? 'SHA-256',
      cades,
      signingTime,
      ...(cades ? {} : { revocation: { crls: data.crls, ocsps: data.ocsps } }),
      ...(withToken ? { timeStamp: recordToken } : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    if (cms.length <= size || attempt > 0)
      return { bytes: fillContents(prepared, cms), cms, ...(token ? { token } : {}) };
    size = cms.length + 1_024;
  }
}

/**
 * Appends a document time-stamp (`ETSI.RFC3161`, the archive time-stamp of PAdES B-LTA) as an incremental update.
 *
 * @example
 * ```ts
 * const archived = await addDocumentTimeStamp(signedPdf, { tsa: 'http://127.0.0.1:8080/tsa' });
 * ```
 */
export async function addDocumentTimeStamp(
  pdf: Uint8Array,
  options: { tsa: TimeStampSource; abortSignal?: AbortSignal; timeoutInMs?: number },
): Promise<Uint8Array> {
  if (!(pdf instanceof Uint8Array)) throw invalidArgument('pdf must be a Uint8Array');
  if (typeof options?.tsa !== 'string' && typeof options?.tsa !== 'function')
    throw invalidArgument('addDocumentTimeStamp needs a tsa (URL or function)');
  openForUpdate(pdf);
  const tsa = timeStamper(options.tsa, options);
  try {
    return await appendDocumentTimeStamp(pdf, tsa.stamp);
  } finally {
    await tsa.close();
  }
}

/** The document time-stamp update itself, with a ready time-stamp function (B-LTA and {@link extendPdf}). */
export async function appendDocumentTimeStamp(
  pdf: Uint8Array,
  stamp: TimeStampFunction,
): Promise<Uint8Array> {
  const doc = openForUpdate(pdf);
  let size = TOKEN_ALLOWANCE;
  for (let attempt = 0; ; attempt++) {
    const prepared = prepareSignature(doc, pdf, {
      kind: 'document-timestamp',
      subFilter: 'ETSI.RFC3161',
      contentsSize: size,
      signingTime: new Date(),
    });
    const h = createHash('sha256');
    for (const p of prepared.parts) h.update(p);
    const token = await stamp({ imprint: new Uint8Array(h.digest()), hashAlgorithm: 'SHA-256' });
    if (token.length <= size || attempt > 0) return fillContents(prepared, token);
    size = token.length + 1_024;
  }
}
