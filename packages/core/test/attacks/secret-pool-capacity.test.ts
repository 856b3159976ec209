import { randomBytes } from 'node:crypto';
import { captureLogger } from '@thgov/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REDACTED, redactText, registerSecret, secretRegistryStats, ThGovError } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { renderings } from '../helpers/renderings.js';

/**
 * Secret eviction by pool capacity: digital-id registers every refresh token for its lifetime (7 days by default),
 * and each login also registers an access token and the login's personal claims for about an hour. At a steady
 * login rate the token pool holds a week of refresh tokens; when its bound is below that, live values are evicted
 * while still usable (`evictedLive`), and from then on an error or a log line quoting one shows it in clear.
 * A week of logins on a simulated clock (no real waiting).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MARGIN = 5 * 60_000;
/** A mid-size agency portal around the clock (the old bound was full at ~110 logins an hour). */
const LOGINS_PER_HOUR = 130;
const HOURS = 160;

afterEach(() => {
  vi.useRealTimers();
});

/** A short JWT-shaped access token (payload and signature random). */
const jwtLike = () =>
  `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${randomBytes(120).toString('base64url')}.${randomBytes(64).toString('base64url')}`;

interface Live {
  value: string;
  expiresAt: number;
}

/** One login as digital-id registers it (toTokenSet, registerClaims): values with their TTLs. */
function login(i: number, now: number): Live[] {
  const values: Live[] = [
    { value: jwtLike(), expiresAt: now + HOUR + MARGIN },
    { value: `rt-${randomBytes(32).toString('base64url')}`, expiresAt: now + 7 * DAY + MARGIN },
    { value: `personal-${i}-${randomBytes(9).toString('base64url')}`, expiresAt: now + HOUR + MARGIN },
  ];
  for (const v of values) registerSecret(v.value, { kind: 'token', ttlInMs: v.expiresAt - now });
  return values;
}

describe('secret pool capacity over a week of logins', () => {
  it('keeps every live token masked after 6.7 days of logins, in the log and in the error', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const before = secretRegistryStats().evictedLive;
    const registered: Live[] = [];
    for (let hour = 0; hour < HOURS; hour++) {
      for (let k = 0; k < LOGINS_PER_HOUR; k++)
        registered.push(...login(hour * LOGINS_PER_HOUR + k, Date.now()));
      vi.setSystemTime(start + (hour + 1) * HOUR);
    }
    const now = Date.now();
    const live = registered.filter((v) => v.expiresAt > now);
    expect(live.length).toBeGreaterThan(LOGINS_PER_HOUR * HOURS);

    // The first day's refresh token and the last hour's access token: both still accepted by the provider.
    const refresh = live.find((v) => v.value.startsWith('rt-'))?.value as string;
    const access = live.find((v) => v.value.startsWith('eyJ'))?.value as string;
    const { lines, logger } = captureLogger();
    const err = new ThGovError('ERR_HTTP', `refresh failed: invalid_grant for ${refresh} (access ${access})`);
    new SafeLogger(logger, 'debug').error('token refresh failed', { err, echo: `${refresh} ${access}` });
    const text = renderings(err, lines);
    expect.soft(text).toContain(REDACTED);
    expect.soft(text).not.toContain(refresh.slice(3, 30));
    expect.soft(text).not.toContain(access.slice(-30));

    const leaked = live.filter((v) => redactText(`echo ${v.value}`) !== `echo ${REDACTED}`);
    expect.soft(leaked.length).toBe(0);
    expect.soft(secretRegistryStats().evictedLive - before).toBe(0);
  });
});
