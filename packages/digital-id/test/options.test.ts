import { describe, expect, it } from 'vitest';
import {
  DigitalIdClient,
  type DigitalIdClientOptions,
  dgaHashSecret,
  PROVIDER_PRESETS,
} from '../src/index.js';
import { failure } from './helpers.js';

const base: DigitalIdClientOptions = {
  provider: 'thaid',
  clientId: 'abc=',
  clientSecret: 'secret-value-1',
  redirectUri: 'https://agency.example/auth/callback',
};

function construct(options: unknown): Error & { code?: string } {
  return failure(() => new DigitalIdClient(options as DigitalIdClientOptions));
}

describe('DigitalIdClient options', () => {
  it('rejects unknown keys with ERR_INVALID_ARG naming the key', () => {
    const err = construct({ ...base, redirectURI: 'x' });
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(err.message).toMatch(/redirectURI/);
  });

  it.each([
    ['a redirect URI with a fragment', { redirectUri: 'https://a.example/cb#x' }],
    ['a scope with a space', { scopes: ['openid profile'] }],
    ['an unknown provider', { provider: 'ndid' }],
    ['an unknown environment', { environment: 'staging' }],
    ['an inherited property as environment', { environment: '__proto__' }],
    ['a generic provider without issuer', { provider: 'generic' }],
    ['a missing secret', { clientSecret: undefined }],
    ['a state TTL below 10 s', { stateTtlInMs: 5 }],
    ['an API key header that is not a token', { apiKeyHeader: 'bad header' }],
  ])('rejects %s', (_label, patch) => {
    const err = construct({ ...base, ...patch });
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
  });

  it('refuses a plain-http issuer without the explicit opt-in: ERR_DIGITAL_ID_INSECURE', () => {
    const err = construct({ ...base, issuer: 'http://127.0.0.1:4000' });
    expect(err.code).toBe('ERR_DIGITAL_ID_INSECURE');
    expect((err as { hint?: string }).hint).toMatch(/dangerouslyAllowInsecureHttp/);
  });

  it('refuses a plain-http redirect URI on a public host', () => {
    expect(construct({ ...base, redirectUri: 'http://agency.example/cb' }).code).toBe(
      'ERR_DIGITAL_ID_INSECURE',
    );
  });

  it('picks the preset issuer per environment', async () => {
    const sandbox = new DigitalIdClient({ ...base, environment: 'sandbox', discovery: 'static' });
    try {
      const m = await sandbox.metadata();
      expect(m.issuer).toBe('https://imauthsbx.bora.dopa.go.th');
      expect(m.authorizationEndpoint).toBe('https://imauthsbx.bora.dopa.go.th/api/v2/oauth2/auth/');
      expect(m.discovered).toBe(false);
    } finally {
      await sandbox.close();
    }
  });

  it('falls back to the static endpoints when discovery fails (auto)', async () => {
    const dga = new DigitalIdClient({
      provider: 'dga',
      issuer: 'http://127.0.0.1:9',
      clientId: 'consumer-key',
      clientSecret: 'consumer-secret',
      redirectUri: 'http://127.0.0.1:3000/cb',
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      const req = await dga.createLoginRequest();
      const u = new URL(req.url);
      expect(u.origin + u.pathname).toBe('http://127.0.0.1:9/connect/authorize');
      expect(u.searchParams.get('scope')).toBe('openid profile citizen_id');
      expect(u.searchParams.get('code_challenge_method')).toBe('S256');
      expect((await dga.metadata()).endSessionEndpoint).toBe('http://127.0.0.1:9/connect/endsession');
    } finally {
      await dga.close();
    }
  });

  it('with discovery required, a dead issuer fails instead of falling back', async () => {
    const strict = new DigitalIdClient({
      provider: 'dga',
      issuer: 'http://127.0.0.1:9',
      clientId: 'k',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:3000/cb',
      discovery: 'required',
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      expect((await failure(() => strict.createLoginRequest())).code).toBe('ERR_NETWORK');
    } finally {
      await strict.close();
    }
  });

  it('validates createLoginRequest input and refuses overriding protocol parameters', async () => {
    const c = new DigitalIdClient({ ...base, discovery: 'static' });
    try {
      expect((await failure(() => c.createLoginRequest({ extraParameters: { nonce: 'mine' } }))).code).toBe(
        'ERR_INVALID_ARG',
      );
      expect((await failure(() => c.createLoginRequest({ prompt: 'never' as 'none' }))).code).toBe(
        'ERR_INVALID_ARG',
      );
      const req = await c.createLoginRequest({
        scopes: ['pid'],
        maxAgeInMs: 1500,
        extraParameters: { ui: 'th' },
      });
      const u = new URL(req.url);
      expect(u.searchParams.get('scope')).toBe('openid pid');
      expect(u.searchParams.get('max_age')).toBe('2');
      expect(u.searchParams.get('ui')).toBe('th');
      expect(req.expiresAt.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    } finally {
      await c.close();
    }
  });

  it('refuses calls after close: ERR_CLIENT_CLOSED', async () => {
    const c = new DigitalIdClient({ ...base, discovery: 'static' });
    await c.close();
    expect((await failure(() => c.createLoginRequest())).code).toBe('ERR_CLIENT_CLOSED');
  });

  it.each([
    ['empty', ''],
    ['oversized', 'x'.repeat(20_000)],
  ])('refuses a %s token for refresh / revoke / introspect', async (_label, token) => {
    const c = new DigitalIdClient({ ...base, discovery: 'static' });
    try {
      for (const call of [() => c.refresh(token), () => c.revoke(token), () => c.introspect(token)]) {
        expect((await failure(call)).code).toBe('ERR_INVALID_ARG');
      }
    } finally {
      await c.close();
    }
  });
});

describe('presets', () => {
  it('ThaID posts the secret (its client_id may end in "="); DGA hashes it', () => {
    expect(PROVIDER_PRESETS.thaid.tokenEndpointAuthMethod).toBe('client_secret_post');
    expect(PROVIDER_PRESETS.thaid.apiKeyHeader).toBe('x-imauth-apikey');
    expect(PROVIDER_PRESETS.dga.logoutRedirectParameter).toBe('post_logout_redirect_url');
    expect(PROVIDER_PRESETS.dga.transformClientSecret?.('s')).toBe(dgaHashSecret('s'));
  });

  it('dgaHashSecret is seven rounds of md5(h + "EGA")', () => {
    // Reference value computed independently (Python hashlib): h = md5(h + "EGA") seven times from "secret".
    expect(dgaHashSecret('secret')).toBe('f3f25383de5eab0cbfa047b25e10f096');
  });
});
