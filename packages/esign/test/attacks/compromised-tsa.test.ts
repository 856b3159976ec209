// Attack class: a time-stamp that vouches for itself. A TSA's token states its own genTime; judging the TSA's
// certificate only at that genTime lets whoever holds a revoked (compromised) TSA key backdate anything to before
// the revocation. As EU DSS and pyHanko do (EN 319 102-1 §5.6.2), the TSA must also stand at a time proven
// independently: the validation time, or a later document time-stamp that covers the token.
import { createTimeStampAuthority } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { extendPdf } from '../../src/sign/extend.js';
import {
  crlOf,
  DAY,
  EKU,
  extraIdentity,
  outcome,
  revokedAt,
  signAs,
  verifyAgainst,
} from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki();
const backdated = new Date(revokedAt(pki).getTime() - 10 * DAY);
const tsaUsage = {
  keyUsage: ['digitalSignature'] as 'digitalSignature'[],
  extendedKeyUsage: [EKU.timeStamping],
  extendedKeyUsageCritical: true,
};
const beforeTsaRevocation = new Date(pki.now.getTime() - 7 * DAY);
const archiveId = await extraIdentity(pki, 'Archive TSA', 703, pki.ca, tsaUsage);
const archiveTsa = createTimeStampAuthority({
  certificate: archiveId.cert,
  privateKey: archiveId.key,
  chain: [pki.ca.cert],
  now: () => beforeTsaRevocation,
});
const stolen = await extraIdentity(pki, 'Compromised TSA', 702, pki.ca, tsaUsage);
const stolenTsa = createTimeStampAuthority({
  certificate: stolen.cert,
  privateKey: stolen.key,
  chain: [pki.ca.cert],
  now: () => backdated,
});
/** The CA's CRL: the officer revoked two days ago, the TSA five days ago (both after the backdated genTime). */
const crls = [
  await crlOf(pki, {
    revoked: [
      { serialNumber: 103, date: revokedAt(pki) },
      { serialNumber: 702, date: new Date(pki.now.getTime() - 5 * DAY) },
    ],
  }),
  ...pki.crls.slice(1),
];

describe('a time-stamp from a TSA revoked after its genTime', () => {
  it('backdates a revoked officer: the token proves nothing, INDETERMINATE/REVOKED_NO_POE', async () => {
    const pdf = await signAs(pki.revoked, [pki.ca.cert], { crls, tsa: stolenTsa, signingTime: backdated });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    const s = report.signatures[0]!;
    expect(s.signingTime.proof).toBe('none');
    expect(s.checks.find((c) => c.id === 'time')?.warnings?.join(' ')).toMatch(/TSA/);
  });

  it('under invalidSignatureTimeStamp "refuse": INDETERMINATE at the time step', async () => {
    const pdf = await signAs(pki.officer, [pki.ca.cert], { crls, tsa: stolenTsa, signingTime: backdated });
    const report = await verifyAgainst(pki, pdf, {
      policy: {
        ...(await import('../../src/verify/policy.js')).PDF_POLICY,
        invalidSignatureTimeStamp: 'refuse',
      },
    });
    expect(report.indication).toBe('INDETERMINATE');
    expect(report.signatures[0]!.checks.at(-1)?.id).toBe('time');
  });

  it('control: the same backdated token from a TSA in good standing still proves its time', async () => {
    const clean = [
      await crlOf(pki, { revoked: [{ serialNumber: 103, date: revokedAt(pki) }] }),
      ...pki.crls.slice(1),
    ];
    const pdf = await signAs(pki.revoked, [pki.ca.cert], {
      crls: clean,
      tsa: stolenTsa,
      signingTime: backdated,
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['TOTAL_PASSED', undefined]);
    expect(report.signatures[0]!.signingTime.proof).toBe('signature-timestamp');
  });

  it('a document time-stamp from before the TSA revocation proves the token: B-LTA, TOTAL_PASSED', async () => {
    const lt = await signAs(pki.revoked, [pki.ca.cert], { crls, tsa: stolenTsa, level: 'B-LT' });
    const lta = await extendPdf(lt, { level: 'B-LTA', tsa: archiveTsa, validationData: { crls } });
    const report = await verifyAgainst(pki, lta);
    expect(outcome(report)).toEqual(['TOTAL_PASSED', undefined]);
    expect(report.signatures[0]).toMatchObject({
      level: 'B-LTA',
      signingTime: { proof: 'signature-timestamp' },
    });
  });

  it('a renewed archive time-stamp proves the earlier one, whose TSA was revoked since', async () => {
    const stolenArchive = createTimeStampAuthority({
      certificate: stolen.cert,
      privateKey: stolen.key,
      chain: [pki.ca.cert],
      now: () => beforeTsaRevocation,
    });
    const lt = await signAs(pki.officer, [pki.ca.cert], { crls, tsa: pki.tsa, level: 'B-LT' });
    const first = await extendPdf(lt, { level: 'B-LTA', tsa: stolenArchive, validationData: { crls } });
    const alone = await verifyAgainst(pki, first);
    expect(alone.signatures.find((s) => s.kind === 'document-timestamp')?.indication).toBe('INDETERMINATE');
    const indications = async (renewal: Date) => {
      const tsa = createTimeStampAuthority({
        certificate: archiveId.cert,
        privateKey: archiveId.key,
        chain: [pki.ca.cert],
        now: () => renewal,
      });
      const renewed = await extendPdf(first, { level: 'B-LTA', tsa, validationData: { crls } });
      const report = await verifyAgainst(pki, renewed);
      return report.signatures.filter((s) => s.kind === 'document-timestamp').map((s) => s.indication);
    };
    // Renewed before the TSA's revocation (five days ago): proven. Renewed after it: proves nothing earlier.
    expect(await indications(new Date(pki.now.getTime() - 6 * DAY))).toEqual([
      'TOTAL_PASSED',
      'TOTAL_PASSED',
    ]);
    expect(await indications(new Date(pki.now.getTime() - 4 * DAY))).toEqual([
      'INDETERMINATE',
      'TOTAL_PASSED',
    ]);
  });
});
