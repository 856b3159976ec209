import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent, type GdxError, isGdxError } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
let client: ExchangeClient;
const audit: GdxAuditEvent[] = [];

beforeAll(async () => {
  h = await harness();
  client = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    xroad: { client: h.sandbox.gdx.xroad.clients[0]!, services: h.sandbox.gdx.xroad.services },
    audit: { sink: { append: async (e) => void audit.push(e) } },
    retry: { baseDelayInMs: 1, maxDelayInMs: 10 },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('X-Road REST mode against the sandbox /r1 routes', () => {
  it('serves the same typed services with no Consumer-Key and no validate', async () => {
    const p = h.sandbox.population.people[70]!;
    const person = await client.getPerson(
      { citizenId: p.citizenId },
      { agentId: h.officer, caseRef: 'เลขที่ 12/2569' },
    );
    expect(person.firstName.en).toBe(p.firstName.en);
    const c = h.sandbox.population.companies[7]!;
    const profile = await client.getJuristicProfile(
      { juristicId: c.juristicId },
      { agentId: 'lookup-system' },
    );
    expect(profile.juristicId).toBe(c.juristicId);
    const pdf = await client.getJuristicProfilePdf(
      { juristicId: c.juristicId },
      { agentId: 'lookup-system' },
    );
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    expect(h.sandbox.gdx.usage.count('auth/validate')).toBe(0);
    const entry = h.sandbox.gdx.usage.entries({ via: 'xroad', subject: p.citizenId })[0];
    // The officer travels as X-Road-UserId (TH + citizen ID) and reaches the provider's usage log.
    expect(entry).toMatchObject({
      consumer: h.sandbox.gdx.xroad.clients[0],
      agentId: h.officer,
      status: 200,
    });
  });

  it('keeps X-Road-Request-Hash in the audit record', async () => {
    const p = h.sandbox.population.people[71]!;
    audit.length = 0;
    await client.getAddress({ citizenId: p.citizenId }, { agentId: h.officer, purpose: 'verify address' });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.extra?.xRoadRequestHash).toMatch(/^[A-Za-z0-9+/]{80,}={0,2}$/);
    expect(audit[0]).toMatchObject({
      client: h.sandbox.gdx.xroad.clients[0],
      operation: 'dopa.linkage.027',
      status: 'ok',
    });
  });

  it('X-Road AccessDenied → ERR_GDX_FORBIDDEN with the X-Road type', async () => {
    const dopaOnly = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      xroad: { client: h.sandbox.gdx.xroad.clients[1]!, services: h.sandbox.gdx.xroad.services },
    });
    const c = h.sandbox.population.companies[0]!;
    const err = (await rejection(
      dopaOnly.getJuristicProfile({ juristicId: c.juristicId }, { agentId: 'x-system' }),
    )) as unknown as GdxError;
    await dopaOnly.close();
    expect(err.code).toBe('ERR_GDX_FORBIDDEN');
    expect(err.envelope).toBe('xroad');
    expect(err.xroadType).toBe('Server.ServerProxy.AccessDenied');
  });

  it('an unregistered client subsystem → ERR_GDX_FORBIDDEN; an unknown service → ERR_GDX_XROAD', async () => {
    const stranger = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      xroad: { client: 'TH-SANDBOX/GOV/NOBODY/app', services: h.sandbox.gdx.xroad.services },
    });
    const p = h.sandbox.population.people[72]!;
    const e1 = await rejection(stranger.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }));
    await stranger.close();
    expect(isGdxError(e1, 'ERR_GDX_FORBIDDEN')).toBe(true);
    const e2 = (await rejection(
      client.call(
        { path: '/anything', xroadService: 'TH-SANDBOX/GOV/NOBODY/app/unknown-service' },
        { agentId: 'x-system' },
      ),
    )) as unknown as GdxError;
    expect(e2.code).toBe('ERR_GDX_XROAD');
    expect(e2.xroadType).toBe('Server.ServerProxy.UnknownService');
    expect(e2.statusCode).toBe(404);
  });

  it('provider errors pass through X-Road unchanged: 90001 and 404 are the same GdxErrors', async () => {
    const noSession = h.sandbox.population.people[73]!.citizenId;
    const p = h.sandbox.population.people[74]!;
    const e1 = (await rejection(
      client.getPerson({ citizenId: p.citizenId }, { agentId: noSession }),
    )) as unknown as GdxError;
    expect(e1.providerCode).toBe('90001');
    const unknownJuristic = completeThaiId('010556399999');
    expect(h.sandbox.population.byJuristicId.has(unknownJuristic)).toBe(false);
    const e2 = (await rejection(
      client.getJuristicProfile({ juristicId: unknownJuristic }, { agentId: 'x-system' }),
    )) as unknown as GdxError;
    expect(e2.code).toBe('ERR_GDX_NOT_FOUND');
    expect(e2.statusCode).toBe(404);
  });

  it('a wrapped service without a configured X-Road service id is an argument error', async () => {
    const partial = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      xroad: {
        client: h.sandbox.gdx.xroad.clients[0]!,
        services: { dopaLinkage: h.sandbox.gdx.xroad.services.dopaLinkage },
      },
    });
    const err = await rejection(
      partial.getJuristicProfile(
        { juristicId: h.sandbox.population.companies[0]!.juristicId },
        { agentId: 'x-system' },
      ),
    );
    await partial.close();
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(err.message).toMatch(/dbdJuristic/);
  });
});

describe('X-Road request headers', () => {
  let server: Server;
  let url: string;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', 'x-road-request-hash': 'abc=' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends X-Road-Client, X-Road-Id (= request id), X-Road-UserId and X-Road-Issue, parts percent-encoded', async () => {
    const c = new ExchangeClient({ baseUrl: url, xroad: { client: 'TH/GOV/MEMBER 1/sub', services: {} } });
    await c.call(
      { path: '/v1/items', xroadService: 'TH/GOV/PROVIDER/api/items-v1' },
      { agentId: h.officer, caseRef: 'คดี 5/2569', requestId: '9f1c2d3e-0000-4000-8000-000000000001' },
    );
    await c.close();
    const req = seen.at(-1)!;
    expect(req.url).toBe('/r1/TH/GOV/PROVIDER/api/items-v1/v1/items');
    expect(req.headers['x-road-client']).toBe('TH/GOV/MEMBER%201/sub');
    expect(req.headers['x-road-id']).toBe('9f1c2d3e-0000-4000-8000-000000000001');
    expect(req.headers['x-road-userid']).toBe(`TH${h.officer}`);
    expect(decodeURIComponent(String(req.headers['x-road-issue']))).toBe('คดี 5/2569');
    expect(req.headers['consumer-key']).toBeUndefined();
    expect(req.headers.token).toBeUndefined();
  });
});
