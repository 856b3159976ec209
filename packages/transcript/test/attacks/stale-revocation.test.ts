// Attack class: stale revocation data. A "good" answer that no longer covers the validated time (nextUpdate
// passed, or no nextUpdate and old) must not give a status: the CA may have revoked since. Adobe-LTV evidence
// inside the signed attributes predates the signature by nature and is fine while it covers the proven time.
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../helpers/pki.js';
import { crlOf, DAY, ocspAbout, outcome, signWith, verifyBoth } from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];

describe('stale evidence', () => {
  it('an OCSP answer whose nextUpdate has passed: INDETERMINATE/TRY_LATER (strict)', async () => {
    const stale = await ocspAbout(pki, pki.signer.cert, {
      thisUpdate: new Date(pki.now.getTime() - 10 * DAY),
      nextUpdate: new Date(pki.now.getTime() - 3 * DAY),
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [stale], crls: [pki.crlRoot] });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(strict.signatures[0]!.revocation[0]).toMatchObject({ status: 'unknown' });
    expect(strict.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('stale');
  });

  it('an OCSP answer without nextUpdate, two days old at the validated time: TRY_LATER', async () => {
    const noNext = await ocspAbout(pki, pki.signer.cert, {
      thisUpdate: new Date(pki.now.getTime() - 2 * DAY),
      nextUpdate: undefined,
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [noNext], crls: [pki.crlRoot] });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    // The documented default is 24 hours; a verifier may choose another maximum.
    const lenient = await verifyBoth(pdf, { trust, revocation: { maxAgeWithoutNextUpdateInMs: 3 * DAY } });
    expect(lenient.strict.indication).toBe('TOTAL_PASSED');
  });

  it('Adobe-LTV evidence issued before the signing covers the proven time: TOTAL_PASSED, later validation too', async () => {
    const issuedBefore = await crlOf(pki, {
      thisUpdate: new Date(pki.now.getTime() - 3 * DAY),
      nextUpdate: new Date(pki.now.getTime() + DAY),
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], {
      crls: [issuedBefore, pki.crlRoot],
      tsa: pki.tsaFn,
    });
    const later = new Date(pki.now.getTime() + 20 * DAY);
    const r = await verifyBoth(pdf, { trust, validationTime: later });
    expect(outcome(r.strict)).toEqual(['TOTAL_PASSED', undefined]);
    expect(r.strict.signatures[0]!.revocation[0]).toMatchObject({ freshness: 'covering', decided: true });
    // Without the time-stamp the same evidence no longer covers the (later) validation time.
    const unstamped = await signWith(pki.signer, [pki.ca.cert], { crls: [issuedBefore, pki.crlRoot] });
    expect(outcome((await verifyBoth(unstamped, { trust, validationTime: later })).strict)).toEqual([
      'INDETERMINATE',
      'TRY_LATER',
    ]);
  });

  it('a policy maximum age refuses evidence older than it', async () => {
    const weekOld = await crlOf(pki, {
      thisUpdate: new Date(pki.now.getTime() - 6 * DAY),
      nextUpdate: new Date(pki.now.getTime() + DAY),
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { crls: [weekOld, pki.crlRoot] });
    expect((await verifyBoth(pdf, { trust })).strict.indication).toBe('TOTAL_PASSED');
    expect(outcome((await verifyBoth(pdf, { trust, revocation: { maxAgeInMs: 2 * DAY } })).strict)).toEqual([
      'INDETERMINATE',
      'TRY_LATER',
    ]);
  });

  it('evidence dated in the future is refused', async () => {
    const future = await ocspAbout(pki, pki.signer.cert, {
      thisUpdate: new Date(pki.now.getTime() + 3 * DAY),
      nextUpdate: new Date(pki.now.getTime() + 10 * DAY),
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [future], crls: [pki.crlRoot] });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });
});
