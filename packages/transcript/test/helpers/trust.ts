import { createCrl, createOcspResponse, type OcspResponseSpec } from '@thgov/pki/testing';
import type { TimeStampFunction } from '../../src/index.js';
import {
  issueTranscript,
  type VerificationReport,
  type VerifyOptions,
  verifyPdfSignatures,
  verifyTranscript,
} from '../../src/index.js';
import { SAMPLE_XML } from '../fixtures/generate.js';
import { issueIdentity, type TestIdentity, type TestPki } from './pki.js';

export const DAY = 86_400_000;
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
};

/** Issues one more certificate in the test PKI (RSA, so that signatures look like the real ones). */
export function extraIdentity(
  pki: TestPki,
  cn: string,
  serial: number,
  issuer: TestIdentity | undefined,
  extra: Parameters<typeof issueIdentity>[4] = {},
): Promise<TestIdentity> {
  return issueIdentity(pki.now, cn, serial, issuer, extra);
}

/** An OCSP answer about `cert` (issued by the test CA unless `issuer` says otherwise), signed by the CA by default. */
export function ocspAbout(
  pki: TestPki,
  cert: Uint8Array,
  spec: Partial<OcspResponseSpec> & { responder?: TestIdentity; issuer?: TestIdentity } = {},
): Promise<Uint8Array> {
  const { responder = pki.ca, issuer = pki.ca, ...rest } = spec;
  return createOcspResponse({
    certificate: cert,
    issuerCertificate: issuer.cert,
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
  pki: TestPki,
  spec: {
    issuer?: TestIdentity;
    signer?: TestIdentity;
    revoked?: { serialNumber: number; date: Date }[];
    thisUpdate?: Date;
    nextUpdate?: Date;
  } = {},
): Promise<Uint8Array> {
  const issuer = spec.issuer ?? pki.ca;
  return createCrl({
    issuerCertificate: issuer.cert,
    signingKey: (spec.signer ?? issuer).key,
    thisUpdate: spec.thisUpdate ?? new Date(pki.now.getTime() - DAY),
    nextUpdate: spec.nextUpdate ?? new Date(pki.now.getTime() + 7 * DAY),
    revoked: spec.revoked ?? [],
  });
}

/** Signs the sample transcript with any chain and any embedded revocation data (no time-stamp by default). */
export function signWith(
  signer: TestIdentity,
  chain: Uint8Array[],
  o: {
    crls?: Uint8Array[];
    ocsps?: Uint8Array[];
    tsa?: TimeStampFunction;
    subFilter?: 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';
    signingTime?: Date;
  } = {},
): Promise<Uint8Array> {
  return issueTranscript({
    xml: SAMPLE_XML,
    signer: { key: signer.key, chain: [signer.cert, ...chain] },
    ...(o.crls || o.ocsps ? { revocation: { crls: o.crls ?? [], ocsps: o.ocsps ?? [] } } : {}),
    ...(o.tsa ? { tsa: o.tsa } : {}),
    subFilter: o.subFilter ?? 'adbe.pkcs7.detached',
    ...(o.signingTime ? { signingTime: o.signingTime } : {}),
  });
}

/** Both policies' reports, and the first signature's. */
export async function verifyBoth(
  pdf: Uint8Array,
  options: VerifyOptions,
): Promise<{ strict: VerificationReport; generic: VerificationReport }> {
  return { strict: await verifyTranscript(pdf, options), generic: await verifyPdfSignatures(pdf, options) };
}

/** Indication and sub-indication, for one readable assertion. */
export function outcome(r: VerificationReport): [string, string | undefined] {
  return [r.indication, r.subIndication];
}
