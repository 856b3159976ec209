// Attack class: revoked signer. A signing certificate (or its CA) revoked after a key compromise keeps signing
// letters that verify; without a revocation check the inbox stored them as validly signed. Letter signers are
// now judged by @thgov/pki, the engine PDFs use: every CRL and OCSP response the receiver holds (or, opt-in,
// fetches) is weighed, a revocation at or before the verification time wins over any "good" answer, and only the
// receipt time counts — an e-CMS letter has no time-stamp, so its own dates cannot move the check into the past.
// Each case goes through the real inbox worker against the sandbox nodes; none may end in a stored letter.
import { exportPkcs8Pem, toPem } from '@thgov/pki';
import { type SandboxPki, startSandboxPki } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLetterSignature } from '../../src/index.js';
import { makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { type DeliveryBench, startDeliveryBench } from '../helpers/delivery.js';
import { crlOf, ocspOf } from '../helpers/revocation.js';
import { signLetterWith } from '../helpers/sign.js';

const HOUR = 3_600_000;
let bench: DeliveryBench;
let root: TestCert;
let ca: TestCert;

beforeAll(async () => {
  bench = await startDeliveryBench(31);
  ({ root, ca } = standardChain());
});

afterAll(async () => {
  await bench?.close();
});

/** A fresh signer under the shared CA, and the signing key a sender client uses for it. */
function newSigner(cn: string): { signer: TestCert; key: { privateKey: string; certificate: string } } {
  const signer = makeCert({
    cn,
    key: testKey('p256', 'revocation-signer'),
    issuer: ca,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  return { signer, key: { privateKey: signer.key.privatePem, certificate: signer.pem + ca.pem } };
}

const ago = (ms: number) => new Date(Date.now() - ms);

describe('a revoked signer is refused, never stored', () => {
  it('revoked by a supplied CRL: quarantined with the CRL that decided in the evidence', async () => {
    const { signer, key } = newSigner('Compromised officer');
    const crls = [
      await crlOf(ca, {
        thisUpdate: ago(HOUR / 2),
        revoked: [{ cert: signer, date: ago(HOUR), reason: 'keyCompromise' }],
      }),
      await crlOf(root),
    ];
    const r = await bench.deliver(key, {
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      revocation: { crls },
    });
    expect(r.stored).toEqual([]);
    expect(r.dispatched).toEqual([]);
    expect(r.pending).toBe(0);
    const [q] = r.quarantined;
    expect(q?.error).toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'revoked' });
    expect(q?.signature?.signer?.validation).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'REVOKED_NO_POE',
      timeProven: false,
      revocationChecked: true,
    });
    const [status] = q?.signature?.signer?.revocation ?? [];
    expect(status).toMatchObject({
      position: 0,
      status: 'revoked',
      revocationReason: 'keyCompromise',
      decidedBy: { type: 'crl', source: 'supplied', usable: true, status: 'revoked' },
    });
    expect(q?.notified).toBe(true);
  });

  it('a "good" OCSP answer from before the revocation, beside the CRL that revokes: the CRL wins', async () => {
    const { signer, key } = newSigner('Officer with an old good OCSP answer');
    const good = await ocspOf(signer, ca, 'good', { thisUpdate: ago(2 * HOUR) });
    const crls = [
      await crlOf(ca, { thisUpdate: ago(HOUR / 2), revoked: [{ cert: signer, date: ago(HOUR) }] }),
      await crlOf(root),
    ];
    const r = await bench.deliver(key, {
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      revocation: { crls, ocspResponses: [good] },
    });
    expect(r.stored).toEqual([]);
    const [q] = r.quarantined;
    expect(q?.error).toMatchObject({ reason: 'revoked' });
    const [status] = q?.signature?.signer?.revocation ?? [];
    expect(status?.decidedBy).toMatchObject({ type: 'crl', status: 'revoked' });
    // The good answer was weighed (usable, fresh) and lost.
    expect(status?.considered).toContainEqual(
      expect.objectContaining({ type: 'ocsp', status: 'good', usable: true }),
    );
  });

  it('a revoked issuing CA revokes every letter its signers sign', async () => {
    const { key } = newSigner('Officer under a revoked CA');
    const crls = [
      await crlOf(ca),
      await crlOf(root, {
        thisUpdate: ago(HOUR / 2),
        revoked: [{ cert: ca, date: ago(HOUR), reason: 'cACompromise' }],
      }),
    ];
    const r = await bench.deliver(key, {
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      revocation: { crls },
    });
    expect(r.stored).toEqual([]);
    const [q] = r.quarantined;
    expect(q?.error).toMatchObject({ reason: 'revoked' });
    expect(q?.signature?.signer?.validation?.subIndication).toBe('REVOKED_CA_NO_POE');
    expect(q?.signature?.signer?.revocation?.map((s) => s.status)).toEqual(['good', 'revoked']);
  });

  it("the letter's own dates cannot backdate the check: a letter dated before the revocation is still refused", async () => {
    const { signer, key } = newSigner('Officer backdating letters');
    const crls = [
      await crlOf(ca, { thisUpdate: ago(HOUR / 2), revoked: [{ cert: signer, date: ago(HOUR) }] }),
      await crlOf(root),
    ];
    const lastYear = new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10);
    const r = await bench.deliver(
      key,
      { signaturePolicy: 'require', trustAnchors: [root.pem], revocation: { crls } },
      { correspondenceDate: lastYear, sendDate: `${lastYear}T09:00:00` },
    );
    expect(r.stored).toEqual([]);
    expect(r.quarantined[0]?.error).toMatchObject({ reason: 'revoked' });
    // Validated at receipt: the time in the evidence is today, not the letter's date.
    const at = new Date(r.quarantined[0]?.signature?.signer?.validation?.validatedAt ?? 0);
    expect(Date.now() - at.getTime()).toBeLessThan(HOUR);
  });

  it('a CRL signed by another key is no evidence: the status stays unknown and the letter is refused', async () => {
    const { key } = newSigner('Officer with a forged CRL');
    const forger = makeCert({ cn: 'Forger', key: testKey('p256', 'forger'), ca: true });
    const crls = [await crlOf(ca, { signedBy: forger }), await crlOf(root)];
    const r = await bench.deliver(key, {
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      revocation: { crls },
    });
    expect(r.stored).toEqual([]);
    const [q] = r.quarantined;
    expect(q?.error).toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'revocation-unknown' });
    expect(q?.signature?.signer?.validation?.subIndication).toBe('TRY_LATER');
    expect(q?.signature?.signer?.revocation?.[0]?.considered).toContainEqual(
      expect.objectContaining({ type: 'crl', usable: false }),
    );
  });

  it('under verify-if-present a revoked signer is stored flagged, never acknowledged or registered', async () => {
    const { signer, key } = newSigner('Revoked officer, lenient receiver');
    const crls = [
      await crlOf(ca, { thisUpdate: ago(HOUR / 2), revoked: [{ cert: signer, date: ago(HOUR) }] }),
      await crlOf(root),
    ];
    const r = await bench.deliver(key, {
      signaturePolicy: 'verify-if-present',
      trustAnchors: [root.pem],
      revocation: { crls },
    });
    const [stored] = r.stored;
    expect(stored?.signatureStatus).toBe('failed:ERR_ECMS_UNTRUSTED_SIGNER');
    expect(stored?.signature).toMatchObject({ status: 'failed', reason: 'revoked' });
    expect(stored?.state).toBe('dequeued');
  });
});

