// CRLs and OCSP responses for the letter-trust test chain (helpers/certs.ts), made with @thgov/pki's test
// builders: the same revocation evidence a CA publishes, signed by the CA's own key unless told otherwise.
import { importPrivateKey, type RevocationReason } from '@thgov/pki';
import { createCrl, createOcspResponse } from '@thgov/pki/testing';
import type { TestCert } from './certs.js';

const DAY = 86_400_000;

export interface CrlOptions {
  revoked?: { cert: TestCert; date: Date; reason?: RevocationReason }[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Sign with this certificate's key instead of the issuer's (a forged CRL). */
  signedBy?: TestCert;
}

/** A CRL of `issuer`, fresh around now unless told otherwise. */
export async function crlOf(issuer: TestCert, o: CrlOptions = {}): Promise<Uint8Array> {
  const now = Date.now();
  return createCrl({
    issuerCertificate: issuer.der,
    signingKey: await importPrivateKey((o.signedBy ?? issuer).key.privatePem),
    thisUpdate: o.thisUpdate ?? new Date(now - DAY),
    nextUpdate: o.nextUpdate ?? new Date(now + 7 * DAY),
    revoked: (o.revoked ?? []).map((r) => ({
      serialNumber: Number.parseInt(r.cert.x509.serialNumber, 16),
      date: r.date,
      ...(r.reason ? { reason: r.reason } : {}),
    })),
  });
}

/** An OCSP answer about `cert`, signed by its issuing CA. */
export async function ocspOf(
  cert: TestCert,
  issuer: TestCert,
  status: 'good' | 'revoked' | 'unknown',
  /** `nextUpdate: null` issues an answer without nextUpdate. */
  o: { thisUpdate?: Date; nextUpdate?: Date | null; revokedAt?: Date } = {},
): Promise<Uint8Array> {
  const now = Date.now();
  return createOcspResponse({
    certificate: cert.der,
    issuerCertificate: issuer.der,
    responderCertificate: issuer.der,
    responderKey: await importPrivateKey(issuer.key.privatePem),
    status,
    thisUpdate: o.thisUpdate ?? new Date(now - 60_000),
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? new Date(now + DAY) }),
    ...(o.revokedAt ? { revokedAt: o.revokedAt } : {}),
  });
}
