import { describe, expect, it } from 'vitest';
import { failure, REDIRECT } from '../helpers.js';
import { quirkClient, useQuirkProvider } from '../quirk-provider.js';

/**
 * RFC 6749 §3.1: response parameters "MUST NOT be included more than once". A callback with two `code` (an
 * attacker's code injected beside the user's), two `iss` (one of them the genuine issuer, to pass an
 * "any of them matches" check) or a name spelled with a percent-escape (`cod%65`) is refused before the login
 * is consumed: the user's own callback then still completes. Checked, not a fault (guard).
 */

const quirks = useQuirkProvider();

describe('a callback repeating a response parameter', () => {
  it.each([
    ['two codes', (state: string) => `code=attacker-code-000000&code=quirk-code-0123456789&state=${state}`],
    [
      'a code spelled cod%65',
      (state: string) => `cod%65=attacker-code-000000&code=quirk-code-0123456789&state=${state}`,
    ],
    [
      'two iss, the genuine one second',
      (state: string) =>
        `code=quirk-code-0123456789&state=${state}&iss=${encodeURIComponent('https://evil.example')}&iss=${encodeURIComponent(quirks.op.issuer)}`,
    ],
    ['two errors', (state: string) => `error=access_denied&error=server_error&state=${state}`],
  ])(
    '%s: ERR_DIGITAL_ID_CALLBACK_INVALID, and the login survives for the real callback',
    async (_l, query) => {
      const client = quirkClient(quirks.op, quirks.clients);
      const req = await client.createLoginRequest();
      quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
      const err = await failure(() =>
        client.handleCallback(`${REDIRECT}?${query(req.state)}`, { expectedState: req.state }),
      );
      expect(err.code).toBe('ERR_DIGITAL_ID_CALLBACK_INVALID');
      expect(quirks.op.seen.some((r) => r.path.startsWith('/token'))).toBe(false);
      const identity = await client.handleCallback(
        `${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`,
        { expectedState: req.state },
      );
      expect(identity.subject).toBeTruthy();
    },
  );
});
