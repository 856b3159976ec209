import { describe, expect, it } from 'vitest';
import { TokenCache } from '../src/token-cache.js';

/*
 * The token cache keeps at most `maxEntries` AgentIDs and drops the least recently *used* one, not the least
 * recently validated one. A use of the AgentID used last is not moved again in the cache (no Map delete and set
 * per call): these check that the eviction order stays the same whatever the pattern of uses.
 */

function cacheOf(maxEntries: number) {
  const validated: string[] = [];
  const cache = new TokenCache(
    async (agentId) => {
      validated.push(agentId);
      return `gdx-token-${agentId}-${validated.length}-${'x'.repeat(20)}`;
    },
    { idleTimeoutInMs: 60 * 60_000, refreshMarginInMs: 5 * 60_000, maxEntries },
  );
  return { cache, validated };
}

describe('token cache eviction (least recently used)', () => {
  it('drops the AgentID used least recently, also when the same one is used many times in a row', async () => {
    const { cache, validated } = cacheOf(2);
    await cache.get('A', 'r');
    await cache.get('B', 'r');
    expect(cache.fresh('B')).toBeDefined(); // B, already the most recent, used again
    expect(cache.fresh('A')).toBeDefined(); // A becomes the most recent
    expect(cache.fresh('A')).toBeDefined(); // and again (no move needed)
    await cache.get('C', 'r'); // evicts B, the least recently used
    expect(cache.size).toBe(2);
    expect(cache.fresh('A')).toBeDefined();
    expect(cache.fresh('B')).toBeUndefined();
    expect(cache.fresh('C')).toBeDefined();
    expect(validated).toEqual(['A', 'B', 'C']);
  });

  it('keeps the order right after an invalidate of the most recent AgentID and its new validate', async () => {
    const { cache, validated } = cacheOf(2);
    await cache.get('A', 'r');
    const b = await cache.get('B', 'r');
    cache.invalidate('B', b); // B was the most recent
    expect(cache.fresh('A')).toBeDefined();
    await cache.get('B', 'r'); // validated again: now the most recent
    expect(cache.fresh('B')).toBeDefined();
    await cache.get('C', 'r'); // evicts A
    expect(cache.fresh('A')).toBeUndefined();
    expect(cache.fresh('B')).toBeDefined();
    expect(validated).toEqual(['A', 'B', 'B', 'C']);
  });

  it('after clear(), a re-validated AgentID is ordered as new', async () => {
    const { cache } = cacheOf(2);
    await cache.get('A', 'r');
    await cache.get('B', 'r');
    cache.clear();
    await cache.get('B', 'r');
    await cache.get('A', 'r');
    expect(cache.fresh('B')).toBeDefined(); // B most recent again
    await cache.get('C', 'r'); // evicts A
    expect(cache.fresh('A')).toBeUndefined();
    expect(cache.fresh('B')).toBeDefined();
  });
});
