// A signing time the signer writes later than the time-stamp the TSA then gives: the verifier calls the signature
// INDETERMINATE (TIMESTAMP_ORDER_FAILURE, ETSI EN 319 102-1), so signing must not hand out such a document. A
// registrar's clock ahead of the TSA's, or a caller passing tomorrow's date, made one.
import { describe, expect, it } from 'vitest';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { pdfClaimAfterProof } from '../../src/time-order.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { DAY, outcome, signAs, verifyAgainst } from '../helpers/attack.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';

const pki = await createSigningPki();
const letter = await letterPdf();

describe('a claimed signing time later than the signature time-stamp', () => {
  it('is refused (ERR_INVALID_ARG naming both times), no document is made', async () => {
    const tomorrow = new Date(Date.now() + DAY);
    const err = await signAs(pki.officer, [pki.ca.cert], {
      crls: pki.crls,
      tsa: pki.tsa,
      signingTime: tomorrow,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((err as Error).message).toMatch(/signingTime/);
    expect((err as Error).message).toContain(tomorrow.toISOString());
  });

  it('guard: within the verifier tolerance (one minute ahead) it signs and the order check passes', async () => {
    const soon = new Date(Date.now() + 60_000);
    const pdf = await signAs(pki.officer, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa, signingTime: soon });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)[1]).not.toBe('TIMESTAMP_ORDER_FAILURE');
    expect(report.signatures[0]!.signingTime.proof).toBe('signature-timestamp');
  });
});

// ETSI.CAdES.detached carries no CMS signing-time: its only claim is /M, inside the signed bytes. EU DSS takes /M
// as a PAdES signature's claimed signing time; a claim later than the time-stamp is wrong (or the TSA's clock is),
// but the verified time-stamp, not the claim, is what proves the time. So the report says so in a warning of the
// time check, the verdict stays what the proof gives (a backdating TSA is judged by its own status, see
// compromised-tsa.test.ts, whose verdicts do not depend on /M).
describe('a CAdES /M later than the signature time-stamp', () => {
  const signCades = (signingTime: Date) =>
    signPdf(letter, {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
      signingTime,
    });
  const timeWarnings = (r: VerificationReport) =>
    r.signatures[0]!.checks.find((c) => c.id === 'time')?.warnings.join(' ') ?? '';

  it('a day later: TOTAL_PASSED on the proven time, with a warning naming /M and both times', async () => {
    const tomorrow = new Date(Date.now() + DAY);
    const report = await verifyAgainst(pki, await signCades(tomorrow));
    expect(outcome(report)).toEqual(['TOTAL_PASSED', undefined]);
    const s = report.signatures[0]!;
    expect(s.signingTime.proof).toBe('signature-timestamp');
    expect(s.level).toBe('B-T');
    expect(timeWarnings(report)).toMatch(/\/M .*later than the signature time-stamp/);
    expect(timeWarnings(report)).toContain(s.signingTime.proven!);
  });

  it('guard: within the tolerance (one minute ahead): no warning', async () => {
    const report = await verifyAgainst(pki, await signCades(new Date(Date.now() + 60_000)));
    expect(outcome(report)).toEqual(['TOTAL_PASSED', undefined]);
    expect(timeWarnings(report)).not.toMatch(/\/M /);
  });
});

describe('guard: /M is read with its time zone', () => {
  const proven = new Date('2026-12-08T05:40:00Z');
  it("Thai local time (+07'00') equal to the proof is no later than it; Z seven hours on is", () => {
    expect(pdfClaimAfterProof("D:20261208124000+07'00'", proven, 'signature-timestamp')).toBeUndefined();
    expect(pdfClaimAfterProof('D:20261208124000Z', proven, 'signature-timestamp')).toMatch(/later/);
  });
  it('an /M that is no PDF date (or month 13) gives no warning (it is reported as given)', () => {
    expect(pdfClaimAfterProof('tomorrow', proven, 'signature-timestamp')).toBeUndefined();
    expect(pdfClaimAfterProof('D:20261301000000Z', proven, 'signature-timestamp')).toBeUndefined();
  });
});
