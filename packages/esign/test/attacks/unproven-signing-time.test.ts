// Attack class: an unproven (backdated) signing time, and a revoked officer who signs anyway. /M is a claim
// the signer writes himself: backdating it to before the revocation must not dodge it. Only a verified
// time-stamp proves when the signature existed; a trusted one after the revocation makes the failure definite,
// one before it proves the signature predates the revocation.
import { createTimeStampAuthority } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { DAY, EKU, extraIdentity, outcome, revokedAt, signAs, verifyAgainst } from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki();
const victim = pki.revoked;
const backdated = new Date(revokedAt(pki).getTime() - 10 * DAY);
const tsaId = await extraIdentity(pki, 'Second TSA', 700, pki.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: [EKU.timeStamping],
  extendedKeyUsageCritical: true,
});

describe('backdated claims and a revoked officer', () => {
  it('/M before the revocation, no time-stamp: INDETERMINATE/REVOKED_NO_POE, the claim reported as a claim', async () => {
    const pdf = await signAs(victim, [pki.ca.cert], { crls: pki.crls, signingTime: backdated });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    const s = report.signatures[0]!;
    expect(s.signingTime.proof).toBe('none');
    expect(s.signingTime.proven).toBeUndefined();
    expect(s.signingTime.claimedPdf).toBeDefined();
  });

  it('a time-stamp by an untrusted TSA claiming an early time proves nothing: REVOKED_NO_POE', async () => {
    const outsider = await extraIdentity(pki, 'Outsider TSA', 701, undefined, {
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: [EKU.timeStamping],
      extendedKeyUsageCritical: true,
    });
    const liar = createTimeStampAuthority({
      certificate: outsider.cert,
      privateKey: outsider.key,
      now: () => backdated,
    });
    const pdf = await signAs(victim, [pki.ca.cert], {
      crls: pki.crls,
      tsa: liar,
      signingTime: backdated,
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(report.signatures[0]!.signingTime.proof).toBe('none');
  });

  it('revoked officer signs, a trusted time-stamp after the revocation: TOTAL_FAILED/REVOKED', async () => {
    const pdf = await signAs(victim, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['TOTAL_FAILED', 'REVOKED']);
    expect(report.signatures[0]!.signingTime.proof).toBe('signature-timestamp');
  });

  it('control: a trusted time-stamp before the revocation proves the signature predates it', async () => {
    const early = createTimeStampAuthority({
      certificate: tsaId.cert,
      privateKey: tsaId.key,
      chain: [pki.ca.cert],
      now: () => backdated,
    });
    const pdf = await signAs(victim, [pki.ca.cert], {
      crls: pki.crls,
      tsa: early,
      signingTime: backdated,
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['TOTAL_PASSED', undefined]);
    expect(report.signatures[0]!.signingTime).toMatchObject({ proof: 'signature-timestamp' });
  });
});
