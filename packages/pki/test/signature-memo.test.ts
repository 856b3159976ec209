// Signature outcomes are shared by every validation in the process (src/signature-memo.ts). These tests hold the
// memo to what it may keep: an outcome for the exact bytes and key it was computed for, and nothing about time.
import { flipByte } from '@thgov/testkit';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { publicKeyOf } from '../src/algorithms.js';
import { validateCertificatePath } from '../src/index.js';
import { verifySignatureValueOnce } from '../src/signature-memo.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
const parse = (der: Uint8Array) => pkijs.Certificate.fromBER(Uint8Array.from(der).buffer);

/** The memoised check of `der`'s signature with `issuer`'s key. */
function signedBy(der: Uint8Array, issuer: Uint8Array): boolean {
  const c = parse(der);
  const key = publicKeyOf(parse(issuer).subjectPublicKeyInfo);
  if (!key) throw new Error('unreadable test key');
  const tbs = new Uint8Array(c.tbsView);
  return verifySignatureValueOnce(tbs, c.signatureValue.valueBlock.valueHexView, c.signatureAlgorithm, key);
}

function validate(cert: Uint8Array, crls: Uint8Array[], at: Date) {
  return validateCertificatePath(cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl, ...crls] },
    at,
    timeProven: true,
  });
}

describe('remembered signature outcomes', () => {
  it('hold only for the exact bytes and key: a changed signature or TBS byte, or another key, is checked anew', () => {
    const der = h.signer.cert;
    const name = Buffer.from(der).indexOf('Test Signer');
    expect(signedBy(der, h.ca.cert)).toBe(true);
    expect(signedBy(flipByte(der, der.length - 1), h.ca.cert)).toBe(false);
    expect(signedBy(flipByte(der, name), h.ca.cert)).toBe(false);
    expect(signedBy(der, h.root.cert)).toBe(false);
    expect(signedBy(der, h.ca.cert)).toBe(true);
  });

  it('a forged CRL is refused after the genuine one was authenticated with the same key', async () => {
    const genuine = await h.crl(h.ca);
    const forged = flipByte(genuine, genuine.length - 1);
    expectOutcome(await validate(h.signer.cert, [genuine], now), 'PASSED');
    const r = await validate(h.signer.cert, [forged], now);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]?.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/sign/),
    });
  });

  it('never carry a time: a revocation decides after a pass at an earlier time, and not before it', async () => {
    const revokedAt = new Date(now.getTime() - 5 * DAY);
    const crl = await h.crl(h.ca, { revoked: [{ serialNumber: h.signer.serial, date: revokedAt }] });
    const before = new Date(now.getTime() - 20 * DAY);
    expectOutcome(await validate(h.signer.cert, [crl], before), 'PASSED');
    expectOutcome(await validate(h.signer.cert, [crl], new Date(now.getTime() - DAY)), 'FAILED', 'REVOKED');
    expectOutcome(await validate(h.signer.cert, [crl], before), 'PASSED');
  });

  it('never carry a time: an expired certificate fails after a pass within its validity, which still passes', async () => {
    const short = await issue(now, 'Short-lived Signer', 101, h.ca, {
      ...SIGNER_USAGE,
      notAfter: new Date(now.getTime() - 2 * DAY),
    });
    // Issued while the certificate was valid: a CRL from after its expiry proves nothing about it.
    const crl = await h.crl(h.ca, { thisUpdate: new Date(now.getTime() - 8 * DAY) });
    const within = new Date(now.getTime() - 10 * DAY);
    expectOutcome(await validate(short.cert, [crl], within), 'PASSED');
    const after = await validate(short.cert, [crl], now);
    expect(after.indication).not.toBe('PASSED');
    expect(after.subIndication).toMatch(/EXPIRED|OUT_OF_BOUNDS/);
    expectOutcome(await validate(short.cert, [crl], within), 'PASSED');
  });
});
