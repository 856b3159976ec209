import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxError } from '../../src/index.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * GDX forgets a token (idle expiry, a gateway restart, a revocation) and says so with a 401. The observed text is
 * "UnauthorizedException: token not found"; the same gateway family also words it "token expired", "Invalid
 * token", or as a JSON error object. A rejected token that the client does not recognise as one stays cached and
 * is used again by every call (each use keeps it "fresh" in the cache): the AgentID is locked out until its
 * traffic stops for the whole idle period, with an error that sends the developer to DGA for permissions.
 * Whatever the wording, a 401 about the token is answered by one re-validate and one replay; a 401 that does
 * not mention the token (no right to the data) is not.
 */

const CID = '1101700230708';
const PERSON = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' };

let server: Server;
let url = '';
let live = new Set<string>();
let issued = 0;
let rejectedText = '';
let dataCalls = 0;
let rejections = 0;
/** A 401 for a token the server knows too (no right to the data), when set. */
let noRight: string | undefined;
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
      const token = String(req.headers.token ?? '');
      if (!live.has(token) || noRight !== undefined) {
        if (!live.has(token)) rejections++;
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        return res.end(live.has(token) ? noRight : rejectedText);
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(PERSON));
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
  rejections = 0;
  noRight = undefined;
  forgetIssued = false;
});

const lookup = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });

const SPELLINGS = [
  'UnauthorizedException: token not found',
  'UnauthorizedException: token expired',
  'Unauthorized: Invalid token',
  'Token is revoked',
  JSON.stringify({ statusCode: 401, message: 'Token has expired', error: 'Unauthorized' }),
  JSON.stringify({ code: 401, message: 'invalid_token' }),
];

describe('a token GDX no longer knows, however the 401 words it', () => {
  for (const text of SPELLINGS) {
    it(`${JSON.stringify(text)}: one re-validate and one replay, then the token is cached again`, async () => {
      rejectedText = text;
      await withRawClient(url, async (c) => {
        await lookup(c);
        live.clear(); // the gateway forgot every token
        await expect(lookup(c)).resolves.toBeDefined();
        await expect(lookup(c)).resolves.toBeDefined();
        expect(c.stats()).toMatchObject({ validations: 2, tokenReplays: 1 });
      });
      expect(issued).toBe(2);
      expect(rejections).toBe(1);
      expect(dataCalls).toBe(4);
    });
  }

  it('16 concurrent calls with a revoked token: one re-validate, each call replayed at most once', async () => {
    rejectedText = 'UnauthorizedException: token expired';
    await withRawClient(url, async (c) => {
      await lookup(c);
      live.clear();
      const results = await Promise.all(Array.from({ length: 16 }, () => lookup(c)));
      expect(results).toHaveLength(16);
      expect(c.stats().validations).toBe(2);
      expect(c.stats().tokenReplays).toBe(rejections);
    });
    expect(issued).toBe(2);
    expect(dataCalls).toBe(1 + 16 + rejections);
  });

  it('a 401 that does not mention the token (no right to the data) is ERR_GDX_FORBIDDEN, no re-validate', async () => {
    for (const body of ['', 'Unauthorized', JSON.stringify({ message: 'No permission for this service' })]) {
      noRight = body;
      issued = 0;
      dataCalls = 0;
      const err = (await withRawClient(url, (c) => rejection(lookup(c)))) as unknown as GdxError;
      expect(isGdxError(err, 'ERR_GDX_FORBIDDEN'), body).toBe(true);
      expect(err.tokenRejected).toBe(false);
      expect(issued).toBe(1);
      expect(dataCalls).toBe(1);
    }
  });

  it('a token rejected again right after the re-validate is ERR_GDX_AUTH, after exactly one replay', async () => {
    rejectedText = 'UnauthorizedException: token expired';
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
