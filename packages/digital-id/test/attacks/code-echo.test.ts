import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { redactText } from '@thgov/core';
import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { craftedCallback, failure, useCraftedProvider } from '../helpers.js';

/**
 * Code echo: Spring-based providers answer a bad token request with
 * `error_description: "Invalid authorization code: <the code>"`, and some quote the PKCE verifier too. The
 * code and verifier were not registered as secrets, so they appeared raw in the error message, stack, JSON
 * and inspect output, and in log lines. They are now secrets for the life of the callback.
 */

const crafted = useCraftedProvider();

describe('code echo', () => {
  it('an authorization code and PKCE verifier echoed in error_description never appear in clear', async () => {
    const { logger, lines } = captureLogger();
    const client = crafted.client({ logger, logLevel: 'debug' });
    const code = randomBytes(24).toString('base64url');
    let verifier = '';
    const err = await failure(() =>
      craftedCallback(
        client,
        crafted.provider(),
        {
          tokenResponse: (form) => {
            verifier = form.get('code_verifier') ?? '';
            return {
              status: 400,
              body: {
                error: 'invalid_grant',
                error_description: `Invalid authorization code: ${form.get('code')} (PKCE verifier ${verifier})`,
              },
            };
          },
        },
        { code },
      ),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(verifier.length).toBeGreaterThan(40);
    // The provider's words stay, so the reader knows what went wrong.
    expect(err.message).toContain('Invalid authorization code');
    const everything = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String(err),
      ...lines,
    ].join('\n');
    expect(lines.some((l) => l.includes('"errorCode":"ERR_DIGITAL_ID_INVALID_GRANT"'))).toBe(true);
    for (const secret of [code, verifier, encodeURIComponent(code)]) expect(everything).not.toContain(secret);
    // Registered for the callback only: afterwards the (spent) code is ordinary text again.
    expect(redactText(`code ${code}`)).toBe(`code ${code}`);
  });

  it('a code echoed in the callback error itself is masked too', async () => {
    const client = crafted.client();
    const req = await client.createLoginRequest();
    const code = randomBytes(24).toString('base64url');
    const err = await failure(() =>
      client.handleCallback(
        `http://127.0.0.1:3000/auth/callback?code=${code}&state=${req.state}&error=server_error&error_description=${encodeURIComponent(`could not bind code ${code}`)}`,
        { expectedState: req.state },
      ),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_PROVIDER_ERROR');
    expect([err.message, String(err.stack), JSON.stringify(err), inspect(err)].join('\n')).not.toContain(
      code,
    );
  });
});
