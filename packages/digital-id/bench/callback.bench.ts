import { performance } from 'node:perf_hooks';
import { generatePopulation, SandboxBrowser, startThaidProvider } from '@thgov/sandbox';
import * as oidc from 'openid-client';
import { DigitalIdClient } from '../src/index.js';

/**
 * The callback step (state check, code exchange, id_token validation) through DigitalIdClient, against
 * bare openid-client doing the same exchange on the same sandbox ThaID-like provider: the price of the
 * package's checks and redaction over the engine. Logins happen outside the timed section.
 */
const ROUNDS = 40;
const REDIRECT = 'http://127.0.0.1:3000/auth/callback';

export async function benchCallback(): Promise<void> {
  const population = generatePopulation({ seed: 3, people: 10, companies: 1 });
  const op = await startThaidProvider({ population });
  const c = op.clients.default;
  const citizenId = population.people[0]!.citizenId;
  const client = new DigitalIdClient({
    provider: 'thaid',
    issuer: op.issuer,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    apiKey: op.apiKey,
    redirectUri: REDIRECT,
    dangerouslyAllowInsecureHttp: true,
  });
  const config = await oidc.discovery(
    new URL(op.issuer),
    c.clientId,
    undefined,
    oidc.ClientSecretPost(c.clientSecret),
    {
      execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
    },
  );
  const bareFetch: oidc.CustomFetch = (url, init) =>
    fetch(url, { ...init, headers: { ...init.headers, 'x-imauth-apikey': op.apiKey } });
  config[oidc.customFetch] = bareFetch;

  async function ours(): Promise<number> {
    let total = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const req = await client.createLoginRequest();
      const out = await new SandboxBrowser().login(req.url, { citizenId });
      if (out.kind !== 'redirect') throw new Error('login failed');
      const t0 = performance.now();
      await client.handleCallback(out.url, { expectedState: req.state });
      total += performance.now() - t0;
    }
    return total / ROUNDS;
  }

  async function bare(): Promise<number> {
    let total = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid pid given_name family_name',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const out = await new SandboxBrowser().login(url, { citizenId });
      if (out.kind !== 'redirect') throw new Error('login failed');
      const t0 = performance.now();
      await oidc.authorizationCodeGrant(config, new URL(out.url), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      total += performance.now() - t0;
    }
    return total / ROUNDS;
  }

  try {
    await ours();
    await bare();
    const value = await ours();
    const baselineValue = await bare();
    process.stdout.write(
      `${JSON.stringify({
        bench: 'digital-id.handle-callback',
        unit: 'ms/callback',
        value: Number(value.toFixed(3)),
        baseline: 'bare openid-client authorizationCodeGrant',
        baselineValue: Number(baselineValue.toFixed(3)),
        ratio: Number((value / baselineValue).toFixed(3)),
      })}\n`,
    );
  } finally {
    await client.close();
    await op.close();
  }
}
