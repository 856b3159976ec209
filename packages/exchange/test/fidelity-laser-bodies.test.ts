import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GdxError } from '../src/index.js';
import { rejection, withRawClient } from './helpers.js';

/**
 * Reference (gdx.md): DOPA's laser check fails with "HTTP 500 with body codes like `[2]` (card voided) or `[4]`
 * (not found / mismatch) — a business error, never retried". The bracket code arrives however the back end
 * serialises it: bare text, a JSON string (a .NET/Java endpoint returning a string), after a BOM, with text.
 */

let body = '';
let type = 'text/plain';
let laserCalls = 0;
const server = createServer((req, res) => {
  req.resume();
  if ((req.url ?? '').startsWith('/ws/auth/validate')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Result: '6f1c2b8e-0000-4000-8000-000000000001' }));
    return;
  }
  laserCalls++;
  res.writeHead(500, { 'content-type': type });
  res.end(body);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const input = {
  citizenId: '1101700230708',
  firstName: 'สมมติ',
  lastName: 'ทดสอบ',
  birthDateBe: '25300115',
  laserCode: 'JT9999999999',
};

describe('laser-code failure bodies at HTTP 500', () => {
  const cases: Array<[string, string, string, string]> = [
    ['bare text', '[4]', 'text/plain', '4'],
    ['a JSON string', '"[4]"', 'application/json; charset=utf-8', '4'],
    ['a JSON string after a BOM', '\ufeff"[2]"', 'application/json', '2'],
    ['text after the code', '[2] card voided', 'text/plain', '2'],
  ];
  for (const [name, text, contentType, code] of cases) {
    it(`${name} (${JSON.stringify(text)}): ERR_GDX_BUSINESS [${code}], sent once`, async () => {
      body = text;
      type = contentType;
      laserCalls = 0;
      const err = (await withRawClient(url, (c) =>
        rejection(c.verifyLaserCode(input, { agentId: 'laser-system' })),
      )) as unknown as GdxError;
      expect(err.code).toBe('ERR_GDX_BUSINESS');
      expect(err.providerCode).toBe(code);
      expect(laserCalls).toBe(1);
    });
  }
});
