import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../../src/index.js';
import { type CraftedProvider, startCraftedProvider } from '../crafted-provider.js';
import { craftedCallback, craftedClient, failure } from '../helpers.js';

/**
 * Slow body: a provider that sends the token response's headers and then one byte at a time never tripped
 * a timeout (undici's body timeout bounds the gap between chunks, not the total). The digital-ID client's
 * HTTP now has the same minimum-throughput guard and default total deadline as core's transport.
 */

let op: CraftedProvider;
const clients: DigitalIdClient[] = [];
beforeAll(async () => {
  op = await startCraftedProvider();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await op.close();
});

describe('slow body', () => {
  it('a token response trickling below the minimum throughput fails with ERR_TIMEOUT (throughput)', async () => {
    const client = craftedClient(op, { timeouts: { bodyThroughput: { minBytes: 256, windowInMs: 400 } } });
    clients.push(client);
    const err = await failure(() => craftedCallback(client, op, { tokenTrickleEveryInMs: 50 }));
    expect(err.code).toBe('ERR_TIMEOUT');
    expect((err as { phase?: string }).phase).toBe('throughput');
    expect((err as { timeoutInMs?: number }).timeoutInMs).toBe(400);
  });

  it('the guard is on by default', async () => {
    const client = craftedClient(op);
    clients.push(client);
    // About 1 byte/s: the default needs 1 KiB per 10 s.
    const err = await failure(() => craftedCallback(client, op, { tokenTrickleEveryInMs: 900 }));
    expect(err.code).toBe('ERR_TIMEOUT');
    expect((err as { phase?: string }).phase).toBe('throughput');
  }, 30_000);
});
