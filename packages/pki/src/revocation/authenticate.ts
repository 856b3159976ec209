import {
  publicKeyOf,
  publicKeyProblem,
  type ResolvedAlgorithmPolicy,
  signatureAlgorithmProblem,
} from '../algorithms.js';
import {
  duplicateExtensions,
  extKeyUsage,
  hasOcspNoCheck,
  keyUsage,
  unknownCriticalExtensions,
} from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import { type Cert, sameEntity } from '../certificate/parse.js';
import { validityEncodingProblem } from '../certificate/times.js';
import { OID } from '../engine.js';
import type { SignatureCache } from '../path/build.js';
import { verifySignatureValueOnce } from '../signature-memo.js';
import { crlInternals, type ParsedCrl } from './crl.js';
import { namedResponders, ocspInternals, type ParsedOcspResponse } from './ocsp.js';

/** Whether a CRL or OCSP response may speak for a certificate of `issuer`, and who signed it. */
export interface Authenticity {
  ok: boolean;
  reason?: string;
  /** The certificate that signed the evidence (the CA, or its delegated OCSP responder). */
  signer?: Cert;
  /** Signed by another key of the same CA (a re-keyed CA, see `otherKeysOf`): its revocations count, not its silence. */
  otherKey?: boolean;
  /** Not signed by the key it was checked against (another key may have signed it). */
  wrongKey?: boolean;
}

/** Looks up the status of the delegated responder itself (supplied by the evaluator; bounded depth). */
export type ResponderStatus = (
  responder: Cert,
  issuer: Cert,
  at: Date,
) => Promise<'good' | 'revoked' | 'unknown'>;

/**
 * A CRL speaks for the certificates of `issuer` only when `issuer`'s key signed it, `issuer` may sign CRLs
 * (cRLSign), and its algorithms are acceptable. A CRL that merely names the CA as issuer proves nothing.
 */
export function authenticateCrl(crl: ParsedCrl, issuer: Cert, policy: ResolvedAlgorithmPolicy): Authenticity {
  const i = crlInternals(crl);
  if (i.unsupported) return { ok: false, reason: i.unsupported };
  if (i.crl.signature.algorithmId !== i.crl.signatureAlgorithm.algorithmId)
    return { ok: false, reason: 'its inner and outer signature algorithms differ' };
  const algIssue = signatureAlgorithmProblem(i.crl.signatureAlgorithm, policy);
  if (algIssue) return { ok: false, reason: `refused algorithm: ${algIssue}` };
  const key = publicKeyOf(issuer.pkijs.subjectPublicKeyInfo);
  const ok =
    key !== undefined &&
    verifySignatureValueOnce(
      new Uint8Array(i.crl.tbsView),
      new Uint8Array(i.crl.signatureValue.valueBlock.valueHexView),
      i.crl.signatureAlgorithm,
      key,
    );
  if (!ok)
    return {
      ok: false,
      wrongKey: true,
      reason: "its signature does not verify with the issuing CA's key (forged, or signed by another CA)",
    };
  const ku = keyUsage(issuer.pkijs);
  if (ku && !ku.has('cRLSign'))
    return { ok: false, reason: 'the CA may not sign CRLs (keyUsage lacks cRLSign)' };
  return { ok: true, signer: issuer };
}

/**
 * Other keys of the same CA (RFC 5280 §6.3.3 (f): a re-keyed CA signs its CRLs with its new key): certificates at
 * hand with the name of `issuer` and another key, certified by a key that certified `issuer` too.
 */
export function otherKeysOf(issuer: Cert, certs: readonly Cert[], sigs: SignatureCache): Cert[] {
  const others = certs.filter(
    (c) => !sameEntity(c, issuer) && sameName(c.pkijs.subject, issuer.pkijs.subject),
  );
  if (others.length === 0) return [];
  const parents = [issuer, ...certs].filter((p) => sigs.signedBy(issuer, p));
  return others.filter((c) => parents.some((p) => sigs.signedBy(c, p)));
}

function verifyBasic(r: ParsedOcspResponse, signer: Cert): boolean {
  const basic = ocspInternals(r).basic!;
  const key = publicKeyOf(signer.pkijs.subjectPublicKeyInfo);
  return (
    key !== undefined &&
    verifySignatureValueOnce(
      new Uint8Array(basic.tbsResponseData.tbsView),
      new Uint8Array(basic.signature.valueBlock.valueHexView),
      basic.signatureAlgorithm,
      key,
    )
  );
}

