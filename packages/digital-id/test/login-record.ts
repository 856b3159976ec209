import type { LoginState } from '../src/index.js';

/**
 * A pending login as a client files it, for the state-store tests: live for `ttlInMs` from now, with `extra`
 * fields replacing or adding to the plain ones.
 */
export function loginRecord(state: string, ttlInMs = 60_000, extra: Partial<LoginState> = {}): LoginState {
  const now = Date.now();
  return {
    state,
    nonce: 'n',
    codeVerifier: 'v',
    redirectUri: 'https://app.example/cb',
    issuer: 'https://op.example',
    clientId: 'c',
    scopes: ['openid'],
    createdAt: now,
    expiresAt: now + ttlInMs,
    ...extra,
  };
}
