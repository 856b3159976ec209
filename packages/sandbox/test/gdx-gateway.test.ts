import { createHash } from 'node:crypto';
import { completeThaiId, isCitizenId, isJuristicId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sb: Sandbox;
let key: string;
let token: string;
let officer: string;

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sb.gdx.url}${path}`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    text,
    headers: res.headers,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

async function validate(agentId: string, consumer = sb.gdx.consumers[0]!) {
  const r = await get(
    `/ws/auth/validate?ConsumerSecret=${encodeURIComponent(consumer.consumerSecret)}&AgentID=${encodeURIComponent(agentId)}`,
    {
      'Consumer-Key': consumer.consumerKey,
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
  );
  return r;
}

const auth = () => ({ 'Consumer-Key': key, Token: token });
const link = (sid: string, cid: string) =>
  `/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=${sid}&Version=01&CitizenID=${cid}`;

beforeAll(async () => {
  sb = await startSandbox({ gdx: { tokenIdleTimeoutInMs: 60_000 } });
  key = sb.gdx.consumers[0]!.consumerKey;
  officer = sb.gdx.officers[0]!;
  token = String((await validate(officer)).json().Result);
});
afterAll(() => sb.close());

describe('GDX gateway: authentication quirks', () => {
  it('validate → {"Result": token} bound to the AgentID', async () => {
    const r = await validate(officer);
    expect(r.status).toBe(200);
    const t = r.json().Result;
    expect(t).toMatch(/^[0-9a-f-]{36}$/);
    expect(sb.gdx.tokens.list().find((x) => x.token === t)?.agentId).toBe(officer);
  });

  it('validate with lower-case `result` when the quirk is on', async () => {
    sb.gdx.quirks.resultKey = 'result';
    try {
      const r = await validate(officer);
      expect(Object.keys(r.json())).toEqual(['result']);
    } finally {
      sb.gdx.quirks.resultKey = 'Result';
    }
  });

  it('no or unknown Consumer-Key → 403 "ForbiddenException: consumer not found"', async () => {
    const none = await get(link('001', sb.population.people[5]!.citizenId));
    expect(none.status).toBe(403);
    expect(none.text).toBe('ForbiddenException: consumer not found');
    const bad = await get('/ws/auth/validate?ConsumerSecret=x&AgentID=sys-a', { 'Consumer-Key': 'nope' });
    expect(bad.status).toBe(403);
    expect(bad.text).toBe('ForbiddenException: consumer not found');
  });

  it('wrong secret → 401; malformed AgentID → 400', async () => {
    const c = sb.gdx.consumers[0]!;
    expect((await validate(officer, { ...c, consumerSecret: 'wrong' })).status).toBe(401);
    expect((await validate('12345')).status).toBe(400);
    expect((await validate('')).status).toBe(400);
  });

  it('missing, unknown or foreign token → 401 "UnauthorizedException: token not found"', async () => {
    const cid = sb.population.people[5]!.citizenId;
    const missing = await get(link('001', cid), { 'Consumer-Key': key });
    expect(missing.status).toBe(401);
    expect(missing.text).toBe('UnauthorizedException: token not found');
    const unknown = await get(link('001', cid), { 'Consumer-Key': key, Token: 'not-a-token' });
    expect(unknown.text).toBe('UnauthorizedException: token not found');
    // A token is only good with the consumer it was issued to.
    const other = sb.gdx.consumers[1]!;
    const foreign = await get(link('001', cid), { 'Consumer-Key': other.consumerKey, Token: token });
    expect(foreign.status).toBe(401);
  });

  it('tokens die after the idle timeout and expireAll() kills them at once', async () => {
    const local = await startSandbox({ gdx: { tokenIdleTimeoutInMs: 2_000 } });
    try {
      const c = local.gdx.consumers[0]!;
      const h = { 'Consumer-Key': c.consumerKey };
      const v = await fetch(
        `${local.gdx.url}/ws/auth/validate?ConsumerSecret=${c.consumerSecret}&AgentID=${local.gdx.officers[0]}`,
        { headers: h },
      );
      const t = ((await v.json()) as { Result: string }).Result;
      const url = `${local.gdx.url}${link('001', local.population.people[5]!.citizenId)}`;
      expect((await fetch(url, { headers: { ...h, Token: t } })).status).toBe(200);
      // Idle time out 2 s: generous beside the requests' own time on a loaded machine, so only the sleeps decide.
      await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(url, { headers: { ...h, Token: t } })).status).toBe(200); // use resets the idle clock
      await new Promise((r) => setTimeout(r, 2_600));
      expect((await fetch(url, { headers: { ...h, Token: t } })).status).toBe(401);
      const v2 = await fetch(
        `${local.gdx.url}/ws/auth/validate?ConsumerSecret=${c.consumerSecret}&AgentID=sys-b`,
        { headers: h },
      );
      const t2 = ((await v2.json()) as { Result: string }).Result;
      expect(local.gdx.tokens.expireAll()).toBe(1);
      expect((await fetch(url, { headers: { ...h, Token: t2 } })).status).toBe(401);
    } finally {
      await local.close();
    }
  });
});

describe('GDX gateway: DOPA Linkage', () => {
  it('serves 001 person, 027 address, 007 household and 008 house', async () => {
    const p = sb.population.people[7]!;
    const person = (await get(link('001', p.citizenId), auth())).json();
    expect(person).toMatchObject({
      firstName: p.firstName.th,
      lastName: p.lastName.th,
      englishFirstName: p.firstName.en,
      dateOfBirth: Number(p.birthDateBe),
    });
    const address = (await get(link('027', p.citizenId), auth())).json();
    expect(address).toMatchObject({
      houseID: Number(p.address.houseId),
      houseNo: p.address.houseNo,
      provinceDesc: p.address.province.th,
    });
    const household = (await get(link('007', p.citizenId), auth())).json();
    expect((household.members as { personalID: string }[]).map((m) => m.personalID)).toContain(p.citizenId);
    const house = (await get(link('008', p.citizenId), auth())).json();
    expect(house.houseID).toBe(Number(p.address.houseId));
  });

  it('POST variant with the citizen ID in the body', async () => {
    const p = sb.population.people[8]!;
    const res = await fetch(`${sb.gdx.url}/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ CitizenID: p.citizenId }),
    });
    expect(((await res.json()) as { firstName: string }).firstName).toBe(p.firstName.th);
  });

  it('{Code: 90001} while the officer has no session; session switches take effect at once', async () => {
    const agent = sb.population.people[9]!.citizenId;
    const t = String((await validate(agent)).json().Result);
    const h = { 'Consumer-Key': key, Token: t };
    const subject = sb.population.people[10]!.citizenId;
    const r1 = await get(link('001', subject), h);
    expect(r1.status).toBe(200);
    expect(r1.json()).toMatchObject({ Code: 90001 });
    sb.gdx.setOfficerSession(agent, 'AgentAvailable');
    expect((await get(link('001', subject), h)).json()).toHaveProperty('firstName');
    sb.gdx.setOfficerSession(agent, 'CitizenAvailable');
    expect((await get(link('001', subject), h)).json()).toMatchObject({ Code: 90001 });
    expect((await get(link('001', agent), h)).json()).toHaveProperty('firstName');
    const perm = await get(`/ws/dopa/linkage/v1/agent/permission?Consumer=${key}&CitizenID=${agent}`, h);
    expect(perm.json()).toEqual({ AgentID: agent, CitizenID: agent, SessionState: 'CitizenAvailable' });
    sb.gdx.setOfficerSession(agent, 'AgentNotAvailable');
    expect(sb.gdx.getOfficerSession(agent)).toBe('AgentNotAvailable');
  });

  it('404 with no body for an unknown person; {Code} for a bad office, service or ID', async () => {
    const unknown = completeThaiId('310170023070');
    expect(sb.population.byCitizenId.has(unknown)).toBe(false);
    const r = await get(link('001', unknown), auth());
    expect(r.status).toBe(404);
    expect(r.text).toBe('');
    expect((await get(link('999', unknown), auth())).json()).toMatchObject({ Code: 90003 });
    expect((await get(link('001', '1234567890123'), auth())).json()).toMatchObject({ Code: 90004 });
    expect(
      (
        await get(`/ws/dopa/linkage/v1/link?OfficeID=1&ServiceID=001&Version=01&CitizenID=${unknown}`, auth())
      ).json(),
    ).toMatchObject({ Code: 90002 });
  });

  it('401 with no body when the consumer has no right to the service', async () => {
    const c = sb.gdx.consumers[1]!; // dopa only
    const t = String((await validate('dopa-only-sys', c)).json().Result);
    const r = await get(
      `/ws/dbd/juristic/v4/profile/information?JuristicID=${sb.population.companies[0]!.juristicId}`,
      {
        'Consumer-Key': c.consumerKey,
        Token: t,
      },
    );
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
  });
});

