import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sameName } from '../certificate/name.js';
import { type Cert, fromPkijs, uniqueCerts } from '../certificate/parse.js';
import { allZuluTimes } from '../certificate/times.js';
import { cryptoEngine, OID, toArrayBuffer } from '../engine.js';
import { PkiError } from '../errors.js';
import { serialKey } from './serial.js';
import { REASONS, type RevocationReason, type RevocationSource } from './types.js';

/** RFC 6960 OCSPResponseStatus names. */
export type OcspResponseStatus =
  | 'successful'
  | 'malformedRequest'
  | 'internalError'
  | 'tryLater'
  | 'sigRequired'
  | 'unauthorized'
  | 'unknown';

const RESPONSE_STATUS: Record<number, OcspResponseStatus> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

/**
 * A parsed OCSP response (a full OCSPResponse or a bare BasicOCSPResponse, as CMS and `/DSS` carry them).
 * Reading it checks only its syntax; the signature, the responder's authority and freshness are judged
 * against the certificate being validated.
 */
export interface ParsedOcspResponse {
  readonly type: 'ocsp';
  readonly source: RevocationSource;
  readonly der: Uint8Array;
  /** SHA-256 of the DER, hex. */
  readonly sha256: string;
  /** Anything but `successful` carries no status. */
  readonly responseStatus: OcspResponseStatus;
  readonly producedAt: Date | undefined;
  /** Number of single responses. */
  readonly responses: number;
}

export interface OcspInternals {
  basic: pkijs.BasicOCSPResponse | undefined;
  /** Certificates the responder sent along (its own, usually). */
  certs: Cert[];
  /** A critical response extension that is not understood: the response is not usable. */
  unsupported: string | undefined;
}

/** What one SingleResponse says about a certificate. */
export interface OcspAnswer {
  status: 'good' | 'revoked' | 'unknown';
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revokedAt?: Date;
  reason?: RevocationReason;
  /** A critical single-response extension that is not understood (RFC 6960 §4.4): the answer is not usable. */
  unsupported?: string;
}

const INTERNALS = new WeakMap<ParsedOcspResponse, OcspInternals>();

export function ocspInternals(r: ParsedOcspResponse): OcspInternals {
  const i = INTERNALS.get(r);
  if (!i) throw new PkiError('ERR_PKI_INPUT', 'Not an OCSP response made by parseOcspResponse');
  return i;
}

function readBasic(asn: asn1js.AsnType): { status: OcspResponseStatus; basic?: pkijs.BasicOCSPResponse } {
  try {
    const resp = new pkijs.OCSPResponse({ schema: asn });
    const status = RESPONSE_STATUS[resp.responseStatus.valueBlock.valueDec] ?? 'unknown';
    if (status !== 'successful') return { status };
    if (resp.responseBytes?.responseType !== OID.ocspBasic) throw new Error('not a basic OCSP response');
    const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    return { status, basic: new pkijs.BasicOCSPResponse({ schema: inner.result }) };
  } catch (err) {
    if (err instanceof Error && err.message === 'not a basic OCSP response') throw err;
    // Not an OCSPResponse: CMS and /DSS may carry the BasicOCSPResponse alone.
    return { status: 'successful', basic: new pkijs.BasicOCSPResponse({ schema: asn }) };
  }
}

/**
 * Reads an OCSP response (DER). Throws `ERR_PKI_INPUT` when it is neither an OCSPResponse nor a
 * BasicOCSPResponse. `source` says where it came from in reports (default `supplied`).
 *
 * @example
 * ```ts
 * const ocsp = parseOcspResponse(await readFile('signer.ocsp'));
 * const result = await validateCertificatePath(signer, { trustAnchors: root, revocation: { ocspResponses: [ocsp] } });
 * ```
 */
export function parseOcspResponse(
  der: Uint8Array,
  options: { source?: RevocationSource } = {},
): ParsedOcspResponse {
  if (!(der instanceof Uint8Array)) throw new PkiError('ERR_PKI_INPUT', 'An OCSP response must be DER bytes');
  let read: { status: OcspResponseStatus; basic?: pkijs.BasicOCSPResponse };
  const internals: OcspInternals = { basic: undefined, certs: [], unsupported: undefined };
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset !== der.length) throw new Error('not exactly one DER structure');
    read = readBasic(asn.result);
    internals.basic = read.basic;
    internals.certs = (read.basic?.certs ?? []).map((c) => fromPkijs(c));
    const critical = read.basic?.tbsResponseData.responseExtensions?.find(
      (e) => e.critical && e.extnID !== OID.ocspNonce,
    );
    if (critical) internals.unsupported = `critical OCSP extension ${critical.extnID}`;
    // asn1js misreads a GeneralizedTime in local time or with an offset (the day of the week as the day).
    if (read.basic && !allZuluTimes(asn1js.fromBER(read.basic.tbsResponseData.tbsView).result))
      internals.unsupported ??= 'a time not written in UTC (RFC 6960 §4.2.2.1, RFC 5280 §4.1.2.5.2)';
  } catch (cause) {
    throw new PkiError('ERR_PKI_INPUT', 'An OCSP response is not a readable DER OCSPResponse', { cause });
  }
  const parsed: ParsedOcspResponse = Object.freeze({
    type: 'ocsp',
    source: options.source ?? 'supplied',
    der: Uint8Array.from(der),
    sha256: createHash('sha256').update(der).digest('hex'),
    responseStatus: read.status,
    producedAt: read.basic?.tbsResponseData.producedAt,
    responses: read.basic?.tbsResponseData.responses.length ?? 0,
  });
  INTERNALS.set(parsed, internals);
  return parsed;
}

