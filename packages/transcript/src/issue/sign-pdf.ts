import { createHash } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import {
  appendDss,
  fillContents,
  isEsignError,
  PdfDocument,
  prepareSignature,
  signDetachedCms,
  signingTimeAfterToken,
} from '@thgov/esign/internal';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import { TranscriptError } from '../errors.js';
import { importPrivateKey, type KeyInput } from '../pki/keys.js';
import { decodeCertificates } from '../pki/pem.js';

/** The signature formats issuing writes. */
export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

/** Options of the transcript profile's PDF signing: the signer's key and chain, SubFilter, revocation data and TSA. */
export interface SignPdfOptions {
  signer: { key: KeyInput; chain: (string | Uint8Array)[] };
  subFilter: SubFilter;
  /** Test hook: a SubFilter outside the allowed set, written as given (attack fixtures). */
  rawSubFilter?: string;
  when: Date;
  tsa?: TimeStampFunction;
  revocation?: { crls?: Uint8Array[]; ocsps?: Uint8Array[] };
  digestAlgorithm?: DigestName;
  reason?: string;
  location?: string;
  certify?: 1 | 2 | 3;
  contentsSize?: number;
  fieldName?: string;
}

/** The engine's document errors keep the code transcript issuing has always raised. */
async function asIssueError<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isEsignError(err, 'ERR_ESIGN_DOCUMENT'))
      throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', err.message, { cause: err });
    throw err;
  }
}

/**
 * Adds one signature to `pdf` in an incremental update (the existing bytes stay untouched), on the
 * @thgov/esign engine. Kept for issuing transcripts with a CryptoKey or PEM key; new code uses esign's
 * `signPdf` with a Signer.
 */
export function signPdf(pdf: Uint8Array, options: SignPdfOptions): Promise<Uint8Array> {
  return asIssueError(async () => {
    const contentsSize = options.contentsSize ?? 32768;
    const prepared = prepareSignature(new PdfDocument(pdf), pdf, {
      kind: 'signature',
      subFilter: options.rawSubFilter ?? options.subFilter,
      contentsSize,
      signingTime: options.when,
      ...(options.fieldName ? { fieldName: options.fieldName } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.location ? { location: options.location } : {}),
      ...(options.certify ? { certify: options.certify } : {}),
    });
    const chain = decodeCertificates(options.signer.chain);
    const cades = options.subFilter === 'ETSI.CAdES.detached';
    let token: Uint8Array | undefined;
    const tsa = options.tsa;
    const stamp: TimeStampFunction | undefined = tsa && (async (req) => (token = await tsa(req)));
    const cms = await signDetachedCms({
      data: prepared.parts,
      privateKey: await importPrivateKey(options.signer.key, options.digestAlgorithm ?? 'SHA-256'),
      chain,
      ...(options.digestAlgorithm ? { digestAlgorithm: options.digestAlgorithm } : {}),
      ...(cades ? {} : { signingTime: options.when }),
      essSigningCertificate: cades,
      ...(!cades && options.revocation ? { revocation: options.revocation } : {}),
      ...(stamp ? { timeStamp: stamp } : {}),
    });
    // Verification calls a CMS signingTime (adbe only) later than the time-stamp INDETERMINATE: none is issued.
    const lateClaim = cades ? undefined : signingTimeAfterToken(options.when, token);
    if (lateClaim) throw invalidArgument(lateClaim);
    const out = fillContents(prepared, cms);
    const rev = options.revocation;
    if (cades && rev && (rev.crls?.length || rev.ocsps?.length))
      return addDss(out, { certs: chain, crls: rev.crls ?? [], ocsps: rev.ocsps ?? [] });
    return out;
  });
}

/** Adds an RFC 3161 document time-stamp (PAdES B-LTA) in an incremental update. */
export function addDocumentTimeStamp(
  pdf: Uint8Array,
  options: { tsa: TimeStampFunction; contentsSize?: number; when?: Date },
): Promise<Uint8Array> {
  return asIssueError(async () => {
    const prepared = prepareSignature(new PdfDocument(pdf), pdf, {
      kind: 'document-timestamp',
      subFilter: 'ETSI.RFC3161',
      contentsSize: options.contentsSize ?? 32768,
      signingTime: options.when ?? new Date(),
    });
    const h = createHash('sha256');
    for (const part of prepared.parts) h.update(part);
    const token = await options.tsa({ imprint: new Uint8Array(h.digest()), hashAlgorithm: 'SHA-256' });
    if (token.length > prepared.contentsSize)
      throw new TranscriptError('ERR_TRANSCRIPT_TSA', 'The time-stamp token does not fit the placeholder');
    return fillContents(prepared, token);
  });
}

/** Appends a /DSS dictionary (PAdES B-LT): certificates, CRLs and OCSP responses as streams. */
export function addDss(
  pdf: Uint8Array,
  data: { certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] },
): Uint8Array {
  try {
    return appendDss(
      new PdfDocument(pdf),
      pdf,
      { certificates: data.certs, crls: data.crls, ocsps: data.ocsps },
      [],
    );
  } catch (err) {
    if (isEsignError(err, 'ERR_ESIGN_DOCUMENT'))
      throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', err.message, { cause: err });
    throw err;
  }
}
