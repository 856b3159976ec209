import {
  type DgaProvider,
  type GenericProvider,
  generatePopulation,
  SandboxBrowser,
  startDgaProvider,
  startGenericProvider,
  startThaidProvider,
  type ThaidProvider,
} from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';
import { AFTER_LOGOUT, failure, loginAs, REDIRECT, redirected } from './helpers.js';

const population = generatePopulation({ seed: 11, people: 40, companies: 2 });
const citizen = population.people[5]!;

describe('ThaID-like provider: login, refresh, introspect, revoke, logout', () => {
  let thaid: ThaidProvider;
  let client: DigitalIdClient;
  beforeAll(async () => {
    thaid = await startThaidProvider({ population });
    const c = thaid.clients.default;
    client = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      apiKey: thaid.apiKey,
      redirectUri: REDIRECT,
      postLogoutRedirectUri: AFTER_LOGOUT,
      dangerouslyAllowInsecureHttp: true,
    });
  });
  afterAll(async () => {
    await client.close();
    await thaid.close();
  });

  it('discovers the trailing-slash endpoints', async () => {
    const m = await client.metadata();
    expect(m.discovered).toBe(true);
    expect(m.tokenEndpoint).toBe(`${thaid.issuer}/api/v2/oauth2/token/`);
    expect(m.par).toBe(false);
    expect(m.dpop).toBe(false);
  });

  it('logs a citizen in with claims from the id_token, then refreshes, introspects, revokes and logs out', async () => {
    const browser = new SandboxBrowser();
    const { callbackUrl, state, url } = await loginAs(client, browser, citizen.citizenId, {
      data: { returnTo: '/inbox' },
    });
    const auth = new URL(url);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('state')).toBe(state);
    // The `=` of the client_id survives (form-encoded in the URL, posted in the body at the token endpoint).
    expect(auth.searchParams.get('client_id')).toBe(thaid.clients.default.clientId);

    const id = await client.handleCallback(callbackUrl, { expectedState: state });
    expect(id.provider).toBe('thaid');
    expect(id.subject).toBe(citizen.citizenId);
    expect(id.citizenId).toBe(citizen.citizenId);
    expect(id.names.th).toMatchObject({
      title: citizen.title.th,
      given: citizen.firstName.th,
      family: citizen.lastName.th,
    });
    expect(id.names.en).toMatchObject({ given: citizen.firstName.en, family: citizen.lastName.en });
    expect(id.birthdate).toBe(citizen.birthDate);
    expect(id.data).toEqual({ returnTo: '/inbox' });
    expect(id.tokens.refreshToken).toBeTruthy();
    expect(id.tokens.idToken).toBeTruthy();
    expect(id.tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now());

    const active = await client.introspect(id.tokens.accessToken);
    expect(active.active).toBe(true);
    expect(active.subject).toBe(citizen.citizenId);

    const refreshed = await client.refresh(id.tokens.refreshToken!);
    expect(refreshed.accessToken).not.toBe(id.tokens.accessToken);

    await client.revoke(refreshed.accessToken, { tokenTypeHint: 'access_token' });
    expect((await client.introspect(refreshed.accessToken)).active).toBe(false);

    const logout = new URL(await client.logoutUrl({ idToken: id.tokens.idToken!, state: 'bye-1' }));
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(AFTER_LOGOUT);
    expect(redirected(await browser.logout(logout))).toBe(`${AFTER_LOGOUT}?state=bye-1`);
  });

  it('works from the preset static endpoints when discovery is off', async () => {
    const c = thaid.clients.default;
    const staticClient = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      apiKey: thaid.apiKey,
      redirectUri: REDIRECT,
      discovery: 'static',
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      expect((await staticClient.metadata()).discovered).toBe(false);
      const { callbackUrl, state } = await loginAs(staticClient, new SandboxBrowser(), citizen.citizenId);
      const id = await staticClient.handleCallback(callbackUrl, { expectedState: state });
      expect(id.citizenId).toBe(citizen.citizenId);
    } finally {
      await staticClient.close();
    }
  });

  it('fails with ERR_DIGITAL_ID_INVALID_CLIENT without the API key', async () => {
    const c = thaid.clients.default;
    const noKey = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      redirectUri: REDIRECT,
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      const { callbackUrl, state } = await loginAs(noKey, new SandboxBrowser(), citizen.citizenId);
      const err = await failure(() => noKey.handleCallback(callbackUrl, { expectedState: state }));
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
      expect(err.hint).toMatch(/API key/);
    } finally {
      await noKey.close();
    }
  });
});

