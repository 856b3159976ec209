import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapError, phaseTimeouts } from '../src/error-mapping.js';
import type { DigitalIdClient } from '../src/index.js';
import { type CraftedProvider, startCraftedProvider } from './crafted-provider.js';
import { craftedCallback, craftedClient, failure } from './helpers.js';

/**
 * A provider whose clock runs ahead (`nbf` in the future) or an id_token `iat` far in the past is a clock
 * problem, not a signature problem: its own code and a hint about NTP and clockToleranceInMs (it used to
 * get ERR_DIGITAL_ID_ID_TOKEN_INVALID and the signature/algorithm hint).
 */

let op: CraftedProvider;
let client: DigitalIdClient;
beforeAll(async () => {
  op = await startCraftedProvider();
  client = craftedClient(op);
});
afterAll(async () => {
  await client.close();
  await op.close();
});

const now = () => Math.floor(Date.now() / 1000);

describe('clock skew', () => {
  it('nbf in the future (provider clock ahead): ERR_DIGITAL_ID_CLOCK_SKEW', async () => {
    const err = await failure(() => craftedCallback(client, op, { claims: { nbf: now() + 600 } }));
    expect(err.code).toBe('ERR_DIGITAL_ID_CLOCK_SKEW');
    expect(err.hint).toMatch(/clock/i);
    expect(err.hint).toMatch(/clockToleranceInMs/);
    expect(err.hint).not.toMatch(/signature/i);
    expect(err.message).toMatch(/nbf/);
  });

  it('an iat check failure (hybrid responses; no server can make the code flow produce it) maps the same way', () => {
    // oauth4webapi checks `iat` age only for hybrid responses: this is the error it raises there.
    const engineError = Object.assign(
      new Error('unexpected JWT "iat" (issued at) claim value, it is too far in the past'),
      {
        code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
        cause: { claim: 'iat', now: now(), claims: { iat: now() - 7_200 } },
      },
    );
    const mapped = mapError(engineError, {
      provider: 'crafted',
      totalInMs: 120_000,
      phaseTimeouts: phaseTimeouts({}),
    }) as Error & { code?: string; hint?: string };
    expect(mapped.code).toBe('ERR_DIGITAL_ID_CLOCK_SKEW');
    expect(mapped.message).toMatch(/iat/);
    expect(mapped.hint).toMatch(/NTP/);
  });

  it('within clockToleranceInMs the login succeeds', async () => {
    const tolerant = craftedClient(op, { clockToleranceInMs: 120_000 });
    try {
      const id = await craftedCallback(tolerant, op, { claims: { nbf: now() + 60 } });
      expect(id.subject).toBe('user-1');
    } finally {
      await tolerant.close();
    }
  });
});
