import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxError } from '../../src/index.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * Some gateways answer every error with HTTP 200 (or 400/500) and say what went wrong in the body: a token GDX
 * no longer knows then comes back as `200 UnauthorizedException: token not found`, `200 {"Code": "401",
 * "Message": "Token expired"}` or `200 {"message": "Token not found"}`. Read as data, such an answer is a parse
 * or schema error (or a Linkage business error), the rejected token stays cached, and every call of the AgentID
 * keeps failing until its traffic stops for the whole idle period. Whatever the status, a short gateway
 * message about the token is answered like the 401: one re-validate and one replay. A record that happens to
 * mention a token, a documented Linkage code, and an e-Payment envelope (whose "token" may be a payment token:
 * a create is never repeated on a guess) stay what they are.
 */

const CID = '1101700230708';
const PERSON = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' };

let server: Server;
let url = '';
let live = new Set<string>();
let issued = 0;
let dataCalls = 0;
/** What a data call with a token the gateway does not know gets. */
let rejectedWith: { status: number; type: string; body: string } = {
  status: 200,
  type: 'text/plain',
  body: '',
};
/** What a data call with a known token gets (default: the person). */
let answer: string | undefined;
/** Every token issued is forgotten at once (a gateway that keeps losing its token store). */
let forgetIssued = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    req.resume();
    req.on('end', () => {
      if (path === '/ws/auth/validate') {
        const token = `6f1c2b8e-0000-4000-8000-${String(++issued).padStart(12, '0')}`;
        if (!forgetIssued) live.add(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ Result: token }));
      }
      dataCalls++;
      if (!live.has(String(req.headers.token ?? ''))) {
        res.writeHead(rejectedWith.status, { 'content-type': rejectedWith.type });
        return res.end(rejectedWith.body);
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(answer ?? JSON.stringify(PERSON));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  live = new Set();
  issued = 0;
  dataCalls = 0;
  answer = undefined;
  forgetIssued = false;
});

const lookup = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });
const json = 'application/json; charset=utf-8';

const REJECTIONS: Array<[number, string, string]> = [
  [200, 'text/plain', 'UnauthorizedException: token not found'],
  [200, json, JSON.stringify({ Code: '401', Message: 'Token expired' })],
  [200, json, JSON.stringify({ message: 'Token not found' })],
  [200, json, JSON.stringify('UnauthorizedException: token expired')],
  [400, json, JSON.stringify({ error: 'invalid_token', error_description: 'The access token expired' })],
  [
    500,
    json,
    JSON.stringify({ timestamp: '2026-01-01T00:00:00Z', status: 500, message: 'token is revoked' }),
  ],
];

describe('a token rejection the gateway writes in the body, whatever the status', () => {
  for (const [status, type, body] of REJECTIONS) {
    it(`${status} ${body}: one re-validate and one replay, then the new token is used`, async () => {
      rejectedWith = { status, type, body };
      await withRawClient(url, async (c) => {
        await lookup(c);
        live.clear(); // the gateway forgot every token
        await expect(lookup(c)).resolves.toMatchObject({ firstName: { th: 'สมชาย' } });
        await expect(lookup(c)).resolves.toBeDefined();
        expect(c.stats()).toMatchObject({ validations: 2, tokenReplays: 1 });
      });
      expect(issued).toBe(2);
      expect(dataCalls).toBe(4);
    });
  }

  it('rejected again right after the re-validate: ERR_GDX_AUTH (tokenRejected), after exactly one replay', async () => {
    rejectedWith = { status: 200, type: 'text/plain', body: 'UnauthorizedException: token not found' };
    await withRawClient(url, async (c) => {
      await lookup(c);
      live.clear();
      forgetIssued = true;
      const err = (await rejection(lookup(c))) as unknown as GdxError;
      expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
      expect(err.tokenRejected).toBe(true);
    });
    expect(issued).toBe(2);
    expect(dataCalls).toBe(3);
  });
});

describe('what is not a token rejection stays what it is (no re-validate)', () => {
  it('a record that mentions a token (more than a gateway message) is data', async () => {
    answer = JSON.stringify({ ...PERSON, remark: 'token expired', titleDesc: 'นาย', gender: 'M' });
    await withRawClient(url, async (c) => {
      await expect(lookup(c)).resolves.toMatchObject({ firstName: { th: 'สมชาย' } });
    });
    expect(issued).toBe(1);
    expect(dataCalls).toBe(1);
  });

  it('a documented Linkage code (90001) keeps its meaning even if its message speaks of a token', async () => {
    answer = JSON.stringify({ Code: 90001, Message: 'Agent token expired: log in to GovAMI again' });
    const err = (await withRawClient(url, (c) => rejection(lookup(c)))) as unknown as GdxError;
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '90001', tokenRejected: false });
    expect(issued).toBe(1);
    expect(dataCalls).toBe(1);
  });

  for (const envelope of [
    { status: 1, errorCode: 'E104', message: 'Payment token expired', data: null },
    { status: 1, message: 'Payment token expired' },
  ]) {
    it(`e-Payment ${JSON.stringify(envelope)}: a business error, and a create is sent once`, async () => {
      answer = JSON.stringify(envelope);
      const err = (await withRawClient(url, (c) =>
        rejection(
          c.call(
            {
              method: 'POST',
              path: '/ws/dga/payment/create',
              envelope: 'payment',
              body: { json: { ref1: 'A1' } },
            },
            { agentId: 'registry-system' },
          ),
        ),
      )) as unknown as GdxError;
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', tokenRejected: false });
      expect(issued).toBe(1);
      expect(dataCalls).toBe(1);
    });
  }

  it("an e-Payment call's gateway page about the token is still replayed", async () => {
    rejectedWith = { status: 200, type: 'text/plain', body: 'UnauthorizedException: token expired' };
    answer = JSON.stringify({ status: 0, errorCode: '', message: 'ok', data: { state: 'PAID' } });
    await withRawClient(url, async (c) => {
      const status = () =>
        c.call({ path: '/ws/dga/payment/status', envelope: 'payment' }, { agentId: 'registry-system' });
      await status();
      live.clear();
      await expect(status()).resolves.toMatchObject({ data: { state: 'PAID' } });
      expect(c.stats().tokenReplays).toBe(1);
    });
    expect(issued).toBe(2);
  });
});
