import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GdxGateway, generatePopulation, startGdxGateway } from '../src/index.js';

/**
 * WSO2 API Manager (GDX's gateway) answers a throttled call with 429 and its own throttling fault: code 9008xx,
 * "Message throttled out", "You have exceeded your quota" and the next access time, as `<amt:fault>` XML or
 * `{"fault": {...}}` JSON, with Retry-After. The sandbox sent a bare "Too Many Requests": a client's handling of
 * a `{code, message}` body on a 429 (it is the gateway's, not a provider's verdict) was never exercised.
 */
const population = generatePopulation({ seed: 9, people: 3, companies: 1 });
let gdx: GdxGateway;

async function send(path: string) {
  const res = await fetch(`${gdx.url}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    retryAfter: res.headers.get('retry-after'),
    text: await res.text(),
  };
}

beforeAll(async () => {
  gdx = await startGdxGateway({ population, seed: 9 });
});
afterAll(() => gdx.close());

describe("GDX gateway: throttling is WSO2's 429 fault", () => {
  it('XML <amt:fault> with 900800, the message, the quota description and the next access time', async () => {
    gdx.faults.setProfile({ rules: [{ route: '/ws/', rateLimited: 1, retryAfterSeconds: 2 }] });
    try {
      const r = await send('/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01');
      expect(r.status).toBe(429);
      expect(r.retryAfter).toBe('2');
      expect(r.type).toMatch(/^application\/xml/);
      expect(r.text).toMatch(/^<amt:fault xmlns:amt="http:\/\/wso2\.org\/apimanager\/throttling">/);
      expect(r.text).toContain('<amt:code>900800</amt:code>');
      expect(r.text).toContain('<amt:message>Message throttled out</amt:message>');
      expect(r.text).toContain('<amt:description>You have exceeded your quota</amt:description>');
      expect(r.text).toMatch(
        /<amt:nextAccessTime>\d{4}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2}\+0000 UTC<\/amt:nextAccessTime>/,
      );
    } finally {
      gdx.faults.setProfile({ rules: [] });
    }
  });

  it('the JSON form under the gatewayFaultFormat quirk (validate is throttled too)', async () => {
    gdx.faults.setProfile({ rules: [{ rateLimited: 1, retryAfterSeconds: 1, retryAfterAsDate: true }] });
    gdx.quirks.gatewayFaultFormat = 'json';
    try {
      const r = await send('/ws/auth/validate?ConsumerSecret=x&AgentID=y');
      expect(r.status).toBe(429);
      expect(Number.isNaN(Date.parse(r.retryAfter ?? ''))).toBe(false);
      expect(r.type).toMatch(/^application\/json/);
      const body = JSON.parse(r.text) as { fault: Record<string, unknown> };
      expect(body.fault).toMatchObject({
        code: 900800,
        message: 'Message throttled out',
        description: 'You have exceeded your quota',
      });
      expect(String(body.fault.nextAccessTime)).toMatch(/\+0000 UTC$/);
    } finally {
      gdx.quirks.gatewayFaultFormat = 'xml';
      gdx.faults.setProfile({ rules: [] });
    }
  });

  it('the X-Road side (a Security Server, not WSO2) keeps a plain 429 (guard)', async () => {
    gdx.faults.setProfile({ rules: [{ rateLimited: 1 }] });
    try {
      const r = await send(`/r1/${gdx.xroad.services.dopaLinkage}/link`);
      expect(r.status).toBe(429);
      expect(r.text).not.toContain('900800');
    } finally {
      gdx.faults.setProfile({ rules: [] });
    }
  });
});