/** RFC 6960 §4.2.2.2 for a delegated responder: issued by the CA for OCSP signing, valid, and not revoked. */
async function delegatedProblem(
  responder: Cert,
  issuer: Cert,
  producedAt: Date,
  policy: ResolvedAlgorithmPolicy,
  sigs: SignatureCache,
  status: ResponderStatus | undefined,
): Promise<string | undefined> {
  const p = responder.pkijs;
  if (!sameName(p.issuer, issuer.pkijs.subject) || !sigs.signedBy(responder, issuer))
    return "the responder certificate was not issued by the certificate's CA";
  if (!extKeyUsage(p)?.oids.includes(OID.ekuOcspSigning))
    return 'the delegated responder certificate lacks id-kp-OCSPSigning';
  const ku = keyUsage(p);
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation'))
    return 'the delegated responder certificate may not sign (key usage)';
  const crypto =
    publicKeyProblem(publicKeyOf(p.subjectPublicKeyInfo), policy) ??
    signatureAlgorithmProblem(p.signatureAlgorithm, policy);
  if (crypto) return `the delegated responder certificate: ${crypto}`;
  if (unknownCriticalExtensions(p).length || duplicateExtensions(p).length)
    return 'the delegated responder certificate has unknown critical extensions, or one listed twice';
  const unreadable = validityEncodingProblem(p);
  if (unreadable) return `the delegated responder certificate ${unreadable}`;
  if (p.notBefore.value > producedAt || p.notAfter.value < producedAt)
    return 'the delegated responder certificate was not valid when it signed';
  // id-pkix-ocsp-nocheck: the CA vouches for the responder for its lifetime; otherwise its status must be known.
  if (hasOcspNoCheck(p)) return undefined;
  const st = status ? await status(responder, issuer, producedAt) : 'unknown';
  if (st === 'revoked') return 'the delegated responder certificate was revoked when it signed';
  if (st === 'unknown')
    return "the delegated responder's own status is unknown (no id-pkix-ocsp-nocheck and no revocation data for it)";
  return undefined;
}

/**
 * An OCSP response speaks for the certificates of `issuer` when signed by `issuer` itself, or by a delegated
 * responder `issuer` certified for OCSP signing (whose own status is settled by ocsp-nocheck or by evidence). Of the
 * certificates the responderID names (look-alikes may be listed in the unsigned `certs`), the first that is
 * authorised and whose key verifies the response signed it; none, and the first one's problem is the reason. The
 * responder's certificate may also be among `others`, the certificates at hand (a response may leave it out).
 */
export async function authenticateOcsp(
  r: ParsedOcspResponse,
  issuer: Cert,
  policy: ResolvedAlgorithmPolicy,
  sigs: SignatureCache,
  status: ResponderStatus | undefined,
  others: readonly Cert[] = [],
): Promise<Authenticity> {
  const i = ocspInternals(r);
  if (!i.basic) return { ok: false, reason: `the responder answered ${r.responseStatus}` };
  if (i.unsupported) return { ok: false, reason: i.unsupported };
  const algIssue = signatureAlgorithmProblem(i.basic.signatureAlgorithm, policy);
  if (algIssue) return { ok: false, reason: `refused algorithm: ${algIssue}` };
  let first: string | undefined;
  for (const responder of namedResponders(r, issuer, others)) {
    const problem = await responderProblem(r, responder, issuer, policy, sigs, status);
    if (!problem) return { ok: true, signer: responder };
    first ??= problem;
  }
  return {
    ok: false,
    reason:
      first ??
      'the responder it names is neither the CA nor a certificate the response carries or that was given',
  };
}

/** Why `responder` did not sign the response for `issuer`'s certificates: not authorised, or not its signature. */
async function responderProblem(
  r: ParsedOcspResponse,
  responder: Cert,
  issuer: Cert,
  policy: ResolvedAlgorithmPolicy,
  sigs: SignatureCache,
  status: ResponderStatus | undefined,
): Promise<string | undefined> {
  if (!sameEntity(responder, issuer)) {
    const at = r.producedAt ?? new Date(0);
    const problem = await delegatedProblem(responder, issuer, at, policy, sigs, status);
    if (problem) return problem;
  }
  return verifyBasic(r, responder) ? undefined : "its signature does not verify with the responder's key";
}
