import { changedOutsideGap, mutateBytes, prng } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures, verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const base = await issueGood(pki);
const trust = [pki.root.cert];
const baseline = await verifyTranscript(base, { trust });
const br = baseline.signatures[0]!.byteRange!;
const gap: [number, number] = [br[1]!, br[2]!];

describe('seeded, bounded fuzzing', () => {
  it('the unmutated file passes (so the fuzz results mean something)', () => {
    expect(baseline.indication).toBe('TOTAL_PASSED');
  });

  it.each([1, 2, 3, 4])(
    'seed %i: 500 mutations, no crash, no hang, never TOTAL_PASSED after a signed byte changed',
    async (seed) => {
      const rnd = prng(seed * 7919);
      let passed = 0;
      for (let i = 0; i < 500; i++) {
        const m = mutateBytes(base, rnd, { appendTail: true });
        const strict = i % 2 === 0;
        const r = strict
          ? await verifyTranscript(m, { trust, limits: { timeInMs: 3_000 } })
          : await verifyPdfSignatures(m, { trust, limits: { timeInMs: 3_000 } });
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE', 'NO_SIGNATURE_FOUND']).toContain(
          r.indication,
        );
        if (r.indication === 'TOTAL_PASSED') {
          passed++;
          expect(changedOutsideGap(base, m, gap), `seed ${seed} mutation ${i}`).toBe(false);
        }
      }
      // Most mutations must be caught; a few land in unused /Contents padding and are harmless.
      expect(passed).toBeLessThan(100);
    },
    120_000,
  );
});