describe('GDX gateway: laser-code check', () => {
  const laser = (p: { citizenId: string; first: string; last: string; be: string; code: string }) =>
    `/ws/dopa/verification/personal?CitizenID=${p.citizenId}&FirstName=${encodeURIComponent(p.first)}&LastName=${encodeURIComponent(p.last)}&BEBirthDate=${p.be}&LaserCode=${p.code}`;

  it('true / false / [4] / [2]', async () => {
    const p = sb.population.people.find((x) => x.cardValid)!;
    const ok = {
      citizenId: p.citizenId,
      first: p.firstName.th,
      last: p.lastName.th,
      be: p.birthDateBe,
      code: p.laserCode,
    };
    expect((await get(laser(ok), auth())).json()).toEqual({ Result: true });
    expect((await get(laser({ ...ok, be: '25000101' }), auth())).json()).toEqual({ Result: false });
    const mismatch = await get(laser({ ...ok, code: 'ZZ9999999999' }), auth());
    expect(mismatch.status).toBe(500);
    expect(mismatch.text).toBe('[4]');
    const voided = sb.population.people.find((x) => !x.cardValid)!;
    const v = await get(
      laser({
        citizenId: voided.citizenId,
        first: voided.firstName.th,
        last: voided.lastName.th,
        be: voided.birthDateBe,
        code: voided.laserCode,
      }),
      auth(),
    );
    expect(v.status).toBe(500);
    expect(v.text).toBe('[2]');
    expect(
      sb.gdx.usage.entries({ service: 'dopa/laser-verification', status: 500 }).map((e) => e.providerCode),
    ).toEqual(['4', '2']);
  });
});

