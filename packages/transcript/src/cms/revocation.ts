import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { RevocationEvidence } from '../verify/report.js';
import { dnToString, extension, extKeyUsage, urlsFrom } from './certs.js';
import { cryptoEngine, OID, toArrayBuffer } from './engine.js';

export type RevocationSource = RevocationEvidence['source'];

export interface RevocationPool {
  crls: { crl: pkijs.CertificateRevocationList; source: RevocationSource }[];
  ocsps: { basic: pkijs.BasicOCSPResponse; source: RevocationSource }[];
}

export function emptyPool(): RevocationPool {
  return { crls: [], ocsps: [] };
}

export function addCrl(pool: RevocationPool, der: Uint8Array, source: RevocationSource): void {
  try {
    pool.crls.push({ crl: pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der)), source });
  } catch {
    // Unparseable revocation data counts as absent.
  }
}

/** Accepts a full OCSPResponse or a bare BasicOCSPResponse. */
export function addOcsp(pool: RevocationPool, der: Uint8Array, source: RevocationSource): void {
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    try {
      const resp = new pkijs.OCSPResponse({ schema: asn.result });
      if (resp.responseBytes && resp.responseBytes.responseType === OID.ocspBasic) {
        pool.ocsps.push({
          basic: pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView),
          source,
        });
        return;
      }
    } catch {
      pool.ocsps.push({ basic: new pkijs.BasicOCSPResponse({ schema: asn.result }), source });
    }
  } catch {
    // Unparseable revocation data counts as absent.
  }
}

export interface RevocationOutcome {
  evidence: RevocationEvidence[];
  /** 'unknown' when some certificate had no usable revocation data. */
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  problems: string[];
}

const SKEW_MS = 5 * 60_000;

function fresh(thisUpdate: Date, nextUpdate: Date | undefined, at: Date, now: Date): boolean {
  if (thisUpdate.getTime() > now.getTime() + SKEW_MS) return false;
  if (thisUpdate.getTime() >= at.getTime()) return true;
  return nextUpdate === undefined || nextUpdate.getTime() >= at.getTime();
}

async function ocspResponder(
  basic: pkijs.BasicOCSPResponse,
  issuer: pkijs.Certificate,
): Promise<pkijs.Certificate | undefined> {
  const rid = basic.tbsResponseData.responderID as unknown;
  const candidates = [issuer, ...(basic.certs ?? [])];
  let responder: pkijs.Certificate | undefined;
  if (rid instanceof pkijs.RelativeDistinguishedNames)
    responder = candidates.find((c) => c.subject.isEqual(rid));
  else if (rid instanceof asn1js.OctetString) {
    const want = Buffer.from(rid.valueBlock.valueHexView);
    responder = candidates.find((c) =>
      createHash('sha1')
        .update(c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
        .digest()
        .equals(want),
    );
  }
  if (!responder) return undefined;
  if (responder !== issuer && !Buffer.from(responder.tbsView).equals(Buffer.from(issuer.tbsView))) {
    // A delegated responder: issued by the CA and marked for OCSP signing.
    const eku = extKeyUsage(responder);
    if (!eku?.oids.includes(OID.ekuOcspSigning)) return undefined;
    if (!(await responder.verify(issuer, cryptoEngine()))) return undefined;
  }
  return responder;
}

async function ocspSignatureOk(basic: pkijs.BasicOCSPResponse, issuer: pkijs.Certificate): Promise<boolean> {
  const responder = await ocspResponder(basic, issuer);
  if (!responder) return false;
  try {
    return await cryptoEngine().verifyWithPublicKey(
      basic.tbsResponseData.tbsView,
      basic.signature,
      responder.subjectPublicKeyInfo,
      basic.signatureAlgorithm,
    );
  } catch {
    return false;
  }
}

async function evaluateOcsp(
  basic: pkijs.BasicOCSPResponse,
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  at: Date,
  now: Date,
): Promise<
  | { status: 'good' | 'revoked' | 'unknown'; thisUpdate: Date; nextUpdate?: Date; revokedAt?: Date }
  | undefined
> {
  let st: { isForCertificate: boolean; status: number };
  try {
    st = await basic.getCertificateStatus(cert, issuer, cryptoEngine());
  } catch {
    return undefined;
  }
  if (!st.isForCertificate) return undefined;
  const single = basic.tbsResponseData.responses.find((r) =>
    r.certID.serialNumber.isEqual(cert.serialNumber),
  );
  if (!single) return undefined;
  if (!fresh(single.thisUpdate, single.nextUpdate, at, now)) return undefined;
  if (!(await ocspSignatureOk(basic, issuer))) return undefined;
  let revokedAt: Date | undefined;
  if (st.status === 1) {
    const cs = single.certStatus as asn1js.Constructed;
    const t = cs.valueBlock?.value?.[0] as asn1js.GeneralizedTime | undefined;
    revokedAt = t?.toDate?.();
  }
  const status = st.status === 0 ? 'good' : st.status === 1 ? 'revoked' : 'unknown';
  return {
    status,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    ...(revokedAt ? { revokedAt } : {}),
  };
}

async function evaluateCrl(
  crl: pkijs.CertificateRevocationList,
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  at: Date,
  now: Date,
): Promise<
  { status: 'good' | 'revoked'; thisUpdate: Date; nextUpdate?: Date; revokedAt?: Date } | undefined
> {
  if (!crl.issuer.isEqual(cert.issuer)) return undefined;
  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value;
  if (!fresh(thisUpdate, nextUpdate, at, now)) return undefined;
  try {
    if (!(await crl.verify({ issuerCertificate: issuer }, cryptoEngine()))) return undefined;
  } catch {
    return undefined;
  }
  const entry = crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(cert.serialNumber));
  return entry
    ? {
        status: 'revoked',
        thisUpdate,
        ...(nextUpdate ? { nextUpdate } : {}),
        revokedAt: entry.revocationDate.value,
      }
    : { status: 'good', thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) };
}

