import { createRandom } from '@thgov/sandbox';
import { describe, expect, it, vi } from 'vitest';
import { decodeGovernmentDocument, encodeGovernmentDocument } from '../src/index.js';
import { decodeCanonicalBase64, writeBase64 } from '../src/xml/base64.js';
import { sampleLetter } from './helpers/letters.js';

// The byte-to-byte base64 paths against the Node calls they replace. An earlier version worked in chunks of
// 48 KiB of bytes / 64 KiB of characters; the sizes below still straddle those boundaries and cover every
// remainder modulo 3, and of the six bytes (eight characters) the encoder reads at once.
const DECODE_CHUNK = 64 * 1024;
const SIZES = [
  0,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  49_151,
  49_152,
  49_153,
  3 * 49_152 + 2,
  49_152 * 4 + 1,
  200_000,
];

function bytes(size: number, seed: number): Buffer {
  const random = createRandom(seed);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = random.int(0, 255);
  return out;
}

/** What the decoder must accept: the canonical alphabet, padded, length a multiple of 4. */
function reference(chars: Buffer): Buffer | undefined {
  const s = chars.toString('latin1');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

describe('writeBase64', () => {
  it('writes what Buffer#toString("base64") gives, for Buffers and plain Uint8Array views', () => {
    for (const size of SIZES) {
      const src = bytes(size, size + 1);
      const out = Buffer.alloc(Math.ceil(size / 3) * 4 + 6, 0x2a);
      const n = writeBase64(out, 3, src);
      expect(n).toBe(Math.ceil(size / 3) * 4);
      expect(out.toString('latin1', 3, 3 + n)).toBe(src.toString('base64'));
      expect(out.subarray(0, 3).toString('latin1') + out.subarray(3 + n).toString('latin1')).toBe(
        '*'.repeat(6),
      );
      const view = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
      const again = Buffer.alloc(n);
      expect(writeBase64(again, 0, view)).toBe(n);
      expect(again.equals(out.subarray(3, 3 + n))).toBe(true);
      // An output that starts at an odd place in its memory.
      const odd = Buffer.alloc(n + 1).subarray(1);
      expect(writeBase64(odd, 0, src)).toBe(n);
      expect(odd.equals(again)).toBe(true);
    }
  });
});

describe('no strings', () => {
  it('neither encoding nor decoding makes a string of the content (what kept peak memory up)', () => {
    const src = bytes(200_000, 5);
    const chars = Buffer.from(src.toString('base64'), 'latin1');
    const out = Buffer.alloc(chars.length);
    const stringify = vi.spyOn(Buffer.prototype, 'toString');
    const write = vi.spyOn(Buffer.prototype, 'write');
    try {
      writeBase64(out, 0, src);
      const back = decodeCanonicalBase64(chars);
      expect(stringify).not.toHaveBeenCalled();
      expect(write).not.toHaveBeenCalled();
      expect(out.equals(chars)).toBe(true);
      expect(back?.equals(src)).toBe(true);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('decodeCanonicalBase64', () => {
  it('agrees with the reference on the edges of padding, trailing bits included', () => {
    const cases = [
      '',
      'QQ==',
      'QR==',
      'QUI=',
      'QUJ=',
      'QUJD',
      '====',
      'Q===',
      'QQ=A',
      '=QQQ',
      'QQ=',
      'QUJD====',
    ];
    for (const text of cases) {
      const chars = Buffer.from(text, 'latin1');
      const expected = reference(chars);
      const got = decodeCanonicalBase64(chars);
      if (expected === undefined) expect(got, text).toBeUndefined();
      else expect(got?.equals(expected), text).toBe(true);
    }
  });

  it('decodes canonical base64 of every size as Buffer.from does', () => {
    for (const size of SIZES) {
      const src = bytes(size, size + 7);
      const decoded = decodeCanonicalBase64(Buffer.from(src.toString('base64'), 'latin1'));
      expect(decoded?.equals(src)).toBe(true);
    }
  });

  it('refuses everything else, wherever in which chunk it sits (seeded mutations, checked against a reference)', () => {
    const random = createRandom(20261204);
    const valid = Buffer.from(bytes(3 * DECODE_CHUNK, 3).toString('base64'), 'latin1');
    const hostile = [' ', '\n', '\r', '\t', '=', '-', '_', '*', '.', '\0', '\u00e9', '\u00ff', 'A'];
    let refused = 0;
    for (let round = 0; round < 600; round++) {
      // A prefix whose length ends in, or just past, a chunk boundary, or anywhere.
      const cut = random.pick([
        DECODE_CHUNK,
        DECODE_CHUNK + 4,
        2 * DECODE_CHUNK,
        random.int(0, valid.length >> 2) * 4,
      ]);
      const chars = Buffer.from(valid.subarray(0, cut));
      const at = random.pick([0, cut - 1, cut - 2, DECODE_CHUNK - 1, DECODE_CHUNK, random.int(0, cut)]);
      const what = random.pick(hostile);
      const mode = random.pick(['replace', 'insert', 'pad']);
      let input: Buffer;
      if (mode === 'pad')
        input = Buffer.concat([chars.subarray(0, Math.max(0, cut - 4)), Buffer.from('QQ==')]);
      else if (at < 0 || at >= cut) input = chars;
      else if (mode === 'replace') {
        input = chars;
        input[at] = what.charCodeAt(0);
      } else {
        input = Buffer.concat([chars.subarray(0, at), Buffer.from(what, 'latin1'), chars.subarray(at)]);
      }
      const expected = reference(input);
      const got = decodeCanonicalBase64(input);
      if (expected === undefined) {
        refused++;
        expect(got, `round ${round}: ${mode} ${JSON.stringify(what)} at ${at} of ${cut}`).toBeUndefined();
      } else {
        expect(got?.equals(expected), `round ${round}`).toBe(true);
      }
    }
    // The mutations must mostly produce invalid input, or this test checks little.
    expect(refused).toBeGreaterThan(300);
  });
});

describe('binary objects in a letter, past the first chunk', () => {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), bytes(150_000, 11)]);
  const xml = encodeGovernmentDocument(
    sampleLetter({ mainLetter: { mimeCode: 'application/pdf', content } }),
  );
  const b64 = content.toString('base64');
  const withMain = (text: string) => Buffer.from(xml.toString('utf8').replace(b64, text), 'utf8');

  it('decodes the encoder output, and base64 wrapped at 76 characters per line', () => {
    expect(xml.toString('utf8')).toContain(b64);
    expect(Buffer.from(decodeGovernmentDocument(xml).mainLetter.content).equals(content)).toBe(true);
    const wrapped = b64.replace(/.{76}/g, '$&\r\n');
    const back = decodeGovernmentDocument(withMain(`\n${wrapped}\n`)).mainLetter.content;
    expect(Buffer.from(back).equals(content)).toBe(true);
  });

  it('refuses a bad character, a stray "=" or URL-safe base64 in a later chunk as ERR_ECMS_BASE64', () => {
    for (const [at, what] of [
      [2 * DECODE_CHUNK + 5, '*'],
      [DECODE_CHUNK, '='],
      [b64.length - 8, '-'],
      [DECODE_CHUNK * 3 - 1, '_'],
    ] as const) {
      const text = `${b64.slice(0, at)}${what}${b64.slice(at + 1)}`;
      expect(() => decodeGovernmentDocument(withMain(text)), `${what} at ${at}`).toThrow(
        expect.objectContaining({ code: 'ERR_ECMS_BASE64' }),
      );
    }
  });
});
