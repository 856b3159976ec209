import { prng } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { mentionsToken } from '../src/envelopes.js';

/*
 * The cheap scan that spares an ordinary record the token-rejection check must never miss a body that says
 * "token" (any ASCII letter case) or starts the Thai word (โท, in UTF-8 or TIS-620): such a body is then
 * decoded and read for a rejection. Compared here with the plain definition over seeded bodies.
 */
const THAI_UTF8 = Buffer.from('โท', 'utf8');
const THAI_TIS620 = Buffer.from([0xe2, 0xb7]);

function plain(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes);
  return /token/i.test(b.toString('latin1')) || b.includes(THAI_UTF8) || b.includes(THAI_TIS620);
}

const PIECES = [
  't',
  'T',
  'o',
  'O',
  'k',
  'K',
  'e',
  'E',
  'n',
  'N',
  'x',
  ' ',
  '"',
  'tok',
  'ken',
  'TOKEN',
  'ToKeN',
];
const BYTE_PIECES = [
  THAI_UTF8,
  THAI_TIS620,
  Buffer.from([0xe0]),
  Buffer.from([0xb7]),
  Buffer.from('โ', 'utf8'),
];

describe('mentionsToken', () => {
  it('agrees with /token/i and the Thai prefixes over 20,000 seeded bodies', () => {
    const rand = prng(16);
    for (let n = 0; n < 20_000; n++) {
      const parts: Buffer[] = [];
      const count = Math.floor(rand() * 12);
      for (let p = 0; p < count; p++) {
        parts.push(
          rand() < 0.85
            ? Buffer.from(PIECES[Math.floor(rand() * PIECES.length)] as string)
            : (BYTE_PIECES[Math.floor(rand() * BYTE_PIECES.length)] as Buffer),
        );
      }
      const body = new Uint8Array(Buffer.concat(parts));
      expect(mentionsToken(body), Buffer.from(body).toString('latin1')).toBe(plain(body));
    }
  });

  it('finds the word at either end of the body and inside a view of a larger buffer', () => {
    expect(mentionsToken(Buffer.from('token'))).toBe(true);
    expect(mentionsToken(Buffer.from('{"a":1} TOKEN'))).toBe(true);
    expect(mentionsToken(Buffer.from('toke'))).toBe(false);
    expect(mentionsToken(Buffer.from('oken'))).toBe(false);
    const big = Buffer.from('xxtokenxx');
    expect(mentionsToken(big.subarray(3, 8))).toBe(false);
    expect(mentionsToken(big.subarray(2, 7))).toBe(true);
  });
});