describe('a good signer passes, with the evidence of its status', () => {
  it('not on the CRL: stored as valid; the certificate validator still runs last with the built path', async () => {
    const { signer, key } = newSigner('Officer in good standing');
    const crls = [await crlOf(ca), await crlOf(root)];
    const seen: string[][] = [];
    const r = await bench.deliver(key, {
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      revocation: { crls },
      certificateValidator: ({ chain }) => {
        seen.push(chain.map((c) => c.fingerprint256));
        return { valid: true, detail: 'registered signer' };
      },
    });
    const [stored] = r.stored;
    expect(stored?.signatureStatus).toBe('valid');
    expect(stored?.state).toBe('acknowledged');
    expect(stored?.signature?.validatorDetail).toBe('registered signer');
    expect(stored?.signature?.signer?.revocation?.map((s) => [s.status, s.decidedBy?.type])).toEqual([
      ['good', 'crl'],
      ['good', 'crl'],
    ]);
    expect(seen).toEqual([[signer.x509.fingerprint256, ca.x509.fingerprint256, root.x509.fingerprint256]]);
  });

  it('the certificate validator never sees a revoked signer', async () => {
    const { signer } = newSigner('Revoked, validator bypass attempt');
    const doc = signLetterWith(signer, { keyInfoPem: signer.pem + ca.pem });
    const crls = [await crlOf(ca, { revoked: [{ cert: signer, date: ago(HOUR) }] }), await crlOf(root)];
    let called = false;
    await expect(
      verifyLetterSignature(doc, {
        policy: 'require',
        trustAnchors: [root.pem],
        revocation: { crls },
        certificateValidator: () => {
          called = true;
          return { valid: true };
        },
      }),
    ).rejects.toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'revoked' });
    expect(called).toBe(false);
  });
});

describe('online revocation through the sandbox PKI (OCSP and CRL over HTTP on 127.0.0.1)', () => {
  let pki: SandboxPki;
  beforeAll(async () => {
    pki = await startSandboxPki();
  });
  afterAll(async () => {
    await pki?.close();
  });

  async function sandboxSigner(cn: string) {
    const id = await pki.createSigner(cn);
    return {
      id,
      key: {
        privateKey: await exportPkcs8Pem(id.privateKey),
        certificate: toPem(id.certificate) + toPem(pki.issuingCa.certificate),
      },
    };
  }

  it("follows the certificates' OCSP and CRL URLs: good is stored, revoked at the responder is refused", async () => {
    const worker = {
      signaturePolicy: 'require' as const,
      trustAnchors: [pki.rootPem],
      revocation: { online: true },
    };
    const good = await sandboxSigner('Online officer');
    const ok = await bench.deliver(good.key, worker);
    expect(ok.stored[0]?.signatureStatus).toBe('valid');
    expect(ok.stored[0]?.signature?.signer?.revocation?.map((s) => [s.status, s.decidedBy?.source])).toEqual([
      ['good', 'online-ocsp'],
      ['good', 'online-crl'],
    ]);

    const bad = await sandboxSigner('Online officer, revoked');
    pki.revoke(bad.id.serialNumber, ago(60_000));
    const refused = await bench.deliver(bad.key, worker);
    expect(refused.stored).toEqual([]);
    expect(refused.quarantined[0]?.error).toMatchObject({ reason: 'revoked' });
    expect(refused.quarantined[0]?.signature?.signer?.revocation?.[0]?.decidedBy?.source).toBe('online-ocsp');
  });
});
