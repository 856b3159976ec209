import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readToken } from '../../src/envelopes.js';
import {
  type ExchangeClient,
  type ExchangeClientOptions,
  type GdxError,
  isGdxError,
  looseKeys,
} from '../../src/index.js';
import { dopaPersonSchema } from '../../src/schemas.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * Envelope quirks a real gateway and its providers produce, from a raw node:http server: a Linkage
 * `{Code, Message}` written with leading whitespace, a BOM or a long Thai message; a gateway's JSON throttle
 * body on a temporary status; `__proto__` keys in provider JSON; and the e-Payment envelope's status read
 * strictly, whatever the HTTP status.
 */

const CID = '1101700230708';
const TOKEN = 'quirks-token-0001';

interface Reply {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

let server: Server;
let url = '';
/** Answers a data call; `n` counts the calls to the same path (validate not counted). */
let respond: (path: string, n: number) => Reply;
/** Answers /ws/auth/validate. */
let validate: () => Reply;
let calls: Map<string, number>;
/** The Token header of every data call, in order. */
let dataTokens: (string | undefined)[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    req.resume();
    if (path !== '/ws/auth/validate') dataTokens.push(req.headers.token as string | undefined);
    req.on('end', () => {
      const r = path === '/ws/auth/validate' ? validate() : respond(path, count(path));
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = new Map();
  dataTokens = [];
  validate = () => ({ body: JSON.stringify({ Result: TOKEN }) });
});

function count(path: string): number {
  const n = (calls.get(path) ?? 0) + 1;
  calls.set(path, n);
  return n;
}
const linkageCalls = () => calls.get('/ws/dopa/linkage/v1/link') ?? 0;

/** A client of this file's server for the citizen CID (see withRawClient). */
const withClient = <T>(
  run: (c: ExchangeClient) => Promise<T>,
  options: Partial<ExchangeClientOptions> = {},
) => withRawClient(url, run, { agentId: CID, ...options });

const PERSON = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300101', titleDesc: 'นาย' };
const THAI = 'เจ้าหน้าที่ยังไม่ได้ยืนยันตัวตนผ่านโปรแกรม GovAMI กรุณาเสียบบัตรประจำตัวประชาชนและเข้าสู่ระบบใหม่อีกครั้ง ';

async function personError(body: string, status = 200): Promise<GdxError> {
  respond = () => ({ status, body });
  return (await withClient((c) => rejection(c.getPerson({ citizenId: CID })))) as unknown as GdxError;
}

function expect90001(err: GdxError, label: string): void {
  expect(err.code, label).toBe('ERR_GDX_BUSINESS');
  expect(err.providerCode, label).toBe('90001');
  expect(err.envelope, label).toBe('linkage');
  expect(err.retryable, label).toBe(false);
  expect(err.hint, label).toMatch(/GovAMI/);
}

describe('Linkage {Code, Message} however it is written', () => {
  it('is found after leading JSON whitespace or a UTF-8 BOM', async () => {
    const variants = {
      newline: '\n{\n  "Code": "90001",\n  "Message": "Agent not authen"\n}',
      space: ' {"Code":"90001","Message":"Agent not authen"}',
      crlfTab: '\r\n\t{"Code":"90001","Message":"Agent not authen"}',
      bom: '\ufeff{"Code":"90001","Message":"Agent not authen"}',
      bomPretty: '\ufeff\n  {\n "code" : 90001 ,\n "message" : "x" }\n',
    };
    for (const [name, body] of Object.entries(variants)) {
      expect90001(await personError(body), name);
    }
  });

  it('is found in a body larger than 1 KB (a long Thai message), on 200 and on 400', async () => {
    const body = JSON.stringify({ Code: '90001', Message: THAI.repeat(8) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(2048);
    expect90001(await personError(body), '200');
    expect90001(await personError(body, 400), '400');
    expect90001(
      await personError(`  ${JSON.stringify({ Code: '90001', Message: THAI.repeat(200) })}`),
      'big',
    );
  });

  it('a large valid record with "code"/"message" keys below the top level (or >4 top keys) is data', async () => {
    respond = () => ({
      body: JSON.stringify({
        ...PERSON,
        note: THAI.repeat(10),
        status: { code: '90001', message: 'nested is not an envelope' },
        list: [{ Code: 4, Message: 'x' }],
      }),
    });
    const p = await withClient((c) => c.getPerson({ citizenId: CID }));
    expect(p.firstName.th).toBe('สมชาย');
    respond = () => ({ body: JSON.stringify({ ...PERSON, code: '90001', message: 'x' }) });
    const q = await withClient((c) => c.getPerson({ citizenId: CID }));
    expect(q.lastName.th).toBe('ใจดี');
  });
});

describe('a temporary status with a JSON "code" body stays a temporary error', () => {
  const bodies: Record<number, object> = {
    408: { code: 408, message: 'Request Timeout' },
    429: {
      code: '900800',
      message: 'Message throttled out',
      description: 'You have exceeded your quota',
      nextAccessTime: '2026-Dec-05 17:30:00+0000 UTC',
    },
    502: { code: '101503', message: 'Runtime Error', description: 'Error connecting to the back end' },
    503: { code: 503, message: 'Service Unavailable' },
    504: { Code: '101504', Message: 'Connection timed out' },
  };

  it('408/429/502/503/504 → retryable, with the Retry-After delay', async () => {
    for (const [status, body] of Object.entries(bodies)) {
      respond = () => ({
        status: Number(status),
        body: JSON.stringify(body),
        headers: { 'retry-after': '7' },
      });
      const err = (await withClient((c) => rejection(c.getPerson({ citizenId: CID })), {
        retry: { maxRetries: 0 },
      })) as unknown as GdxError;
      expect(err.code, status).not.toBe('ERR_GDX_BUSINESS');
      expect(err.statusCode, status).toBe(Number(status));
      expect(err.retryable, status).toBe(true);
      expect(err.retryAfterInMs, status).toBe(7000);
    }
  });

  it('is retried and the next answer is used', async () => {
    for (const [status, body] of Object.entries(bodies)) {
      calls = new Map();
      respond = (_path, n) =>
        n === 1
          ? { status: Number(status), body: JSON.stringify(body), headers: { 'retry-after': '0' } }
          : { body: JSON.stringify(PERSON) };
      const p = await withClient((c) => c.getPerson({ citizenId: CID }));
      expect(p.firstName.th, status).toBe('สมชาย');
      expect(linkageCalls(), status).toBe(2);
    }
  });

  it('the same envelope on 200, 400 and 500 is still a business error, not retried', async () => {
    for (const status of [200, 400, 500]) {
      calls = new Map();
      const err = await personError(JSON.stringify({ Code: '90001', Message: 'x' }), status);
      expect90001(err, String(status));
      expect(linkageCalls()).toBe(1);
    }
  });
});

describe('__proto__ keys in provider JSON', () => {
  it('a nested "__proto__": {code, message} in a valid person record is no envelope', async () => {
    respond = () => ({
      body: '{"__proto__":{"code":"90001","message":"x"},"firstName":"a","lastName":"b","dateOfBirth":"25300101"}',
    });
    const p = await withClient((c) => c.getPerson({ citizenId: CID }));
    expect(p.firstName.th).toBe('a');
    expect(Object.getPrototypeOf(p.raw)).toBe(Object.prototype);
    expect((p.raw as Record<string, unknown>).code).toBeUndefined();
  });

  it('"__proto__" and a key "message" beside a top-level "code": no inherited message makes an envelope', async () => {
    respond = () => ({ body: '{"__proto__":{"message":"m"},"code":"90001"}' });
    const err = (await withClient((c) => rejection(c.getPerson({ citizenId: CID })))) as unknown as GdxError;
    expect(err.code).toBe('ERR_RESPONSE_SCHEMA');
  });

  it('a record whose keys are renamed gets no field from a "__proto__" key', async () => {
    respond = () => ({
      body: '{"FirstName":"สมชาย","lastName":"ใจดี","dateOfBirth":"25300101","__proto__":{"isAdmin":true,"englishFirstName":"INJECTED"}}',
    });
    const p = await withClient((c) => c.getPerson({ citizenId: CID }));
    expect(p.firstName).toEqual({ th: 'สมชาย', en: undefined });
    const raw = p.raw as Record<string, unknown>;
    expect(raw.isAdmin).toBeUndefined();
    expect(raw.englishFirstName).toBeUndefined();
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
    expect(Object.keys(raw)).toEqual(['firstName', 'lastName', 'dateOfBirth']);
  });

  it('looseKeys: same result with and without renaming; constructor/prototype kept as own data', () => {
    const s = looseKeys({ result: z.string(), other: z.string().optional() });
    const renamed = JSON.parse(
      '{"RESULT":"x","__proto__":{"other":"inherited"},"constructor":1,"prototype":2}',
    );
    const exact = JSON.parse(
      '{"result":"x","__proto__":{"other":"inherited"},"constructor":1,"prototype":2}',
    );
    for (const input of [renamed, exact]) {
      const out = s.parse(input) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(out.other).toBeUndefined();
      expect(Object.hasOwn(out, '__proto__')).toBe(false);
      expect(Object.hasOwn(out, 'constructor') && out.constructor).toBe(1);
      expect(out.prototype).toBe(2);
    }
    // A required field is never read through the prototype.
    expect(s.safeParse(JSON.parse('{"OTHER":"o","__proto__":{"result":"inherited"}}')).success).toBe(false);
    expect(
      dopaPersonSchema.safeParse(JSON.parse('{"FirstName":"a","__proto__":{"lastName":"b","dateOfBirth":1}}'))
        .success,
    ).toBe(false);
  });

  it('a Linkage code "constructor" or "__proto__" finds no inherited description; an object code does not throw', async () => {
    for (const code of ['constructor', '__proto__', 'toString']) {
      const err = await personError(JSON.stringify({ Code: code, Message: 'x' }));
      expect(err.code, code).toBe('ERR_GDX_BUSINESS');
      expect(err.providerCode, code).toBe(code);
      expect(err.message, code).toMatch(/see the provider documentation/);
      expect(err.hint, code).toBeUndefined();
    }
    const err = await personError('{"Code":{"toString":1,"valueOf":2},"Message":"x"}');
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.providerCode).toBe('[object Object]');
    const pay = await withClient((c) => {
      respond = () => ({ body: '{"status":{"toString":1},"errorCode":null,"message":"x"}' });
      return rejection(c.call({ path: '/ws/dga/payment/status', envelope: 'payment' }));
    });
    expect((pay as unknown as GdxError).code).toBe('ERR_GDX_BUSINESS');
  });

  it('a validate answer {"__proto__": {"result": token}} is no token', async () => {
    expect(readToken(JSON.parse('{"__proto__":{"result":"tok-from-prototype"}}'))).toBeUndefined();
    expect(readToken(JSON.parse('{"__proto__":{"Result":"tok"},"constructor":"x"}'))).toBeUndefined();
    expect(readToken(JSON.parse('{"Result":"tok-own-0001"}'))).toBe('tok-own-0001');
    validate = () => ({ body: '{"__proto__":{"result":"tok-from-prototype"}}' });
    respond = () => ({ body: JSON.stringify(PERSON) });
    const err = await withClient((c) => rejection(c.getPerson({ citizenId: CID })));
    expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
    expect(linkageCalls()).toBe(0);
  });

  it('an X-Road error body reads no field through "__proto__"', async () => {
    respond = () => ({
      status: 500,
      headers: { 'x-road-error': 'Server.ServerProxy.ServiceFailed' },
      body: '{"__proto__":{"type":"Client.InvalidRequest","message":"inherited"}}',
    });
    const err = (await withClient((c) => rejection(c.getPerson({ citizenId: CID })), {
      retry: { maxRetries: 0 },
    })) as unknown as GdxError;
    expect(err.xroadType).toBe('Server.ServerProxy.ServiceFailed');
    expect(err.message).not.toMatch(/inherited/);
  });
});

describe('the e-Payment envelope {status, errorCode, message, data}, status read strictly', () => {
  const create = (c: ExchangeClient) =>
    c.call({
      method: 'POST',
      path: '/ws/dga/payment/create',
      body: { json: { amount: 100 } },
      envelope: 'payment',
    });
  const paymentCalls = () => calls.get('/ws/dga/payment/create') ?? 0;

  async function paymentError(body: object, status = 200): Promise<GdxError> {
    calls = new Map();
    respond = () => ({ status, body: JSON.stringify(body) });
    return (await withClient((c) => rejection(create(c)))) as unknown as GdxError;
  }

  it('a non-zero status without errorCode is a failure carrying the status as the code', async () => {
    const err = await paymentError({ status: 1, message: 'rejected: insufficient funds', data: null });
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.envelope).toBe('payment');
    expect(err.providerCode).toBe('1');
    expect(err.message).toMatch(/rejected: insufficient funds/);
    expect(err.retryable).toBe(false);
    expect(paymentCalls()).toBe(1);
  });

  it('status "", null, false, "00" or missing with an errorCode is a failure, never success', async () => {
    const cases: object[] = [
      { status: '', errorCode: 'E1', message: 'x', data: null },
      { status: null, errorCode: 'E1', message: 'x', data: null },
      { status: false, errorCode: 'E1', message: 'x' },
      { status: '00', errorCode: 'E1' },
      { status: ' 0', errorCode: 'E1' },
      { errorCode: 'E1', message: 'x', data: null },
      { status: '1', errorCode: 'E1' },
      { Status: 2, ErrorCode: 'E1', Message: 'x' },
    ];
    for (const body of cases) {
      const err = await paymentError(body);
      expect(err.code, JSON.stringify(body)).toBe('ERR_GDX_BUSINESS');
      expect(err.providerCode, JSON.stringify(body)).toBe('E1');
      expect(err.retryable).toBe(false);
    }
    const noCode = await paymentError({ status: '', message: 'x', data: null });
    expect(noCode.code).toBe('ERR_GDX_BUSINESS');
    expect(noCode.providerCode).toBeUndefined();
    const nullStatus = await paymentError({ status: null, errorCode: null, message: 'x', data: null });
    expect(nullStatus.code).toBe('ERR_GDX_BUSINESS');
  });

  it('status 0 or "0" is success', async () => {
    for (const status of [0, '0']) {
      respond = () => ({
        body: JSON.stringify({ status, errorCode: null, message: 'ok', data: { ref: 'X' } }),
      });
      const out = await withClient((c) => create(c));
      expect(out).toMatchObject({ data: { ref: 'X' } });
    }
  });

  it('inside an HTTP 400 or 500 → ERR_GDX_BUSINESS with the provider code, never retried (POST nor GET)', async () => {
    for (const status of [400, 500]) {
      const err = await paymentError(
        { status: 99, errorCode: 'E500', message: 'duplicate', data: null },
        status,
      );
      expect(err.code, String(status)).toBe('ERR_GDX_BUSINESS');
      expect(err.providerCode).toBe('E500');
      expect(err.envelope).toBe('payment');
      expect(err.statusCode).toBe(status);
      expect(err.retryable).toBe(false);
      expect(paymentCalls()).toBe(1);

      calls = new Map();
      respond = () => ({
        status,
        body: JSON.stringify({ status: 1002, errorCode: 'E1002', message: 'invoice not found', data: null }),
      });
      const get = (await withClient((c) =>
        rejection(
          c.call({ path: '/ws/dga/payment/status', query: { invoiceNo: 'INV-1' }, envelope: 'payment' }),
        ),
      )) as unknown as GdxError;
      expect(get.code).toBe('ERR_GDX_BUSINESS');
      expect(get.providerCode).toBe('E1002');
      expect(get.retryable).toBe(false);
      expect(calls.get('/ws/dga/payment/status')).toBe(1);
    }
  });

  it('on 503 it stays ERR_HTTP (Retry-After kept) and an un-keyed POST is neither repeated nor retryable', async () => {
    calls = new Map();
    respond = () => ({
      status: 503,
      headers: { 'retry-after': '0' },
      body: JSON.stringify({ status: 1, errorCode: 'E503', message: 'maintenance', data: null }),
    });
    const err = (await withClient((c) => rejection(create(c)))) as unknown as GdxError;
    expect(err.code).toBe('ERR_HTTP');
    // It was sent: a caller's retry wrapper must not repeat a create (check payment/status first).
    expect(err.retryable).toBe(false);
    expect(err.retryAfterInMs).toBe(0);
    expect(paymentCalls()).toBe(1);
  });

  it('a payment body written with a BOM is still read', async () => {
    respond = () => ({ body: `\ufeff${JSON.stringify({ status: 7, errorCode: 'E7', message: 'x' })}` });
    const err = (await withClient((c) => rejection(create(c)))) as unknown as GdxError;
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.providerCode).toBe('E7');
  });
});

describe('a malformed token from validate is no token, and is never cached', () => {
  const GOOD = 'c0ffee00-1234-4abc-8def-0123456789ab';
  /** validate answers `first` once, then a good token. */
  const firstThenGood = (first: unknown) => {
    let n = 0;
    validate = () => ({ body: JSON.stringify({ Result: n++ === 0 ? first : GOOD }) });
    return () => n;
  };

  it('readToken accepts only visible ASCII of a sane length', () => {
    for (const bad of [
      'bad\r\ntoken',
      ' ',
      '\t',
      'x',
      'short12',
      'tok en-0001',
      'โทเคน-00000001',
      'a'.repeat(4097),
      'tok\u0000en-0001',
      'tok\u007fen-0001',
    ]) {
      expect(readToken({ Result: bad }), JSON.stringify(bad)).toBeUndefined();
    }
    for (const good of [GOOD, TOKEN, '12345678', 'a'.repeat(4096), 'A.b_c-d~e+f/g=h']) {
      expect(readToken({ Result: good }), good).toBe(good);
      expect(readToken({ result: good }), good).toBe(good);
    }
    // Whitespace around a token is not part of it (HTTP drops it from the header): the token inside is read.
    for (const padded of [`${GOOD} `, ` ${GOOD}`, `${GOOD}\r\n`, `\t${GOOD}`]) {
      expect(readToken({ Result: padded }), JSON.stringify(padded)).toBe(GOOD);
    }
  });

  it('a CRLF token is refused at validate (retried), never sent, never cached', async () => {
    const validations = firstThenGood('bad\r\ntoken');
    respond = () => ({ body: JSON.stringify(PERSON) });
    await withClient(async (c) => {
      await expect(c.getPerson({ citizenId: CID })).resolves.toBeDefined();
      await expect(c.getPerson({ citizenId: CID })).resolves.toBeDefined();
    });
    expect(validations()).toBe(2);
    expect(dataTokens).toEqual([GOOD, GOOD]);
  });

  it('without retries the call fails as "validate answered without a token" and the next call validates again', async () => {
    for (const bad of ['bad\r\ntoken', ' ', '\t\t\t\t\t\t\t\t', 'x']) {
      const validations = firstThenGood(bad);
      dataTokens = [];
      respond = () => ({ body: JSON.stringify(PERSON) });
      await withClient(
        async (c) => {
          const err = (await rejection(c.getPerson({ citizenId: CID }))) as unknown as GdxError;
          expect(isGdxError(err, 'ERR_GDX_AUTH'), JSON.stringify(bad)).toBe(true);
          expect(err.message).toMatch(/without a token/);
          expect(dataTokens, JSON.stringify(bad)).toEqual([]);
          await expect(c.getPerson({ citizenId: CID })).resolves.toBeDefined();
          expect(c.stats().validations).toBe(2);
        },
        { retry: { maxRetries: 0 } },
      );
      expect(validations()).toBe(2);
      expect(dataTokens).toEqual([GOOD]);
    }
  });
});
