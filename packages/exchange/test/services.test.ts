import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('typed GDX services against the sandbox', () => {
  it('DOPA person (Linkage 001) maps Thai and English names and the BE birth date', async () => {
    const p = h.sandbox.population.people[10]!;
    const person = await h.client.getPerson(
      { citizenId: p.citizenId },
      { agentId: h.officer, purpose: 'test' },
    );
    expect(person.firstName).toEqual({ th: p.firstName.th, en: p.firstName.en });
    expect(person.lastName).toEqual({ th: p.lastName.th, en: p.lastName.en });
    expect(person.title.th).toBe(p.title.th);
    expect(person.birthDateBe).toBe(p.birthDateBe);
    expect(person.birthDate).toBe(p.birthDate);
    expect(person.gender).toBe(p.gender);
  });

  it('accepts a dashed citizen ID', async () => {
    const p = h.sandbox.population.people[11]!;
    const id = p.citizenId;
    const dashed = `${id[0]}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id[12]}`;
    const person = await h.client.getPerson({ citizenId: dashed }, { agentId: h.officer });
    expect(person.firstName.th).toBe(p.firstName.th);
  });

  it('DOPA address (027) and house (008)', async () => {
    const p = h.sandbox.population.people[12]!;
    const address = await h.client.getAddress({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(address.houseId).toBe(p.address.houseId);
    expect(address.houseNo).toBe(p.address.houseNo);
    expect(address.province).toBe(p.address.province.th);
    expect(address.villageNo).toBe(p.address.moo === undefined ? undefined : Number(p.address.moo));
    const house = await h.client.getHouse({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(house.houseId).toBe(p.address.houseId);
    expect(house.houseTypeDesc).toBe('บ้าน');
  });

  it('DOPA household members (007) lists everyone registered in the house', async () => {
    const [houseId, members] = [...h.sandbox.population.households].find(([, m]) => m.length >= 2)!;
    const result = await h.client.getHouseholdMembers(
      { citizenId: members[1]!.citizenId },
      { agentId: h.officer },
    );
    expect(result.houseId).toBe(houseId);
    expect(result.members.map((m) => m.citizenId)).toEqual(members.map((m) => m.citizenId));
    expect(result.total).toBe(members.length);
  });

  it('agent permission reports the officer session and follows setOfficerSession', async () => {
    const before = await h.client.getAgentPermission({}, { agentId: h.officer });
    // An officer session: the officer's card as AgentID, no citizen (GDX writes zeros, the SDK undefined).
    expect(before).toEqual({ agentId: h.officer, citizenId: undefined, sessionState: 'AgentAvailable' });
    const other = h.sandbox.population.people[20]!.citizenId;
    h.sandbox.gdx.setOfficerSession(other, 'CitizenAvailable');
    const after = await h.client.getAgentPermission({ citizenId: other }, { agentId: h.officer });
    expect(after.sessionState).toBe('CitizenAvailable');
  });

  it('laser-code check: true for matching data, false for a name mismatch', async () => {
    const p = h.sandbox.population.people.find((x) => x.cardValid && x.birthDateBe.slice(4) !== '0000')!;
    const input = {
      citizenId: p.citizenId,
      firstName: p.firstName.th,
      lastName: p.lastName.th,
      birthDateBe: p.birthDateBe,
      laserCode: `${p.laserCode.slice(0, 3)}-${p.laserCode.slice(3, 10)}-${p.laserCode.slice(10)}`,
    };
    expect(await h.client.verifyLaserCode(input, { agentId: h.officer })).toEqual({ valid: true });
    expect(await h.client.verifyLaserCode({ ...input, firstName: 'สมมติ' }, { agentId: h.officer })).toEqual({
      valid: false,
    });
  });

  it('tolerates lower-case `result` in validate and laser answers', async () => {
    h.sandbox.gdx.quirks.resultKey = 'result';
    try {
      const p = h.sandbox.population.people.find((x) => x.cardValid)!;
      // A fresh AgentID forces a validate, which now answers {"result": token}.
      const res = await h.client.verifyLaserCode(
        {
          citizenId: p.citizenId,
          firstName: p.firstName.en,
          lastName: p.lastName.en,
          birthDateBe: p.birthDateBe,
          laserCode: p.laserCode,
        },
        { agentId: 'lower-case-system' },
      );
      expect(res.valid).toBe(true);
    } finally {
      h.sandbox.gdx.quirks.resultKey = 'Result';
    }
  });

  it('DBD juristic profile', async () => {
    const c = h.sandbox.population.companies[3]!;
    const profile = await h.client.getJuristicProfile({ juristicId: c.juristicId }, { agentId: h.officer });
    expect(profile.juristicId).toBe(c.juristicId);
    expect(profile.name).toEqual({ th: c.name.th, en: c.name.en });
    expect(profile.registeredCapital).toBe(c.registeredCapital);
    expect(profile.registerDate).toBe(c.registeredDate);
    expect(profile.addresses[0]?.province).toBe(c.address.province.th);
  });

  it('DBD profile PDF comes back as bytes of a real PDF, hash checked', async () => {
    const c = h.sandbox.population.companies[4]!;
    const pdf = await h.client.getJuristicProfilePdf({ juristicId: c.juristicId }, { agentId: h.officer });
    const text = Buffer.from(pdf.bytes).toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(text).toContain(c.juristicId);
    expect(pdf.sha256).toBe(createHash('sha256').update(pdf.bytes).digest('hex'));
    expect(pdf.verifiedWith).toBe('sha256');
    expect(pdf.pageCount).toBe(1);
    expect(pdf.fileName).toBe(`${c.juristicId}.pdf`);
  });

  it('generic call with a zod schema reaches any catalog path', async () => {
    const p = h.sandbox.population.people[13]!;
    const schema = z.object({ englishFirstName: z.string(), dateOfBirth: z.number() });
    const raw = await h.client.call(
      {
        path: '/ws/dopa/linkage/v1/link',
        query: { OfficeID: '00023', ServiceID: '001', Version: '01', CitizenID: p.citizenId },
        schema,
        name: 'dopa.linkage.001.raw',
        subject: p.citizenId,
      },
      { agentId: h.officer },
    );
    expect(raw).toEqual({ englishFirstName: p.firstName.en, dateOfBirth: Number(p.birthDateBe) });
  });

  it('the Linkage POST variant works through the generic call', async () => {
    const p = h.sandbox.population.people[14]!;
    const raw = await h.client.call<{ firstName: string }>(
      {
        method: 'POST',
        path: '/ws/dopa/linkage/v1/link',
        query: { OfficeID: '00023', ServiceID: '001', Version: '01' },
        body: { json: { CitizenID: p.citizenId } },
        idempotent: true,
      },
      { agentId: h.officer },
    );
    expect(raw.firstName).toBe(p.firstName.th);
  });

  it('every call shows up in the gateway usage log with consumer, AgentID and subject', async () => {
    const p = h.sandbox.population.people[15]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    const entries = h.sandbox.gdx.usage.entries({ subject: p.citizenId, service: 'dopa/linkage/001' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      consumer: 'agency-full',
      agentId: h.officer,
      status: 200,
      via: 'gdx',
    });
  });
});
