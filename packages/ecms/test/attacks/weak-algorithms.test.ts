// Attack class: weak algorithms. SHA-1 digests and signatures (chosen-prefix collisions are practical since
// 2020, "SHA-1 is a Shambles"), RSA keys below 2048 bits and EC curves other than P-256/384/521 are refused by
// default, in the letter's signature (XML-DSig URIs, checked here) and in its chain (keys and certificate
// signatures, checked by @thgov/pki's algorithm policy, the one PDFs use), and the reason lands in the letter's
// evidence. The explicit, unsafely named option relaxes SHA-1 and RSA-1024 and records what it let through.
import { startEcmsNetwork } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker, MemoryLetterStore, verifyLetterSignature } from '../../src/index.js';
import { XMLDSIG } from '../../src/signature/algorithms.js';
import { makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { DGA, sampleLetter } from '../helpers/letters.js';
import { signLetterWith } from '../helpers/sign.js';

let root: TestCert;
let ca: TestCert;
let rsaSigner: TestCert;

beforeAll(() => {
  ({ root, ca } = standardChain());
  rsaSigner = makeCert({ cn: 'RSA officer', key: testKey('rsa2048', 'rsa-officer'), issuer: ca });
});

async function judge(doc: Buffer, allowWeak = false) {
  try {
    const check = await verifyLetterSignature(doc, {
      policy: 'require',
      trustAnchors: [root.pem],
      ...(allowWeak ? { dangerouslyAllowWeakAlgorithms: true } : {}),
    });
    return { outcome: check.status, weak: check.signer?.weakAlgorithmsAccepted ?? [] };
  } catch (err) {
    const e = err as { code: string; reason?: string };
    return { outcome: `${e.code}:${e.reason}`, weak: [] };
  }
}

/** Delivers `doc` to a sandbox node and runs its inbox worker once; returns the worker's store. */
async function receiveThroughWorker(seed: number, doc: Buffer): Promise<MemoryLetterStore> {
  const net = await startEcmsNetwork({ seed });
  const b = net.nodes[1]!;
  const receiver = new EcmsClient({ nodeUrl: b.url, organizationId: b.organizationId });
  try {
    net.injectItem(b.organizationId, { xml: doc.toString('utf8'), senderDepartmentId: DGA });
    const store = new MemoryLetterStore();
    await new EcmsInboxWorker({
      client: receiver,
      store,
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      autoAcknowledge: false,
    }).runOnce();
    return store;
  } finally {
    await receiver.close();
    await net.close();
  }
}

describe('algorithm policy of letter signatures', () => {
  it('SHA-1 as digest or in the signature method is refused, and accepted (recorded) only when relaxed', async () => {
    const sha1Digest = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      digestAlgorithm: XMLDSIG.sha1,
    });
    expect((await judge(sha1Digest)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-digest-algorithm');
    const rsaSha1 = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      signatureAlgorithm: XMLDSIG.rsaSha1,
    });
    expect((await judge(rsaSha1)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-signature-algorithm');
    const ecSha1 = signLetterWith(
      makeCert({ cn: 'EC officer', key: testKey('p256', 'ec-officer'), issuer: ca }),
      { keyInfoPem: undefined, signatureAlgorithm: XMLDSIG.ecdsaSha1 },
    );
    expect((await judge(ecSha1)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-signature-algorithm');

    const relaxed = await judge(sha1Digest, true);
    expect(relaxed.outcome).toBe('valid');
    expect(relaxed.weak).toEqual([XMLDSIG.sha1]);
    expect((await judge(rsaSha1, true)).weak).toEqual([XMLDSIG.rsaSha1]);
  });

  it('the strong algorithms other signers use are accepted: SHA-384/512 digests, RSA-SHA384/512, RSA-PSS', async () => {
    // A Java (Santuario) or .NET node signs with whatever its profile names; each pair must verify here.
    const pairs: [string, string][] = [
      [XMLDSIG.rsaSha256, XMLDSIG.sha384],
      [XMLDSIG.rsaSha384, XMLDSIG.sha384],
      [XMLDSIG.rsaSha512, XMLDSIG.sha512],
      [XMLDSIG.rsaPssSha256, XMLDSIG.sha256],
    ];
    for (const [signatureAlgorithm, digestAlgorithm] of pairs) {
      const doc = signLetterWith(rsaSigner, {
        keyInfoPem: rsaSigner.pem + ca.pem,
        signatureAlgorithm,
        digestAlgorithm,
      });
      expect(await judge(doc), `${signatureAlgorithm} / ${digestAlgorithm}`).toEqual({
        outcome: 'valid',
        weak: [],
      });
    }
  });

  it('inclusive C14N (with or without comments) is refused as a reference transform', async () => {
    // Inclusive C14N copies the namespaces in scope from the letter's ancestors into the signed bytes, and the
    // e-CMS transport wraps the document in another envelope: such a signature could never verify after
    // delivery, so it is named for what it is rather than reported as an altered letter.
    for (const t of [XMLDSIG.c14n, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments']) {
      const doc = signLetterWith(rsaSigner, {
        keyInfoPem: rsaSigner.pem + ca.pem,
        transforms: [XMLDSIG.enveloped, t],
      });
      expect((await judge(doc)).outcome, t).toBe('ERR_ECMS_SIGNATURE:reference-transform');
    }
  });

  it('an RSA-SHA384 signature over another letter does not verify', async () => {
    const doc = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      signatureAlgorithm: XMLDSIG.rsaSha384,
      digestAlgorithm: XMLDSIG.sha384,
    });
    const xml = doc.toString('utf8');
    const value = /<ds:SignatureValue>([^<]+)</.exec(xml)![1]!;
    const flipped = value.startsWith('A') ? `B${value.slice(1)}` : `A${value.slice(1)}`;
    expect((await judge(Buffer.from(xml.replace(value, flipped), 'utf8'))).outcome).toMatch(
      /^ERR_ECMS_SIGNATURE:/,
    );
  });

  it('an unknown or keyed algorithm is refused outright (never relaxed)', async () => {
    const doc = signLetterWith(rsaSigner, { keyInfoPem: rsaSigner.pem + ca.pem })
      .toString('utf8')
      .replace(XMLDSIG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1');
    expect((await judge(Buffer.from(doc), true)).outcome).toBe('ERR_ECMS_SIGNATURE:unsupported-algorithm');
  });

  it('RSA below 2048 bits and EC curves below 256 bits are refused (the small curve even when relaxed)', async () => {
    const rsa1024 = makeCert({ cn: 'Short RSA', key: testKey('rsa1024', 'short'), issuer: ca });
    const p224 = makeCert({ cn: 'Short curve', key: testKey('p224', 'short'), issuer: ca });
    const shortRsa = signLetterWith(rsa1024, { keyInfoPem: rsa1024.pem + ca.pem });
    const shortCurve = signLetterWith(p224, { keyInfoPem: p224.pem + ca.pem });
    expect((await judge(shortRsa)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-key');
    expect((await judge(shortCurve)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-key');
    expect(await judge(shortRsa, true)).toEqual({
      outcome: 'valid',
      weak: ['the end-entity certificate: RSA key of 1024 bits is shorter than 2048'],
    });
    // The relaxed policy is for old RSA-1024 archives; no Thai signing CA ever issued P-224 keys.
    expect((await judge(shortCurve, true)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-key');
  });

  it('the chain is held to the same policy: SHA-1-signed certificates and short CA keys', async () => {
    const sha1Cert = makeCert({
      cn: 'SHA-1 certified',
      key: testKey('p256', 'sha1cert'),
      issuer: ca,
      hash: 'sha1',
    });
    const byWeakCert = signLetterWith(sha1Cert, { keyInfoPem: sha1Cert.pem + ca.pem });
    expect((await judge(byWeakCert)).outcome).toBe('ERR_ECMS_UNTRUSTED_SIGNER:weak-certificate-signature');
    expect((await judge(byWeakCert, true)).outcome).toBe('valid');

    const shortCa = makeCert({ cn: 'Short CA', key: testKey('rsa1024', 'short-ca'), issuer: root, ca: true });
    const underShortCa = makeCert({ cn: 'Under short CA', key: testKey('p256', 'under'), issuer: shortCa });
    const doc = signLetterWith(underShortCa, { keyInfoPem: underShortCa.pem + shortCa.pem });
    expect((await judge(doc)).outcome).toBe('ERR_ECMS_UNTRUSTED_SIGNER:weak-key');
    const relaxed = await judge(doc, true);
    expect(relaxed.outcome).toBe('valid');
    expect(relaxed.weak).toContain('CA certificate #1: RSA key of 1024 bits is shorter than 2048');
  });

  it('through the inbox worker: a SHA-1 letter is refused with the reason in its evidence', async () => {
    const doc = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      digestAlgorithm: XMLDSIG.sha1,
      signatureAlgorithm: XMLDSIG.rsaSha1,
    });
    const store = await receiveThroughWorker(9, doc);
    expect(await store.list({ direction: 'inbound' })).toEqual([]);
    const [q] = await store.quarantined();
    expect(q?.error).toMatchObject({ code: 'ERR_ECMS_SIGNATURE', reason: 'weak-digest-algorithm' });
    expect(q?.signature).toMatchObject({
      status: 'failed',
      reason: 'weak-digest-algorithm',
      signer: { digestAlgorithm: XMLDSIG.sha1, signatureAlgorithm: XMLDSIG.rsaSha1 },
    });
  });

  it('through the inbox worker: an RSA-SHA384 letter with SHA-384 digests is stored, decoded from the bytes it signed', async () => {
    const doc = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      signatureAlgorithm: XMLDSIG.rsaSha384,
      digestAlgorithm: XMLDSIG.sha384,
    });
    const store = await receiveThroughWorker(10, doc);
    expect(JSON.stringify((await store.quarantined()).map((q) => q.error))).toBe('[]');
    const [stored] = await store.list({ direction: 'inbound' });
    expect(stored?.signature).toMatchObject({
      status: 'valid',
      signer: { digestAlgorithm: XMLDSIG.sha384, signatureAlgorithm: XMLDSIG.rsaSha384 },
    });
    expect(stored).toMatchObject({ subject: sampleLetter().subject, letterId: sampleLetter().id });
  });
});
