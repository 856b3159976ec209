import { prng } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { mayBeLinkageEnvelope } from '../src/envelopes.js';

/*
 * A body is decoded and parsed for a Linkage error envelope only when its bytes say its top level has a
 * "code" and a "message" key (any letter case) among at most four members. The pre-check must never miss
 * such a body, whatever its size and leading whitespace (or BOM): that would turn a Linkage failure into a
 * schema error or an empty success. It looks at the bytes, tracking nesting, so a Linkage record is not
 * decoded twice. On valid JSON without repeated names it is exact: a "code" below the top level does not count.
 */

/**
 * What the envelope rule finally asks of the parsed body: does its top level have "code" and "message" keys
 * (any case) and at most four keys? Undefined when that cannot be compared with the bytes: not JSON, or
 * names repeated (in any case), which the pre-check counts as written (see mayBeLinkageEnvelope).
 */
function isEnvelopeShape(bytes: Uint8Array, members: number): boolean | undefined {
  let value: unknown;
  try {
    const text = Buffer.from(bytes).toString('utf8');
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = new Set(Object.keys(value).map((k) => k.toLowerCase()));
  if (keys.size !== members) return undefined;
  return keys.has('code') && keys.has('message') && keys.size <= 4;
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
  'MESSAGE',
  'messages',
  'data',
  'คำ',
  'c"ode',
];
const GAPS = ['', ' ', '\t', '\n', '\r\n', '  \t '];
/** Not JSON whitespace: a body with one of these between tokens does not parse. */
const BAD_GAPS = ['\u00a0', '\u2028', '\ufeff'];
const LEADS = ['', ' ', '\n', '\r\n\t ', '\ufeff', '\ufeff\n', '\u00a0', 'x'];
const VALUES = [
  '0',
  '"90001"',
  '4',
  '"ไม่พบข้อมูล"',
  '"\\"code\\" : 1"',
  '"say \\"Code\\"\u00a0:"',
  '"a \\\\"',
  'null',
  '{"code":"1","message":"m"}',
  '[1,"code",{"message":"x"}]',
  '"\\u0063ode"',
  `"${'เจ้าหน้าที่'.repeat(60)}"`,
];

function sample(random: () => number): { text: string; members: number } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const gap = () => (random() < 0.03 ? pick(BAD_GAPS) : pick(GAPS));
  const n = Math.floor(random() * 7);
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    const escaped = random() < 0.1;
    const r = random();
    const key = escaped
      ? pick(['\\u0063ode', 'M\\u0065ssage'])
      : r < 0.3
        ? pick(['code', 'Code', 'CODE', 'cOdE'])
        : r < 0.6
          ? pick(['message', 'Message', 'MESSAGE'])
          : pick(KEYS).replace('"', '\\"');
    members.push(`${gap()}"${key}"${gap()}:${gap()}${pick(VALUES)}`);
  }
  let text = `${pick(LEADS)}{${members.join(',')}}`;
  if (random() < 0.15 && text.length > 2) {
    // A stray character somewhere: often invalid JSON, sometimes not.
    const at = Math.floor(random() * text.length);
    text = text.slice(0, at) + pick(['"', ':', ' ', 'x', '\u0e01', '}', '{', ']']) + text.slice(at);
  }
  return { text, members: n };
}

describe('the Linkage envelope pre-check', () => {
  it('is exact on valid JSON without repeated names (never misses an envelope), over 20,000 seeded bodies', () => {
    const random = prng(0x5eed_c0de);
    let envelopes = 0;
    let skipped = 0;
    for (let i = 0; i < 20_000; i++) {
      const { text, members } = sample(random);
      const bytes = new TextEncoder().encode(text);
      const hit = mayBeLinkageEnvelope(bytes);
      const expected = isEnvelopeShape(bytes, members);
      if (expected !== undefined) expect(hit, text).toBe(expected);
      if (expected) envelopes++;
      if (!hit) skipped++;
    }
    // The samples must exercise both sides: envelopes, and bodies the check lets skip parsing.
    expect(envelopes).toBeGreaterThan(500);
    expect(skipped).toBeGreaterThan(2_000);
  });

  it('finds the keys in any letter case, escaped or not, after JSON whitespace or a BOM; top level only', () => {
    const yes = [
      '{"code":"4","message":"m"}',
      '{"CODE" : 4, "Message":null}',
      '{"a":1,"Code"\r\n\t:"90001","MESSAGE":"x"}',
      '{"\\u0063ode":"4","\\u006dessage":"x"}',
      '{"C\\u004fDE":4,"message":{"code":1}}',
      '{"note":"a \\"quote\\"","code":1,"message":"x"}',
      '{"note":"ends in a backslash \\\\","code":1,"message":"x"}',
      ' \n\t{"code":"90001","message":"x"}',
      '\ufeff{"code":"90001","message":"x"}',
      `{"message":"${'ก'.repeat(5000)}","code":"90001"}`,
      '{"a":{"b":[1,{"c":2}]},"code":1,"x":[],"message":""}',
      '{"code":1,"code":2,"message":"x","Message":"y"}',
    ];
    const no = [
      '{"titleCode":3,"message":"x"}',
      '{"codes":[],"message":"x"}',
      '{"code":1}',
      '{"message":1}',
      '{"code"\u00a0:1,"message":1}',
      '{"code',
      '{"ｃode":1,"message":1}',
      '{"msg":"\\"code\\" : 1, \\"message\\": 2"}',
      '{"\\u0063odes":1,"message":1}',
      '{"a":{"code":1,"message":"x"}}',
      '{"a":[{"code":1},{"message":"x"}]}',
      '{"a":1}{"code":1,"message":"x"}',
      '["code","message"]',
      '{"code":1,"message":"x","a":1,"b":2,"c":3}',
      '{"a":1,"b":2,"c":3,"code":1,"message":"x"}',
      '{"code":1,"code":2,"code":3,"message":"x","message":"y"}',
      'x{"code":1,"message":"x"}',
      '\u00a0{"code":1,"message":"x"}',
      '',
    ];
    const bytes = (text: string) => new TextEncoder().encode(text);
    for (const text of yes) expect(mayBeLinkageEnvelope(bytes(text)), text).toBe(true);
    for (const text of no) expect(mayBeLinkageEnvelope(bytes(text)), text).toBe(false);
  });
});
