/**
 * A signing time later than the signature time-stamp the TSA gives: verification calls the transcript
 * INDETERMINATE (TIMESTAMP_ORDER_FAILURE), so issuing must refuse it instead of handing out a transcript its own
 * verifier will not pass (a registrar's clock ahead of the TSA's, a caller passing tomorrow's date).
 */
import { describe, expect, it } from 'vitest';
import { issueTranscript, verifyTranscript } from '../../src/index.js';
import { SAMPLE_XML } from '../fixtures/generate.js';
import { createTestPki } from '../helpers/pki.js';

const pki = await createTestPki();
const DAY = 86_400_000;

function issueAt(signingTime: Date) {
  return issueTranscript({
    xml: SAMPLE_XML,
    signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
    revocation: { crls: [pki.crlCa, pki.crlRoot] },
    tsa: pki.tsaFn,
    signingTime,
  });
}

describe('issueTranscript with a signing time after the time-stamp', () => {
  it('a day later than the TSA: ERR_INVALID_ARG naming both times, no transcript', async () => {
    const late = new Date(pki.now.getTime() + DAY);
    const err = await issueAt(late).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((err as Error).message).toContain(late.toISOString());
    expect((err as Error).message).toContain('TIMESTAMP_ORDER_FAILURE');
  });

  it('guard: the TSA time itself issues a transcript whose time check passes', async () => {
    const pdf = await issueAt(pki.now);
    const report = await verifyTranscript(pdf, { trust: pki.root.cert });
    expect(report.signatures[0]?.signingTime.proof).toBe('signature-timestamp');
    expect(report.signatures[0]?.checks.find((c) => c.id === 'time')?.status).toBe('PASSED');
  });
});
