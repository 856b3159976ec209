import { describe, expect, it } from 'vitest';
import { completeThaiId, formatThaiId } from '../src/identifiers.js';
import {
  CITIZEN_ID_MASK,
  isSensitiveName,
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
  redactValue,
  registerSecret,
  unregisterSecret,
} from '../src/redact.js';
import { testSecrets } from './helpers/secrets.js';

const CITIZEN = completeThaiId('110370012345');
const CITIZEN_2 = completeThaiId('350990004321');
const JURISTIC = completeThaiId('010555512345');
const WRONG_CHECK = CITIZEN.slice(0, 12) + String((Number(CITIZEN[12]) + 1) % 10);

const secret = testSecrets();

describe('redactText', () => {
  it('masks registered secrets, also percent- and form-encoded', () => {
    const s = secret('c0nsumer-S3cret/with+chars & space!');
    expect(redactText(`secret=${s};`)).toBe(`secret=${REDACTED};`);
    expect(redactText(`a=${encodeURIComponent(s)}`)).toBe(`a=${REDACTED}`);
    const form = new URLSearchParams({ a: s }).toString();
    expect(redactText(form)).toBe(`a=${REDACTED}`);
    expect(redactText(`${s} twice ${s}`)).toBe(`${REDACTED} twice ${REDACTED}`);
  });

  it('masks a longer secret whole when it contains a shorter one', () => {
    const short = secret('token-123');
    const long = secret('token-123-extended');
    expect(redactText(`x ${long} y ${short}`)).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('ignores secrets shorter than 6 characters and forgets unregistered ones', () => {
    registerSecret('abc');
    expect(redactText('abc abc')).toBe('abc abc');
    const s = secret('temporary-token-xyz');
    expect(redactText(s)).toBe(REDACTED);
    unregisterSecret(s);
    expect(redactText(s)).toBe(s);
  });

  it('masks valid citizen IDs plain, dashed and spaced', () => {
    expect(redactText(`pid ${CITIZEN}.`)).toBe(`pid ${CITIZEN_ID_MASK}.`);
    expect(redactText(`pid ${formatThaiId(CITIZEN)}`)).toBe(`pid ${CITIZEN_ID_MASK}`);
    expect(redactText(`pid ${formatThaiId(CITIZEN).replaceAll('-', ' ')}`)).toBe(`pid ${CITIZEN_ID_MASK}`);
    expect(redactText(`{"a":"${CITIZEN}","b":"${CITIZEN_2}"}`)).toBe(
      `{"a":"${CITIZEN_ID_MASK}","b":"${CITIZEN_ID_MASK}"}`,
    );
  });

  it('keeps juristic IDs, 13-digit numbers with a wrong check digit and longer digit runs', () => {
    expect(redactText(`company ${JURISTIC}`)).toBe(`company ${JURISTIC}`);
    expect(redactText(`n ${WRONG_CHECK}`)).toBe(`n ${WRONG_CHECK}`);
    expect(redactText(`ts 9${CITIZEN}`)).toBe(`ts 9${CITIZEN}`);
    expect(redactText(`ts ${CITIZEN}7`)).toBe(`ts ${CITIZEN}7`);
  });

  it('passes non-strings and empty strings through, and copes with large input', () => {
    expect(redactText('')).toBe('');
    expect(redactText(42 as unknown as string)).toBe(42);
    const big = `${'1234567890 '.repeat(100_000)}${CITIZEN}`;
    const out = redactText(big);
    expect(out.endsWith(CITIZEN_ID_MASK)).toBe(true);
    expect(out).not.toContain(CITIZEN);
  });
});

describe('citizen IDs in percent-encoded text (an X-Road-Issue)', () => {
  const cases = [
    `ที่${CITIZEN}`,
    `คำร้อง%${CITIZEN}`,
    `คดี%20${CITIZEN}`,
    `ref%${CITIZEN_2} 100%`,
    `คดี ${formatThaiId(CITIZEN)}`,
  ];
  for (const value of cases) {
    it(`masks the ID in ${JSON.stringify(value)} encoded as a whole, and in the value itself`, () => {
      for (const text of [encodeURIComponent(value), value]) {
        const out = redactText(text);
        const once = out.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
          try {
            return decodeURIComponent(m);
          } catch {
            return m;
          }
        });
        for (const view of [out, once]) {
          const digits = view.replace(/[\s\-./]/g, '');
          expect(digits).not.toContain(CITIZEN);
          expect(digits).not.toContain(CITIZEN_2);
        }
        expect(out).toContain(CITIZEN_ID_MASK);
      }
    });
  }

  it('keeps an encoded value without an ID as it was', () => {
    const text = encodeURIComponent('คดีที่ 12/2569 100%');
    expect(redactText(text)).toBe(text);
  });
});

