import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { httpServer } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/index.js';
import { rejection } from './helpers.js';

const citizenId = '1101700230708';
const first = 'สมชาย';
const last = 'ใจดี';
const laser = 'JT1234567890';

function serialize(err: unknown): string {
  const e = err as Error & { xroadDetail?: string };
  return [
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String(err),
    e.stack ?? '',
    e.message,
    e.xroadDetail,
  ].join('\n');
}

async function failing(answer: (res: ServerResponse) => void, call: (c: ExchangeClient) => Promise<unknown>) {
  const server = await httpServer((req, res) => {
    if (req.url?.startsWith('/ws/auth/validate'))
      return res.end(JSON.stringify({ Result: 'tok-echo-test-000001' }));
    answer(res);
  });
  const client = new ExchangeClient({
    baseUrl: server.url,
    consumerKey: 'ck-echo-test',
    consumerSecret: 'cs-echo-test-secret',
    agentId: citizenId,
    retry: { maxRetries: 0 },
  });
  try {
    return (await rejection(call(client))) as Error & { code: string; xroadDetail?: string };
  } finally {
    await client.close();
    await server.close();
  }
}

describe('server free text with personal names', () => {
  it('is masked in an X-Road error message and xroadDetail', async () => {
    const name = 'นายสมชาย ใจดี';
    const err = await failing(
      (res) => {
        res.writeHead(500, {
          'content-type': 'application/json',
          'x-road-error': 'Server.ServerProxy.DatabaseError',
        });
        res.end(
          JSON.stringify({
            type: 'Server.ServerProxy.DatabaseError',
            message: `No record for Mr. Somchai Jaidee / ${name}`,
            detail: `holder ${name}`,
          }),
        );
      },
      (c) => c.getPerson({ citizenId }),
    );
    expect(err.code).toBe('ERR_GDX_XROAD');
    expect(err.message).toBe('X-Road error Server.ServerProxy.DatabaseError: No record for [NAME] / [NAME]');
    expect(err.xroadDetail).toBe('holder [NAME]');
    expect(serialize(err)).not.toMatch(/Somchai|สมชาย|ใจดี/);
  });
});

describe('sensitiveValues echoed in a response header', () => {
  const header = `laser ${laser} name ${encodeURIComponent(first)}+${encodeURIComponent(last)}`;
  it.each([
    [400, 'ERR_HTTP'],
    [500, 'ERR_GDX_BUSINESS'],
  ])('are masked in err.response.headers (HTTP %s)', async (status, code) => {
    const err = await failing(
      (res) => {
        res.writeHead(status, { 'x-error-detail': header, 'content-type': 'text/plain' });
        res.end(status === 500 ? '[4]' : 'bad request');
      },
      (c) =>
        c.verifyLaserCode({
          citizenId,
          firstName: first,
          lastName: last,
          birthDateBe: '25300101',
          laserCode: laser,
        }),
    );
    expect(err.code).toBe(code);
    const seen = serialize(err);
    for (const v of [laser, encodeURIComponent(first), encodeURIComponent(last)])
      expect(seen, v).not.toContain(v);
  });
});
