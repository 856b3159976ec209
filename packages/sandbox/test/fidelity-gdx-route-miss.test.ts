import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GdxGateway, generatePopulation, startGdxGateway } from '../src/index.js';

/**
 * GDX's gateway is WSO2 API Manager. A path it routes to no resource never reaches a provider: WSO2's first
 * handler (before any credential check) answers 404 with its own fault, `<am:fault>` (or its JSON twin)
 * "No matching resource found for given API Request", and a known resource called with a verb it does not have
 * 405 "Method not allowed for given API resource". The sandbox answered a bare "Not Found" (which a client
 * rightly reads as the provider's "no such data") and checked the Consumer-Key and token first. A client tested
 * against it would tell an officer "no such citizen" for every lookup while its base URL or path prefix is wrong.
 */
const population = generatePopulation({ seed: 8, people: 4, companies: 1 });
let gdx: GdxGateway;
let token: string;

const consumer = () => gdx.consumers[0]!;
const cid = () => population.people[2]!.citizenId;
const auth = () => ({ 'Consumer-Key': consumer().consumerKey, Token: token });

async function send(method: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gdx.url}${path}`, { method, headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

beforeAll(async () => {
  gdx = await startGdxGateway({ population, seed: 8 });
  const r = await send(
    'GET',
    `/ws/auth/validate?ConsumerSecret=${encodeURIComponent(consumer().consumerSecret)}&AgentID=${gdx.officers[0]}`,
    { 'Consumer-Key': consumer().consumerKey },
  );
  token = (JSON.parse(r.text) as { Result: string }).Result;
});
afterAll(() => gdx.close());

const MISSES = [
  `/ws/dopa/linkage/v9/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${'CID'}`,
  '/ws/nothing/here',
  '/api/dopa/linkage/v1/link',
  '/',
];

describe("GDX gateway: a path it routes nowhere gets WSO2's own 404 fault", () => {
  it('XML <am:fault> 404 "No matching resource found for given API Request", not a bare "Not Found"', async () => {
    for (const miss of MISSES) {
      const r = await send('GET', miss.replace('CID', cid()), auth());
      expect(r.status, miss).toBe(404);
      expect(r.type, miss).toMatch(/^application\/xml/);
      expect(r.text, miss).toMatch(/^<am:fault xmlns:am="http:\/\/wso2\.org\/apimanager">/);
      expect(r.text, miss).toContain('<am:code>404</am:code>');
      expect(r.text, miss).toContain('<am:type>Status report</am:type>');
      expect(r.text, miss).toContain(
        '<am:description>No matching resource found for given API Request</am:description>',
      );
      // The gateway's page echoes nothing of the request (no citizen ID).
      expect(r.text, miss).not.toContain(cid());
    }
  });

  it('the route is matched before the credentials: no key or a dead token still gets the 404 fault', async () => {
    const path = `/ws/dopa/linkage/v2/link?CitizenID=${cid()}`;
    const callers: Record<string, string>[] = [
      {},
      { 'Consumer-Key': 'nobody' },
      { ...auth(), Token: 'dead' },
    ];
    for (const headers of callers) {
      const r = await send('GET', path, headers);
      expect(r.status).toBe(404);
      expect(r.text).toContain('No matching resource found for given API Request');
      expect(r.text).not.toMatch(/consumer not found|token not found/);
    }
  });

  it('the JSON form when the quirk asks for it', async () => {
    gdx.quirks.gatewayFaultFormat = 'json';
    try {
      const r = await send('GET', '/ws/nothing/here', auth());
      expect(r.status).toBe(404);
      expect(r.type).toMatch(/^application\/json/);
      expect(JSON.parse(r.text)).toEqual({
        code: '404',
        type: 'Status report',
        message: 'Runtime Error',
        description: 'No matching resource found for given API Request',
      });
    } finally {
      gdx.quirks.gatewayFaultFormat = 'xml';
    }
  });

  it("a wrong verb on a known resource gets WSO2's 405 fault, also without credentials", async () => {
    const laser = `/ws/dopa/verification/personal?CitizenID=${cid()}`;
    for (const headers of [auth(), {}]) {
      const r = await send('DELETE', laser, headers);
      expect(r.status).toBe(405);
      expect(r.text).toContain('<am:code>405</am:code>');
      expect(r.text).toContain('Method not allowed for given API resource');
    }
    // e-Payment too: GET on create is the gateway's 405, whatever the caller's rights.
    for (const path of ['/ws/dga/payment/create', '/ws/dga/uat/payment/void']) {
      const p = await send('GET', path, { 'Consumer-Key': gdx.consumers[1]!.consumerKey });
      expect(p.status, path).toBe(405);
      expect(p.text, path).toContain('Method not allowed for given API resource');
    }
    const v = await send('POST', '/ws/auth/validate?ConsumerSecret=x&AgentID=y', {});
    expect(v.status).toBe(405);
    expect(v.text).toContain('Method not allowed for given API resource');
  });

  it('a route miss is in the usage log as a 404 with no service of the catalog', async () => {
    const before = gdx.usage.entries().length;
    await send('GET', '/ws/nothing/else', auth());
    const last = gdx.usage.entries().slice(before);
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ status: 404, service: '/ws/nothing/else' });
  });

  it('is on by default', () => {
    expect(gdx.quirks.unroutedPathFault).toBe(true);
  });

  it('turned off (a made-up path standing in for a provider resource): the bare 404 after the credentials', async () => {
    gdx.quirks.unroutedPathFault = false;
    try {
      expect((await send('GET', '/ws/nothing/here', {})).status).toBe(403);
      expect(await send('GET', '/ws/nothing/here', auth())).toMatchObject({ status: 404, text: 'Not Found' });
    } finally {
      gdx.quirks.unroutedPathFault = true;
    }
  });

  it('known resources still answer (guard)', async () => {
    const r = await send(
      'GET',
      `/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${cid()}`,
      auth(),
    );
    expect(r.status).toBe(200);
    const missing = await send(
      'GET',
      '/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=1101700230708',
      auth(),
    );
    // The provider's own "no such data" stays an empty 404.
    expect(missing).toMatchObject({ status: 404, text: '' });
  });
});
