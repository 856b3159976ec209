// Attack class: conflicting revocation evidence (the reported attack). A "good" OCSP answer obtained before the
// signer was revoked, embedded beside a CRL that revokes it, gave TOTAL_PASSED: the first fresh answer won and
// the CRL was never read. All evidence must be weighed — CMS, Adobe revocationInfoArchival, /DSS, supplied
// offline — and a revocation at or before the validated time wins over every "good" answer.
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../helpers/pki.js';
import { crlOf, DAY, ocspAbout, outcome, signWith, verifyBoth } from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const victim = pki.revokedSigner; // revoked by the CA at pki.revokedAt (two days ago)
const goodBeforeRevocation = await ocspAbout(pki, victim.cert, {
  thisUpdate: new Date(pki.revokedAt.getTime() - DAY),
  nextUpdate: new Date(pki.now.getTime() + 5 * DAY),
});

describe('a good OCSP answer beside a revoking CRL', () => {
  it('Adobe revocationInfoArchival, no time-stamp: INDETERMINATE/REVOKED_NO_POE under both policies', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], {
      ocsps: [goodBeforeRevocation],
      crls: [pki.crlCa, pki.crlRoot],
    });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    // The report names the evidence that decided, and shows the good answer it overruled.
    const leaf = strict.signatures[0]!.revocation[0]!;
    expect(leaf).toMatchObject({
      source: 'adbe-revocation-info',
      type: 'crl',
      status: 'revoked',
      decided: true,
    });
    expect(leaf.revokedAt).toBe(pki.revokedAt.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
    expect(leaf.considered?.map((e) => [e.type, e.status])).toEqual(
      expect.arrayContaining([
        ['ocsp', 'good'],
        ['crl', 'revoked'],
      ]),
    );
  });

  it('time-stamped after the revocation: TOTAL_FAILED/REVOKED', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], {
      ocsps: [goodBeforeRevocation],
      crls: [pki.crlCa, pki.crlRoot],
      tsa: pki.tsaFn,
    });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['TOTAL_FAILED', 'REVOKED']);
    expect(outcome(generic)).toEqual(['TOTAL_FAILED', 'REVOKED']);
  });

  it('PAdES with the evidence in /DSS: the same', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], {
      subFilter: 'ETSI.CAdES.detached',
      ocsps: [goodBeforeRevocation],
      crls: [pki.crlCa, pki.crlRoot],
    });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(strict.signatures[0]!.revocation[0]).toMatchObject({
      source: 'dss',
      type: 'crl',
      status: 'revoked',
    });
  });

  it('a revoking CRL supplied offline overrules the good answer the file carries', async () => {
    const pdf = await signWith(victim, [pki.ca.cert], { ocsps: [goodBeforeRevocation], crls: [pki.crlRoot] });
    const embeddedOnly = await verifyBoth(pdf, { trust });
    expect(embeddedOnly.strict.indication).toBe('TOTAL_PASSED');
    const { strict, generic } = await verifyBoth(pdf, { trust, revocation: { crls: [pki.crlCa] } });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(strict.signatures[0]!.revocation[0]).toMatchObject({
      source: 'supplied',
      type: 'crl',
      status: 'revoked',
    });
  });

  it('a revoked answer beside a good CRL: revoked, decided by the OCSP answer', async () => {
    const revoked = await ocspAbout(pki, victim.cert, { status: 'revoked', revokedAt: pki.revokedAt });
    const clean = await crlOf(pki);
    const pdf = await signWith(victim, [pki.ca.cert], { ocsps: [revoked], crls: [clean, pki.crlRoot] });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(strict.signatures[0]!.revocation[0]).toMatchObject({
      type: 'ocsp',
      status: 'revoked',
      decided: true,
    });
  });
});
