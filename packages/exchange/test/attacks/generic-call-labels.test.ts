import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent, isGdxError } from '../../src/index.js';
import { type Harness, harness, rejection } from '../helpers.js';

/**
 * A generic call is labelled by its `name`, or by its path: REST-style catalog services carry the person in the
 * path (`/persons/{citizenId}`), and a caller may name a call after the person. The label is the audit record's
 * `operation`, the error's `service` and the span's name: a custom audit sink (a database, a queue: core's
 * sinks redact, these need not) and code reading `err.service` must not receive the ID in any spelling.
 */

const ID = completeThaiId('310050012346');
const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const SPELLINGS = [
  ID,
  `${ID.slice(0, 1)}-${ID.slice(1, 5)}-${ID.slice(5, 10)}-${ID.slice(10, 12)}-${ID.slice(12)}`,
  thai(ID),
  [...ID].map((d) => `%3${d}`).join(''),
];
const leaks = (text: string) =>
  SPELLINGS.some((s) => text.includes(s)) || text.replace(/\D/g, '').includes(ID);

let h: Harness;
let client: ExchangeClient;
const events: GdxAuditEvent[] = [];
beforeAll(async () => {
  h = await harness();
  // The made-up path stands in for a provider's REST resource: past the gateway's route check to its empty 404.
  h.sandbox.gdx.quirks.unroutedPathFault = false;
  const c = h.sandbox.gdx.consumers[0]!;
  client = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    consumerKey: c.consumerKey,
    consumerSecret: c.consumerSecret,
    agentId: 'welfare-system',
    retry: { maxRetries: 0 },
    audit: { sink: { append: async (e) => void events.push(e) } },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('the label of a generic call holds no citizen ID', () => {
  it('a path with the ID in it: audit operation and err.service are masked', async () => {
    events.length = 0;
    for (const spelling of [SPELLINGS[0]!, SPELLINGS[1]!, SPELLINGS[3]!]) {
      const err = await rejection(client.call({ path: `/ws/registry/v1/persons/${spelling}` }));
      expect(isGdxError(err)).toBe(true);
      expect(leaks(String((err as { service?: string }).service)), spelling).toBe(false);
    }
    expect(events).toHaveLength(3);
    for (const e of events) expect(leaks(e.operation), e.operation).toBe(false);
  });

  it('a name with the ID in it (success and failure alike)', async () => {
    events.length = 0;
    const p = h.sandbox.population.people[30]!;
    for (const spelling of SPELLINGS) {
      await client.call(
        {
          path: '/ws/dopa/linkage/v1/link',
          query: { OfficeID: '00023', ServiceID: '001', Version: '01', CitizenID: p.citizenId },
          name: `person ${spelling}`,
          subject: p.citizenId,
        },
        { agentId: h.officer },
      );
    }
    expect(events.map((e) => e.status)).toEqual(SPELLINGS.map(() => 'ok'));
    for (const e of events) expect(leaks(e.operation), e.operation).toBe(false);
    expect(events[0]!.operation).toContain('person ');
  });
});
