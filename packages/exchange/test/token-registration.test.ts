import { redactText, registerSecret } from '@thgov/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from '../src/token-cache.js';

/*
 * A GDX token is masked in every log line and error for as long as GDX may accept it. The cache renews its
 * redaction registration at most once a minute (not on every call), so the registration must still outlive
 * the token's idle expiry after the last use, however the uses are spread.
 */

const IDLE = 30 * 60_000;
const MINUTE = 60_000;

/** Masked now. Expired registrations are dropped when the registry next registers something: make it. */
const masked = (token: string) => {
  registerSecret(`other-input-${Date.now()}`, { kind: 'input' });
  return !redactText(`seen ${token} here`).includes(token);
};

describe('GDX token redaction over a long run', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-04T08:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays masked while used, and for the idle lifetime after the last use', async () => {
    let n = 0;
    const tokens: string[] = [];
    const cache = new TokenCache(
      async () => {
        const token = `gdx-token-${++n}-${'k'.repeat(24)}`;
        tokens.push(token);
        return token;
      },
      { idleTimeoutInMs: IDLE, refreshMarginInMs: 5 * MINUTE, maxEntries: 10 },
    );
    const token = await cache.get('3100500012345', 'r-0');
    // Three hours of use, spaced unevenly (7 s to 3 min apart): the registration made at the first
    // validate would have lapsed long before the end.
    for (let i = 0; vi.getMockedSystemTime()!.getTime() < Date.parse('2026-12-04T11:00:00Z'); i++) {
      vi.advanceTimersByTime([7_000, 59_000, 61_000, 3 * MINUTE][i % 4] as number);
      expect(await cache.get('3100500012345', `r-${i}`)).toBe(token);
      expect(masked(token), `masked after ${i} uses`).toBe(true);
    }
    // Then twelve minutes of uses 55 s apart, so the last use need not be one that renewed.
    for (let i = 0; i < 13; i++) {
      vi.advanceTimersByTime(55_000);
      expect(await cache.get('3100500012345', `s-${i}`)).toBe(token);
    }
    expect(tokens).toEqual([token]);
    // GDX may accept it until its idle lifetime after the last use; the registration lasts at least four
    // minutes longer (its five-minute margin, less the minute between renewals).
    vi.advanceTimersByTime(IDLE + 3 * MINUTE + 50_000);
    expect(masked(token)).toBe(true);
    // Not kept for ever: an hour after GDX forgot it, it is no longer on the list.
    vi.advanceTimersByTime(30 * MINUTE);
    expect(masked(token)).toBe(false);
  });
});
