import { KeyObject } from 'node:crypto';
import type { TimeStampFunction } from '@thgov/pki';
import { createCrl, createOcspResponse, type OcspResponseSpec } from '@thgov/pki/testing';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { keyObjectSigner } from '../../src/signers/local.js';
import { PDF_POLICY, type VerificationPolicy } from '../../src/verify/policy.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { type Identity, issue, letterPdf, type SigningPki } from './pki.js';

export const DAY = 86_400_000;
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
};
export const signerUsage = {
  keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
};
export const caUsage = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as ('keyCertSign' | 'cRLSign')[] };

/** When the PKI of {@link createSigningPki} revoked its "Revoked Officer" (serial 103). */
export const revokedAt = (pki: SigningPki) => new Date(pki.now.getTime() - 2 * DAY);

/** One more certificate in the test PKI. */
export function extraIdentity(
  pki: SigningPki,
  cn: string,
  serial: number,
  issuer: Identity | undefined,
  extra: Parameters<typeof issue>[4] = {},
): Promise<Identity> {
  return issue(pki.now, cn, serial, issuer, extra);
}

/** An OCSP answer about `cert` (issued by the test CA), signed by the CA unless `responder` says otherwise. */
export function ocspAbout(
  pki: SigningPki,
  cert: Uint8Array,
  spec: Partial<OcspResponseSpec> & { responder?: Identity } = {},
): Promise<Uint8Array> {
  const { responder = pki.ca, ...rest } = spec;
  return createOcspResponse({
    certificate: cert,
    issuerCertificate: pki.ca.cert,
    responderCertificate: responder.cert,
    responderKey: responder.key,
    status: 'good',
    thisUpdate: new Date(pki.now.getTime() - DAY),
    nextUpdate: new Date(pki.now.getTime() + DAY),
    ...rest,
  });
}

/** A CRL of `issuer` (default: the test CA), fresh around now, signed by `signer` (default: the issuer). */
export function crlOf(
  pki: SigningPki,
  spec: { issuer?: Identity; signer?: Identity; revoked?: { serialNumber: number; date: Date }[] } = {},
): Promise<Uint8Array> {
  const issuer = spec.issuer ?? pki.ca;
  return createCrl({
    issuerCertificate: issuer.cert,
    signingKey: (spec.signer ?? issuer).key,
    thisUpdate: new Date(pki.now.getTime() - DAY),
    nextUpdate: new Date(pki.now.getTime() + 7 * DAY),
    revoked: spec.revoked ?? [],
  });
}

/**
 * What an attacker does with esign: signs a letter with any key and chain and embeds whatever revocation data
 * he likes. The chain part of the pre-sign check (which would refuse most of these) is skipped: only
 * the verifier stands between the document and a pass. Adobe-style (revocationInfoArchival) by default; with
 * `level: 'B-LT'` the data goes to /DSS.
 */
export async function signAs(
  who: Identity,
  chain: Uint8Array[],
  o: {
    crls?: Uint8Array[];
    ocsps?: Uint8Array[];
    tsa?: TimeStampFunction;
    level?: 'B-B' | 'B-T' | 'B-LT';
    signingTime?: Date;
  } = {},
): Promise<Uint8Array> {
  const level = o.level ?? (o.tsa ? 'B-T' : 'B-B');
  return signPdf(await letterPdf(), {
    signer: keyObjectSigner(KeyObject.from(who.key as never), [who.cert, ...chain]),
    level,
    ...(o.tsa ? { tsa: o.tsa } : {}),
    subFilter: level === 'B-LT' ? 'ETSI.CAdES.detached' : 'adbe.pkcs7.detached',
    validationData: { crls: o.crls ?? [], ocspResponses: o.ocsps ?? [] },
    skipChainCheck: true,
    ...(o.signingTime ? { signingTime: o.signingTime } : {}),
  });
}

/** Verifies with the test root as the only anchor; `options` adds to that. */
export function verifyAgainst(
  pki: SigningPki,
  pdf: Uint8Array,
  options: Omit<Parameters<typeof verifyPdfSignatures>[1] & object, 'trustAnchors'> = {},
): Promise<VerificationReport> {
  return verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], ...options });
}

/**
 * The generic policy, but revocation evidence is required: what a records office keeping letters for years
 * asks. Under the generic policy a signer of unknown status passes with a warning, so the revocation attacks
 * are judged under this one (and the report's revocation entry is checked under both).
 */
export const REQUIRE_REVOCATION: VerificationPolicy = Object.freeze({
  ...PDF_POLICY,
  name: 'pdf-require-revocation',
  requireRevocation: true,
});

/** Indication and sub-indication, for one readable assertion. */
export function outcome(r: VerificationReport): [string, string | undefined] {
  return [r.indication, r.subIndication];
}
