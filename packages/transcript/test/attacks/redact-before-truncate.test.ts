import { completeThaiId } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { checkXml } from '../../src/xml/check-xml.js';

/**
 * Redact before truncating: a validator's (or parser's) message quoting the transcript XML is shown cut to
 * 200 characters. Cut first, a citizen ID straddling the cut kept 12 digits (the check digit restores the
 * 13th) and no longer looked like an ID to the redactor.
 */

const ID = completeThaiId('110370012345');
const XML = new TextEncoder().encode('<Transcript><Student>x</Student></Transcript>');

describe('redact before truncate (transcript XML messages)', () => {
  for (const keep of [12, 9]) {
    it(`a validator message cut after ${keep} digits of an ID keeps none of them`, async () => {
      const quote = `${'v'.repeat(200 - keep)}${ID} more`;
      const result = await checkXml(XML, {
        maxBytes: 1_000_000,
        maxDepth: 64,
        strict: false,
        validator: async () => {
          throw new Error(quote);
        },
      });
      expect(result.status).not.toBe('PASSED');
      expect(result.message.startsWith('XML validator failed: vvv')).toBe(true);
      expect(result.message.replace(/\D/g, '')).not.toContain(ID.slice(0, 8));
    });
  }
});