describe('DGA-like provider: login, refresh, revoke, logout', () => {
  let dga: DgaProvider;
  let client: DigitalIdClient;
  beforeAll(async () => {
    dga = await startDgaProvider({ population });
    const c = dga.clients.default;
    client = new DigitalIdClient({
      provider: 'dga',
      issuer: dga.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      redirectUri: REDIRECT,
      postLogoutRedirectUri: AFTER_LOGOUT,
      scopes: ['openid', 'profile', 'citizen_id', 'email', 'ial_level', 'offline_access'],
      dangerouslyAllowInsecureHttp: true,
    });
  });
  afterAll(async () => {
    await client.close();
    await dga.close();
  });

  it('logs in with the raw Consumer-Secret (hashed by the preset) and reads claims from userinfo', async () => {
    const browser = new SandboxBrowser();
    const { callbackUrl, state } = await loginAs(client, browser, citizen.citizenId);
    const id = await client.handleCallback(callbackUrl, { expectedState: state });
    expect(id.provider).toBe('dga');
    expect(id.subject).not.toBe(citizen.citizenId);
    expect(id.citizenId).toBe(citizen.citizenId);
    expect(id.names.th).toMatchObject({ given: citizen.firstName.th, family: citizen.lastName.th });
    expect(id.ial).toBe('2.2');
    expect(id.claims.email).toBe(citizen.email);

    const refreshed = await client.refresh(id.tokens.refreshToken!);
    expect(refreshed.accessToken).toBeTruthy();
    await client.revoke(id.tokens.refreshToken!, { tokenTypeHint: 'refresh_token' });
    const err = await failure(() => client.refresh(id.tokens.refreshToken!));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');

    const logout = new URL(await client.logoutUrl({ idToken: id.tokens.idToken!, state: 'dga-bye' }));
    expect(logout.pathname).toBe('/connect/endsession');
    expect(logout.searchParams.get('post_logout_redirect_url')).toBe(AFTER_LOGOUT);
    expect(logout.searchParams.has('post_logout_redirect_uri')).toBe(false);
    expect(redirected(await browser.logout(logout))).toBe(`${AFTER_LOGOUT}?state=dga-bye`);
  });

  it('is refused with ERR_DIGITAL_ID_INVALID_CLIENT when the secret is sent untransformed', async () => {
    const c = dga.clients.default;
    const raw = new DigitalIdClient({
      provider: 'dga',
      issuer: dga.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      clientSecretIsTransformed: true,
      redirectUri: REDIRECT,
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      const { callbackUrl, state } = await loginAs(raw, new SandboxBrowser(), citizen.citizenId);
      const err = await failure(() => raw.handleCallback(callbackUrl, { expectedState: state }));
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
    } finally {
      await raw.close();
    }
  });
});

describe('generic provider with PAR and DPoP advertised', () => {
  let generic: GenericProvider;
  let client: DigitalIdClient;
  beforeAll(async () => {
    generic = await startGenericProvider({ population });
    const c = generic.clients.default;
    client = new DigitalIdClient({
      provider: 'generic',
      issuer: generic.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      redirectUri: REDIRECT,
      postLogoutRedirectUri: AFTER_LOGOUT,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      dangerouslyAllowInsecureHttp: true,
    });
  });
  afterAll(async () => {
    await client.close();
    await generic.close();
  });

  it('sends max_age and checks auth_time', async () => {
    const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId, {
      maxAgeInMs: 600_000,
    });
    const id = await client.handleCallback(callbackUrl, { expectedState: state });
    expect(typeof id.claims.auth_time).toBe('number');
    expect(Math.abs(Number(id.claims.auth_time) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('uses PAR and DPoP, logs in, refreshes, revokes and logs out', async () => {
    const m = await client.metadata();
    expect(m.par).toBe(true);
    expect(m.dpop).toBe(true);
    const browser = new SandboxBrowser();
    const { callbackUrl, state, url } = await loginAs(client, browser, citizen.citizenId);
    // With PAR the authorization URL carries only a request_uri, not the parameters.
    expect(new URL(url).searchParams.get('request_uri')).toMatch(/^urn:/);
    expect(new URL(url).searchParams.has('nonce')).toBe(false);
    const id = await client.handleCallback(callbackUrl, { expectedState: state });
    expect(id.tokens.tokenType.toLowerCase()).toBe('dpop');
    expect(id.names.en).toMatchObject({ given: citizen.firstName.en, family: citizen.lastName.en });
    expect(id.citizenId).toBeUndefined();
    const refreshed = await client.refresh(id.tokens.refreshToken!);
    expect(refreshed.tokenType.toLowerCase()).toBe('dpop');
    await client.revoke(refreshed.refreshToken ?? id.tokens.refreshToken!);
    const logout = await client.logoutUrl({ idToken: id.tokens.idToken! });
    expect(redirected(await browser.logout(logout))).toBe(AFTER_LOGOUT);
  });
});
