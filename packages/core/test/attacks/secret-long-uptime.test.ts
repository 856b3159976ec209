import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  REDACTED,
  redactText,
  registerSecret,
  secretRegistryStats,
  unregisterSecret,
} from '../../src/index.js';

/**
 * Long uptime with crowded indexes (guard). The matcher finds registered values through a counting filter whose
 * counters saturate at 255 and through buckets of hashed windows; tokens of one issuer often share a long tail (an
 * opaque token's fixed suffix, a JWT cut before its signature). Many such tokens registered, expired and removed
 * must leave every live value found: a counter that wrapped or was decremented below its count would unset a slot
 * a live secret still needs, and it would silently stop being masked.
 */

const HOUR = 3_600_000;
const SHARED_TAIL = `.issuer-${'x'.repeat(200)}`;
const held: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const v of held.splice(0)) unregisterSecret(v);
});

describe('secrets after long uptime with crowded indexes', () => {
  it('keeps masking an early credential and a long-lived token after thousands of look-alike tokens come and go', () => {
    const credential = `cs-${randomUUID()}${SHARED_TAIL}`;
    registerSecret(credential);
    held.push(credential);
    const longLived = `tok-${randomBytes(24).toString('base64url')}${SHARED_TAIL}`;
    vi.useFakeTimers({ toFake: ['Date'] });
    registerSecret(longLived, { kind: 'token', ttlInMs: 400 * HOUR });
    for (let i = 0; i < 6_000; i++) {
      registerSecret(`tok-${randomBytes(24).toString('base64url')}${SHARED_TAIL}`, {
        kind: 'token',
        ttlInMs: HOUR,
      });
      // Two days of traffic: every short-lived token expires and is swept many times over.
      if (i % 100 === 99) vi.setSystemTime(Date.now() + HOUR);
    }
    const late = `tok-${randomBytes(24).toString('base64url')}${SHARED_TAIL}`;
    registerSecret(late, { kind: 'token', ttlInMs: HOUR });
    held.push(longLived, late);
    const text = `gateway said: bad ${credential}, bad ${longLived}, bad ${late}`;
    const out = redactText(text);
    expect(out).not.toContain(credential.slice(0, 20));
    expect(out).not.toContain(longLived.slice(0, 20));
    expect(out).not.toContain(late.slice(0, 20));
    expect(out.split(REDACTED)).toHaveLength(4);
    expect(secretRegistryStats().evictedLive).toBe(0);
  });
});
