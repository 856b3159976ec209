import { describe, expect, it } from 'vitest';
import { CITIZEN_ID_MASK, completeThaiId, redactText, redactValue } from '../../src/index.js';
import { recoverableDigits } from '../helpers/renderings.js';

/**
 * Citizen IDs whose digit groups are split by characters a reader does not see or reads as a line break: the
 * bidirectional marks, embeddings and isolates a right-to-left editor or a copy from a web page puts in
 * (U+200E/U+200F, U+202A–U+202E, U+2066–U+2069, U+061C), other format characters (U+180E, U+034F, the tag
 * characters U+E0020–U+E007F, which are outside the BMP) and the line breaks other than CR/LF (vertical tab, form
 * feed, NEL, U+2028, U+2029). Each of them passed in clear. Ordinary text around the ID stays readable.
 */

const ID = completeThaiId('310370012345');
const GROUPS = [ID.slice(0, 1), ID.slice(1, 5), ID.slice(5, 10), ID.slice(10, 12), ID.slice(12)];

const SEPARATORS: Record<string, string> = {
  'left-to-right mark': '\u200e',
  'right-to-left mark': '\u200f',
  'Arabic letter mark': '\u061c',
  'LRE embedding and PDF': '\u202a',
  'RLO override': '\u202e',
  'first-strong isolate': '\u2068',
  'pop directional isolate': '\u2069',
  'Mongolian vowel separator': '\u180e',
  'combining grapheme joiner': '\u034f',
  'tag space (outside the BMP)': '\u{e0020}',
  'tag digit one (outside the BMP)': '\u{e0031}',
  'vertical tab': '\v',
  'form feed': '\f',
  'next line (NEL)': '\u0085',
  'line separator': '\u2028',
  'paragraph separator': '\u2029',
  'dash then a left-to-right mark': '-\u200e',
  'isolate around a dash': '\u2066-\u2069',
};

describe('citizen IDs split by format characters and uncommon line breaks', () => {
  for (const [name, sep] of Object.entries(SEPARATORS)) {
    it(`masks groups split by a ${name}`, () => {
      const out = redactText(`ผู้ยื่นคำขอ ${GROUPS.join(sep)} ส่งแล้ว`);
      expect(out).toContain(CITIZEN_ID_MASK);
      expect(recoverableDigits(out)).not.toContain(ID.slice(0, 12));
      expect(out).toContain('ส่งแล้ว');
    });
  }

  it('masks one digit per group with bidi marks between every digit, in a value too', () => {
    const spelled = [...ID].join('\u200f');
    const out = redactValue({ note: `id ${spelled}` }) as { note: string };
    expect(out.note).toContain(CITIZEN_ID_MASK);
    expect(recoverableDigits(out.note)).not.toContain(ID.slice(0, 12));
  });

  it('keeps numbers that are no ID, split the same way (guard)', () => {
    const text = `order 1\u200f2345\u200f67890\u200f12\u200f0 and page 3\v4`;
    const wrong = redactText(text.replace('67890', '67891'));
    expect(wrong).not.toContain(CITIZEN_ID_MASK);
  });
});
