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
      [{ 'X-Road-Client': 'TH/ONLY/THREE' }, 'Client.BadRequest', 400],
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
