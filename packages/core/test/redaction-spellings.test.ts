import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { createSubjectHasher, toRecordBody } from '../src/audit/record.js';
import { HttpError } from '../src/index.js';
import { SafeLogger } from '../src/logger.js';
import { SECRET_REGISTRY_LIMITS, SecretRegistry } from '../src/redact/secret-registry.js';
import { CITIZEN_ID_MASK, NAME_MASK, REDACTED, redactText, redactValue } from '../src/redact.js';
import { maskError, maskerFor } from '../src/sensitive-values.js';
import { testSecrets } from './helpers/secrets.js';
import { transportHarness } from './helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const ID = '1101700230708';
const WRONG = '1101700230709';

const secret = testSecrets();

describe('citizen IDs split by white space, underscores and invisible characters', () => {
  const spellings = {
    tab: [...ID].join('\t'),
    lineWrap: '110170023\n0708',
    crlfWrap: '1-1017-00230-\r\n70-8',
    underscore: [...ID].join('_'),
    zeroWidth4: `1${'\u200b'.repeat(4)}101700230708`,
    mixedInvisible: `1\u200b\u200c\u200d\u2060\ufeff\u00ad101700230708`,
  };
  for (const [name, spelled] of Object.entries(spellings)) {
    it(`masks ${name}`, () => {
      expect(redactText(`id ${spelled} end`)).toBe(`id ${CITIZEN_ID_MASK} end`);
    });
  }

  it('still needs the check digit', () => {
    for (const text of [[...WRONG].join('\t'), '110170023\n0709', [...WRONG].join('_')])
      expect(redactText(text)).toBe(text);
  });

  it('does not join digits over more than three visible separators', () => {
    const text = `1101700\n\n\n\n230708`;
    expect(redactText(text)).toBe(text);
  });
});

describe('citizen IDs in base64 or hex', () => {
  const utf16 = (t: string) => Buffer.from(t, 'utf16le');
  const spellings = {
    base64: Buffer.from(ID).toString('base64'),
    base64url: Buffer.from(`{"pid":"${ID}","name":"x"}`).toString('base64url'),
    base64InJson: Buffer.from(JSON.stringify({ citizenId: ID, purpose: 'รับรองสิทธิ' })).toString('base64'),
    base64Dashed: Buffer.from(`pid=1-1017-00230-70-8;`).toString('base64'),
    base64Utf16: utf16(`<pid>${ID}</pid>`).toString('base64'),
    base64Offset1: Buffer.from(`x${ID}`).toString('base64'),
    base64Offset2: Buffer.from(`xy${ID}`).toString('base64'),
    hex: Buffer.from(ID).toString('hex'),
    hexUpper: Buffer.from(`id:${ID}`).toString('hex').toUpperCase(),
    hexUtf16: utf16(ID).toString('hex'),
  };
  for (const [name, spelled] of Object.entries(spellings)) {
    it(`masks ${name}`, () => {
      const out = redactText(`echo ${spelled} end`);
      expect(out).toBe(`echo ${CITIZEN_ID_MASK} end`);
    });
  }

  it('masks one in a base64 body an HttpError quotes, and in what the logger writes', () => {
    const body = Buffer.from(`<Envelope><PID>${ID}</PID></Envelope>`).toString('base64');
    const err = new HttpError('ERR_HTTP', `failed: ${body}`, {
      statusCode: 500,
      response: { statusCode: 500, headers: {}, body: `{"echo":"${body}"}`, truncated: false },
    });
    expect(inspect(err, { depth: 5 })).not.toContain(body);
    const lines: string[] = [];
    const push = (m: string, ctx?: Record<string, unknown>) => lines.push(m, JSON.stringify(ctx ?? {}));
    new SafeLogger({ debug: push, info: push, warn: push, error: push }, 'info').info(`echo ${body}`, {
      body,
    });
    expect(lines.join('\n')).not.toContain(body);
    expect(lines.join('\n')).toContain(CITIZEN_ID_MASK);
  });

  it('leaves base64 and hex that hold no citizen ID alone, and needs the check digit', () => {
    const plain = [
      Buffer.from('สวัสดีครับ ผลการตรวจสอบผ่าน').toString('base64'),
      Buffer.from(WRONG).toString('base64'),
      Buffer.from(WRONG).toString('hex'),
      'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      '0123456789abcdef0123456789abcdef01234567',
      'internationalization-and-localization',
    ];
    for (const text of plain) expect(redactText(`x ${text} y`)).toBe(`x ${text} y`);
  });

  it('reads a megabyte of base64-looking text in one pass (CPU time, generous bound)', () => {
    const hostile = [
      'ABCDEFGHIJKLMNOPQRST.'.repeat(50_000),
      randomBytes(750_000).toString('base64'),
      '31'.repeat(500_000),
      `${'3130'.repeat(250_000)}${Buffer.from(`x${ID}`).toString('hex')}`,
    ];
    for (const text of hostile) expect(cpuMsOf(() => redactText(text))).toBeLessThan(3000);
    expect(redactText(hostile[3] as string)).toBe(CITIZEN_ID_MASK);
  });
});

