import { DEFAULT_TIMEOUTS } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { type CraftedProvider, startCraftedProvider } from './crafted-provider.js';
import { craftedCallback, craftedClient, failure } from './helpers.js';

/**
 * The client's deadlines reach openid-client: its own 30 s default used to win (a configured 45 s was cut
 * at 30 s and reported as "The total timeout of 0 ms passed"). Errors name the real phase and value.
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

function client(overrides: Parameters<typeof craftedClient>[1] = {}): DigitalIdClient {
  const c = craftedClient(op, overrides);
  clients.push(c);
  return c;
}

describe('deadlines', () => {
  it('the operation timeoutInMs is the one reported', async () => {
    const err = await failure(() =>
      craftedCallback(client(), op, { tokenDelayInMs: 2_000 }, { timeoutInMs: 300 }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err).toMatchObject({ phase: 'total', timeoutInMs: 300 });
    expect(err.message).toBe('The total timeout of 300 ms passed');
  });

  it('timeouts.totalInMs is the one reported', async () => {
    const err = await failure(() =>
      craftedCallback(client({ timeouts: { totalInMs: 400 } }), op, { tokenDelayInMs: 2_000 }),
    );
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total', timeoutInMs: 400 });
  });

  it('a headers timeout reports its phase and configured value', async () => {
    const err = await failure(() =>
      craftedCallback(client({ timeouts: { headersInMs: 250 } }), op, { tokenDelayInMs: 2_000 }),
    );
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'headers', timeoutInMs: 250 });
  });

  it('a configured total above openid-client’s own 30 s is honoured (a 31 s token answer succeeds)', async () => {
    expect(DEFAULT_TIMEOUTS.totalInMs).toBeGreaterThan(31_000);
    const c = client({ timeouts: { totalInMs: 45_000, headersInMs: 40_000 } });
    const identity = await craftedCallback(c, op, { tokenDelayInMs: 31_000 });
    expect(identity.subject).toBe('user-1');
  }, 60_000);
});
