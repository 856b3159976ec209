// Signature wrapping: the signature dictionary is rewritten in a later revision (same /Contents, another
// /ByteRange) so that the signed bytes and the shown document part ways.
import { describe, expect, it } from 'vitest';
import { replaceSignatureDictionary, signatureDictionary, signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');

describe('signature wrapping against esign signatures', () => {
  it('the same signature dictionary rewritten in a later revision', async () => {
    const bytes = replaceSignatureDictionary(pdf, {});
    expect((await verify(bytes)).indication).not.toBe('TOTAL_PASSED');
  });

  it('a /ByteRange moved to cover the attacker revision', async () => {
    const { dict } = signatureDictionary(pdf);
    const br = dict.get('ByteRange') as number[];
    const bytes = replaceSignatureDictionary(pdf, { ByteRange: [0, br[1]!, br[2]!, br[3]! + 200] });
    expect((await verify(bytes)).indication).not.toBe('TOTAL_PASSED');
  });
});
