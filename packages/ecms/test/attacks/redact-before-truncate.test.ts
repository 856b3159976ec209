import { completeThaiId } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { normaliseDate } from '../../src/codec/letter.js';
import { speedFromCode } from '../../src/index.js';

/**
 * Redact before truncating: decode errors quote the offending value cut to 40 (or 20) characters, and the
 * cut came before the redaction. A peer's field holding a citizen ID at the cut kept its first 12 digits
 * (enough: the 13th is a check digit) in the error message.
 */

const ID = completeThaiId('110370012345');

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('expected a decode error');
}

describe('redact before truncate (e-CMS decode messages)', () => {
  for (const keep of [12, 10]) {
    it(`a date field cut after ${keep} digits of an ID keeps none of them`, () => {
      const message = messageOf(() => normaliseDate(`${'y'.repeat(40 - keep)}${ID}`, 'Letter/Date'));
      expect(message).toMatch(/is not a date/);
      expect(message.replace(/\D/g, '')).not.toContain(ID.slice(0, 8));
    });

    it(`a code cut after ${keep} digits of an ID keeps none of them`, () => {
      const message = messageOf(() => speedFromCode(`${'s'.repeat(20 - keep)}${ID}`));
      expect(message).toMatch(/Unknown speed code/);
      expect(message.replace(/\D/g, '')).not.toContain(ID.slice(0, 8));
    });
  }
});