describe('personal names introduced by an honorific', () => {
  it.each([
    ['No record for Mr. Somchai Jaidee / นายสมชาย ใจดี', `No record for ${NAME_MASK} / ${NAME_MASK}`],
    [
      'refresh token of นายสมชาย ใจดี (Mr. Somchai Jaidee) was revoked',
      `refresh token of ${NAME_MASK} (${NAME_MASK}) was revoked`,
    ],
    ['payer นางสาวสมหญิง รักดี not allowed', `payer ${NAME_MASK} not allowed`],
    ['Dr Jane Smith, Ms Lee and Mrs. Ann Lee', `${NAME_MASK}, ${NAME_MASK} and ${NAME_MASK}`],
    ['Miss Daeng and Mx Kim', `${NAME_MASK} and ${NAME_MASK}`],
    ['ผู้ป่วย ด.ช.สมชาย ใจดี', `ผู้ป่วย ${NAME_MASK}`],
    ['เด็กหญิงสมศรี มีสุข', NAME_MASK],
    ['ผศ.ดร.สมชาย ใจดี', NAME_MASK],
    ['ว่าที่ร้อยตรีสมชาย ใจดี', NAME_MASK],
    ['น.ส. สมหญิง รักดี', NAME_MASK],
    ['{"message":"นาง สมศรี"}', `{"message":"${NAME_MASK}"}`],
    ['ลงนามโดย นายทะเบียน นายสมชาย ใจดี', `ลงนามโดย นายทะเบียน ${NAME_MASK}`],
    ['นายทะเบียนนายสมชาย ใจดี อนุมัติ', `นายทะเบียน${NAME_MASK} อนุมัติ`],
    ['นายกเทศมนตรี นางสมศรี มีสุข', `นายกเทศมนตรี ${NAME_MASK}`],
  ])('masks %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    'นายกรัฐมนตรี สั่งการ',
    'นายทะเบียนอำเภอ',
    'นายอำเภอเมือง',
    'นายจ้าง ลูกจ้าง',
    'นายหน้า',
    'นายประกันตัว',
    'นายช่างโยธา',
    'นายด่านศุลกากร',
    'นางพยาบาลวิชาชีพ',
    'สำนักงานทนายความ',
    'ปี พ.ศ.2567',
    'น.ส.3 ก.',
    'Mr. [REDACTED]',
    'GET /ws/dopa/linkage/v1/link failed with HTTP 400 (Mr bean-counter)',
    'Drive mounted, Msg ok, Missing field',
  ])('leaves %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('masks names in an HttpError message', () => {
    const err = new HttpError('ERR_HTTP', 'X-Road error: No record for Mr. Somchai Jaidee / นายสมชาย ใจดี');
    const seen = [err.message, JSON.stringify(err), inspect(err)].join('\n');
    expect(seen).not.toMatch(/Somchai|สมชาย/);
  });
});