/** Every OCSP response of the inputs; parsed ones pass through. */
export function toOcspResponses(
  inputs: readonly (Uint8Array | ParsedOcspResponse)[] | undefined,
  source: RevocationSource,
): ParsedOcspResponse[] {
  return (inputs ?? []).map((item) => {
    if (item instanceof Uint8Array) return parseOcspResponse(item, { source });
    ocspInternals(item);
    return item;
  });
}

const HASHES: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** RFC 6960 §4.1.1 CertID match: hashed issuer name and key, and the serial number. */
function matches(id: pkijs.CertID, cert: Cert, issuer: Cert): boolean {
  const alg = HASHES[id.hashAlgorithm.algorithmId];
  if (!alg) return false;
  if (serialKey(id.serialNumber) !== serialKey(cert.pkijs.serialNumber)) return false;
  const keyHash = createHash(alg)
    .update(issuer.pkijs.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
    .digest();
  if (!keyHash.equals(Buffer.from(id.issuerKeyHash.valueBlock.valueHexView))) return false;
  const want = Buffer.from(id.issuerNameHash.valueBlock.valueHexView);
  const names = [cert.pkijs.issuer.toSchema().toBER(false), issuer.pkijs.subject.toSchema().toBER(false)];
  return names.some((n) => createHash(alg).update(Buffer.from(n)).digest().equals(want));
}

function answerOf(single: pkijs.SingleResponse): OcspAnswer {
  const cs = single.certStatus as asn1js.BaseBlock;
  const tag = cs.idBlock.tagNumber;
  const critical = single.singleExtensions?.find((e) => e.critical);
  const base = {
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    ...(critical ? { unsupported: `critical OCSP single response extension ${critical.extnID}` } : {}),
  };
  if (cs.idBlock.tagClass === 3 && tag === 0) return { status: 'good', ...base };
  if (cs.idBlock.tagClass === 3 && tag === 1) {
    const parts = (cs as asn1js.Constructed).valueBlock.value;
    const revokedAt = (parts[0] as asn1js.GeneralizedTime).toDate();
    const reasonBlock = (parts[1] as asn1js.Constructed | undefined)?.valueBlock.value[0] as
      | asn1js.Enumerated
      | undefined;
    const reason = reasonBlock ? (REASONS[reasonBlock.valueBlock.valueDec] ?? 'unspecified') : undefined;
    return { status: 'revoked', ...base, revokedAt, ...(reason ? { reason } : {}) };
  }
  return { status: 'unknown', ...base };
}

/** Every single response of the OCSP response about `cert` (issued by `issuer`). */
export function ocspAnswersFor(r: ParsedOcspResponse, cert: Cert, issuer: Cert): OcspAnswer[] {
  const basic = ocspInternals(r).basic;
  if (!basic) return [];
  const out: OcspAnswer[] = [];
  for (const single of basic.tbsResponseData.responses) {
    try {
      if (matches(single.certID, cert, issuer)) out.push(answerOf(single));
    } catch {
      // A malformed single response says nothing.
    }
  }
  return out;
}

/**
 * Responder certificates tried at most: the `certs` are not signed, so anyone passing the response on can add
 * look-alikes, and each one costs signature checks.
 */
const MAX_RESPONDER_CANDIDATES = 16;

/** The certificates the responderID names, by name or by the SHA-1 of the key (RFC 6960 §4.2.2.3). */
function byResponderId(rid: unknown, candidates: readonly Cert[]): Cert[] {
  if (rid instanceof pkijs.RelativeDistinguishedNames)
    return candidates.filter((c) => sameName(c.pkijs.subject, rid));
  if (!(rid instanceof asn1js.OctetString)) return [];
  const want = Buffer.from(rid.valueBlock.valueHexView);
  return candidates.filter((c) =>
    createHash('sha1')
      .update(c.pkijs.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
      .digest()
      .equals(want),
  );
}

/**
 * Every certificate that may have signed the response for `issuer`'s certificates: of those the responderID names
 * among the CA (first), the certificates the response carries and the `others` at hand (RFC 6960 §4.2.1: a
 * responder may leave its certificate out; a PDF's /DSS or the caller then has it), the CA and the certificates
 * that name the CA as their issuer (a delegated responder), at most MAX_RESPONDER_CANDIDATES. The `certs` are
 * outside the signed data: a look-alike (the responder's name or key) may come before the real one, so each is a
 * candidate, judged by its authority and whether its key verifies. None: the first certificate named, to be
 * refused with its reason.
 */
export function namedResponders(r: ParsedOcspResponse, issuer: Cert, others: readonly Cert[] = []): Cert[] {
  const i = ocspInternals(r);
  const pool = uniqueCerts([issuer, ...i.certs, ...others]);
  const named = byResponderId(i.basic?.tbsResponseData.responderID, pool);
  const plausible = named.filter((c) => c === issuer || sameName(c.pkijs.issuer, issuer.pkijs.subject));
  return plausible.length > 0 ? plausible.slice(0, MAX_RESPONDER_CANDIDATES) : named.slice(0, 1);
}

/** The first certificate the responderID names (see `namedResponders`), for reports. */
export function namedResponder(
  r: ParsedOcspResponse,
  issuer: Cert,
  others: readonly Cert[] = [],
): Cert | undefined {
  return namedResponders(r, issuer, others)[0];
}

/**
 * A DER OCSPRequest for `cert` (CertID with SHA-1, as RFC 6960 responders universally accept), for online checks.
 */
export async function ocspRequestFor(cert: Cert, issuer: Cert): Promise<Uint8Array> {
  const req = new pkijs.OCSPRequest();
  await req.createForCertificate(
    cert.pkijs,
    { hashAlgorithm: 'SHA-1', issuerCertificate: issuer.pkijs },
    cryptoEngine(),
  );
  return new Uint8Array(req.toSchema(true).toBER(false));
}
