import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId, HttpError, isThGovError } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXCHANGE_ERROR_CODES, ExchangeClient, GdxError, isGdxError } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const person = () => h.sandbox.population.people[30]!;

describe('every GDX envelope becomes one GdxError', () => {
  it('403 ForbiddenException: consumer not found → ERR_GDX_AUTH, not retried', async () => {
    const client = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: 'no-such-consumer-key',
      consumerSecret: 'whatever-secret',
    });
    const before = h.sandbox.gdx.usage.count('auth/validate', 403);
    const err = await rejection(client.getPerson({ citizenId: person().citizenId }, { agentId: h.officer }));
    await client.close();
    expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
    expect(err.message).toMatch(/consumer not found/);
    expect((err as unknown as GdxError).statusCode).toBe(403);
    expect(h.sandbox.gdx.usage.count('auth/validate', 403) - before).toBe(1);
  });

  it('a wrong Consumer-Secret → ERR_GDX_AUTH', async () => {
    const c = h.sandbox.gdx.consumers[0]!;
    const client = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: c.consumerKey,
      consumerSecret: 'wrong-secret-1',
    });
    const err = await rejection(client.getPerson({ citizenId: person().citizenId }, { agentId: h.officer }));
    await client.close();
    expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
    expect((err as unknown as GdxError).statusCode).toBe(401);
  });

  it('401 without "token not found" (no right to the data) → ERR_GDX_FORBIDDEN', async () => {
    const c = h.sandbox.gdx.consumers[1]!; // DOPA only
    const client = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: c.consumerKey,
      consumerSecret: c.consumerSecret,
    });
    const company = h.sandbox.population.companies[0]!;
    const err = await rejection(
      client.getJuristicProfile({ juristicId: company.juristicId }, { agentId: h.officer }),
    );
    await client.close();
    expect(isGdxError(err, 'ERR_GDX_FORBIDDEN')).toBe(true);
    expect((err as unknown as GdxError).envelope).toBe('status');
    expect(h.sandbox.gdx.usage.entries({ service: 'dbd/juristic/profile', status: 401 })).toHaveLength(1);
  });

  it('404 → ERR_GDX_NOT_FOUND (a valid but unknown citizen ID)', async () => {
    const unknown = completeThaiId('110170023070');
    expect(h.sandbox.population.byCitizenId.has(unknown)).toBe(false);
    const err = await rejection(h.client.getPerson({ citizenId: unknown }, { agentId: h.officer }));
    expect(isGdxError(err, 'ERR_GDX_NOT_FOUND')).toBe(true);
    expect((err as unknown as GdxError).statusCode).toBe(404);
  });

  it('Linkage {Code: 90001} when the officer has no DOPA session → ERR_GDX_BUSINESS, never retried', async () => {
    const agent = h.sandbox.population.people[40]!.citizenId;
    h.sandbox.gdx.setOfficerSession(agent, 'AgentNotAvailable');
    const err = await rejection(h.client.getPerson({ citizenId: person().citizenId }, { agentId: agent }));
    expect(isGdxError(err, 'ERR_GDX_BUSINESS')).toBe(true);
    const e = err as unknown as GdxError;
    expect(e.providerCode).toBe('90001');
    expect(e.envelope).toBe('linkage');
    expect(e.retryable).toBe(false);
    expect(e.hint).toMatch(/GovAMI/);
    expect(h.sandbox.gdx.usage.entries({ agentId: agent, service: 'dopa/linkage/001' })).toHaveLength(1);
    // The same officer after logging in to GovAMI: the call goes through.
    h.sandbox.gdx.setOfficerSession(agent, 'AgentAvailable');
    await expect(
      h.client.getPerson({ citizenId: person().citizenId }, { agentId: agent }),
    ).resolves.toBeTruthy();
  });

  it("CitizenAvailable allows the citizen's own record only", async () => {
    const citizen = h.sandbox.population.people[41]!.citizenId;
    h.sandbox.gdx.setOfficerSession(citizen, 'CitizenAvailable');
    await expect(h.client.getPerson({ citizenId: citizen }, { agentId: citizen })).resolves.toBeTruthy();
    const err = await rejection(h.client.getPerson({ citizenId: person().citizenId }, { agentId: citizen }));
    expect((err as unknown as GdxError).providerCode).toBe('90001');
  });

  it('laser-code [4] (mismatch) and [2] (voided card) as HTTP 500 → ERR_GDX_BUSINESS, not retried', async () => {
    const valid = h.sandbox.population.people.find((p) => p.cardValid)!;
    const input = {
      citizenId: valid.citizenId,
      firstName: valid.firstName.th,
      lastName: valid.lastName.th,
      birthDateBe: valid.birthDateBe,
      laserCode: valid.laserCode.slice(0, 2) === 'AA' ? 'BB0000000000' : 'AA0000000000',
    };
    const before = h.sandbox.gdx.usage.count('dopa/laser-verification');
    const e4 = (await rejection(
      h.client.verifyLaserCode(input, { agentId: h.officer }),
    )) as unknown as GdxError;
    expect(e4.code).toBe('ERR_GDX_BUSINESS');
    expect(e4.providerCode).toBe('4');
    expect(e4.envelope).toBe('bracket');
    expect(e4.statusCode).toBe(500);
    expect(h.sandbox.gdx.usage.count('dopa/laser-verification') - before).toBe(1);

    const voided = h.sandbox.population.people.find((p) => !p.cardValid);
    expect(voided).toBeDefined();
    const e2 = (await rejection(
      h.client.verifyLaserCode(
        {
          citizenId: voided!.citizenId,
          firstName: voided!.firstName.th,
          lastName: voided!.lastName.th,
          birthDateBe: voided!.birthDateBe,
          laserCode: voided!.laserCode,
        },
        { agentId: h.officer },
      ),
    )) as unknown as GdxError;
    expect(e2.providerCode).toBe('2');
    expect(e2.message).toMatch(/voided/);
  });

  it('a wrong declared PDF hash → ERR_GDX_INTEGRITY', async () => {
    h.sandbox.gdx.quirks.corruptPdfHash = true;
    try {
      const c = h.sandbox.population.companies[5]!;
      const err = await rejection(
        h.client.getJuristicProfilePdf({ juristicId: c.juristicId }, { agentId: h.officer }),
      );
      expect(isGdxError(err, 'ERR_GDX_INTEGRITY')).toBe(true);
    } finally {
      h.sandbox.gdx.quirks.corruptPdfHash = false;
    }
  });

  it("503 on every attempt → ERR_HTTP after the transport's bounded retries", async () => {
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/dbd', unavailable: 1 }] });
    try {
      const before = h.sandbox.gdx.usage.count('dbd/juristic/profile', 503);
      const c = h.sandbox.population.companies[6]!;
      const err = await rejection(
        h.client.getJuristicProfile({ juristicId: c.juristicId }, { agentId: h.officer }),
      );
      expect(isThGovError(err, 'ERR_HTTP')).toBe(true);
      expect(h.sandbox.gdx.usage.count('dbd/juristic/profile', 503) - before).toBe(4);
    } finally {
      h.sandbox.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('the code list documents every code the client raises', () => {
    expect(Object.keys(EXCHANGE_ERROR_CODES).sort()).toEqual(
      [
        'ERR_GDX_AGENT_ID',
        'ERR_GDX_AUTH',
        'ERR_GDX_BUSINESS',
        'ERR_GDX_FORBIDDEN',
        'ERR_GDX_INTEGRITY',
        'ERR_GDX_NOT_FOUND',
        'ERR_GDX_XROAD',
      ].sort(),
    );
  });
});

describe('envelopes and hostile bodies from a raw server', () => {
  let server: Server;
  let url: string;
  let respond: (path: string) => { status: number; body: string; headers?: Record<string, string> };
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url?.startsWith('/ws/auth/validate')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Result: 'raw-server-token-0001' }));
        return;
      }
      const r = respond(req.url ?? '');
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    new ExchangeClient({
      baseUrl: url,
      consumerKey: 'raw-key-000001',
      consumerSecret: 'raw-secret-000001',
      agentId: 'raw-test-system',
      retry: { baseDelayInMs: 1, maxDelayInMs: 5 },
      pathPrefixes: { '/ws/dga': '/uat' },
    });

  it('e-Payment {status != 0, errorCode} → ERR_GDX_BUSINESS with the provider code, POST not retried', async () => {
    respond = () => ({
      status: 200,
      body: JSON.stringify({ status: 1, errorCode: 'E102', message: 'duplicate ref', data: null }),
    });
    const c = client();
    seen.length = 0;
    const err = (await rejection(
      c.call({
        method: 'POST',
        path: '/ws/dga/payment/create',
        body: { json: { ref: 'x' } },
        envelope: 'payment',
      }),
    )) as unknown as GdxError;
    await c.close();
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.providerCode).toBe('E102');
    expect(err.envelope).toBe('payment');
    // pathPrefixes put the environment segment in: /ws/dga/uat/payment/create.
    expect(seen.filter((s) => s.startsWith('/ws/dga/'))).toEqual(['/ws/dga/uat/payment/create']);
  });

  it('a per-call pathPrefix overrides the configured one', async () => {
    respond = () => ({
      status: 200,
      body: JSON.stringify({ status: 0, errorCode: null, message: 'ok', data: { paid: true } }),
    });
    const c = client();
    seen.length = 0;
    const out = await c.call({
      path: '/ws/dga/payment/status',
      query: { ref: 'x' },
      envelope: 'payment',
      pathPrefix: '/dev',
      schema: z.object({ data: z.object({ paid: z.boolean() }) }),
    });
    await c.close();
    expect(out.data.paid).toBe(true);
    expect(seen.at(-1)).toBe('/ws/dga/dev/payment/status?ref=x');
  });

  it('invalid JSON → ERR_RESPONSE_PARSE; wrong shape → ERR_RESPONSE_SCHEMA; both with the request id', async () => {
    const c = client();
    respond = () => ({ status: 200, body: '{"not json' });
    const parse = await rejection(c.call({ path: '/ws/x' }, { requestId: 'req-parse-1' }));
    expect(isThGovError(parse, 'ERR_RESPONSE_PARSE')).toBe(true);
    expect(parse.requestId).toBe('req-parse-1');
    respond = () => ({ status: 200, body: JSON.stringify({ firstName: 1 }) });
    const citizenId = h.sandbox.population.people[0]!.citizenId;
    const schema = await rejection(c.getPerson({ citizenId }));
    expect(isThGovError(schema, 'ERR_RESPONSE_SCHEMA')).toBe(true);
    await c.close();
  });

  it('a huge body is cut off by maxResponseBytes → ERR_RESPONSE_TOO_LARGE', async () => {
    respond = () => ({ status: 200, body: JSON.stringify({ pad: 'x'.repeat(300_000) }) });
    const c = new ExchangeClient({
      baseUrl: url,
      consumerKey: 'raw-key-000001',
      consumerSecret: 'raw-secret-000001',
      agentId: 'raw-test-system',
      maxResponseBytes: 100_000,
    });
    const err = await rejection(c.call({ path: '/ws/big' }));
    await c.close();
    expect(isThGovError(err, 'ERR_RESPONSE_TOO_LARGE')).toBe(true);
  });

  it('{Code, Message} in a 200 with an unknown code is still a business error; Code 0 is not', async () => {
    const c = client();
    respond = () => ({ status: 200, body: JSON.stringify({ Code: 12345, Message: 'something' }) });
    const err = (await rejection(c.call({ path: '/ws/x' }))) as unknown as GdxError;
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.providerCode).toBe('12345');
    respond = () => ({ status: 200, body: JSON.stringify({ Code: 0, Message: 'success' }) });
    await expect(c.call({ path: '/ws/x' })).resolves.toEqual({ Code: 0, Message: 'success' });
    await c.close();
  });
});

describe('isGdxError', () => {
  it('checks the thgov brand, the class name and the code', () => {
    const e = new GdxError('ERR_GDX_AUTH', 'token refused', { envelope: 'status' });
    expect(isGdxError(e)).toBe(true);
    expect(isGdxError(e, 'ERR_GDX_AUTH')).toBe(true);
    expect(isGdxError(e, 'ERR_GDX_FORBIDDEN')).toBe(false);
    // The same code on another class, a look-alike object, and a copy whose brand was lost in a clone.
    expect(isGdxError(new HttpError('ERR_GDX_AUTH', 'x'))).toBe(false);
    expect(isGdxError({ name: 'GdxError', code: 'ERR_GDX_AUTH', message: 'x' })).toBe(false);
    expect(isGdxError(Object.assign(new Error('x'), { name: 'GdxError', code: 'ERR_GDX_AUTH' }))).toBe(true);
  });
});