describe('personal names after a rank, a royal title or a name label', () => {
  it.each([
    ['พล.ต.อ.สมชาย ใจดี', NAME_MASK],
    ['อนุมัติโดย ร.ต.ท. สมชาย ใจดี แล้ว', `อนุมัติโดย ${NAME_MASK} แล้ว`],
    ['จ.ส.ต.สมปอง มีสุข', NAME_MASK],
    ['พล.อ.อ.สมศักดิ์ รักไทย', NAME_MASK],
    ['ม.ร.ว.สมศรี มีสุข', NAME_MASK],
    ['หม่อมหลวงสมศรี มีสุข', NAME_MASK],
    ['ทพญ.สมหญิง รักดี', NAME_MASK],
    ['ไม่พบข้อมูล ชื่อ-นามสกุล: สมชาย ใจดี', `ไม่พบข้อมูล ชื่อ-นามสกุล: ${NAME_MASK}`],
    ['ชื่อ: สมชาย ใจดี', `ชื่อ: ${NAME_MASK}`],
    ['ชื่อ=สมชาย นามสกุล=ใจดี', `ชื่อ=${NAME_MASK} นามสกุล=${NAME_MASK}`],
    ['ชื่อ: "Somchai Jaidee"', `ชื่อ: "${NAME_MASK}"`],
    ['error: invalid name: Somchai Jaidee', `error: invalid name: ${NAME_MASK}`],
    ['no match for full name: Somchai Jaidee (DOPA)', `no match for full name: ${NAME_MASK} (DOPA)`],
    ['lastName = ใจดี was refused', `lastName = ${NAME_MASK} was refused`],
  ])('masks %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['fullName=Somchai Jaidee&x=1', /Somchai|Jaidee/],
    ['first_name=สมชาย ใจดี', /สมชาย|ใจดี/],
    ['rejected: name=Somchai Jaidee', /Somchai|Jaidee/],
  ])('masks every word of a name=value pair written with spaces: %s', (text, leak) => {
    const out = redactText(text);
    expect(out).not.toMatch(leak);
    expect(out.startsWith(text.slice(0, text.indexOf('=') + 1))).toBe(true);
  });

  it.each([
    'พ.ร.บ.คอมพิวเตอร์',
    'ชื่อผู้ใช้ไม่ถูกต้อง',
    'ชื่อ ไม่ถูกต้อง',
    'ส.ค. 2567',
    'dataset name: population-2567 not found',
    'file name: report.pdf',
    'Name: [REDACTED]',
    'คุณไม่มีสิทธิ์เข้าถึง',
  ])('leaves %s', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('registered secrets in the spellings of common encoders', () => {
  const value = 'Zx9+Kq2/Lm8&Pq7<Rt5';
  it.each([
    ['Go html/template', 'Zx9&#43;Kq2/Lm8&amp;Pq7&lt;Rt5'],
    ['hex references (OWASP ESAPI)', 'Zx9&#x2b;Kq2&#x2f;Lm8&#x26;Pq7&#x3c;Rt5'],
    ['upper-case hex references', 'Zx9&#x2B;Kq2&#x2F;Lm8&#x26;Pq7&#x3C;Rt5'],
    ['Go encoding/json', 'Zx9+Kq2/Lm8\\u0026Pq7\\u003cRt5'],
    ['.NET System.Text.Json', 'Zx9\\u002BKq2/Lm8\\u0026Pq7\\u003CRt5'],
    ['every special as \\u00xx', 'Zx9\\u002bKq2\\u002fLm8\\u0026Pq7\\u003cRt5'],
    ['mixed-case percent escapes', 'Zx9%2bKq2%2FLm8%26Pq7%3CRt5'],
    ['mixed-case form escapes', 'Zx9%2BKq2%2fLm8%26Pq7%3cRt5'],
  ])('masks %s', (_name, spelled) => {
    secret(value);
    expect(redactText(`echo ${spelled} end`)).toBe(`echo ${REDACTED} end`);
  });

  it('masks &apos; and a Go \\u003e', () => {
    secret("x'y-secret>zz");
    expect(redactText('a x&apos;y-secret&gt;zz b')).toBe(`a ${REDACTED} b`);
    expect(redactText('a x\\u0027y-secret\\u003ezz b')).toBe(`a ${REDACTED} b`);
  });
});

describe('token pool eviction', () => {
  it('evicts the token expiring soonest, not the oldest still-valid one, and counts live evictions', () => {
    let now = 1_000_000;
    const registry = new SecretRegistry(() => now);
    const longLived = 'long-lived-token-0123456789abcdef';
    registry.register(longLived, { kind: 'token', ttlInMs: 24 * 3_600_000 });
    for (let i = 0; i < SECRET_REGISTRY_LIMITS.maxTokens; i++)
      registry.register(`short-token-${i.toString(36).padStart(8, '0')}`, { kind: 'token', ttlInMs: 60_000 });
    const spans: Array<[number, number]> = [];
    registry.find(`Bearer ${longLived}`, spans);
    expect(spans).toHaveLength(1);
    expect(registry.stats().tokens).toBe(SECRET_REGISTRY_LIMITS.maxTokens);
    expect(registry.stats().evictedLive).toBe(1);
    // Expired tokens go first, uncounted.
    now += 120_000;
    registry.register('one-more-token-0123456789', { kind: 'token', ttlInMs: 60_000 });
    expect(registry.stats().evictedLive).toBe(1);
    const later: Array<[number, number]> = [];
    registry.find(`Bearer ${longLived}`, later);
    expect(later).toHaveLength(1);
  });
});

describe('sensitiveValues', () => {
  const first = 'สมชาย';
  const last = 'ใจดี';
  const laser = 'JT1234567890';

  it('are masked as ASCII-only JSON and HTML references', () => {
    const mask = maskerFor([first, last, laser]) as (t: string) => string;
    const ascii = JSON.stringify({ n: first }).replace(
      /[^ -~]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16)}`,
    );
    const html = [...first].map((c) => `&#${c.charCodeAt(0)};`).join('');
    const hex = [...last].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('');
    const out = mask(`${ascii} ${ascii.toUpperCase()} ${html} ${hex} ${laser.toLowerCase()}`);
    expect(out).not.toMatch(/\\u0e|\\U0E|&#3|&#xe/i);
    expect(out).not.toContain(laser.toLowerCase());
  });

  it('maskError goes through nested plain fields (response and request headers)', () => {
    const mask = maskerFor([first, laser]) as (t: string) => string;
    const err = new HttpError('ERR_HTTP', 'failed', {
      request: { method: 'GET', url: '/x', headers: { 'x-echo': laser } },
      response: {
        statusCode: 400,
        headers: { 'x-name': encodeURIComponent(first), 'x-laser': laser },
        body: '',
        truncated: false,
      },
    });
    maskError(err, mask);
    const seen = JSON.stringify({ req: err.request, res: err.response });
    expect(seen).not.toContain(laser);
    expect(seen).not.toContain(encodeURIComponent(first));
  });

  it('are masked in response headers of an HTTP error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(400, { 'x-echo-name': encodeURIComponent(first), 'x-laser': laser });
      res.end('bad');
    });
    const t = transport({ baseUrl: s.url, retry: { maxRetries: 0 } });
    const err = (await t
      .request({ method: 'GET', path: '/x', sensitiveValues: [first, laser] })
      .catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('ERR_HTTP');
    const seen = [
      JSON.stringify(err.response?.headers),
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
    ].join();
    expect(seen).not.toContain(laser);
    expect(seen).not.toContain(encodeURIComponent(first));
  });
});

