/**
 * Guards (the code was found correct): an id_token `aud` given as an array, as IdentityServer-style providers
 * send it. OIDC Core §3.1.3.7 items 3-5: the client must be among the audiences, and with several audiences an
 * `azp` naming this client is required.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure } from './helpers.js';
import { type QuirkProvider, quirkClient, quirkLogin, startQuirkProvider } from './quirk-provider.js';

let op: QuirkProvider;
const clients: DigitalIdClient[] = [];
beforeAll(async () => {
  op = await startQuirkProvider();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  op.claims = {};
});
afterAll(async () => {
  await op.close();
});

const login = () => quirkLogin(op, quirkClient(op, clients));

describe('aud as an array', () => {
  it('[client] alone is accepted', async () => {
    op.claims = { aud: [op.clientId] };
    expect((await login()).claims.aud).toEqual([op.clientId]);
  });

  it('[client, other] with azp = client is accepted', async () => {
    op.claims = { aud: [op.clientId, 'api://other'], azp: op.clientId };
    expect((await login()).subject).toBe('user-1');
  });

  it('[client, other] without azp: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    op.claims = { aud: [op.clientId, 'api://other'] };
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });

  it('[other, another] (this client absent), even with azp = client: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    op.claims = { aud: ['api://other', 'api://another'], azp: op.clientId };
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });
});
