import { describe, expect, it } from 'vitest';
import { type Harness, harness } from './helpers.js';

/**
 * The resilience scenario: 10% 503, 5% connection resets, 2% 429 with Retry-After and random
 * latency on every route (validate included), 2,000 person lookups at concurrency 32. Counts are asserted,
 * never times.
 *
 * Client retry settings: up to 8 retries with short backoff and core's default retry budget (2 tokens per
 * retry, 1 back per success: retries go on while fewer than about a third of calls fail).
 */
describe('resilience under injected faults', () => {
  it('2,000 lookups at concurrency 32: zero caller-visible failures, bounded validates', async () => {
    let h: Harness | undefined;
    try {
      h = await harness({
        sandbox: {
          gdx: {
            faults: {
              seed: 42,
              rules: [
                {
                  unavailable: 0.1,
                  reset: 0.05,
                  rateLimited: 0.02,
                  retryAfterSeconds: 1,
                  latencyInMs: [0, 3],
                },
              ],
            },
          },
        },
        client: {
          retry: {
            // 17% of attempts fail. With 3 retries about 0.17^4 × 2,000 ≈ 2 calls would still fail; with 6,
            // 0.17^7 × 2,000 ≈ 0.008, so about one run in 120 saw a lookup fail all its attempts (it happened
            // in CI). With 8 retries that is 0.17^9 × 2,000 ≈ 0.0002. The retry budget stays at its default.
            maxRetries: 8,
            baseDelayInMs: 2,
            maxDelayInMs: 50,
          },
        },
      });
      const { sandbox, client } = h;
      const officers = sandbox.gdx.officers;
      const people = sandbox.population.people;
      const total = 2000;
      let next = 0;
      let ok = 0;
      const failures: unknown[] = [];
      const worker = async () => {
        while (next < total) {
          const i = next++;
          const p = people[i % people.length]!;
          try {
            const person = await client.getPerson(
              { citizenId: p.citizenId },
              { agentId: officers[i % officers.length]! },
            );
            if (person.firstName.th === p.firstName.th) ok++;
            else failures.push(new Error('wrong person'));
          } catch (err) {
            failures.push(err);
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));

      expect(failures).toEqual([]);
      expect(ok).toBe(total);
      const c = sandbox.gdx.faults.counters;
      // The faults really happened.
      expect(c.unavailable).toBeGreaterThan(100);
      expect(c.resets).toBeGreaterThan(50);
      expect(c.rateLimited).toBeGreaterThan(10);
      // One successful validate per officer; failed validate attempts are bounded by the retry policy.
      const validated = sandbox.gdx.usage.count('auth/validate', 200);
      expect(validated).toBe(officers.length);
      expect(client.stats().validations).toBe(officers.length);
      expect(sandbox.gdx.usage.count('auth/validate')).toBeLessThanOrEqual(officers.length * 9);
      expect(client.stats().tokenReplays).toBe(0);
      expect(sandbox.gdx.usage.count('dopa/linkage/001', 200)).toBe(total);
    } finally {
      await h?.close();
    }
  }, 90_000);
});
