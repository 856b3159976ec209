/**
 * Guards (the code was found correct): an id_token `aud` given as an array, as IdentityServer-style providers
 * send it. OIDC Core §3.1.3.7 items 3-5: the client must be among the audiences, and with several audiences an
 * `azp` naming this client is required.
 */
import { describe, expect, it } from 'vitest';
import { failure } from './helpers.js';
import { quirkClient, quirkLogin, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

const login = () => quirkLogin(quirks.op, quirkClient(quirks.op, quirks.clients));

describe('aud as an array', () => {
  it('[client] alone is accepted', async () => {
    quirks.op.claims = { aud: [quirks.op.clientId] };
    expect((await login()).claims.aud).toEqual([quirks.op.clientId]);
  });

  it('[client, other] with azp = client is accepted', async () => {
    quirks.op.claims = { aud: [quirks.op.clientId, 'api://other'], azp: quirks.op.clientId };
    expect((await login()).subject).toBe('user-1');
  });

  it('[client, other] without azp: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    quirks.op.claims = { aud: [quirks.op.clientId, 'api://other'] };
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });

  it('[other, another] (this client absent), even with azp = client: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    quirks.op.claims = { aud: ['api://other', 'api://another'], azp: quirks.op.clientId };
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });
});
