import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers.js';

/**
 * `maxCachedAgents` keeps the most recently USED AgentIDs' tokens (its documentation: "least recently used are
 * dropped"). A service account that makes every batch call is validated once at start-up; officers who log in
 * later each add an entry. When the cache is full, the entry dropped must be an idle one, never the AgentID that
 * was just used: otherwise the busiest caller pays a validate (a GDX round trip, billed) for every newcomer.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const validates = (x: Harness, agentId?: string) =>
  x.sandbox.gdx.usage.entries({ service: 'auth/validate', status: 200, agentId }).length;

describe('the token cache drops the least recently used AgentID', () => {
  it('an AgentID used just before the cache fills keeps its token; an idle one is dropped', async () => {
    h = await harness({ client: { maxCachedAgents: 2 } });
    const company = h.sandbox.population.companies[3]!;
    const lookup = (agentId: string) =>
      h!.client.getJuristicProfile({ juristicId: company.juristicId }, { agentId });
    await lookup('batch-system');
    await lookup('officer-a');
    await lookup('batch-system'); // now the most recent
    await lookup('officer-b'); // the cache is full: officer-a is the least recently used
    await lookup('batch-system');
    expect(validates(h, 'batch-system')).toBe(1);
    await lookup('officer-a');
    expect(validates(h, 'officer-a')).toBe(2);
    expect(h.client.stats()).toMatchObject({ cachedAgents: 2, tokenReplays: 0 });
  });

  it('a service account in constant use is validated once while officers come and go', async () => {
    h = await harness({ client: { maxCachedAgents: 3 } });
    const company = h.sandbox.population.companies[4]!;
    const lookup = (agentId: string) =>
      h!.client.getJuristicProfile({ juristicId: company.juristicId }, { agentId });
    const officers = Array.from({ length: 12 }, (_, i) => `officer-${i}`);
    for (const officer of officers) {
      await lookup('batch-system');
      await lookup(officer);
    }
    expect(validates(h, 'batch-system')).toBe(1);
    expect(validates(h)).toBe(1 + officers.length);
    expect(h.client.stats().cachedAgents).toBe(3);
  });
});
