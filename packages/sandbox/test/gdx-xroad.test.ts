import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb.close());

const enc = (id: string) => id.split('/').map(encodeURIComponent).join('/');

async function xroad(path: string, headers: Record<string, string>) {
  const res = await fetch(`${sb.gdx.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

describe('X-Road REST (r1) routes of the sandbox gateway', () => {
  it('serves the fixture services by service identifier, with X-Road-Id and X-Road-Request-Hash', async () => {
    const p = sb.population.people[20]!;
    const officer = sb.gdx.officers[0]!;
    const r = await xroad(
      `/r1/${enc(sb.gdx.xroad.services.dopaLinkage)}/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${p.citizenId}`,
      {
        'X-Road-Client': enc(sb.gdx.xroad.clients[0]!),
        'X-Road-Id': 'id-123',
        'X-Road-UserId': `TH${officer}`,
      },
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).firstName).toBe(p.firstName.th);
    expect(r.headers.get('x-road-id')).toBe('id-123');
    expect(r.headers.get('x-road-request-hash')).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    const entry = sb.gdx.usage.entries({ via: 'xroad', subject: p.citizenId })[0];
    expect(entry).toMatchObject({
      consumer: sb.gdx.xroad.clients[0],
      agentId: officer,
      service: 'dopa/linkage/001',
    });
  });

  it('the request hash differs per request', async () => {
    const c = sb.population.companies[0]!;
    const h = { 'X-Road-Client': sb.gdx.xroad.clients[0]! };
    const path = `/r1/${sb.gdx.xroad.services.dbdJuristic}/profile/information?JuristicID=${c.juristicId}`;
    const a = await xroad(path, { ...h, 'X-Road-Id': 'a' });
    const b = await xroad(path, { ...h, 'X-Road-Id': 'b' });
    expect(a.headers.get('x-road-request-hash')).not.toBe(b.headers.get('x-road-request-hash'));
  });

  it('errors carry X-Road-Error and a {type, message, detail} body', async () => {
    const c = sb.population.companies[0]!;
    const path = `/r1/${sb.gdx.xroad.services.dbdJuristic}/profile/information?JuristicID=${c.juristicId}`;
    const cases: [Record<string, string>, string, number][] = [
      [{}, 'Client.BadRequest', 400],
      [{ 'X-Road-Client': 'TH/ONLY' }, 'Client.BadRequest', 400],
      [{ 'X-Road-Client': 'TH/ONLY/THREE' }, 'Server.ServerProxy.AccessDenied', 403], // a legal, unregistered member
      [{ 'X-Road-Client': 'TH-SANDBOX/GOV/NOBODY/sys' }, 'Server.ServerProxy.AccessDenied', 403],
      [{ 'X-Road-Client': sb.gdx.xroad.clients[1]! }, 'Server.ServerProxy.AccessDenied', 403], // DOPA-only client
    ];
    for (const [headers, type, status] of cases) {
      const r = await xroad(path, headers);
      expect(r.status).toBe(status);
      expect(r.headers.get('x-road-error')).toBe(type);
      const body = JSON.parse(r.text) as Record<string, string>;
      expect(body.type).toBe(type);
      expect(body.message?.length).toBeGreaterThan(0);
      expect(body.detail).toMatch(/^[0-9a-f-]{36}$/);
    }
    const unknown = await xroad('/r1/TH-SANDBOX/GOV/X/y/no-such-service/path', {
      'X-Road-Client': sb.gdx.xroad.clients[0]!,
    });
    expect(unknown.headers.get('x-road-error')).toBe('Server.ServerProxy.UnknownService');
    const malformed = await xroad('/r1/TH/%E0%A4%A/x', { 'X-Road-Client': sb.gdx.xroad.clients[0]! });
    expect(malformed.headers.get('x-road-error')).toBe('Client.BadRequest');
  });

  it('provider answers pass through: 90001 without an officer session, 404 for no data', async () => {
    const p = sb.population.people[21]!;
    const h = { 'X-Road-Client': sb.gdx.xroad.clients[0]! };
    const noUser = await xroad(
      `/r1/${sb.gdx.xroad.services.dopaLinkage}/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${p.citizenId}`,
      h,
    );
    expect(JSON.parse(noUser.text)).toMatchObject({ Code: 90001 });
    expect(noUser.headers.get('x-road-error')).toBeNull();
    const none = await xroad(
      `/r1/${sb.gdx.xroad.services.dbdJuristic}/profile/information?JuristicID=0105500000000`,
      h,
    );
    expect(none.status).toBe(404);
  });
});

describe('the switchable Security Server profile', () => {
  const linkPath = (n: number) =>
    `/r1/${enc(sb.gdx.xroad.services.dopaLinkage)}/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${sb.population.people[n]!.citizenId}`;
  const officer = () => ({ 'X-Road-UserId': `TH${sb.gdx.officers[0]!}` });

  it('raises Server.* faults as HTTP 500 and Client.* faults as 400, with X-Road-Id and no request hash', async () => {
    const ss = sb.gdx.xroad.securityServer;
    ss.reset();
    ss.inject({ type: 'Server.ServerProxy.NetworkError' }, { type: 'Client.InvalidRequest' });
    const h = { 'X-Road-Client': sb.gdx.xroad.clients[0]!, 'X-Road-Id': 'ss-1', ...officer() };
    const a = await xroad(linkPath(22), h);
    const b = await xroad(linkPath(22), h);
    const c = await xroad(linkPath(22), h);
    expect([a.status, b.status, c.status]).toEqual([500, 400, 200]);
    expect(a.headers.get('x-road-error')).toBe('Server.ServerProxy.NetworkError');
    expect(b.headers.get('x-road-error')).toBe('Client.InvalidRequest');
    for (const r of [a, b]) {
      expect(r.headers.get('x-road-id')).toBe('ss-1');
      expect(r.headers.get('x-road-request-hash')).toBeNull();
      expect(JSON.parse(r.text).detail).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The provider answered the third: it carries the hash.
    expect(c.headers.get('x-road-request-hash')).toMatch(/^[A-Za-z0-9+/]{80,}={0,2}$/);
    expect(ss.pendingFaults).toBe(0);
    expect(ss.received().map((r) => r.headers['x-road-id'])).toEqual(['ss-1', 'ss-1', 'ss-1']);
  });

  it('its own AccessDenied carries no request hash; times and an explicit status are honoured', async () => {
    const ss = sb.gdx.xroad.securityServer;
    ss.reset();
    const denied = await xroad(linkPath(23), { 'X-Road-Client': 'TH-SANDBOX/GOV/NOBODY/sys' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-road-request-hash')).toBeNull();
    ss.inject({ type: 'Server.ServerProxy.ServiceTimeout', status: 504, times: 2 });
    const h = { 'X-Road-Client': sb.gdx.xroad.clients[0]!, ...officer() };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await xroad(linkPath(23), h)).status);
    expect(statuses).toEqual([504, 504, 200]);
  });

  it('accepts a member-level client (3 parts) and a member code with "/" sent percent-encoded', async () => {
    const member = sb.gdx.xroad.clients[2]!;
    const legacy = sb.gdx.xroad.clients[3]!;
    expect(member.split('/')).toHaveLength(3);
    expect(legacy).toContain('%2F');
    for (const client of [member, legacy]) {
      const r = await xroad(linkPath(24), { 'X-Road-Client': client, ...officer() });
      expect(r.status).toBe(200);
    }
    // The same code sent with a raw "/" is another (5-part, malformed) identifier.
    const raw = await xroad(linkPath(24), { 'X-Road-Client': decodeURIComponent(legacy), ...officer() });
    expect(raw.headers.get('x-road-error')).toBe('Client.BadRequest');
  });
});
