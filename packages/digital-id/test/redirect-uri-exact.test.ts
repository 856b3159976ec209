/**
 * The redirect_uri at the token endpoint is the one the authorization request carried, byte for byte (RFC 6749
 * §4.1.3; ThaID refuses one not exactly registered). openid-client derives it from the callback URL with its
 * query stripped, which differs from the registered URI when that URI has a query of its own (RFC 6749 §3.1.2
 * allows one: `?idp=thaid`) or no path (`https://host` becomes `https://host/`).
 */
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';
import { failure, loginAs } from './helpers.js';

const population = generatePopulation({ seed: 29, people: 10, companies: 1 });
const citizen = population.people[3]!;
const WITH_QUERY = 'http://127.0.0.1:3000/auth/callback?idp=thaid&tenant=a%20b';
const NO_PATH = 'http://127.0.0.1:3000';

let thaid: ThaidProvider;
beforeAll(async () => {
  thaid = await startThaidProvider({ population, redirectUris: [WITH_QUERY, NO_PATH] });
});
afterAll(async () => {
  await thaid.close();
});

function client(redirectUri: string): DigitalIdClient {
  const c = thaid.clients.default;
  return new DigitalIdClient({
    provider: 'thaid',
    issuer: thaid.issuer,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    apiKey: thaid.apiKey,
    redirectUri,
    dangerouslyAllowInsecureHttp: true,
  });
}

describe('a registered redirect URI is sent to the token endpoint exactly as registered', () => {
  it('a redirect URI with a query of its own: the login completes', async () => {
    const c = client(WITH_QUERY);
    try {
      const { callbackUrl, state } = await loginAs(c, new SandboxBrowser(), citizen.citizenId);
      expect(new URL(callbackUrl).searchParams.get('idp')).toBe('thaid');
      const id = await c.handleCallback(callbackUrl, { expectedState: state });
      expect(id.citizenId).toBe(citizen.citizenId);
    } finally {
      await c.close();
    }
  });

  it('a redirect URI without a path: the login completes', async () => {
    const c = client(NO_PATH);
    try {
      const { callbackUrl, state } = await loginAs(c, new SandboxBrowser(), citizen.citizenId);
      const id = await c.handleCallback(callbackUrl, { expectedState: state });
      expect(id.citizenId).toBe(citizen.citizenId);
    } finally {
      await c.close();
    }
  });

  it('a callback that lost the redirect URI query (another registered route): ERR_DIGITAL_ID_REDIRECT_MISMATCH', async () => {
    const c = client(WITH_QUERY);
    try {
      const { callbackUrl, state } = await loginAs(c, new SandboxBrowser(), citizen.citizenId);
      const stripped = new URL(callbackUrl);
      stripped.searchParams.delete('idp');
      const err = await failure(() => c.handleCallback(stripped, { expectedState: state }));
      expect(err.code).toBe('ERR_DIGITAL_ID_REDIRECT_MISMATCH');
    } finally {
      await c.close();
    }
  });
});
