import { describe, expect, it } from 'vitest';
import { SecretMatcher } from '../src/redact/secret-matcher.js';

/**
 * The compact index against a plain search (guard): every occurrence of every live indexed pattern, in any ASCII
 * letter case, overlapping or not, after patterns were removed and their numbers reused. A small alphabet makes
 * patterns share windows and buckets, and occur by chance.
 */

let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
};
const ALPHABET = 'abcAB01.-';
const word = (n: number) =>
  Array.from({ length: n }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
const flipCase = (s: string) =>
  [...s].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');

function plainSearch(text: string, patterns: Iterable<string>): string[] {
  const folded = text.toLowerCase();
  const out: string[] = [];
  for (const p of patterns) {
    const f = p.toLowerCase();
    for (let at = folded.indexOf(f); at >= 0; at = folded.indexOf(f, at + 1))
      out.push(`${at}:${at + p.length}`);
  }
  return out.sort();
}

function indexSearch(m: SecretMatcher, text: string): string[] {
  const spans: Array<[number, number]> = [];
  m.find(text, spans);
  return spans.map(([a, b]) => `${a}:${b}`).sort();
}

describe('SecretMatcher index', () => {
  it('finds what a plain search finds, before and after removals and reuse', () => {
    const m = new SecretMatcher();
    const live = new Map<string, number[]>();
    const add = (count: number) => {
      for (let i = 0; i < count; i++) {
        const text = random() < 0.3 ? `shared-prefix-${word(8)}` : word(13 + Math.floor(random() * 30));
        if (!live.has(text)) live.set(text, m.add([{ text, extend: false }]));
      }
    };
    const textWith = () => {
      const list = [...live.keys()];
      let text = '';
      for (let i = 0; i < 60; i++)
        text +=
          word(Math.floor(random() * 40)) + flipCase(list[Math.floor(random() * list.length)] as string);
      return text;
    };
    add(3_000);
    for (let round = 0; round < 4; round++) {
      for (let t = 0; t < 5; t++) {
        const text = textWith();
        expect(indexSearch(m, text)).toEqual(plainSearch(text, live.keys()));
      }
      for (const [text, placed] of [...live].filter(() => random() < 0.5)) {
        m.remove(placed);
        live.delete(text);
      }
      add(2_000);
      expect(m.size).toBe(live.size);
    }
  });

  it('finds patterns whose windows repeat (equal hashes in one run: the leftmost smallest is the anchor)', () => {
    const m = new SecretMatcher();
    const patterns = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const unit = word(1 + Math.floor(random() * 3));
      const periodic = unit.repeat(Math.ceil((14 + Math.floor(random() * 20)) / unit.length));
      // Periodic throughout, or periodic with a distinct head or tail.
      const text = [periodic, `${word(3)}${periodic}`, `${periodic}${word(3)}`][i % 3] as string;
      if (!patterns.has(text)) {
        patterns.add(text);
        m.add([{ text, extend: false }]);
      }
    }
    const list = [...patterns];
    for (let t = 0; t < 20; t++) {
      let text = '';
      for (let i = 0; i < 30; i++)
        text += word(Math.floor(random() * 6)) + flipCase(list[Math.floor(random() * list.length)] as string);
      expect(indexSearch(m, text)).toEqual(plainSearch(text, list));
    }
  });
});
