import type { TimeStampFunction } from '@thgov/pki';
import {
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  issueTestIdentity,
  type TestIdentity,
} from '@thgov/pki/testing';

export type { TestIdentity };

export interface TestPki {
  root: TestIdentity;
  ca: TestIdentity;
  signer: TestIdentity;
  tsa: TestIdentity;
  otherRoot: TestIdentity;
  otherSigner: TestIdentity;
  expiredSigner: TestIdentity;
  revokedSigner: TestIdentity;
  noKuSigner: TestIdentity;
  tsaNoEku: TestIdentity;
  revokedTsa: TestIdentity;
  crlCa: Uint8Array;
  crlRoot: Uint8Array;
  revokedAt: Date;
  tsaFn: TimeStampFunction;
  now: Date;
}

const DAY = 86_400_000;

/** Issues one certificate of the test PKI (@thgov/pki/testing's `issueTestIdentity`). */
export const issueIdentity = issueTestIdentity;

/** A small, deterministic-in-shape test PKI (keys are fresh per run; nothing secret is committed). */
export async function createTestPki(now = new Date()): Promise<TestPki> {
  const mk = (
    cn: string,
    serial: number,
    issuer: TestIdentity | undefined,
    extra: Parameters<typeof issueIdentity>[4] = {},
  ) => issueIdentity(now, cn, serial, issuer, extra);
  const root = await mk('Test Root CA', 1, undefined, {
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    notAfter: new Date(now.getTime() + 3650 * DAY),
  });
  const ca = await mk('Test Issuing CA', 2, root, {
    ca: true,
    pathLength: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const signerUsage = {
    keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
  };
  const signer = await mk('Test University Registrar', 100, ca, signerUsage);
  const tsa = await mk('Test TSA', 200, ca, {
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
    extendedKeyUsageCritical: true,
  });
  const tsaNoEku = await mk('Test TSA without EKU', 201, ca, { keyUsage: ['digitalSignature'] });
  const revokedTsa = await mk('Revoked TSA', 202, ca, {
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
    extendedKeyUsageCritical: true,
  });
  const otherRoot = await mk('Other Root', 1, undefined, { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const otherSigner = await mk('Other Signer', 5, otherRoot, signerUsage);
  const expiredSigner = await mk('Expired Signer', 101, ca, {
    ...signerUsage,
    notBefore: new Date(now.getTime() - 400 * DAY),
    notAfter: new Date(now.getTime() - 10 * DAY),
  });
  const revokedSigner = await mk('Revoked Signer', 102, ca, signerUsage);
  const noKuSigner = await mk('Encryption-only Signer', 103, ca, { keyUsage: ['keyEncipherment'] });
  const revokedAt = new Date(now.getTime() - 2 * DAY);
  const crlCa = await createCrl({
    issuerCertificate: ca.cert,
    signingKey: ca.key,
    thisUpdate: new Date(now.getTime() - DAY),
    nextUpdate: new Date(now.getTime() + 7 * DAY),
    revoked: [
      { serialNumber: 102, date: revokedAt },
      { serialNumber: 202, date: revokedAt },
    ],
  });
  const crlRoot = await createCrl({
    issuerCertificate: root.cert,
    signingKey: root.key,
    thisUpdate: new Date(now.getTime() - DAY),
    nextUpdate: new Date(now.getTime() + 30 * DAY),
  });
  const tsaFn = createTimeStampAuthority({ certificate: tsa.cert, privateKey: tsa.key, chain: [ca.cert] });
  return {
    root,
    ca,
    signer,
    tsa,
    otherRoot,
    otherSigner,
    expiredSigner,
    revokedSigner,
    noKuSigner,
    tsaNoEku,
    revokedTsa,
    crlCa,
    crlRoot,
    revokedAt,
    tsaFn,
    now,
  };
}

export { createOcspResponse };
