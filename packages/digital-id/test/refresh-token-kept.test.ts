/**
 * RFC 6749 §6: a refresh answer MAY carry a new refresh token (then the old one is discarded); without one, the
 * refresh token sent stays the one to use. A TokenSet without `refreshToken` after a refresh reads as "no
 * refresh token": an application that stores the refreshed set (`session.tokens = await client.refresh(...)`),
 * as it would with google-auth-library, can no longer refresh. The refresh token still in use is the one
 * returned, and it stays masked like a fresh one (not only for the minutes a caller-supplied input is), also
 * when it came from a session stored before a restart.
 */
import { redactText, registerSecret } from '@thgov/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();
afterEach(() => {
  vi.useRealTimers();
});

/** Refresh answers with a fresh access token and, only when `rotate`, a new refresh token. */
function refreshAnswers(rotate: boolean): string[] {
  const sent: string[] = [];
  quirks.op.token = (form) => {
    sent.push(String(form.get('refresh_token')));
    return {
      status: 200,
      body: {
        access_token: `quirk-access-${sent.length}-0123456789`,
        token_type: 'Bearer',
        expires_in: 300,
        ...(rotate ? { refresh_token: `quirk-rotated-${sent.length}-0123456789` } : {}),
      },
    };
  };
  return sent;
}

describe('a refresh answer without a new refresh token', () => {
  it('returns the refresh token still in use, so a stored TokenSet refreshes again', async () => {
    const sent = refreshAnswers(false);
    const client = quirkClient(quirks.op, quirks.clients);
    const original = 'quirk-session-refresh-token-0123456789';
    let tokens = await client.refresh(original);
    expect(tokens.refreshToken).toBe(original);
    tokens = await client.refresh(tokens.refreshToken as string);
    expect(tokens.refreshToken).toBe(original);
    expect(sent).toEqual([original, original]);
  });

  it('keeps that refresh token masked past the few minutes an input is (a session from before a restart)', async () => {
    refreshAnswers(false);
    const client = quirkClient(quirks.op, quirks.clients);
    const original = 'quirk-restored-refresh-token-0123456789';
    expect((await client.refresh(original)).refreshToken).toBe(original);
    vi.useFakeTimers({ now: Date.now() + 60 * 60_000, toFake: ['Date'] });
    // Any registration sweeps what has expired by then.
    registerSecret('quirk-unrelated-registration-0123456789', { kind: 'input' });
    expect(redactText(`refresh with ${original}`)).not.toContain(original);
  });

  it('a rotated refresh token replaces the one sent (control)', async () => {
    refreshAnswers(true);
    const client = quirkClient(quirks.op, quirks.clients);
    const tokens = await client.refresh('quirk-old-refresh-token-0123456789');
    expect(tokens.refreshToken).toBe('quirk-rotated-1-0123456789');
  });
});
