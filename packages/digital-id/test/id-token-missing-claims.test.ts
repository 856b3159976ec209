import { describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

/**
 * An id_token without a claim OIDC Core §2 requires (or without `auth_time` though `max_age` was sent,
 * §3.1.2.1): refused, and the error says which claim is missing. Fault: the message blamed the "algorithm
 * or format" (or, for `iss`, "another issuer"), sending the developer after the signature and the keys.
 */

const quirks = useQuirkProvider();

async function login(input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {}) {
  const c = quirkClient(quirks.op, quirks.clients);
  const req = await c.createLoginRequest(input);
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

describe('an id_token without a required claim names the claim', () => {
  it.each([
    ['iat', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['exp', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['sub', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['aud', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['iss', 'ERR_DIGITAL_ID_ISSUER_MISMATCH'],
  ])('no %s: %s, the message names the claim', async (claim, code) => {
    quirks.op.claims = { [claim]: undefined };
    const err = await failure(() => login());
    expect(err.code).toBe(code);
    expect(err.message).toBe(`The id_token has no ${claim} claim`);
  });

  it('max_age sent and no auth_time: ERR_DIGITAL_ID_ID_TOKEN_INVALID naming auth_time, a hint on max_age', async () => {
    const err = await failure(() => login({ maxAgeInMs: 600_000 }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toBe('The id_token has no auth_time claim');
    expect(err.hint).toMatch(/maxAgeInMs/);
  });

  it('no nonce keeps its own code (regression guard)', async () => {
    quirks.op.claims = { nonce: undefined };
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_NONCE_MISMATCH');
  });
});
