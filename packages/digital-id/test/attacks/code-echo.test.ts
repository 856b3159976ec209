import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Logger } from '@thgov/core';
import { redactText } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../../src/index.js';
import { type CraftedProvider, startCraftedProvider } from '../crafted-provider.js';
import { craftedCallback, craftedClient, failure } from '../helpers.js';

/**
 * Code echo: Spring-based providers answer a bad token request with
 * `error_description: "Invalid authorization code: <the code>"`, and some quote the PKCE verifier too. The
 * code and verifier were not registered as secrets, so they appeared raw in the error message, stack, JSON
 * and inspect output, and in log lines. They are now secrets for the life of the callback.
 */

let op: CraftedProvider;
const clients: DigitalIdClient[] = [];
beforeAll(async () => {
  op = await startCraftedProvider();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await op.close();
});

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, context?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${context ? JSON.stringify(context) : ''}`);
  return {
    logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
    lines,
  };
}

describe('code echo', () => {
  it('an authorization code and PKCE verifier echoed in error_description never appear in clear', async () => {
    const { logger, lines } = capture();
    const client = craftedClient(op, { logger, logLevel: 'debug' });
    clients.push(client);
    const code = randomBytes(24).toString('base64url');
    let verifier = '';
    const err = await failure(() =>
      craftedCallback(
        client,
        op,
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
    const client = craftedClient(op);
    clients.push(client);
    const req = await client.createLoginRequest();
    const code = randomBytes(24).toString('base64url');
    const err = await failure(() =>
      client.handleCallback(
        `http://127.0.0.1:3000/auth/callback?code=${code}&state=${req.state}&error=server_error&error_description=${encodeURIComponent(`could not bind code ${code}`)}`,
      ),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_PROVIDER_ERROR');
    expect([err.message, String(err.stack), JSON.stringify(err), inspect(err)].join('\n')).not.toContain(
      code,
    );
  });
});
