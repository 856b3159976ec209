import { spawn } from 'node:child_process';
import { DigitalIdClient } from '@thgov/digital-id';
import { SandboxBrowser } from '@thgov/sandbox';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import * as oidc from 'openid-client';

/**
 * The callback step (state check, code exchange, id_token validation) through DigitalIdClient, against
 * bare openid-client doing the same exchange on the same sandbox ThaID-like provider (in a child process, so
 * its CPU is not the client's): the price of the package's checks and redaction over the engine. Logins happen
 * outside the measured section; interleaved rounds, medians and spread of time and CPU per callback.
 */
const CALLBACKS_PER_ROUND = sized(10, 3);
const ROUNDS = sized(8, 2);
const REDIRECT = 'http://127.0.0.1:3000/auth/callback';

interface ProviderInfo {
  issuer: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  citizenId: string;
}

const providerSource = `
import { generatePopulation, startThaidProvider } from '@thgov/sandbox';
const population = generatePopulation({ seed: 3, people: 10, companies: 1 });
const op = await startThaidProvider({ population });
const c = op.clients.default;
process.send({ issuer: op.issuer, clientId: c.clientId, clientSecret: c.clientSecret, apiKey: op.apiKey,
  citizenId: population.people[0].citizenId });
process.on('disconnect', () => op.close().then(() => process.exit(0)));
`;

async function startProviderProcess(): Promise<{ op: ProviderInfo; close(): Promise<void> }> {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', providerSource], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: new URL('..', import.meta.url),
  });
  const op = await new Promise<ProviderInfo>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as ProviderInfo));
    proc.once('exit', (code) => reject(new Error(`provider exited with ${code}`)));
  });
  return { op, close: async () => void proc.disconnect() };
}

export async function benchCallback(): Promise<void> {
  const { op, close } = await startProviderProcess();
  const c = { clientId: op.clientId, clientSecret: op.clientSecret };
  const citizenId = op.citizenId;
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

  /** CALLBACKS_PER_ROUND logins, then their callbacks (the measured part) through DigitalIdClient. */
  async function ours() {
    const pending: Array<{ url: string; state: string }> = [];
    for (let i = 0; i < CALLBACKS_PER_ROUND; i++) {
      const req = await client.createLoginRequest();
      const out = await new SandboxBrowser().login(req.url, { citizenId });
      if (out.kind !== 'redirect') throw new Error('login failed');
      pending.push({ url: out.url, state: req.state });
    }
    return {
      run: async () => {
        for (const p of pending) await client.handleCallback(p.url, { expectedState: p.state });
      },
    };
  }

  /** The same with bare openid-client. */
  async function bare() {
    const pending: Array<{ url: string; verifier: string; state: string; nonce: string }> = [];
    for (let i = 0; i < CALLBACKS_PER_ROUND; i++) {
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
      pending.push({ url: out.url, verifier, state, nonce });
    }
    return {
      run: async () => {
        for (const p of pending) {
          await oidc.authorizationCodeGrant(config, new URL(p.url), {
            pkceCodeVerifier: p.verifier,
            expectedState: p.state,
            expectedNonce: p.nonce,
          });
        }
      },
    };
  }

  try {
    emitBenchLine(
      await compareRounds({
        bench: 'digital-id.handle-callback',
        kind: 'time',
        unit: 'ms/callback',
        baseline: 'bare openid-client authorizationCodeGrant',
        opsPerRound: CALLBACKS_PER_ROUND,
        rounds: ROUNDS,
        thgov: { prepare: ours },
        baselineSide: { prepare: bare },
      }),
    );
  } finally {
    await client.close();
    await close();
  }
}
