import { prng } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { mayHaveCodeKey } from '../src/envelopes.js';

/*
 * A small 2xx body is decoded and parsed for a Linkage error envelope only when its bytes may hold a "code"
 * key. The pre-check must never miss a body whose parsed top level has one (in any letter case): that would
 * turn a Linkage failure into an empty success. It used to be a regular expression over the decoded text;
 * it now looks at the bytes, so a Linkage record is not decoded twice.
 */

/** What the envelope check finally asks: does the parsed top level have a "code" key, in any case? */
function hasTopLevelCode(bytes: Uint8Array): boolean {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).some((k) => k.toLowerCase() === 'code');
}

const KEYS = [
  'code',
  'Code',
  'CODE',
  'cOdE',
  'titleCode',
  'codes',
  'message',
  'Message',
  'data',
  'คำ',
  'c"ode',
];
const GAPS = ['', ' ', '\t', '\n', '\r\n', '  \t ', '\u00a0', '\u2028', '\ufeff'];
const VALUES = [
  '0',
  '"90001"',
  '4',
  '"ไม่พบข้อมูล"',
  '"\\"code\\" : 1"',
  '"say \\"Code\\"\u00a0:"',
  'null',
  '{"code":"1"}',
  '[1,"code"]',
  '"\\u0063ode"',
];

function sample(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const n = Math.floor(random() * 5);
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = random() < 0.1 ? '\\u0063ode' : pick(KEYS).replace('"', '\\"');
    members.push(`${pick(GAPS)}"${key}"${pick(GAPS)}:${pick(GAPS)}${pick(VALUES)}`);
  }
  let text = `{${members.join(',')}}`;
  if (random() < 0.15 && text.length > 2) {
    // A stray character somewhere: often invalid JSON, sometimes not.
    const at = Math.floor(random() * text.length);
    text = text.slice(0, at) + pick(['"', ':', ' ', 'x', '\u0e01', '}']) + text.slice(at);
  }
  return text;
}

describe('the Linkage envelope pre-check', () => {
  it('never misses a body whose top level has a "code" key, over 20,000 seeded bodies', () => {
    const random = prng(0x5eed_c0de);
    const oldCheck = /"code"\s*:/i;
    let withCode = 0;
    let skipped = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = sample(random);
      const bytes = new TextEncoder().encode(text);
      const hit = mayHaveCodeKey(bytes);
      if (hasTopLevelCode(bytes)) {
        withCode++;
        expect(hit, text).toBe(true);
        // The check it replaced saw these too, except keys written with escapes (which it missed).
        if (!text.includes('\\u0063ode')) expect(oldCheck.test(text), text).toBe(true);
      }
      if (!hit) skipped++;
    }
    // The samples must exercise both sides: bodies with a code key, and bodies the check lets skip parsing.
    expect(withCode).toBeGreaterThan(500);
    expect(skipped).toBeGreaterThan(2_000);
  });

  it('finds the key in any letter case, escaped or not, after JSON whitespace; only a whole "code" key', () => {
    const yes = [
      '{"code":"4"}',
      '{"CODE" : 4}',
      '{"a":1,"Code"\r\n\t:"90001"}',
      '{"msg":"x","cOdE":0}',
      '{"\\u0063ode":"4"}',
      '{"C\\u004fDE":4}',
      '{"note":"a \\"quote\\"","code":1}',
    ];
    const no = [
      '{"titleCode":3}',
      '{"codes":[]}',
      '{"code"}',
      '{"code"\u00a0:1}',
      '{"cod":1}',
      '{"code',
      '{"ｃode":1}',
      '{"msg":"\\"code\\" : 1"}',
      '{"\\u0063odes":1}',
    ];
    for (const text of yes) expect(mayHaveCodeKey(new TextEncoder().encode(text)), text).toBe(true);
    for (const text of no) expect(mayHaveCodeKey(new TextEncoder().encode(text)), text).toBe(false);
  });
});
