// Quirk: an id_token whose `auth_time` lies ahead of this server's clock, while the login asked for `max_age` (a
// fresh sign-in, for example before a sensitive action). openid-client checks only `auth_time + max_age >= now`, so
// any future `auth_time` passes: a provider that writes `auth_time` in epoch milliseconds (a session store's
// timestamp; `iat` and `exp` in seconds) made a sign-in of hours ago pass as "seconds ago", and a provider whose
// login component runs ahead did the same for minutes. max_age was silently not enforced. A future `auth_time`
// beyond the clock tolerance must be refused when max_age was requested: the freshness cannot be checked.
import { describe, expect, it } from 'vitest';
import type { DigitalIdClientOptions } from '../../src/index.js';
import { failure, REDIRECT } from '../helpers.js';
import { quirkClient, useQuirkProvider } from '../quirk-provider.js';

const quirks = useQuirkProvider();
const now = () => Math.floor(Date.now() / 1000);

async function login(
  input: { maxAgeInMs?: number; extraParameters?: Record<string, string> },
  overrides: Partial<DigitalIdClientOptions> = {},
) {
  const c = quirkClient(quirks.op, quirks.clients, overrides);
  const req = await c.createLoginRequest(input);
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

describe('max_age requested and auth_time ahead of this clock', () => {
  it('auth_time in epoch milliseconds (a sign-in two hours old): refused, not taken as fresh', async () => {
    quirks.op.claims = { auth_time: (now() - 7_200) * 1000 };
    const err = await failure(() => login({ maxAgeInMs: 5 * 60_000 }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/auth_time/);
    expect(err.hint).toMatch(/max_age/);
  });

  it('auth_time ten minutes ahead (max_age sent as an extra parameter): refused', async () => {
    quirks.op.claims = { auth_time: now() + 600 };
    const err = await failure(() => login({ extraParameters: { max_age: '60' } }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/auth_time/);
  });

  it('auth_time ahead by less than clockToleranceInMs: accepted (control)', async () => {
    quirks.op.claims = { auth_time: now() + 60 };
    const person = await login({ maxAgeInMs: 5 * 60_000 }, { clockToleranceInMs: 120_000 });
    expect(person.subject).toBe('user-1');
  });

  it('a recent auth_time within max_age: accepted (control)', async () => {
    const sent = now() - 10;
    quirks.op.claims = { auth_time: sent };
    const person = await login({ maxAgeInMs: 5 * 60_000 });
    expect(person.claims.auth_time).toBe(sent);
  });

  it('without max_age, auth_time is the provider’s to state and is passed on as it is', async () => {
    const sent = (now() - 7_200) * 1000;
    quirks.op.claims = { auth_time: sent };
    const person = await login({});
    expect(person.claims.auth_time).toBe(sent);
  });
});
