// Attack class: unauthorised signer. Any certificate under a trusted root used to sign letters — a TLS server
// certificate of the agency's web site, a CA's own certificate — and any trusted signer could sign in the
// name of any department. Key usage must allow signing, an extended key usage must allow document signing,
// and a signer policy can bind certificates to sending departments; the evidence records who signed.
import { startEcmsNetwork } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  encodeGovernmentDocument,
  MemoryLetterStore,
  signerPolicyFromMap,
  signGovernmentDocument,
  verifyLetterSignature,
} from '../../src/index.js';
import { type CertSpec, EKU, makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { DGA, DOPA, sampleLetter } from '../helpers/letters.js';

let root: TestCert;
let ca: TestCert;

beforeAll(() => {
  ({ root, ca } = standardChain());
});

function cert(spec: Partial<CertSpec>): TestCert {
  return makeCert({ cn: 'Officer', key: testKey('p256', 'officer'), issuer: ca, ...spec });
}

function signedBy(c: TestCert, sender = DGA): Buffer {
  const letter = sampleLetter({ sender: { departmentId: sender } });
  const doc = encodeGovernmentDocument(letter, { withSignatureBlock: true });
  return signGovernmentDocument(doc, { privateKey: c.key.privatePem, certificate: c.pem + ca.pem });
}

async function outcome(p: Promise<{ status: string }>): Promise<string> {
  try {
    return (await p).status;
  } catch (err) {
    const e = err as { code: string; reason?: string };
    return `${e.code}:${e.reason}`;
  }
}

const verify = (doc: Buffer, extra: Record<string, unknown> = {}) =>
  outcome(verifyLetterSignature(doc, { policy: 'require', trustAnchors: [root.pem], ...extra }));

describe('key usage and extended key usage', () => {
  it('a TLS server certificate under the trusted root cannot sign letters', async () => {
    const tls = cert({
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: [EKU.serverAuth],
    });
    expect(await verify(signedBy(tls))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:extended-key-usage');
    const tlsRsaStyle = cert({ keyUsage: ['keyEncipherment'], extendedKeyUsage: [EKU.serverAuth] });
    expect(await verify(signedBy(tlsRsaStyle))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:key-usage');
  });

  it('key usage must be present and name digitalSignature or nonRepudiation', async () => {
    expect(await verify(signedBy(cert({ keyUsage: null })))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:key-usage');
    expect(await verify(signedBy(cert({ keyUsage: ['keyAgreement'] })))).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:key-usage',
    );
    expect(await verify(signedBy(cert({ keyUsage: ['nonRepudiation'] })))).toBe('valid');
    expect(await verify(signedBy(cert({ keyUsage: ['digitalSignature'] })))).toBe('valid');
  });

  it("a CA's own certificate (keyCertSign) cannot sign letters", async () => {
    const caSigned = signGovernmentDocument(
      encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true }),
      {
        privateKey: ca.key.privatePem,
        certificate: ca.pem,
      },
    );
    expect(await verify(caSigned)).toBe('ERR_ECMS_UNTRUSTED_SIGNER:key-usage');
  });

  it('extended key usages that allow document signing pass; a configured list replaces them', async () => {
    for (const eku of [EKU.emailProtection, EKU.documentSigning, EKU.any, EKU.adobeAuthenticDocuments]) {
      expect(await verify(signedBy(cert({ extendedKeyUsage: [eku] })))).toBe('valid');
    }
    expect(await verify(signedBy(cert({ extendedKeyUsage: [EKU.serverAuth, EKU.emailProtection] })))).toBe(
      'valid',
    );
    const client = cert({ extendedKeyUsage: [EKU.clientAuth] });
    expect(await verify(signedBy(client))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:extended-key-usage');
    expect(await verify(signedBy(client), { extendedKeyUsages: [EKU.clientAuth] })).toBe('valid');
    const docSigner = cert({ extendedKeyUsage: [EKU.documentSigning] });
    expect(await verify(signedBy(docSigner), { extendedKeyUsages: [EKU.clientAuth] })).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:extended-key-usage',
    );
  });
});

describe('binding signers to sending departments', () => {
  it('signerPolicyFromMap: by fingerprint, PEM or subject; another department or none is refused', async () => {
    const officer = cert({ cn: 'สมชาย ใจดี', extendedKeyUsage: [EKU.documentSigning] });
    const other = cert({ cn: 'Other Officer', key: testKey('p256', 'other') });
    const byFingerprint = signerPolicyFromMap({ [DGA]: [officer.x509.fingerprint256.toLowerCase()] });
    const byPem = signerPolicyFromMap({ [DGA]: [officer.pem] });
    const bySubject = signerPolicyFromMap({ [DGA]: ['CN=สมชาย ใจดี, O=thgov e-CMS test (TEST ONLY), C=TH'] });
    for (const signerPolicy of [byFingerprint, byPem, bySubject]) {
      expect(await verify(signedBy(officer, DGA), { signerPolicy })).toBe('valid');
      expect(await verify(signedBy(officer, DOPA), { signerPolicy })).toBe(
        'ERR_ECMS_UNTRUSTED_SIGNER:signer-policy',
      );
      expect(await verify(signedBy(other, DGA), { signerPolicy })).toBe(
        'ERR_ECMS_UNTRUSTED_SIGNER:signer-policy',
      );
    }
  });

  it('a signer policy that throws refuses; a bad department key in the map is an argument error', async () => {
    const officer = cert({});
    const throwing = () => {
      throw new Error('directory unavailable');
    };
    expect(await verify(signedBy(officer), { signerPolicy: throwing })).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:signer-policy',
    );
    expect(() => signerPolicyFromMap({ '123': ['AA'] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  });

  it('through the inbox worker: a trusted officer signing for another department is refused, with the signer in the evidence', async () => {
    const net = await startEcmsNetwork({ seed: 5 });
    const [a, b] = net.nodes;
    const officer = cert({ cn: 'Officer of B', extendedKeyUsage: [EKU.emailProtection] });
    const sender = new EcmsClient({
      nodeUrl: a!.url,
      organizationId: a!.organizationId,
      signingKey: { privateKey: officer.key.privatePem, certificate: officer.pem + ca.pem },
    });
    const receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId });
    try {
      await sender.sendLetter(
        sampleLetter({
          sender: { departmentId: a!.organizationId },
          receiver: { departmentId: b!.organizationId },
        }),
      );
      const store = new MemoryLetterStore();
      const dispatched: string[] = [];
      await new EcmsInboxWorker({
        client: receiver,
        store,
        signaturePolicy: 'require',
        trustAnchors: [root.pem],
        // The officer is registered for department B only, yet signs a letter from department A.
        signerPolicy: signerPolicyFromMap({ [b!.organizationId]: [officer.x509.fingerprint256] }),
        onLetter: ({ letter }) => void dispatched.push(letter.id),
      }).runOnce();
      expect(dispatched).toEqual([]);
      expect(await store.list({ direction: 'inbound' })).toEqual([]);
      const [q] = await store.quarantined();
      expect(q?.error).toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'signer-policy' });
      expect(q?.signature?.signer).toMatchObject({
        subject: expect.stringContaining('CN=Officer of B'),
        issuer: expect.stringContaining('CN=Test Issuing CA'),
        serialNumber: officer.x509.serialNumber,
        fingerprint256: officer.x509.fingerprint256,
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: [EKU.emailProtection],
        signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
        chain: [officer.x509.fingerprint256, ca.x509.fingerprint256, root.x509.fingerprint256],
      });
      expect(net.queue(b!.organizationId).pending).toEqual([]);
    } finally {
      await sender.close();
      await receiver.close();
      await net.close();
    }
  });
});
