import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient, DigitalIdClientOptions } from '../src/index.js';
import { failure, loginAs, sandboxClient } from './helpers.js';

/**
 * Reference (digital-id.md, ThaID): "client_secret_basic and client_secret_post both work. One public client_id
 * ends in `=`: RFC 6749 form-encoding in Basic turns it into `%3D`" (so ThaID does not form-decode Basic), and
 * "Introspect/revoke: Basic auth" (ETDA's samples write `client_id:secret` as is). The sandbox ThaID compares
 * Basic credentials as written; its default client's ID ends in "==".
 */

const population = generatePopulation({ seed: 12, people: 20, companies: 1 });
const citizen = population.people[3]!;
let thaid: ThaidProvider;
const clients: DigitalIdClient[] = [];

function thaidClient(extra: Partial<DigitalIdClientOptions> = {}): DigitalIdClient {
  const client = sandboxClient(thaid, extra);
  clients.push(client);
  return client;
}

async function login(client: DigitalIdClient) {
  const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
  return client.handleCallback(callbackUrl, { expectedState: state });
}

beforeAll(async () => {
  thaid = await startThaidProvider({ population });
  expect(thaid.clients.default.clientId.endsWith('=')).toBe(true);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await thaid.close();
});

describe('ThaID Basic client credentials, with a client_id ending in "="', () => {
  it('introspect and revoke (Basic) succeed by default', async () => {
    const client = thaidClient();
    const id = await login(client);
    expect((await client.introspect(id.tokens.accessToken)).active).toBe(true);
    await client.revoke(id.tokens.accessToken, { tokenTypeHint: 'access_token' });
    expect((await client.introspect(id.tokens.accessToken)).active).toBe(false);
  });

  it('client_secret_basic at the token endpoint works too ("both work")', async () => {
    const client = thaidClient({ tokenEndpointAuthMethod: 'client_secret_basic' });
    const id = await login(client);
    expect(id.subject).toBe(citizen.citizenId);
    expect(await client.refresh(id.tokens.refreshToken!)).toHaveProperty('accessToken');
  });

  it('form-encoded Basic ("%3D") is refused by ThaID: ERR_DIGITAL_ID_INVALID_CLIENT, the secret not in the error', async () => {
    const client = thaidClient({ basicCredentialEncoding: 'form' });
    const id = await login(client);
    const err = await failure(() => client.introspect(id.tokens.accessToken));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
    expect(JSON.stringify(err)).not.toContain(thaid.clients.default.clientSecret);
  });
});
