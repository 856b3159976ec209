// Parser differentials: bytes two readers understand differently (garbage before the header, a bogus
// startxref, a second copy of an object) must not let a signed document pass.
import { describe, expect, it } from 'vitest';
import { signatureDictionary, signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');
const cat = (...parts: (Uint8Array | string)[]) =>
  new Uint8Array(
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))),
  );

describe('parser differentials on esign signatures', () => {
  it('garbage before the header', async () => {
    expect((await verify(cat('GARBAGE!\n', pdf))).indication).not.toBe('TOTAL_PASSED');
  });

  it('a bogus startxref appended', async () => {
    expect((await verify(cat(pdf, 'startxref\n999999\n%%EOF\n'))).indication).not.toBe('TOTAL_PASSED');
  });

  it('a second copy of the signature dictionary appended without an update', async () => {
    const { num } = signatureDictionary(pdf);
    const tail = `\n${num} 0 obj\n<< /Type /Sig /Contents <00> /ByteRange [0 1 2 3] >>\nendobj\n`;
    expect((await verify(cat(pdf, tail))).indication).not.toBe('TOTAL_PASSED');
  });
});
