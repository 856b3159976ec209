import { DEFAULT_TIMEOUTS } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { craftedCallback, failure, useCraftedProvider } from './helpers.js';

/**
 * The client's deadlines reach openid-client: its own 30 s default used to win (a configured 45 s was cut
 * at 30 s and reported as "The total timeout of 0 ms passed"). Errors name the real phase and value.
 */

const crafted = useCraftedProvider();
const client = crafted.client;

describe('deadlines', () => {
  it('the operation timeoutInMs is the one reported', async () => {
    const err = await failure(() =>
      craftedCallback(client(), crafted.provider(), { tokenDelayInMs: 2_000 }, { timeoutInMs: 300 }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err).toMatchObject({ phase: 'total', timeoutInMs: 300 });
    expect(err.message).toBe('The total timeout of 300 ms passed');
  });

  it('timeouts.totalInMs is the one reported', async () => {
    const err = await failure(() =>
      craftedCallback(client({ timeouts: { totalInMs: 400 } }), crafted.provider(), {
        tokenDelayInMs: 2_000,
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total', timeoutInMs: 400 });
  });

  it('a headers timeout reports its phase and configured value', async () => {
    const err = await failure(() =>
      craftedCallback(client({ timeouts: { headersInMs: 250 } }), crafted.provider(), {
        tokenDelayInMs: 2_000,
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'headers', timeoutInMs: 250 });
  });

  it('a configured total above openid-client’s own 30 s is honoured (a 31 s token answer succeeds)', async () => {
    expect(DEFAULT_TIMEOUTS.totalInMs).toBeGreaterThan(31_000);
    const c = client({ timeouts: { totalInMs: 45_000, headersInMs: 40_000 } });
    const identity = await craftedCallback(c, crafted.provider(), { tokenDelayInMs: 31_000 });
    expect(identity.subject).toBe('user-1');
  }, 60_000);
});
