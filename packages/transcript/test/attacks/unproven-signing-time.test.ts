// Attack class: unproven (backdated) signing time. /M and the CMS signing-time are claims the signer writes
// himself: backdating them to before the revocation must not dodge it. Only a verified time-stamp (signature or
// document time-stamp) proves when the signature existed; otherwise the validation time counts.

import { createTimeStampAuthority } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../helpers/pki.js';
import { DAY, ocspAbout, outcome, signWith, verifyBoth } from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const victim = pki.revokedSigner;
const backdated = new Date(pki.revokedAt.getTime() - 10 * DAY);

describe('backdated claims', () => {
  it('/M and signing-time before the revocation, no time-stamp: REVOKED_NO_POE, claims reported as claims', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], {
      crls: [pki.crlCa, pki.crlRoot],
      signingTime: backdated,
    });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    for (const r of [strict, generic]) expect(outcome(r)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    const s = strict.signatures[0]!;
    expect(s.signingTime.proof).toBe('none');
    expect(s.signingTime.proven).toBeUndefined();
    expect(s.signingTime.claimedCms).toBe(backdated.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
    expect(s.signingTime.claimedPdf).toBeDefined();
    const chain = s.checks.find((c) => c.id === 'chain-and-revocation')!;
    expect(chain.evidence?.validatedAt).not.toBe(s.signingTime.claimedCms);
  });

  it('backdated claims plus a good OCSP answer from that time still end revoked', async () => {
    const oldGood = await ocspAbout(pki, victim.cert, {
      thisUpdate: backdated,
      nextUpdate: new Date(backdated.getTime() + 30 * DAY),
    });
    const pdf = await signWith(victim, [pki.ca.cert], {
      ocsps: [oldGood],
      crls: [pki.crlCa, pki.crlRoot],
      signingTime: backdated,
    });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    for (const r of [strict, generic]) expect(outcome(r)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
  });

  it('a time-stamp by an untrusted TSA claiming an early time proves nothing', async () => {
    const liar = createTimeStampAuthority({
      certificate: pki.otherSigner.cert,
      privateKey: pki.otherSigner.key,
      now: () => backdated,
    });
    const pdf = await signWith(victim, [pki.ca.cert], {
      crls: [pki.crlCa, pki.crlRoot],
      tsa: liar,
      signingTime: backdated,
    });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(strict.indication).not.toBe('TOTAL_PASSED');
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(generic.signatures[0]!.signingTime.proof).toBe('none');
  });

  it('a trusted time-stamp after the revocation makes it definite: TOTAL_FAILED/REVOKED', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], {
      crls: [pki.crlCa, pki.crlRoot],
      tsa: pki.tsaFn,
      signingTime: backdated,
    });
    const { strict } = await verifyBoth(pdf, { trust });
    // The CMS claim is far earlier than the stamp: the time check already refuses the ordering...
    expect(strict.indication).not.toBe('TOTAL_PASSED');
    // ...and without the backdated claim the revocation is proven.
    const honest = await signWith(victim, [pki.ca.cert], { crls: [pki.crlCa, pki.crlRoot], tsa: pki.tsaFn });
    expect(outcome((await verifyBoth(honest, { trust })).strict)).toEqual(['TOTAL_FAILED', 'REVOKED']);
  });

  it('a trusted time-stamp before the revocation proves the signature predates it: TOTAL_PASSED', async () => {
    const early = createTimeStampAuthority({
      certificate: pki.tsa.cert,
      privateKey: pki.tsa.key,
      chain: [pki.ca.cert],
      now: () => backdated,
    });
    const pdf = await signWith(victim, [pki.ca.cert], {
      crls: [pki.crlCa, pki.crlRoot],
      tsa: early,
      signingTime: backdated,
    });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['TOTAL_PASSED', undefined]);
    expect(strict.signatures[0]!.signingTime).toMatchObject({ proof: 'signature-timestamp' });
  });
});
