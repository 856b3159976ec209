import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { startEcmsNetwork } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../src/codec.js';
import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  encodeGovernmentDocument,
  MemoryLetterStore,
  SIGNATURE_FAILURE_REASONS,
  signGovernmentDocument,
  verifyLetterSignature,
} from '../src/index.js';
import { EKU, makeCert, standardChain, type TestCert, testKey } from './helpers/certs.js';
import { sampleLetter } from './helpers/letters.js';

let root: TestCert;
let ca: TestCert;
let signer: TestCert;
let rsaSigner: TestCert;
let stranger: TestCert;

beforeAll(() => {
  const chain = standardChain();
  root = chain.root;
  ca = chain.ca;
  signer = chain.signer;
  rsaSigner = makeCert({
    cn: 'RSA Saraban Signer',
    key: testKey('rsa2048', 'rsa-signer'),
    issuer: chain.ca,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  stranger = makeCert({ cn: 'Stranger', key: testKey('p256', 'stranger'), keyUsage: ['digitalSignature'] });
});

function signed(cert: TestCert = signer): Buffer {
  const doc = encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true });
  return signGovernmentDocument(doc, { privateKey: cert.key.privatePem, certificate: chainPem(cert) });
}

/** KeyInfo carries the signer and, when a CA issued it, that CA (as real signers send it). */
function chainPem(cert: TestCert): string {
  return cert === stranger ? cert.pem : cert.pem + ca.pem;
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; reason?: string };
    return `${e.code}:${e.reason ?? ''}`;
  }
  return 'no error';
}

