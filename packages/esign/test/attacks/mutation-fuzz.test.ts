// Attack class: arbitrary byte-level mutation of an esign-signed document (seeded, bounded fuzzing). Whatever
// an attacker flips, inserts, cuts or appends, verification ends in a report (never a crash or a hang — the
// verifier's own time limit bounds each run) and a document whose signed bytes changed never passes.
import { changedOutsideGap, mutateBytes, PDF_FUZZ_TOKENS, prng } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { signedFixture } from '../helpers/tamper.js';

/** The shared PDF tokens plus the DSS dictionary an LTV-extended document carries. */
const TOKENS = [...PDF_FUZZ_TOKENS, '/DSS'];

const { pki, pdf } = await signedFixture('B-T');
const trusted = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };
const options = { ...trusted, limits: { timeInMs: 3_000 } };
// The first verification in this process also loads the verifier's modules: on a loaded machine that alone
// can pass a 3 s wall-clock budget, and the baseline must not turn INDETERMINATE for it.
const baseline = await verifyPdfSignatures(pdf, { ...trusted, limits: { timeInMs: 120_000 } });
const br = baseline.signatures[0]!.byteRange!;
const gap: [number, number] = [br[1]!, br[2]!];

describe('seeded, bounded fuzzing of an esign B-T document', () => {
  it('the unmutated document passes (so the fuzz results mean something)', () => {
    expect(baseline.indication).toBe('TOTAL_PASSED');
  });

  it.each([1, 2])(
    'seed %i: 250 mutations, each a report, never TOTAL_PASSED after a signed byte changed',
    async (seed) => {
      const rnd = prng(seed * 7919);
      let passed = 0;
      for (let i = 0; i < 250; i++) {
        const m = mutateBytes(pdf, rnd, { tokens: TOKENS });
        const r = await verifyPdfSignatures(m, options);
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE', 'NO_SIGNATURE_FOUND']).toContain(
          r.indication,
        );
        if (r.indication === 'TOTAL_PASSED') {
          passed++;
          expect(changedOutsideGap(pdf, m, gap), `seed ${seed} mutation ${i}`).toBe(false);
        }
      }
      // Most mutations are caught; a few land in unused /Contents padding and are harmless.
      expect(passed).toBeLessThan(50);
    },
    180_000,
  );
});
