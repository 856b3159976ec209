// Any change to a signed byte, at every level esign writes, and truncation: never TOTAL_PASSED.
import { flipByte } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { signedFixture } from '../helpers/tamper.js';

describe('tampered signed bytes', () => {
  for (const level of ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const) {
    it(`${level}: a flipped byte in the first signed range, in the signature value and near the end fails`, async () => {
      const { pdf, verify } = await signedFixture(level);
      expect((await verify(pdf)).indication).toBe('TOTAL_PASSED');
      for (const at of [400, Math.floor(pdf.length / 2), pdf.length - 40]) {
        const report = await verify(flipByte(pdf, at));
        expect(report.indication, `byte ${at}`).not.toBe('TOTAL_PASSED');
      }
    });
  }

  it('a truncated file fails', async () => {
    const { pdf, verify } = await signedFixture('B-T');
    expect((await verify(pdf.subarray(0, pdf.length - 30))).indication).not.toBe('TOTAL_PASSED');
    expect((await verify(pdf.subarray(0, Math.floor(pdf.length / 2)))).indication).not.toBe('TOTAL_PASSED');
  });
});
