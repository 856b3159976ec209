import type { SandboxBrowser } from '@thgov/sandbox';
import { loginAs as walkLogin } from '@thgov/testkit';
import type { DigitalIdClient } from '../src/index.js';

export { caught as failure, expectRedirect as redirected } from '@thgov/testkit';

export const REDIRECT = 'http://127.0.0.1:3000/auth/callback';
export const AFTER_LOGOUT = 'http://127.0.0.1:3000/';

/** Starts a login with the client and walks the provider's login page as `citizenId`; returns the callback URL. */
export function loginAs(
  client: DigitalIdClient,
  browser: SandboxBrowser,
  citizenId: string,
  input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {},
): Promise<{ callbackUrl: string; state: string; url: string }> {
  return walkLogin(client, browser, citizenId, input);
}
