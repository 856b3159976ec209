import { inspect } from 'node:util';
import { registerSecret, SECRET_REGISTRY_LIMITS, secretRegistryStats } from '@thgov/core';
import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { sensitiveClaimValues } from '../../src/claim-secrets.js';
import { craftedCallback, failure, useCraftedProvider } from '../helpers.js';

/**
 * Claim echo: a login's claims carry secrets (DGA's `personal_token`, a bearer credential for other government
 * services) and personal data (citizen ID, Thai and English names, birth date, address, phone, e-mail). A
 * provider that later quotes them in free text (an `error_description` on refresh or revocation) puts them in
 * the client's error message, its JSON, its `oauthError` and the log line, where only patterns (citizen IDs,
 * e-mails, names after a title) were masked: an opaque token, a bare name, a birth date or an address passed
 * in clear. The values of such claims are registered for redaction once the login has them, and a refresh
 * given the login's id_token holds its claims while it runs, so they stay masked after long uptime too, when
 * the bounded registry has evicted what it registered.
 */

const crafted = useCraftedProvider();

const CLAIMS = {
  sub: 'dga-user-7f3a9c21',
  personal_token: 'pt_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  user_id: 'u-55c0ffee-1234',
  given_name: 'ประเสริฐ',
  family_name: 'ศรีสวัสดิ์',
  name: 'ประเสริฐ ศรีสวัสดิ์',
  given_name_en: 'Prasert',
  middle_name_en: 'Kittisak',
  family_name_en: 'Srisawat',
  name_en: 'Prasert Srisawat',
  birthdate: '1987-04-29',
  address: { formatted: '99/12 Moo 4 Tambon Bang Kaeo, Bang Phli', postal_code: '10540' },
  house_address: '123/45 Soi Ari 7',
  smartcard_code: 'JT1-2345678-90',
};

/** Every value of the claims above that must never be written in clear. */
const VALUES = [
  CLAIMS.sub,
  CLAIMS.personal_token,
  CLAIMS.user_id,
  CLAIMS.name,
  CLAIMS.given_name,
  CLAIMS.family_name,
  CLAIMS.given_name_en,
  CLAIMS.middle_name_en,
  CLAIMS.family_name_en,
  CLAIMS.birthdate,
  CLAIMS.address.formatted,
  CLAIMS.house_address,
  CLAIMS.smartcard_code,
];

/** A token endpoint answer quoting every claim value in its error_description. */
function echoing(error: string) {
  return () => ({
    status: 400,
    body: { error, error_description: `refused for ${VALUES.join(' / ')}` },
  });
}

function everything(err: unknown, lines: string[]): string {
  return [JSON.stringify(err), inspect(err, { depth: 10 }), String(err), ...lines].join('\n');
}

function leaked(text: string): string[] {
  return VALUES.filter((v) => text.includes(v));
}

describe("a provider quoting a login's claims in a later error", () => {
  it('refresh: ERR_DIGITAL_ID_INVALID_GRANT names none of them (message, JSON, inspect, oauthError, logs)', async () => {
    const { logger, lines } = captureLogger();
    const op = crafted.provider();
    const client = crafted.client({ logger, logLevel: 'debug' });
    const identity = await craftedCallback(client, op, { claims: CLAIMS });
    expect(identity.claims.personal_token).toBe(CLAIMS.personal_token);
    op.scenario = { tokenResponse: echoing('invalid_grant') };
    const err = await failure(() => client.refresh('crafted-refresh-token-0001'));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(leaked(everything(err, lines))).toEqual([]);
  });

  it('after long uptime (the token pool evicted them), a refresh given the id_token still masks them', async () => {
    const op = crafted.provider();
    const client = crafted.client();
    const identity = await craftedCallback(client, op, { claims: CLAIMS });
    // Many logins later: the bounded pool has pushed this login's registrations out.
    const before = secretRegistryStats().evictedLive;
    for (let i = 0; i <= SECRET_REGISTRY_LIMITS.maxTokens; i++) {
      registerSecret(`later-login-token-${i.toString(36).padStart(8, '0')}`, {
        kind: 'token',
        ttlInMs: 30 * 24 * 3_600_000,
      });
      // Let the event loop turn, as between real logins (idle keep-alive sockets close as they would).
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(secretRegistryStats().evictedLive).toBeGreaterThan(before);
    op.scenario = { tokenResponse: echoing('invalid_grant') };
    const err = await failure(() =>
      client.refresh('crafted-refresh-token-0002', { originalIdToken: identity.tokens.idToken! }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(leaked(everything(err, []))).toEqual([]);
  });
});

describe('the claim values registered for one login', () => {
  it('are bounded, plain values first: a huge nested claim cannot crowd out the token or flood the registry', () => {
    const flood = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, Array.from({ length: 50 }, (_, j) => `line-${i}-${j}`)]),
    );
    const values = sensitiveClaimValues({
      email: flood,
      ...CLAIMS,
      nonce: 'n-0123456789',
      iss: 'https://op',
    });
    expect(values.length).toBeLessThanOrEqual(64);
    expect(values).toContain(CLAIMS.personal_token);
    expect(values).toContain(CLAIMS.birthdate);
    expect(values).not.toContain('n-0123456789');
    expect(values).not.toContain('https://op');
  });
});
