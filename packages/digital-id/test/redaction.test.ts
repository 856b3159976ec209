import { inspect } from 'node:util';
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { captureLogger } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';
import { type CraftedProvider, startCraftedProvider } from './crafted-provider.js';
import { failure, loginAs, REDIRECT } from './helpers.js';

const population = generatePopulation({ seed: 13, people: 20, companies: 2 });
const citizen = population.people[1]!;

function everything(err: unknown, lines: string[]): string {
  return [JSON.stringify(err), inspect(err, { depth: 10 }), String(err), ...lines].join('\n');
}

let thaid: ThaidProvider;
let crafted: CraftedProvider;
beforeAll(async () => {
  thaid = await startThaidProvider({ population });
  crafted = await startCraftedProvider();
});
afterAll(async () => {
  await thaid.close();
  await crafted.close();
});

describe('no citizen ID, token or secret in logs and errors', () => {
  it('a full login and a replayed callback, logged at debug', async () => {
    const { logger, lines } = captureLogger();
    const c = thaid.clients.default;
    const client = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      apiKey: thaid.apiKey,
      redirectUri: REDIRECT,
      logger,
      logLevel: 'debug',
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
      const id = await client.handleCallback(callbackUrl, { expectedState: state });
      const err = await failure(() => client.handleCallback(callbackUrl, { expectedState: state }));
      expect(err.code).toBe('ERR_DIGITAL_ID_STATE_REPLAYED');
      const refreshErr = await failure(() => client.refresh(`${id.tokens.refreshToken}-tampered`));
      expect(refreshErr.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
      expect(lines.length).toBeGreaterThan(0);
      const text = everything(err, lines) + everything(refreshErr, []);
      const code = new URL(callbackUrl).searchParams.get('code')!;
      for (const secret of [
        citizen.citizenId,
        id.tokens.accessToken,
        id.tokens.refreshToken!,
        id.tokens.idToken!,
        c.clientSecret,
        thaid.apiKey,
        code,
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await client.close();
    }
  });

  it('an id_token rejected for its nonce: the claims (with the citizen ID) stay out of the error', async () => {
    const client = new DigitalIdClient({
      provider: 'generic',
      issuer: crafted.issuer,
      clientId: crafted.clientId,
      clientSecret: crafted.clientSecret,
      redirectUri: REDIRECT,
      claimsSource: 'id_token',
      dangerouslyAllowInsecureHttp: true,
    });
    try {
      const req = await client.createLoginRequest();
      crafted.scenario = { claims: { sub: citizen.citizenId, pid: citizen.citizenId, nonce: 'wrong-nonce' } };
      const err = await failure(() =>
        client.handleCallback(`${REDIRECT}?code=c1&state=${req.state}`, { expectedState: req.state }),
      );
      expect(err.code).toBe('ERR_DIGITAL_ID_NONCE_MISMATCH');
      const text = everything(err, []);
      expect(text).not.toContain(citizen.citizenId);
      expect(text).not.toContain(crafted.clientSecret);
      // The cause is a summary, not the engine error holding the raw claims.
      const cause = (err as { cause?: { cause?: unknown; claims?: unknown } }).cause;
      expect(cause?.cause).toBeUndefined();
      expect(cause?.claims).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
