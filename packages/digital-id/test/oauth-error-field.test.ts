/**
 * `err.oauthError` is the field an application branches on and logs as a structured field (pino, winston: not
 * through the error's redacting toJSON). The message built from the same provider text is redacted, stripped
 * of CR/LF and capped; the field was copied raw from the callback URL and from a token error body, so a
 * provider (or a relayed callback) echoing a citizen ID, a code or a forged log line put them in the clear.
 * Every path now sets it the way the HTTP-200 error path already did.
 */
import { describe, expect, it } from 'vitest';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

const DASHED = '1-2345-67890-12-1';
const hostile = `server_error\r\nlevel=info msg=forged ${DASHED} ${'x'.repeat(3000)}`;

function expectSafe(oauthError: string | undefined): void {
  expect(oauthError).toMatch(/^server_error/);
  expect(oauthError).not.toContain(DASHED);
  expect(oauthError).not.toMatch(/[\r\n]/);
  expect((oauthError ?? '').length).toBeLessThanOrEqual(103);
}

describe('oauthError carries no personal data, no line breaks and no unbounded text', () => {
  it('an error in the callback URL', async () => {
    const c = quirkClient(quirks.op, quirks.clients);
    const req = await c.createLoginRequest();
    const err = await failure(() =>
      c.handleCallback(`${REDIRECT}?error=${encodeURIComponent(hostile)}&state=${req.state}`, {
        expectedState: req.state,
      }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_PROVIDER_ERROR');
    expectSafe((err as { oauthError?: string }).oauthError);
  });

  it.each([400, 200])('a token error body (HTTP %i)', async (status) => {
    quirks.op.token = () => ({ status, body: { error: hostile } });
    const c = quirkClient(quirks.op, quirks.clients);
    const req = await c.createLoginRequest();
    const err = await failure(() =>
      c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
        expectedState: req.state,
      }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_PROVIDER_ERROR');
    expectSafe((err as { oauthError?: string }).oauthError);
  });

  it('a standard error value is kept as sent (control)', async () => {
    quirks.op.token = () => ({ status: 400, body: { error: 'invalid_grant' } });
    const err = await failure(() =>
      quirkClient(quirks.op, quirks.clients).refresh('quirk-refresh-token-0123456789'),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect((err as { oauthError?: string }).oauthError).toBe('invalid_grant');
  });
});
