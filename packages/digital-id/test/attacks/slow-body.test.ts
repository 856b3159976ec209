import { describe, expect, it } from 'vitest';
import { craftedCallback, failure, useCraftedProvider } from '../helpers.js';

/**
 * Slow body: a provider that sends the token response's headers and then one byte at a time never tripped
 * a timeout (undici's body timeout bounds the gap between chunks, not the total). The digital-ID client's
 * HTTP now has the same minimum-throughput guard and default total deadline as core's transport.
 */

const crafted = useCraftedProvider();

describe('slow body', () => {
  it('a token response trickling below the minimum throughput fails with ERR_TIMEOUT (throughput)', async () => {
    const client = crafted.client({ timeouts: { bodyThroughput: { minBytes: 256, windowInMs: 400 } } });
    const err = await failure(() =>
      craftedCallback(client, crafted.provider(), { tokenTrickleEveryInMs: 50 }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
    expect((err as { phase?: string }).phase).toBe('throughput');
    expect((err as { timeoutInMs?: number }).timeoutInMs).toBe(400);
  });

  it('the guard is on by default', async () => {
    const client = crafted.client();
    // About 1 byte/s: the default needs 1 KiB per 10 s.
    const err = await failure(() =>
      craftedCallback(client, crafted.provider(), { tokenTrickleEveryInMs: 900 }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
    expect((err as { phase?: string }).phase).toBe('throughput');
  }, 30_000);
});