describe('XML-DSig on the #Letter element', () => {
  it('signs into ram:GovernmentSignature and verifies (standalone and inside an envelope), recording the signer', async () => {
    const doc = signed();
    const text = doc.toString('utf8');
    expect(text).toMatch(
      /<ram:GovernmentSignature>.*<ds:Signature[^>]*>.*URI="#Letter".*<\/ds:Signature><\/ram:GovernmentSignature>/s,
    );
    const check = await verifyLetterSignature(doc, { policy: 'require', trustAnchors: [root.pem] });
    expect(check.status).toBe('valid');
    expect(check.signer).toMatchObject({
      subject: expect.stringContaining('Saraban Signer'),
      issuer: expect.stringContaining('Test Issuing CA'),
      serialNumber: signer.x509.serialNumber,
      fingerprint256: signer.x509.fingerprint256,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extendedKeyUsage: [EKU.documentSigning],
      publicKey: { type: 'ec', bits: 256, curve: 'prime256v1' },
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    expect(check.signer?.chain).toEqual([
      signer.x509.fingerprint256,
      ca.x509.fingerprint256,
      root.x509.fingerprint256,
    ]);
    const env = encodeRequest(
      { op: 'sendDocument', documentXml: doc },
      { to: 'http://n/ecms-ws01/service2' },
    );
    const inEnvelope = await verifyLetterSignature(env, { policy: 'require', trustAnchors: [root.pem] });
    expect(inEnvelope.status).toBe('valid');
    expect(decodeGovernmentDocument(doc).subject).toBe(sampleLetter().subject);
  });

  it('works with RSA keys and with a signer certificate trusted directly', async () => {
    expect(
      (await verifyLetterSignature(signed(rsaSigner), { policy: 'require', trustAnchors: [root.pem] }))
        .status,
    ).toBe('valid');
    const direct = await verifyLetterSignature(signed(stranger), {
      policy: 'require',
      trustAnchors: [stranger.pem],
    });
    expect(direct.status).toBe('valid');
    expect(direct.signer?.chain).toEqual([stranger.x509.fingerprint256]);
  });

  it('detects tampering with the text and with the binaries', async () => {
    const doc = signed().toString('utf8');
    const tampered = doc.replace('ขอเชิญประชุม', 'ขอยกเลิกประชุม');
    expect(tampered).not.toBe(doc);
    expect(
      await reasonOf(verifyLetterSignature(tampered, { policy: 'require', trustAnchors: [root.pem] })),
    ).toBe('ERR_ECMS_SIGNATURE:digest-mismatch');
    const swapped = doc.replace(
      /<ram:MainLetterBinaryObject mimeCode="application\/pdf">[^<]+/,
      '<ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQgZXZpbA==',
    );
    expect(
      await reasonOf(verifyLetterSignature(swapped, { policy: 'require', trustAnchors: [root.pem] })),
    ).toBe('ERR_ECMS_SIGNATURE:digest-mismatch');
  });

  it('refuses an untrusted or expired signer', async () => {
    expect(
      await reasonOf(
        verifyLetterSignature(signed(stranger), { policy: 'require', trustAnchors: [root.pem] }),
      ),
    ).toBe('ERR_ECMS_UNTRUSTED_SIGNER:no-path-to-anchor');
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(
      await reasonOf(
        verifyLetterSignature(signed(), { policy: 'require', trustAnchors: [root.pem], at: later }),
      ),
    ).toBe('ERR_ECMS_UNTRUSTED_SIGNER:expired');
  });

  it('applies the policy: require / verify-if-present / ignore', async () => {
    const unsigned = encodeGovernmentDocument(sampleLetter());
    expect(await reasonOf(verifyLetterSignature(unsigned, { policy: 'require', trustAnchors: [] }))).toBe(
      'ERR_ECMS_SIGNATURE:missing',
    );
    expect(
      (await verifyLetterSignature(unsigned, { policy: 'verify-if-present', trustAnchors: [] })).status,
    ).toBe('absent');
    const tampered = signed().toString('utf8').replace('ขอเชิญ', 'ขอเลื่อน');
    expect(
      await reasonOf(
        verifyLetterSignature(tampered, { policy: 'verify-if-present', trustAnchors: [root.pem] }),
      ),
    ).toBe('ERR_ECMS_SIGNATURE:digest-mismatch');
    expect((await verifyLetterSignature(tampered, { policy: 'ignore', trustAnchors: [] })).status).toBe(
      'ignored',
    );
  });

  it('hostile XML is refused before xml-crypto sees it; a bad key is a typed error without key material', async () => {
    expect(
      await reasonOf(
        verifyLetterSignature('<!DOCTYPE x [<!ENTITY a "b">]><x/>', { policy: 'require', trustAnchors: [] }),
      ),
    ).toBe('ERR_ECMS_XML_HOSTILE:');
    const doc = encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true });
    let err: unknown;
    try {
      signGovernmentDocument(doc, { privateKey: 'not a key', certificate: signer.pem });
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('ERR_ECMS_SIGNATURE');
    const keyBody = rsaSigner.key.privatePem.split('\n')[1] as string;
    let withRealKey: unknown;
    try {
      signGovernmentDocument('<not-a-document/>', {
        privateKey: rsaSigner.key.privatePem,
        certificate: rsaSigner.pem,
      });
    } catch (e) {
      withRealKey = e;
    }
    expect((withRealKey as { code: string }).code).toBe('ERR_ECMS_SIGNATURE');
    expect(JSON.stringify(withRealKey)).not.toContain(keyBody);
    expect(inspect(withRealKey)).not.toContain(keyBody);
  });

  it('a refusal keeps the signer out of toJSON (a subject names a person) but on the error object', async () => {
    let err: unknown;
    try {
      await verifyLetterSignature(signed(stranger), { policy: 'require', trustAnchors: [root.pem] });
    } catch (e) {
      err = e;
    }
    expect((err as { signer?: { subject: string } }).signer?.subject).toContain('Stranger');
    expect(JSON.stringify(err)).not.toContain('Stranger');
    expect(inspect(err)).not.toContain('CN=Stranger');
  });
});

describe('malformed signatures are refused with a reason', () => {
  const cases: [string, (xml: string) => string, string][] = [
    [
      'SignedInfo canonicalized with comments',
      (x) =>
        x.replace(
          'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"',
          'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"',
        ),
      'ERR_ECMS_SIGNATURE:canonicalization',
    ],
    [
      'no KeyInfo certificate',
      (x) => x.replace(/<ds:KeyInfo>.*<\/ds:KeyInfo>/s, ''),
      'ERR_ECMS_SIGNATURE:no-certificate',
    ],
    [
      'unreadable certificate',
      (x) => x.replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>TUlJQm9n'),
      'ERR_ECMS_SIGNATURE:certificate-unreadable',
    ],
    [
      'altered signature value',
      (x) =>
        x.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`),
      'ERR_ECMS_SIGNATURE:signature-invalid',
    ],
    [
      'an RSA method claimed for an EC key',
      (x) =>
        x.replace(
          'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
          'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        ),
      'ERR_ECMS_SIGNATURE:key-mismatch',
    ],
    [
      'a second signature in the document',
      (x) => x.replace(/(<ds:Signature .*<\/ds:Signature>)/s, '$1$1'),
      'ERR_ECMS_SIGNATURE:signature-count',
    ],
    [
      'two documents in one message',
      (x) => `<Envelope><Body>${x}${x.replace('ID="Letter"', 'ID="Other"')}</Body></Envelope>`,
      'ERR_ECMS_SIGNATURE:document-count',
    ],
  ];
  for (const [name, mutate, expected] of cases) {
    it(name, async () => {
      const doc = mutate(signed().toString('utf8'));
      expect(
        await reasonOf(verifyLetterSignature(doc, { policy: 'require', trustAnchors: [root.pem] })),
      ).toBe(expected);
    });
  }

  it('the guide documents every failure reason', () => {
    const guide = readFileSync(new URL('../../../docs/guides/ecms.md', import.meta.url), 'utf8');
    const missing = Object.keys(SIGNATURE_FAILURE_REASONS).filter((r) => !guide.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });
});

describe('verification options', () => {
  it('an unreadable trust anchor is an argument error when the client or worker is made, not a refused letter', () => {
    const nodeUrl = 'http://127.0.0.1:1/ecms-ws01/service2';
    const organizationId = '0031500001';
    const bad = ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'];
    expect(
      () =>
        new EcmsClient({
          nodeUrl,
          organizationId,
          letterVerification: { policy: 'require', trustAnchors: bad },
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    const client = new EcmsClient({ nodeUrl, organizationId });
    expect(() => new EcmsInboxWorker({ client, store: new MemoryLetterStore(), trustAnchors: bad })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
    expect(
      () =>
        new EcmsInboxWorker({
          client,
          store: new MemoryLetterStore(),
          signaturePolicy: 'sometimes' as never,
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });
});

describe('signed letters through the sandbox nodes', () => {
  it('valid → stored and acknowledged; failing under verify-if-present → stored flagged, not acknowledged', async () => {
    const net = await startEcmsNetwork({ seed: 21 });
    const [a, b] = net.nodes;
    const sender = new EcmsClient({
      nodeUrl: a!.url,
      organizationId: a!.organizationId,
      signingKey: { privateKey: signer.key.privatePem, certificate: chainPem(signer) },
    });
    const receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId });
    try {
      await sender.sendLetter(sampleLetter({ id: 'สพร 7/1' }));
      const trusted = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store: trusted,
        signaturePolicy: 'require',
        trustAnchors: [root.pem],
      }).runOnce();
      const [ok] = await trusted.list({ direction: 'inbound' });
      expect(ok?.signatureStatus).toBe('valid');
      expect(ok?.signature?.signer?.fingerprint256).toBe(signer.x509.fingerprint256);
      expect(ok?.state).toBe('acknowledged');

      await sender.sendLetter(sampleLetter({ id: 'สพร 7/2' }));
      const lenient = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store: lenient,
        signaturePolicy: 'verify-if-present',
        trustAnchors: [stranger.pem],
      }).runOnce();
      const [flagged] = await lenient.list({ direction: 'inbound' });
      expect(flagged?.letterId).toBe('สพร 7/2');
      expect(flagged?.signatureStatus).toBe('failed:ERR_ECMS_UNTRUSTED_SIGNER');
      expect(flagged?.signature).toMatchObject({ status: 'failed', reason: 'no-path-to-anchor' });
      expect(flagged?.state).toBe('dequeued');

      // A worker without signature options of its own applies the client's letterVerification.
      await sender.sendLetter(sampleLetter({ id: 'สพร 7/3' }));
      const strictClient = new EcmsClient({
        nodeUrl: b!.url,
        organizationId: b!.organizationId,
        letterVerification: { policy: 'require', trustAnchors: [stranger.pem] },
      });
      const viaClient = new MemoryLetterStore();
      try {
        await new EcmsInboxWorker({ client: strictClient, store: viaClient }).runOnce();
      } finally {
        await strictClient.close();
      }
      expect(await viaClient.list({ direction: 'inbound' })).toEqual([]);
      expect((await viaClient.quarantined())[0]?.error.reason).toBe('no-path-to-anchor');
    } finally {
      await sender.close();
      await receiver.close();
      await net.close();
    }
  });
});