describe('audit extra fields with sensitive names', () => {
  it('are stored masked', () => {
    const body = toRecordBody(
      {
        who: 'officer-1',
        service: 'gdx',
        status: 'ok',
        extra: {
          firstName: 'สมชาย',
          pin: '123456',
          accessToken: 'short-tok-1',
          fullName: 'Somchai Jaidee',
          xRoadRequestHash: 'abc123',
          pidTab: [...ID].join('\t'),
        },
      },
      createSubjectHasher('audit-hmac-secret-0123456789'),
    );
    expect(body.extra).toEqual({
      firstName: REDACTED,
      pin: REDACTED,
      accessToken: REDACTED,
      fullName: REDACTED,
      xRoadRequestHash: 'abc123',
      pidTab: CITIZEN_ID_MASK,
    });
  });
});

describe('names of a DigitalIdentity', () => {
  const identity = {
    provider: 'thaid',
    names: {
      th: { title: 'นาย', given: 'สมชาย', family: 'ใจดี', full: 'สมชาย ใจดี' },
      en: { title: 'Mr.', given: 'Somchai', family: 'Jaidee', full: 'Somchai Jaidee' },
    },
  };
  it('are masked by redactValue and the SafeLogger', () => {
    const lines: string[] = [];
    const sink = {
      debug() {},
      info: (m: string, c?: unknown) => lines.push(`${m} ${JSON.stringify(c)}`),
      warn() {},
      error() {},
    };
    new SafeLogger(sink, 'info').info('login ok', { identity });
    const seen = `${JSON.stringify(redactValue({ identity }))}\n${lines.join('\n')}`;
    expect(seen).not.toMatch(/สมชาย|ใจดี|Somchai|Jaidee/);
    expect(seen).toContain('thaid');
  });
  it('leave a catalog title alone', () => {
    expect(redactValue({ title: 'Population by province' })).toEqual({ title: 'Population by province' });
  });
});

describe('name-based masking in XML, nested JSON and JS-style pairs', () => {
  it.each([
    ['<accessToken>unreg-tok-123456</accessToken>', `<accessToken>${REDACTED}</accessToken>`],
    [
      '<ns:firstName xml:lang="th">สมชาย</ns:firstName>',
      `<ns:firstName xml:lang="th">${REDACTED}</ns:firstName>`,
    ],
    [
      '{"body":"{\\"access_token\\":\\"unreg-tok-123456\\"}"}',
      `{"body":"{\\"access_token\\":\\"${REDACTED}\\"}"}`,
    ],
    [
      "'firstName': 'สมชาย', 'access_token': 'unreg-tok-123456'",
      `'firstName': '${REDACTED}', 'access_token': '${REDACTED}'`,
    ],
    [
      '{firstName: "สมชาย", accessToken: "unreg-tok-123456"}',
      `{firstName: "${REDACTED}", accessToken: "${REDACTED}"}`,
    ],
    [
      '{"fname":"a","lname":"b","email":"a@b.c","phone_number":"0812345678","mobile":"08","address":"127.0.0.1"}',
      `{"fname":"${REDACTED}","lname":"${REDACTED}","email":"${REDACTED}","phone_number":"${REDACTED}","mobile":"${REDACTED}","address":"127.0.0.1"}`,
    ],
  ])('masks %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('leaves ordinary XML and quoted text alone', () => {
    for (const text of ['<code>ERR_X</code><title>Report</title>', "it's 'fine': 'yes'", '{a: "b"}'])
      expect(redactText(text)).toBe(text);
  });
});
