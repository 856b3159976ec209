import { inspect } from 'node:util';
import { caught } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeGovernmentDocument,
  encodeGovernmentDocument,
  encodeRequest,
  signGovernmentDocument,
  verifyLetterSignature,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function signed(key = pki.signerKey, cert = pki.signerCert): Buffer {
  const doc = encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true });
  return signGovernmentDocument(doc, { privateKey: key, certificate: cert });
}

const codeOf = (fn: () => unknown) => caught(fn).code;

describe('XML-DSig on the #Letter element', () => {
  it('signs into ram:GovernmentSignature and verifies against the CA (standalone and inside an envelope)', () => {
    const doc = signed();
    const text = doc.toString('utf8');
    expect(text).toMatch(
      /<ram:GovernmentSignature>.*<ds:Signature[^>]*>.*URI="#Letter".*<\/ds:Signature><\/ram:GovernmentSignature>/s,
    );
    const check = verifyLetterSignature(doc, { policy: 'require', trustAnchors: [pki.caCert] });
    expect(check.status).toBe('valid');
    expect(check.signer?.subject).toContain('Saraban signer');
    // Exclusive C14N: the signature still verifies inside a SOAP envelope with other namespaces.
    const env = encodeRequest(
      { op: 'sendDocument', documentXml: doc },
      { to: 'http://n/ecms-ws01/service2' },
    );
    expect(verifyLetterSignature(env, { policy: 'require', trustAnchors: [pki.caCert] }).status).toBe(
      'valid',
    );
    // And the signed document is still an ordinary letter to the codec.
    expect(decodeGovernmentDocument(doc).subject).toBe(sampleLetter().subject);
  });

  it('also works with an EC key, trusted directly (anchor = the signer certificate)', () => {
    const doc = signed(pki.strangerKey, pki.strangerCert);
    expect(verifyLetterSignature(doc, { policy: 'require', trustAnchors: [pki.strangerCert] }).status).toBe(
      'valid',
    );
  });

  it('detects tampering with the letter', () => {
    const doc = signed().toString('utf8');
    const tampered = doc.replace('ขอเชิญประชุม', 'ขอยกเลิกประชุม');
    expect(tampered).not.toBe(doc);
    expect(
      codeOf(() => verifyLetterSignature(tampered, { policy: 'require', trustAnchors: [pki.caCert] })),
    ).toBe('ERR_ECMS_SIGNATURE');
    const swapped = doc.replace(
      /<ram:MainLetterBinaryObject mimeCode="application\/pdf">[^<]+/,
      '<ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQgZXZpbA==',
    );
    expect(
      codeOf(() => verifyLetterSignature(swapped, { policy: 'require', trustAnchors: [pki.caCert] })),
    ).toBe('ERR_ECMS_SIGNATURE');
  });

  it('rejects an untrusted signer and a wrapped second #Letter', () => {
    const stranger = signed(pki.strangerKey, pki.strangerCert);
    expect(
      codeOf(() => verifyLetterSignature(stranger, { policy: 'require', trustAnchors: [pki.caCert] })),
    ).toBe('ERR_ECMS_UNTRUSTED_SIGNER');
    const expired = codeOf(() =>
      verifyLetterSignature(signed(), {
        policy: 'require',
        trustAnchors: [pki.caCert],
        at: new Date(Date.now() + 400 * 86400_000),
      }),
    );
    expect(expired).toBe('ERR_ECMS_UNTRUSTED_SIGNER');
    const doc = signed().toString('utf8');
    const wrapped = doc.replace(
      '</rsm:GovernmentDocument>',
      '<ram:CorrespondenceLetter ID="Letter"><ram:ID>evil</ram:ID></ram:CorrespondenceLetter></rsm:GovernmentDocument>',
    );
    expect(
      codeOf(() => verifyLetterSignature(wrapped, { policy: 'require', trustAnchors: [pki.caCert] })),
    ).toBe('ERR_ECMS_SIGNATURE');
  });

  it('applies the policy: require / verify-if-present / ignore', () => {
    const unsigned = encodeGovernmentDocument(sampleLetter());
    expect(codeOf(() => verifyLetterSignature(unsigned, { policy: 'require', trustAnchors: [] }))).toBe(
      'ERR_ECMS_SIGNATURE',
    );
    expect(verifyLetterSignature(unsigned, { policy: 'verify-if-present', trustAnchors: [] }).status).toBe(
      'absent',
    );
    const tampered = signed().toString('utf8').replace('ขอเชิญ', 'ขอเลื่อน');
    expect(
      codeOf(() =>
        verifyLetterSignature(tampered, { policy: 'verify-if-present', trustAnchors: [pki.caCert] }),
      ),
    ).toBe('ERR_ECMS_SIGNATURE');
    expect(verifyLetterSignature(tampered, { policy: 'ignore', trustAnchors: [] }).status).toBe('ignored');
  });

  it('hostile XML is refused before xml-crypto sees it; a bad key is a typed error without key material', () => {
    expect(
      codeOf(() =>
        verifyLetterSignature('<!DOCTYPE x [<!ENTITY a "b">]><x/>', { policy: 'require', trustAnchors: [] }),
      ),
    ).toBe('ERR_ECMS_XML_HOSTILE');
    const doc = encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true });
    let err: unknown;
    try {
      signGovernmentDocument(doc, { privateKey: 'not a key', certificate: pki.signerCert });
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('ERR_ECMS_SIGNATURE');
    const keyBody = pki.signerKey.split('\n')[1] as string;
    expect(JSON.stringify(err)).not.toContain(keyBody);
    expect(inspect(err)).not.toContain(keyBody);
  });
});

describe('signed letters through the sandbox nodes', () => {
  it('a letter signed by the client verifies at the receiver after relay; an untrusted one is flagged', async () => {
    const { startEcmsNetwork } = await import('@thgov/sandbox');
    const { EcmsClient, EcmsInboxWorker, MemoryLetterStore } = await import('../src/index.js');
    const net = await startEcmsNetwork({ seed: 21 });
    const [a, b] = net.nodes;
    const sender = new EcmsClient({
      nodeUrl: a!.url,
      organizationId: a!.organizationId,
      signingKey: { privateKey: pki.signerKey, certificate: pki.signerCert },
    });
    const receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId });
    try {
      await sender.sendLetter(sampleLetter({ id: 'สพร 7/1' }));
      const trusted = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store: trusted,
        signaturePolicy: 'require',
        trustAnchors: [pki.caCert],
      }).runOnce();
      const [ok] = await trusted.list({ direction: 'inbound' });
      expect(ok?.signatureStatus).toBe('valid');

      await sender.sendLetter(sampleLetter({ id: 'สพร 7/2' }));
      const strict = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store: strict,
        signaturePolicy: 'require',
        trustAnchors: [pki.strangerCert],
      }).runOnce();
      const [flagged] = await strict.list({ direction: 'inbound' });
      expect(flagged?.letterId).toBe('สพร 7/2');
      expect(flagged?.signatureStatus).toBe('failed:ERR_ECMS_UNTRUSTED_SIGNER');
      // Stored and dequeued, but not acknowledged automatically.
      expect(flagged?.state).toBe('dequeued');
      expect(ok?.state).toBe('acknowledged');
    } finally {
      await sender.close();
      await receiver.close();
      await net.close();
    }
  });
});
