// Attack class: stale revocation data in an esign-signed document. A "good" answer that no longer covers the
// validated time (nextUpdate passed, or no nextUpdate and old, or dated in the future) gives no status: the CA
// may have revoked since.
import { describe, expect, it } from 'vitest';
import { DAY, ocspAbout, outcome, REQUIRE_REVOCATION, signAs, verifyAgainst } from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const strict = { policy: REQUIRE_REVOCATION };

const pki = await createSigningPki();
const rootCrl = pki.crls[1]!;
const signedWith = async (ocsp: Uint8Array) =>
  signAs(pki.officer, [pki.ca.cert], { ocsps: [ocsp], crls: [rootCrl] });

describe('stale evidence about an esign signer', () => {
  it('an OCSP answer whose nextUpdate has passed: INDETERMINATE/TRY_LATER, reason "stale"', async () => {
    const stale = await ocspAbout(pki, pki.officer.cert, {
      thisUpdate: new Date(pki.now.getTime() - 10 * DAY),
      nextUpdate: new Date(pki.now.getTime() - 3 * DAY),
    });
    const report = await verifyAgainst(pki, await signedWith(stale), strict);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(report.signatures[0]!.revocation[0]).toMatchObject({ status: 'unknown' });
    expect(report.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('stale');
  });

  it('no nextUpdate and two days old: TRY_LATER by default, accepted under a longer chosen maximum', async () => {
    const pdf = await signedWith(
      await ocspAbout(pki, pki.officer.cert, {
        thisUpdate: new Date(pki.now.getTime() - 2 * DAY),
        nextUpdate: undefined,
      }),
    );
    expect(outcome(await verifyAgainst(pki, pdf, strict))).toEqual(['INDETERMINATE', 'TRY_LATER']);
    const lenient = await verifyAgainst(pki, pdf, {
      ...strict,
      revocation: { maxAgeWithoutNextUpdateInMs: 3 * DAY },
    });
    expect(lenient.indication).toBe('TOTAL_PASSED');
  });

  it('evidence dated in the future: INDETERMINATE/TRY_LATER', async () => {
    const future = await ocspAbout(pki, pki.officer.cert, {
      thisUpdate: new Date(pki.now.getTime() + 3 * DAY),
      nextUpdate: new Date(pki.now.getTime() + 10 * DAY),
    });
    expect(outcome(await verifyAgainst(pki, await signedWith(future), strict))).toEqual([
      'INDETERMINATE',
      'TRY_LATER',
    ]);
  });

  it('a policy maximum age refuses evidence older than it', async () => {
    const pdf = await signedWith(
      await ocspAbout(pki, pki.officer.cert, {
        thisUpdate: new Date(pki.now.getTime() - 3 * DAY),
        nextUpdate: new Date(pki.now.getTime() + DAY),
      }),
    );
    expect((await verifyAgainst(pki, pdf, strict)).indication).toBe('TOTAL_PASSED');
    expect(outcome(await verifyAgainst(pki, pdf, { ...strict, revocation: { maxAgeInMs: DAY } }))).toEqual([
      'INDETERMINATE',
      'TRY_LATER',
    ]);
  });
});
