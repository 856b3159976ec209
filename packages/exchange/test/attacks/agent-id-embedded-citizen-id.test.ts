import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent, isAgentId } from '../../src/index.js';
import { type Harness, harness, rejection } from '../helpers.js';

/**
 * An AgentID is an officer's citizen ID (hashed in the audit record when the client has `audit.hmacSecret`) or
 * an English system name (kept readable). A "system name" that carries a citizen ID (`officer 1101700230708`,
 * `officer-1-1017-00230-70-8`) would be neither: it would go to the audit sink, GDX's usage log and
 * X-Road-UserId in clear, never hashed. It is refused before any request, as an invalid AgentID.
 */

const ID = completeThaiId('310050012346');
const dashed = `${ID.slice(0, 1)}-${ID.slice(1, 5)}-${ID.slice(5, 10)}-${ID.slice(10, 12)}-${ID.slice(12)}`;
const NAMES = [
  `officer ${ID}`,
  `officer-${dashed}`,
  `u${ID}`,
  `svc.${ID}.prod`,
  `officer ${ID.replace(/(\d)/g, '$1 ').trim()}`,
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
    retry: { maxRetries: 0 },
    audit: {
      sink: { append: async (e) => void events.push(e) },
      hmacSecret: 'audit-hmac-secret-0123456789',
    },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('a system-name AgentID never carries a citizen ID', () => {
  for (const agentId of NAMES) {
    it(`${JSON.stringify(agentId.replace(/\d/g, '#'))}: ERR_GDX_AGENT_ID before any request`, async () => {
      events.length = 0;
      const before = h.sandbox.gdx.usage.entries().length;
      const company = h.sandbox.population.companies[3]!;
      const err = await rejection(client.getJuristicProfile({ juristicId: company.juristicId }, { agentId }));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_GDX_AGENT_ID');
      expect(String(err.message)).not.toContain(ID);
      expect(h.sandbox.gdx.usage.entries().length).toBe(before);
      expect(events).toEqual([]);
      expect(isAgentId(agentId)).toBe(false);
      expect(
        () =>
          new ExchangeClient({ baseUrl: h.sandbox.gdx.url, consumerKey: 'k', consumerSecret: 's', agentId }),
      ).toThrow();
    });
  }

  it('system names with a few digits, and a bare citizen ID, stay valid AgentIDs', () => {
    for (const agentId of ['welfare-system', 'batch 2569 job 0001', 'app.v2.prod', ID]) {
      expect(isAgentId(agentId), agentId).toBe(true);
    }
  });
});