async function fetchBytes(
  url: string,
  init: RequestInit,
  timeoutInMs: number,
  limit = 5 * 1024 * 1024,
): Promise<Uint8Array | undefined> {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutInMs), redirect: 'error' });
    if (!res.ok) return undefined;
    const buf = new Uint8Array(await res.arrayBuffer());
    return buf.length > limit ? undefined : buf;
  } catch {
    return undefined;
  }
}

async function fetchOnline(
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  pool: RevocationPool,
  timeoutInMs: number,
): Promise<void> {
  const urls = urlsFrom(cert);
  for (const url of urls.ocsp) {
    const req = new pkijs.OCSPRequest();
    await req.createForCertificate(
      cert,
      { hashAlgorithm: 'SHA-1', issuerCertificate: issuer },
      cryptoEngine(),
    );
    const body = new Uint8Array(req.toSchema(true).toBER(false));
    const bytes = await fetchBytes(
      url,
      { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body },
      timeoutInMs,
    );
    if (bytes) addOcsp(pool, bytes, 'online-ocsp');
  }
  for (const url of urls.crl) {
    const bytes = await fetchBytes(url, { method: 'GET' }, timeoutInMs);
    if (bytes) addCrl(pool, bytes, 'online-crl');
  }
}

/**
 * Revocation status of every non-anchor certificate of `path` (leaf first) at time `at`, from the
 * embedded pool first and, only when `online` is set, from the certificates' OCSP/CRL URLs.
 */
export async function checkRevocation(
  path: pkijs.Certificate[],
  pool: RevocationPool,
  at: Date,
  online: { timeoutInMs: number } | undefined,
  now: Date = new Date(),
): Promise<RevocationOutcome> {
  const evidence: RevocationEvidence[] = [];
  const problems: string[] = [];
  let status: RevocationOutcome['status'] = 'good';
  let revokedAt: Date | undefined;
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const subject = dnToString(cert.subject);
    if (extension(cert, OID.ocspNoCheck)) continue;
    let found = await findIn(pool, cert, issuer, at, now);
    if (!found && online) {
      const extra = emptyPool();
      await fetchOnline(cert, issuer, extra, online.timeoutInMs);
      found = await findIn(extra, cert, issuer, at, now);
      pool.crls.push(...extra.crls);
      pool.ocsps.push(...extra.ocsps);
    }
    if (!found) {
      evidence.push({ certificate: subject, source: 'none', type: 'none', status: 'unknown' });
      problems.push(`No usable revocation data for ${subject}`);
      if (status === 'good') status = 'unknown';
      continue;
    }
    evidence.push({ certificate: subject, ...found.evidence });
    if (found.evidence.status === 'revoked') {
      const when = found.revokedAt ?? at;
      if (when.getTime() <= at.getTime()) {
        status = 'revoked';
        revokedAt = when;
      } else problems.push(`${subject} was revoked after the validation time`);
    } else if (found.evidence.status === 'unknown' && status === 'good') status = 'unknown';
  }
  return { evidence, status, ...(revokedAt ? { revokedAt } : {}), problems };
}

async function findIn(
  pool: RevocationPool,
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  at: Date,
  now: Date,
): Promise<{ evidence: Omit<RevocationEvidence, 'certificate'>; revokedAt?: Date } | undefined> {
  for (const o of pool.ocsps) {
    const r = await evaluateOcsp(o.basic, cert, issuer, at, now);
    if (r) {
      return {
        evidence: {
          source: o.source,
          type: 'ocsp',
          status: r.status,
          thisUpdate: r.thisUpdate.toISOString(),
          ...(r.nextUpdate ? { nextUpdate: r.nextUpdate.toISOString() } : {}),
          ...(r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {}),
        },
        ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
      };
    }
  }
  for (const c of pool.crls) {
    const r = await evaluateCrl(c.crl, cert, issuer, at, now);
    if (r) {
      return {
        evidence: {
          source: c.source,
          type: 'crl',
          status: r.status,
          thisUpdate: r.thisUpdate.toISOString(),
          ...(r.nextUpdate ? { nextUpdate: r.nextUpdate.toISOString() } : {}),
          ...(r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {}),
        },
        ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
      };
    }
  }
  return undefined;
}
