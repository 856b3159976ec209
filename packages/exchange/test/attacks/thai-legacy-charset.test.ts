import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeClient, GdxError } from '../../src/index.js';
import { tis620 } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * Legacy Thai systems behind GDX write TIS-620 (windows-874) and often say nothing about it, or a proxy labels
 * the bytes `charset=utf-8`. Read leniently as UTF-8, a Thai message becomes U+FFFD mixed with Latin letters
 * (TIS-620 byte pairs that happen to be valid UTF-8: "ยก" → "¡"), silently: the developer sees garbage where the
 * provider explained the failure. An envelope's message is read as TIS-620 when it is not UTF-8; a record is
 * never guessed at: not UTF-8 without saying so, it is refused (ERR_RESPONSE_PARSE), and with its charset
 * declared it is decoded.
 */

const CID = '1101700230708';

let server: Server;
let url = '';
let reply: { status: number; headers: Record<string, string>; body: Buffer } | undefined;
let validateReply: typeof reply;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    req.resume();
    req.on('end', () => {
      const r =
        path === '/ws/auth/validate'
          ? (validateReply ?? {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: Buffer.from(JSON.stringify({ Result: '6f1c2b8e-0000-4000-8000-000000000874' })),
            })
          : reply;
      if (!r) return res.end();
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  reply = undefined;
  validateReply = undefined;
});

const PAY_MESSAGE = 'ไม่พบรายการชำระเงิน กรุณาตรวจสอบเลขอ้างอิง';
const paymentStatus = (c: ExchangeClient) =>
  rejection(c.call({ path: '/ws/dga/payment/status', envelope: 'payment' }, { agentId: 'pay-system' }));

describe('a provider message in TIS-620 reads as Thai, never as mojibake', () => {
  for (const type of ['application/json', 'application/json; charset=utf-8']) {
    it(`e-Payment envelope, Content-Type ${type}`, async () => {
      reply = {
        status: 200,
        headers: { 'content-type': type },
        body: tis620(JSON.stringify({ status: 1, errorCode: 'E21', message: PAY_MESSAGE, data: null })),
      };
      const err = (await withRawClient(url, paymentStatus)) as unknown as GdxError;
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: 'E21' });
      expect(err.message).toContain(PAY_MESSAGE);
      expect(err.message).not.toMatch(/[\uFFFD\u0080-\u024F]/);
    });
  }

  it('X-Road error body', async () => {
    const message = 'ฐานข้อมูลทะเบียนราษฎรไม่พร้อมให้บริการ';
    reply = {
      status: 500,
      headers: { 'content-type': 'application/json', 'x-road-error': 'Server.ServerProxy.DatabaseError' },
      body: tis620(
        JSON.stringify({ type: 'Server.ServerProxy.DatabaseError', message, detail: 'ระบบขัดข้อง' }),
      ),
    };
    const err = (await withRawClient(
      url,
      (c) => rejection(c.getPerson({ citizenId: CID }, { agentId: 'registry-system' })),
      {
        retry: { maxRetries: 0 },
        xroad: { client: 'TH/GOV/00099/registry', services: { dopaLinkage: 'TH/GOV/00023/dopa/linkage' } },
      },
    )) as unknown as GdxError;
    expect(err.code).toBe('ERR_GDX_XROAD');
    expect(err.message).toContain(message);
    expect(err.xroadDetail).toBe('ระบบขัดข้อง');
  });

  it('a validate refusal {Code, Message}', async () => {
    const message = 'รหัสผู้ใช้ไม่ถูกต้อง';
    validateReply = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: tis620(JSON.stringify({ Code: 'A17', Message: message })),
    };
    const err = (await withRawClient(
      url,
      (c) => rejection(c.getPerson({ citizenId: CID }, { agentId: 'registry-system' })),
      { retry: { maxRetries: 0 } },
    )) as unknown as GdxError;
    expect(err).toMatchObject({ code: 'ERR_GDX_AUTH', providerCode: 'A17' });
    expect(err.message).toContain(message);
  });

  it('a UTF-8 message that holds U+FFFD itself is left as it is', async () => {
    const message = `ข้อมูล \uFFFD ผิดรูปแบบ`;
    reply = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ status: 1, errorCode: 'E22', message, data: null })),
    };
    const err = (await withRawClient(url, paymentStatus)) as unknown as GdxError;
    expect(err.message).toContain(message);
  });
});

describe('a record in TIS-620 (guard)', () => {
  const record = () =>
    tis620(JSON.stringify({ firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' }));
  const person = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });

  it('without a charset it is refused (ERR_RESPONSE_PARSE), never decoded to mojibake', async () => {
    reply = { status: 200, headers: { 'content-type': 'application/json' }, body: record() };
    const err = await withRawClient(url, (c) => rejection(person(c)));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false });
  });

  for (const charset of ['tis-620', 'windows-874']) {
    it(`with charset=${charset} it is decoded`, async () => {
      reply = {
        status: 200,
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: record(),
      };
      const p = await withRawClient(url, person);
      expect(p).toMatchObject({ firstName: { th: 'สมชาย' }, lastName: { th: 'ใจดี' } });
    });
  }
});
