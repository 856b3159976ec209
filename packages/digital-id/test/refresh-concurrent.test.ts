/**
 * A provider that rotates refresh tokens treats a second use of one as theft (RFC 9700 §4.14.2): oidc-provider
 * revokes the whole grant, the refresh token it has just issued included. An application refreshes when an
 * access token expires, and a page's parallel requests do so at the same moment with the same refresh token.
 * Each refresh was its own request: the second one revoked the session the first one had just renewed.
 * The credential providers of AWS SDK v3 and Azure Identity share one refresh among concurrent callers. Fault:
 * two concurrent `refresh(rt)` calls on one client ended the session.
 */
import { describe, expect, it } from 'vitest';
import { failure } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

/**
 * Refresh-token rotation with reuse detection, as oidc-provider does it: each refresh token is good once; a
 * used one presented again revokes every token of its grant.
 */
function rotatingProvider(first: string): { sent: string[] } {
  const sent: string[] = [];
  const used = new Set<string>();
  let live = new Set([first]);
  let issued = 0;
  quirks.op.token = (form) => {
    const rt = String(form.get('refresh_token'));
    sent.push(rt);
    if (used.has(rt)) live = new Set();
    if (!live.has(rt)) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'grant request is invalid' } };
    }
    used.add(rt);
    live.delete(rt);
    const next = `quirk-rotated-${++issued}-0123456789`;
    live.add(next);
    return {
      status: 200,
      body: { access_token: `quirk-access-${issued}-0123456789`, token_type: 'Bearer', refresh_token: next },
    };
  };
  return { sent };
}

describe('concurrent refreshes with one refresh token', () => {
  it('share one request: every caller gets the same rotated refresh token, and it refreshes again', async () => {
    const first = 'quirk-session-refresh-0123456789';
    const { sent } = rotatingProvider(first);
    const c = quirkClient(quirks.op, quirks.clients);
    const results = await Promise.all([c.refresh(first), c.refresh(first), c.refresh(first)]);
    expect(sent).toEqual([first]);
    expect(new Set(results.map((t) => t.refreshToken)).size).toBe(1);
    const next = await c.refresh(results[0]?.refreshToken as string);
    expect(next.refreshToken).toMatch(/^quirk-rotated-2-/);
  });

  it('a refresh after the shared one has finished is a request of its own (reuse stays visible)', async () => {
    const first = 'quirk-session-refresh-reuse-0123456789';
    const { sent } = rotatingProvider(first);
    const c = quirkClient(quirks.op, quirks.clients);
    await c.refresh(first);
    const err = await failure(() => c.refresh(first));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(sent).toEqual([first, first]);
  });

  it('a failed shared refresh fails every caller with the typed error, and is not kept', async () => {
    const first = 'quirk-session-refresh-failed-0123456789';
    const { sent } = rotatingProvider('quirk-some-other-token-0123456789');
    const c = quirkClient(quirks.op, quirks.clients);
    const errors = await Promise.all([failure(() => c.refresh(first)), failure(() => c.refresh(first))]);
    expect(errors.map((e) => e.code)).toEqual([
      'ERR_DIGITAL_ID_INVALID_GRANT',
      'ERR_DIGITAL_ID_INVALID_GRANT',
    ]);
    await failure(() => c.refresh(first));
    expect(sent).toEqual([first, first]);
  });

  it('the first caller aborts: a joined caller sends its own refresh instead of failing with that abort', async () => {
    const rt = 'quirk-session-refresh-abort-0123456789';
    let arrived!: () => void;
    const firstArrived = new Promise<void>((r) => {
      arrived = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const sent: string[] = [];
    quirks.op.token = async (form) => {
      sent.push(String(form.get('refresh_token')));
      if (sent.length === 1) {
        arrived();
        await held;
      }
      const n = sent.length;
      return { status: 200, body: { access_token: `quirk-access-${n}-0123456789`, token_type: 'Bearer' } };
    };
    const c = quirkClient(quirks.op, quirks.clients);
    const abort = new AbortController();
    try {
      const first = failure(() => c.refresh(rt, { abortSignal: abort.signal }));
      const joined = c.refresh(rt);
      await firstArrived;
      expect(sent).toEqual([rt]);
      abort.abort();
      expect((await first).code).toBe('ERR_ABORTED');
      expect((await joined).accessToken).toBe('quirk-access-2-0123456789');
      expect(sent).toEqual([rt, rt]);
    } finally {
      release();
    }
  });
});
