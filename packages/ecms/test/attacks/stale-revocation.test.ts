// Attack class: stale revocation data. A CRL that has passed its nextUpdate, an OCSP answer without nextUpdate
// days old, or evidence older than the receiver's policy allows says nothing about the signer now: a revocation
// published since would not be in it. Such evidence gives no status (RFC 5280/6960 freshness, as for PDFs); with
// `revocation.required` (the default once revocation is configured) a letter without a status is refused
// (INDETERMINATE/TRY_LATER), and `required: false` stores it with the unknown status in its evidence. A
// revocation listed in stale data still revokes. Each case goes through the real inbox worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, standardChain, type TestCert, testKey } from '../helpers/certs.js';
import { type DeliveryBench, startDeliveryBench, type TestWorkerOptions } from '../helpers/delivery.js';
import { crlOf, ocspOf } from '../helpers/revocation.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);

let bench: DeliveryBench;
let root: TestCert;
let ca: TestCert;
let rootCrl: Uint8Array;

beforeAll(async () => {
  bench = await startDeliveryBench(37);
  ({ root, ca } = standardChain());
  rootCrl = await crlOf(root);
});

afterAll(async () => {
  await bench?.close();
});

function newSigner(cn: string) {
  const signer = makeCert({ cn, key: testKey('p256', 'stale-signer'), issuer: ca });
  return { signer, key: { privateKey: signer.key.privatePem, certificate: signer.pem + ca.pem } };
}

/** A CRL of the CA that expired yesterday (issued 8 days ago, nextUpdate 1 day ago). */
const staleCrl = (revoked: { cert: TestCert; date: Date }[] = []) =>
  crlOf(ca, { thisUpdate: ago(8 * DAY), nextUpdate: ago(DAY), revoked });

const strict = (revocation: TestWorkerOptions['revocation']): TestWorkerOptions => ({
  signaturePolicy: 'require',
  trustAnchors: [root.pem],
  revocation,
});

describe('stale evidence gives no status', () => {
  it('a CRL past its nextUpdate: refused as revocation-unknown (TRY_LATER), the CRL listed as unusable', async () => {
    const { key } = newSigner('Officer, stale CRL');
    const r = await bench.deliver(key, strict({ crls: [await staleCrl(), rootCrl] }));
    expect(r.stored).toEqual([]);
    expect(r.dispatched).toEqual([]);
    const [q] = r.quarantined;
    expect(q?.error).toMatchObject({ code: 'ERR_ECMS_UNTRUSTED_SIGNER', reason: 'revocation-unknown' });
    expect(q?.signature?.signer?.validation).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'TRY_LATER',
    });
    const [status] = q?.signature?.signer?.revocation ?? [];
    expect(status?.status).toBe('unknown');
    expect(status?.considered).toEqual([
      expect.objectContaining({ type: 'crl', usable: false, reason: expect.stringContaining('stale') }),
    ]);
  });

  it('required: false stores the letter as valid, with the unknown status and the reason in its evidence', async () => {
    const { key } = newSigner('Officer, stale CRL, lenient policy');
    const r = await bench.deliver(key, strict({ crls: [await staleCrl(), rootCrl], required: false }));
    const [stored] = r.stored;
    expect(stored?.signatureStatus).toBe('valid');
    expect(stored?.signature?.signer?.revocation?.map((s) => s.status)).toEqual(['unknown', 'good']);
    expect(stored?.signature?.signer?.validation?.message).toContain('revocation status incomplete');
  });

  it('a revocation listed in a stale CRL still revokes', async () => {
    const { signer, key } = newSigner('Officer revoked in an old CRL');
    const r = await bench.deliver(
      key,
      strict({ crls: [await staleCrl([{ cert: signer, date: ago(3 * DAY) }]), rootCrl] }),
    );
    expect(r.stored).toEqual([]);
    expect(r.quarantined[0]?.error).toMatchObject({ reason: 'revoked' });
  });

  it('a policy maximum age refuses a CRL its nextUpdate still covers', async () => {
    const { key } = newSigner('Officer, week-old CRL');
    const weekOld = await crlOf(ca, { thisUpdate: ago(6 * DAY), nextUpdate: new Date(Date.now() + DAY) });
    const covered = await bench.deliver(key, strict({ crls: [weekOld, rootCrl] }));
    expect(covered.stored[0]?.signatureStatus).toBe('valid');
    const r = await bench.deliver(key, strict({ crls: [weekOld, rootCrl], maxAgeInMs: 2 * DAY }));
    expect(r.stored).toEqual([]);
    expect(r.quarantined[0]?.error).toMatchObject({ reason: 'revocation-unknown' });
  });

  it('an OCSP answer without nextUpdate counts for 24 hours only', async () => {
    const { signer, key } = newSigner('Officer, old OCSP answer');
    const old = await ocspOf(signer, ca, 'good', { thisUpdate: ago(2 * DAY), nextUpdate: null });
    const r = await bench.deliver(key, strict({ ocspResponses: [old], crls: [rootCrl] }));
    expect(r.stored).toEqual([]);
    expect(r.quarantined[0]?.error).toMatchObject({ reason: 'revocation-unknown' });
    expect(r.quarantined[0]?.signature?.signer?.revocation?.[0]?.considered[0]?.reason).toMatch(
      /no nextUpdate/,
    );
  });
});

describe('without revocation options', () => {
  it('revocation is not checked, and the evidence says so', async () => {
    const { key } = newSigner('Officer, no revocation configured');
    const r = await bench.deliver(key, { signaturePolicy: 'require', trustAnchors: [root.pem] });
    const [stored] = r.stored;
    expect(stored?.signatureStatus).toBe('valid');
    expect(stored?.signature?.signer?.validation).toMatchObject({
      indication: 'PASSED',
      revocationChecked: false,
      message: expect.stringContaining('revocation not checked'),
    });
    expect(stored?.signature?.signer?.revocation).toBeUndefined();
  });
});
