// A signing time the signer writes later than the time-stamp the TSA then gives: the verifier calls the signature
// INDETERMINATE (TIMESTAMP_ORDER_FAILURE, ETSI EN 319 102-1), so signing must not hand out such a document. A
// registrar's clock ahead of the TSA's, or a caller passing tomorrow's date, made one.
import { describe, expect, it } from 'vitest';
import { DAY, outcome, signAs, verifyAgainst } from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki();

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
