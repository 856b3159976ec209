// Attack class: conflicting revocation evidence in an esign-signed document. A "good" OCSP answer obtained
// before the officer was revoked, embedded beside a CRL that revokes him, must not win: all evidence (CMS
// revocationInfoArchival, /DSS, supplied offline) is weighed and a revocation at or before the validated time
// wins over every "good" answer.
import { describe, expect, it } from 'vitest';
import { crlOf, DAY, ocspAbout, outcome, revokedAt, signAs, verifyAgainst } from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki();
const victim = pki.revoked; // revoked by the CA two days ago
const rootCrl = pki.crls[1]!;
const goodBeforeRevocation = await ocspAbout(pki, victim.cert, {
  thisUpdate: new Date(revokedAt(pki).getTime() - DAY),
  nextUpdate: new Date(pki.now.getTime() + 5 * DAY),
});

describe('a good OCSP answer beside a revoking CRL', () => {
  it('Adobe revocationInfoArchival, no time-stamp: INDETERMINATE/REVOKED_NO_POE, decided by the CRL', async () => {
    const pdf = await signAs(victim, [pki.ca.cert], { ocsps: [goodBeforeRevocation], crls: pki.crls });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    const leaf = report.signatures[0]!.revocation[0]!;
    expect(leaf).toMatchObject({ type: 'crl', status: 'revoked', decided: true });
    expect(leaf.considered?.map((e) => [e.type, e.status])).toEqual(
      expect.arrayContaining([
        ['ocsp', 'good'],
        ['crl', 'revoked'],
      ]),
    );
  });

  it('B-LT with both in /DSS and a signature time-stamp after the revocation: TOTAL_FAILED/REVOKED', async () => {
    const pdf = await signAs(victim, [pki.ca.cert], {
      ocsps: [goodBeforeRevocation],
      crls: pki.crls,
      tsa: pki.tsa,
      level: 'B-LT',
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['TOTAL_FAILED', 'REVOKED']);
    expect(report.signatures[0]!.revocation[0]).toMatchObject({
      source: 'dss',
      type: 'crl',
      status: 'revoked',
    });
  });

  it('a revoking CRL supplied offline overrules the good answer the file carries', async () => {
    const pdf = await signAs(victim, [pki.ca.cert], { ocsps: [goodBeforeRevocation], crls: [rootCrl] });
    expect((await verifyAgainst(pki, pdf)).indication).toBe('TOTAL_PASSED');
    const report = await verifyAgainst(pki, pdf, { revocation: { crls: [pki.crls[0]!] } });
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(report.signatures[0]!.revocation[0]).toMatchObject({ source: 'supplied', status: 'revoked' });
  });

  it('a revoked OCSP answer beside a clean CRL: revoked, decided by the OCSP answer', async () => {
    const revokedAnswer = await ocspAbout(pki, victim.cert, { status: 'revoked', revokedAt: revokedAt(pki) });
    const pdf = await signAs(victim, [pki.ca.cert], {
      ocsps: [revokedAnswer],
      crls: [await crlOf(pki), rootCrl],
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(report.signatures[0]!.revocation[0]).toMatchObject({
      type: 'ocsp',
      status: 'revoked',
      decided: true,
    });
  });
});
