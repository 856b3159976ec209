// Attack class: weak algorithms. SHA-1 digests and signatures (chosen-prefix collisions are practical since
// 2020, "SHA-1 is a Shambles"), RSA keys below 2048 bits and EC curves below 256 bits are refused by default,
// in the letter's signature and in its chain, and the reason lands in the letter's evidence. The explicit,
// unsafely named option relaxes them and records what it let through.
import { startEcmsNetwork } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker, MemoryLetterStore, verifyLetterSignature } from '../../src/index.js';
import { XMLDSIG } from '../../src/signature/algorithms.js';
import { makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { DGA } from '../helpers/letters.js';
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

  it('an unknown or keyed algorithm is refused outright (never relaxed)', async () => {
    const doc = signLetterWith(rsaSigner, { keyInfoPem: rsaSigner.pem + ca.pem })
      .toString('utf8')
      .replace(XMLDSIG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1');
    expect((await judge(Buffer.from(doc), true)).outcome).toBe('ERR_ECMS_SIGNATURE:unsupported-algorithm');
  });

  it('RSA below 2048 bits and EC curves below 256 bits are refused', async () => {
    const rsa1024 = makeCert({ cn: 'Short RSA', key: testKey('rsa1024', 'short'), issuer: ca });
    const p224 = makeCert({ cn: 'Short curve', key: testKey('p224', 'short'), issuer: ca });
    const shortRsa = signLetterWith(rsa1024, { keyInfoPem: rsa1024.pem + ca.pem });
    const shortCurve = signLetterWith(p224, { keyInfoPem: p224.pem + ca.pem });
    expect((await judge(shortRsa)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-key');
    expect((await judge(shortCurve)).outcome).toBe('ERR_ECMS_SIGNATURE:weak-key');
    expect(await judge(shortRsa, true)).toEqual({ outcome: 'valid', weak: ['key:rsa-1024'] });
    expect(await judge(shortCurve, true)).toEqual({ outcome: 'valid', weak: ['key:ec-224'] });
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
    expect(relaxed.weak).toContain('issuer-key:rsa-1024');
  });

  it('through the inbox worker: a SHA-1 letter is refused with the reason in its evidence', async () => {
    const net = await startEcmsNetwork({ seed: 9 });
    const b = net.nodes[1]!;
    const receiver = new EcmsClient({ nodeUrl: b.url, organizationId: b.organizationId });
    try {
      const doc = signLetterWith(rsaSigner, {
        keyInfoPem: rsaSigner.pem + ca.pem,
        digestAlgorithm: XMLDSIG.sha1,
        signatureAlgorithm: XMLDSIG.rsaSha1,
      });
      net.injectItem(b.organizationId, { xml: doc.toString('utf8'), senderDepartmentId: DGA });
      const store = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store,
        signaturePolicy: 'require',
        trustAnchors: [root.pem],
      }).runOnce();
      expect(await store.list({ direction: 'inbound' })).toEqual([]);
      const [q] = await store.quarantined();
      expect(q?.error).toMatchObject({ code: 'ERR_ECMS_SIGNATURE', reason: 'weak-digest-algorithm' });
      expect(q?.signature).toMatchObject({
        status: 'failed',
        reason: 'weak-digest-algorithm',
        signer: { digestAlgorithm: XMLDSIG.sha1, signatureAlgorithm: XMLDSIG.rsaSha1 },
      });
    } finally {
      await receiver.close();
      await net.close();
    }
  });
});