describe('GDX gateway: DBD juristic data', () => {
  it('profile/information → ResultList and RawData', async () => {
    const c = sb.population.companies[2]!;
    const r = (
      await get(`/ws/dbd/juristic/v4/profile/information?JuristicID=${c.juristicId}`, auth())
    ).json();
    const item = (r.ResultList as Record<string, unknown>[])[0]!;
    expect(item).toMatchObject({
      JuristicID: c.juristicId,
      JuristicName_TH: c.name.th,
      RegisterCapital: c.registeredCapital,
    });
    expect(JSON.parse(String(r.RawData))).toEqual(item);
  });

  it('profile/information/pdf → a real PDF, base64, with matching size and hashes', async () => {
    const c = sb.population.companies[2]!;
    const r = (
      await get(`/ws/dbd/juristic/v4/profile/information/pdf?JuristicID=${c.juristicId}`, auth())
    ).json();
    const pdf = Buffer.from(String(r.Result), 'base64');
    expect(r.FileSize).toBe(pdf.length);
    expect(r.mimeType).toBe('application/pdf');
    expect(r.Info).toEqual({ Name: c.name.th, NumberOfPage: 1 });
    const hashes = r.Hashes as Record<string, string>;
    expect(hashes.SHA256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(hashes.MD5).toBe(createHash('md5').update(pdf).digest('hex'));
    // Structurally valid: startxref points at the xref table, each xref entry at its object.
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(6);
    for (const [i, off] of offsets.entries())
      expect(text.slice(off, off + 8)).toBe(`${i + 1} 0 obj\n`.slice(0, 8));
  });

  it('404 for an unknown or malformed juristic ID', async () => {
    expect(
      (await get('/ws/dbd/juristic/v4/profile/information?JuristicID=0105500000000', auth())).status,
    ).toBe(404);
    expect((await get('/ws/dbd/juristic/v4/profile/information?JuristicID=%00%ff', auth())).status).toBe(404);
  });
});

describe('GDX gateway: usage log, fixtures and hostile input', () => {
  it('logs every call with consumer, AgentID, service, subject and status', async () => {
    const p = sb.population.people[11]!;
    await get(link('027', p.citizenId), { ...auth(), 'x-request-id': 'usage-req-1' });
    const [entry] = sb.gdx.usage.entries({ subject: p.citizenId, service: 'dopa/linkage/027' });
    expect(entry).toMatchObject({
      via: 'gdx',
      consumer: 'agency-full',
      agentId: officer,
      status: 200,
      requestId: 'usage-req-1',
    });
    expect(Date.parse(entry!.at)).not.toBeNaN();
    expect(sb.gdx.usage.count('auth/validate')).toBeGreaterThan(0);
  });

  it('synthetic population: valid check digits, Thai and English names, BE dates', () => {
    expect(sb.population.people.length).toBeGreaterThanOrEqual(300);
    expect(sb.population.people.every((p) => isCitizenId(p.citizenId))).toBe(true);
    expect(sb.population.companies.every((c) => isJuristicId(c.juristicId))).toBe(true);
    expect(
      sb.population.people.every(
        (p) => /^\d{8}$/.test(p.birthDateBe) && Number(p.birthDateBe.slice(0, 4)) > 2400,
      ),
    ).toBe(true);
    expect(
      sb.population.people.every(
        (p) => /[\u0E00-\u0E7F]/.test(p.firstName.th) && /^[A-Za-z]+$/.test(p.firstName.en),
      ),
    ).toBe(true);
  });

  it('unknown routes → 404; oversized bodies → 413; garbage never crashes the server', async () => {
    expect((await get('/ws/nothing/here', auth())).status).toBe(404);
    const big = await fetch(`${sb.gdx.url}/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01`, {
      method: 'POST',
      headers: auth(),
      body: 'x'.repeat(2 * 1024 * 1024),
    }).catch((e: unknown) => e);
    // Either the 413 arrives or the server cut the upload short; both are fine, a crash is not.
    if (big instanceof Response) expect(big.status).toBe(413);
    const garbage = await fetch(
      `${sb.gdx.url}/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01`,
      {
        method: 'POST',
        headers: auth(),
        body: '{not json',
      },
    );
    expect(((await garbage.json()) as { Code: number }).Code).toBe(90004);
    expect((await get(`/ws/auth/validate?%zz=%%`, { 'Consumer-Key': key })).status).toBe(401);
    // Still alive.
    expect((await get(link('001', sb.population.people[5]!.citizenId), auth())).status).toBe(200);
  });
});