describe('redactHeaders', () => {
  it('masks auth-like headers whatever their case, and IDs or secrets in the others', () => {
    const s = secret('bearer-token-value-1');
    const out = redactHeaders({
      Authorization: `Bearer ${s}`,
      'Consumer-Key': 'ck-123456',
      token: 'tok',
      Cookie: 'a=b',
      'X-Note': `for ${CITIZEN}`,
      'X-Echo': `echo ${s}`,
      'Set-Cookie': ['a=1', 'b=2'],
      'X-Missing': undefined,
      Accept: 'application/json',
    });
    expect(out).toEqual({
      Authorization: REDACTED,
      'Consumer-Key': REDACTED,
      token: REDACTED,
      Cookie: REDACTED,
      'X-Note': `for ${CITIZEN_ID_MASK}`,
      'X-Echo': `echo ${REDACTED}`,
      'Set-Cookie': REDACTED,
      Accept: 'application/json',
    });
    expect(redactHeaders({ 'X-Custom-Auth': 'abc' }, ['x-custom-auth'])).toEqual({
      'X-Custom-Auth': REDACTED,
    });
    expect(redactHeaders(undefined)).toEqual({});
  });

  it('knows the sensitive names case-insensitively', () => {
    for (const n of ['AUTHORIZATION', 'x-imauth-apikey', 'Client_Secret', 'CitizenId', 'pid'])
      expect(isSensitiveName(n)).toBe(true);
    for (const n of ['accept', 'content-type', 'x-request-id']) expect(isSensitiveName(n)).toBe(false);
  });
});

describe('redactUrl', () => {
  it('masks sensitive and personal query values and user info', () => {
    const out = redactUrl(
      `https://user:pw@gdx.example/api?token=abc&pid=${CITIZEN}&page=2&client_secret=xyz`,
    );
    expect(out).not.toContain('abc');
    expect(out).not.toContain('xyz');
    expect(out).not.toContain(':pw@');
    expect(out).not.toContain(CITIZEN);
    expect(out).toContain('page=2');
    expect(out).toContain(`token=${REDACTED}`);
  });

  it('masks IDs in the path and secrets in other parameters, however they were encoded', () => {
    const s = secret("s3cret!~ (value)'");
    for (const query of [`q=${encodeURIComponent(s)}`, new URLSearchParams({ q: s }).toString()]) {
      const out = redactUrl(`https://x.example/people/${CITIZEN}?${query}&token=t`);
      expect(out).not.toContain(CITIZEN);
      expect(out).not.toContain('s3cret');
      expect(out).toContain(`q=${REDACTED}`);
    }
    expect(redactUrl(`https://x.example/q?id=${formatThaiId(CITIZEN)}`)).not.toContain(formatThaiId(CITIZEN));
  });

  it('leaves a harmless URL as it was and falls back to text for unparsable input', () => {
    expect(redactUrl('https://x.example/a?b=1&c=%20')).toBe('https://x.example/a?b=1&c=%20');
    expect(redactUrl(new URL('https://x.example/a'))).toBe('https://x.example/a');
    expect(redactUrl(`not a url ${CITIZEN}`)).toBe(`not a url ${CITIZEN_ID_MASK}`);
  });
});

describe('redactValue', () => {
  it('masks sensitive fields and strings in deep objects and arrays', () => {
    const s = secret('deep-secret-value');
    const input = {
      level1: {
        password: 'hunter2',
        list: [
          { citizenId: '123' },
          `note ${CITIZEN}`,
          { nested: { access_token: 'at', keep: 'ok', note: s } },
        ],
        firstName: 'สมชาย',
      },
      count: 3,
      flag: true,
      empty: null,
      bytes: new Uint8Array(10),
    };
    const out = redactValue(input);
    expect(out).toEqual({
      level1: {
        password: REDACTED,
        list: [
          { citizenId: REDACTED },
          `note ${CITIZEN_ID_MASK}`,
          { nested: { access_token: REDACTED, keep: 'ok', note: REDACTED } },
        ],
        firstName: REDACTED,
      },
      count: 3,
      flag: true,
      empty: null,
      bytes: '[10 bytes]',
    });
    expect(input.level1.password).toBe('hunter2');
  });

  it('bounds depth and array length on hostile input', () => {
    type Deep = { next?: Deep; v: string };
    const root: Deep = { v: CITIZEN };
    let cur = root;
    for (let i = 0; i < 50; i++) {
      cur.next = { v: CITIZEN };
      cur = cur.next;
    }
    const text = JSON.stringify(redactValue(root));
    expect(text).not.toContain(CITIZEN);
    expect(text).toContain('[…]');
    const arr = redactValue(Array.from({ length: 1000 }, () => CITIZEN)) as string[];
    expect(arr).toHaveLength(100);
    expect(arr.every((v) => v === CITIZEN_ID_MASK)).toBe(true);
  });
});
