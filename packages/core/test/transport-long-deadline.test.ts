// A deadline longer than a timer can hold: Node's setTimeout takes at most 2^31-1 ms (24.8 days) and fires a longer
// one after 1 ms (with a TimeoutOverflowWarning). Before the fix a call given `timeoutInMs` of 30 days (a caller's
// "no limit" for a long transfer) failed at once with ERR_TIMEOUT, and so did any deadline started that long.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDeadline } from '../src/deadline.js';
import { transportHarness } from './helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const DAY = 24 * 3600 * 1000;
const LONGEST_TIMER = 2 ** 31 - 1;

afterEach(() => {
  vi.useRealTimers();
});

describe('a deadline longer than a timer can hold', () => {
  it('a call with timeoutInMs of 30 days gets its answer', async () => {
    // The answer comes after a timer set once the request arrived: a deadline cut to 1 ms fires before it.
    const s = await serve((_req, res) => {
      setTimeout(() => res.end('{"ok":true}'), 20);
    });
    const res = await transport({ baseUrl: s.url }).request(
      { method: 'GET', path: '/x' },
      { timeoutInMs: 30 * DAY },
    );
    expect(res.body).toEqual({ ok: true });
  });

  it.each([LONGEST_TIMER + 1, 30 * DAY, Number.MAX_SAFE_INTEGER])(
    'startDeadline(%d) is not fired by a short wait',
    async (timeoutInMs) => {
      const deadline = startDeadline({ timeoutInMs });
      try {
        await sleep(20);
        expect(deadline.signal?.aborted).toBe(false);
        expect(deadline.remainingInMs()).toBeGreaterThan(timeoutInMs - DAY);
      } finally {
        deadline.dispose();
      }
    },
  );

  it('still fires when its time comes, and not a timer period before', () => {
    vi.useFakeTimers();
    const timeoutInMs = 60 * DAY + 5;
    const deadline = startDeadline({ timeoutInMs });
    vi.advanceTimersByTime(timeoutInMs - 10);
    expect(deadline.signal?.aborted).toBe(false);
    vi.advanceTimersByTime(10);
    expect(deadline.signal?.aborted).toBe(true);
    expect(deadline.signal?.reason).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total', timeoutInMs });
  });

  it('dispose stops a long deadline between its timers', () => {
    vi.useFakeTimers();
    const deadline = startDeadline({ timeoutInMs: 60 * DAY });
    vi.advanceTimersByTime(LONGEST_TIMER + 1);
    deadline.dispose();
    vi.advanceTimersByTime(60 * DAY);
    expect(deadline.signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
