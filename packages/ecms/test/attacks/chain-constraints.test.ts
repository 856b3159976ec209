// Attack class: chain constraint bypass. A CA whose pathLenConstraint forbids sub-CAs issues one anyway, an
// end-entity certificate acts as a CA, a KeyInfo full of certificates loops or runs long: path building for
// letters must hold every constraint on the path it builds, at the verification time. The certificate
// validator hook (where revocation plugs in) runs last and can refuse too.
import { startEcmsNetwork } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateValidationContext,
  EcmsClient,
  EcmsInboxWorker,
  MemoryLetterStore,
  type VerifyLetterOptions,
  verifyLetterSignature,
} from '../../src/index.js';
import { type CertSpec, makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { sampleLetter } from '../helpers/letters.js';
import { signLetterWith } from '../helpers/sign.js';

const DAY = 86_400_000;
let root: TestCert;

beforeAll(() => {
  root = makeCert({
    cn: 'Chain Root',
    key: testKey('p256', 'chain-root'),
    ca: true,
    notBefore: new Date(Date.now() - 30 * DAY),
  });
});

function mk(cn: string, spec: Partial<CertSpec>): TestCert {
  return makeCert({ cn, key: testKey('p256', cn), ...spec });
}

/** A signer under `issuers` (nearest first), all of them in KeyInfo. */
function signedThrough(signer: TestCert, issuers: TestCert[]): Buffer {
  return signLetterWith(signer, { keyInfoPem: [signer, ...issuers].map((c) => c.pem).join('') });
}

async function judge(doc: Buffer, extra: Partial<VerifyLetterOptions> = {}): Promise<string> {
  try {
    return (await verifyLetterSignature(doc, { policy: 'require', trustAnchors: [root.pem], ...extra }))
      .status;
  } catch (err) {
    const e = err as { code: string; reason?: string };
    return `${e.code}:${e.reason}`;
  }
}

describe('path constraints', () => {
  it('pathLenConstraint 0 on the root: a sub-CA under its CA cannot sign through it', async () => {
    const strictRoot = mk('Strict Root', { ca: true, pathLength: 0 });
    const ca = mk('CA under strict root', { issuer: strictRoot, ca: true });
    const signer = mk('Signer under CA', { issuer: ca });
    expect(await judge(signedThrough(signer, [ca]), { trustAnchors: [strictRoot.pem] })).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:path-length',
    );
    // Directly under the strict root is within its constraint.
    const direct = mk('Signer under strict root', { issuer: strictRoot });
    expect(await judge(signedThrough(direct, []), { trustAnchors: [strictRoot.pem] })).toBe('valid');
  });

  it('pathLenConstraint 0 on an intermediate that issues a sub-CA which signs', async () => {
    const ca = mk('Issuing CA pathlen 0', { issuer: root, ca: true, pathLength: 0 });
    const sub = mk('Rogue sub-CA', { issuer: ca, ca: true });
    const signer = mk('Signer under rogue sub-CA', { issuer: sub });
    expect(await judge(signedThrough(signer, [sub, ca]))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:path-length');
  });

  it('an issuer must be a CA with keyCertSign', async () => {
    const leaf = mk('Ordinary officer', { issuer: root, keyUsage: ['digitalSignature'] });
    const underLeaf = mk('Issued by an officer', { issuer: leaf });
    expect(await judge(signedThrough(underLeaf, [leaf]))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:issuer-not-ca');
    const noBc = mk('Issuer without basic constraints', {
      issuer: root,
      ca: null,
      keyUsage: ['keyCertSign'],
    });
    const underNoBc = mk('Under issuer without basic constraints', { issuer: noBc });
    expect(await judge(signedThrough(underNoBc, [noBc]))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:issuer-not-ca');
    const noCertSign = mk('CA without keyCertSign', { issuer: root, ca: true, keyUsage: ['cRLSign'] });
    const underNoCertSign = mk('Under CA without keyCertSign', { issuer: noCertSign });
    expect(await judge(signedThrough(underNoCertSign, [noCertSign]))).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:issuer-key-usage',
    );
  });

  it('every certificate must be valid at the verification time', async () => {
    const expiredCa = mk('Expired CA', {
      issuer: root,
      ca: true,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const signer = mk('Under expired CA', { issuer: expiredCa, notBefore: new Date(Date.now() - 10 * DAY) });
    expect(await judge(signedThrough(signer, [expiredCa]))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:expired');
    const future = mk('Not yet valid', { issuer: root, notBefore: new Date(Date.now() + DAY) });
    expect(await judge(signedThrough(future, []))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:not-yet-valid');
    // The same chain checked at a time when every certificate was valid passes.
    expect(await judge(signedThrough(signer, [expiredCa]), { at: new Date(Date.now() - 2 * DAY) })).toBe(
      'valid',
    );
  });

  it('an unknown critical extension anywhere in the path is refused', async () => {
    const odd = mk('CA with an unknown critical extension', {
      issuer: root,
      ca: true,
      unknownCritical: '1.3.6.1.4.1.99999.1',
    });
    const signer = mk('Under odd CA', { issuer: odd });
    expect(await judge(signedThrough(signer, [odd]))).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:unsupported-critical-extension',
    );
  });

  it('loops in KeyInfo end, and refuse; over-long paths are refused', async () => {
    // Two CAs that certify each other, neither under a trust anchor.
    const keyA = testKey('p256', 'loop-a');
    const keyB = testKey('p256', 'loop-b');
    const aSelf = makeCert({ cn: 'Loop A', key: keyA, ca: true });
    const b = makeCert({ cn: 'Loop B', key: keyB, issuer: aSelf, ca: true });
    const a = makeCert({ cn: 'Loop A', key: keyA, issuer: b, ca: true });
    const signer = mk('Signer in a loop', { issuer: a });
    expect(await judge(signedThrough(signer, [a, b]))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:chain-loop');

    const cas: TestCert[] = [];
    let issuer = root;
    for (let i = 0; i < 9; i++) {
      issuer = mk(`Deep CA ${i}`, { issuer, ca: true });
      cas.unshift(issuer);
    }
    const deep = mk('Deep signer', { issuer });
    expect(await judge(signedThrough(deep, cas))).toBe('ERR_ECMS_UNTRUSTED_SIGNER:chain-too-long');
    expect(await judge(signedThrough(deep, cas), { maxChainLength: 11 })).toBe('valid');
    const short = standardChain();
    expect(
      await judge(signedThrough(short.signer, [short.ca]), {
        trustAnchors: [short.root.pem],
        maxChainLength: 2,
      }),
    ).toBe('ERR_ECMS_UNTRUSTED_SIGNER:chain-too-long');
  });
});

describe('the certificate validator hook (revocation plugs in here)', () => {
  it('runs last with the built path and the sending department; a refusal or a throw refuses', async () => {
    const { root: r, ca, signer } = standardChain();
    const doc = signedThrough(signer, [ca]);
    const seen: CertificateValidationContext[] = [];
    const result = await verifyLetterSignature(doc, {
      policy: 'require',
      trustAnchors: [r.pem],
      certificateValidator: (ctx) => {
        seen.push(ctx);
        return { valid: true, detail: 'not revoked (offline CRL)' };
      },
    });
    expect(result.validatorDetail).toBe('not revoked (offline CRL)');
    expect(seen[0]?.chain.map((c) => c.fingerprint256)).toEqual([
      signer.x509.fingerprint256,
      ca.x509.fingerprint256,
      r.x509.fingerprint256,
    ]);
    expect(seen[0]?.departmentId).toBe(sampleLetter().sender.departmentId);
    const refuse = async () => ({ valid: false as const, detail: 'revoked 2026-01-01 (keyCompromise)' });
    expect(await judge(doc, { trustAnchors: [r.pem], certificateValidator: refuse })).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:validator',
    );
    const broken = () => {
      throw new Error('OCSP responder unreachable');
    };
    expect(await judge(doc, { trustAnchors: [r.pem], certificateValidator: broken })).toBe(
      'ERR_ECMS_UNTRUSTED_SIGNER:validator',
    );
    // Built-in checks come first: the validator never sees a signer they refuse.
    let called = false;
    const stranger = mk('Stranger', {});
    await judge(signedThrough(stranger, []), {
      trustAnchors: [r.pem],
      certificateValidator: () => {
        called = true;
        return { valid: true };
      },
    });
    expect(called).toBe(false);
  });

  it('through the client and inbox worker: an asynchronous refusal quarantines the letter', async () => {
    const { root: r, ca, signer } = standardChain();
    const net = await startEcmsNetwork({ seed: 13 });
    const [a, b] = net.nodes;
    const sender = new EcmsClient({
      nodeUrl: a!.url,
      organizationId: a!.organizationId,
      signingKey: { privateKey: signer.key.privatePem, certificate: signer.pem + ca.pem },
    });
    const receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId });
    try {
      await sender.sendLetter(sampleLetter());
      const store = new MemoryLetterStore();
      await new EcmsInboxWorker({
        client: receiver,
        store,
        signaturePolicy: 'require',
        trustAnchors: [r.pem],
        certificateValidator: async ({ signer: s }) => {
          await new Promise((resolve) => setImmediate(resolve));
          return s.fingerprint256 === signer.x509.fingerprint256
            ? { valid: false, detail: 'revoked' }
            : { valid: true };
        },
      }).runOnce();
      expect(await store.list({ direction: 'inbound' })).toEqual([]);
      const [q] = await store.quarantined();
      expect(q?.error).toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'validator' });
      expect(q?.notified).toBe(true);
    } finally {
      await sender.close();
      await receiver.close();
      await net.close();
    }
  });
});
