import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent } from '../../src/index.js';
import { type Harness, harness } from '../helpers.js';

/**
 * Citizen IDs in other spellings in audit fields: `purpose` and `caseRef` are free text from the caller and
 * went to the audit sink as they were. A sink that does not redact (a custom one: a database, a queue) got
 * the ID in Thai digits, with NBSPs or percent-encoded. The client now masks them where it builds the event.
 */

const ID = completeThaiId('310050012345');
const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const SPELLINGS = [
  thai(ID),
  [ID.slice(0, 1), ID.slice(1, 5), ID.slice(5, 10), ID.slice(10, 12), ID.slice(12)].join('\u2013'),
  [...ID].map((d) => `%3${d}`).join(''),
  [...ID].join('\u00a0'),
];

let h: Harness;
let client: ExchangeClient;
const events: GdxAuditEvent[] = [];
beforeAll(async () => {
  h = await harness();
  const c = h.sandbox.gdx.consumers[0]!;
  client = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    consumerKey: c.consumerKey,
    consumerSecret: c.consumerSecret,
    audit: { sink: { append: async (e) => void events.push(e) } },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('citizen IDs in audit fields', () => {
  it('purpose and caseRef reach a custom sink with no citizen ID in any spelling', async () => {
    const p = h.sandbox.population.people[30]!;
    for (const spelling of SPELLINGS) {
      await client.getPerson(
        { citizenId: p.citizenId },
        { agentId: h.officer, purpose: `eligibility of ${spelling}`, caseRef: `CASE/${spelling}` },
      );
    }
    expect(events).toHaveLength(SPELLINGS.length);
    for (const e of events) {
      expect(e.purpose).toBe('eligibility of [CITIZEN-ID]');
      expect(e.caseRef).toBe('CASE/[CITIZEN-ID]');
    }
  });
});

describe('a citizen ID to look up, in another spelling', () => {
  it('is read as its 13 ASCII digits: the same person, the same audit subject as the plain spelling', async () => {
    const p = h.sandbox.population.people[31]!;
    const plain = await client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    const before = events.length;
    const spellings = [
      thai(p.citizenId),
      p.citizenId.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
      p.citizenId.replace(/^(\d)(\d{4})(\d{5})(\d{2})(\d)$/, '$1\u2013$2\u2013$3\u2013$4\u2013$5'),
    ];
    for (const citizenId of spellings) {
      expect(await client.getPerson({ citizenId }, { agentId: h.officer })).toEqual(plain);
    }
    const subjects = events.slice(before - 1).map((e) => e.subject);
    expect(subjects).toEqual(Array(4).fill(p.citizenId));
  });

  it('an officer AgentID in another spelling is sent, cached and audited as its 13 ASCII digits', async () => {
    const p = h.sandbox.population.people[32]!;
    const before = events.length;
    await client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    await client.getPerson({ citizenId: p.citizenId }, { agentId: thai(h.officer) });
    const dashed = h.officer.replace(/^(\d)(\d{4})(\d{5})(\d{2})(\d)$/, '$1-$2-$3-$4-$5');
    await client.getPerson({ citizenId: p.citizenId }, { agentId: dashed });
    const who = events.slice(before).map((e) => e.who);
    expect(who).toEqual([h.officer, h.officer, h.officer]);
  });
});
