import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, runDoctor } from '../../src/index.js';

/**
 * Redact before truncating: `thgov doctor` quotes the first 200 characters of a refused validate's body.
 * Cut first, a citizen ID at the cut kept 12 digits (the check digit gives back the 13th) in the report.
 */

const ID = completeThaiId('110370012345');
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end(`${'r'.repeat(200 - 12)}${ID} and more text after the cut`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('redact before truncate (doctor)', () => {
  it('a refused validate quotes the body with no part of a citizen ID', async () => {
    const config = parseConfig(
      {
        exchange: {
          baseUrl: url,
          consumerKey: 'k',
          consumerSecret: 'doctor-secret-1',
          agentId: 'thgov-doctor-test',
        },
      },
      { env: {} },
    );
    const report = await runDoctor(config);
    const validate = report.checks.find((c) => c.id === 'exchange.validate');
    expect(validate?.status).toBe('fail');
    expect(validate?.message).toContain('GDX refused validate: HTTP 401 rrr');
    expect(JSON.stringify(report).replace(/\D/g, '')).not.toContain(ID.slice(0, 8));
  });
});
