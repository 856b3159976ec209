import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretMatcher } from '../src/redact/secret-matcher.js';

const spansOf = (m: SecretMatcher, text: string) => {
  const spans: Array<[number, number]> = [];
  m.find(text, spans);
  return spans.sort((a, b) => a[0] - b[0]);
};

describe('SecretMatcher', () => {
  it('finds patterns in any ASCII letter case, short and indexed ones', () => {
    const m = new SecretMatcher();
    m.add([
      { text: 'Zq7wPk', extend: false },
      { text: 'consumer-Secret-0123456789', extend: false },
    ]);
    expect(spansOf(m, 'a ZQ7WPK b CONSUMER-SECRET-0123456789 c consumer-secret-0123456789')).toEqual([
      [2, 8],
      [11, 37],
      [40, 66],
    ]);
    // Case only: `-` is not `+` outside base64 spellings, and other letters must match.
    expect(spansOf(m, 'consumer+secret-0123456789 Zq7wPx')).toEqual([]);
  });

  it('a base64 pattern matches base64url too and covers the whole base64 run, padding included', () => {
    const m = new SecretMatcher();
    const core = Buffer.from('\xfb\xff\xbe-secret-tail', 'latin1').toString('base64').slice(0, 20);
    m.add([{ text: core, extend: false, base64: true, reach: 64 }]);
    const url = core.replaceAll('+', '-').replaceAll('/', '_');
    const text = `x=AAAA${core}QUJD== y=${url}Zg z`;
    expect(spansOf(m, text).map(([a, b]) => text.slice(a, b))).toEqual([`AAAA${core}QUJD==`, `${url}Zg`]);
    expect(m.longest).toBe(64);
    const short = new SecretMatcher();
    short.add([{ text: 'a+b/cdef', extend: false, base64: true }]);
    expect(spansOf(short, '(A-B_CDEFgh=)').length).toBe(1);
  });

  it('keeps finding every pattern while its filter grows, and forgets removed ones', () => {
    const m = new SecretMatcher();
    const values = Array.from({ length: 20_000 }, () => randomBytes(15).toString('hex'));
    const placed = values.map((text) => m.add([{ text, extend: false }]));
    const sample = (vs: string[]) => vs.filter((_, i) => i % 97 === 0);
    for (const v of sample(values)) expect(spansOf(m, `<${v.toUpperCase()}>`), v).toEqual([[1, 31]]);
    for (const p of placed.slice(0, 10_000)) m.remove(p);
    for (const v of sample(values.slice(0, 10_000))) expect(spansOf(m, `<${v}>`), v).toEqual([]);
    for (const v of sample(values.slice(10_000))) expect(spansOf(m, `<${v}>`), v).toEqual([[1, 31]]);
    expect(m.size).toBe(10_000);
  });
});
