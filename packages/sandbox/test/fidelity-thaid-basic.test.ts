import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThaidProvider, type ThaidProvider } from '../src/index.js';

// Reference (digital-id.md): a client_id ending in "=" breaks under RFC 6749 form-encoded Basic ("%3D"): ThaID
// compares Basic credentials as written; ETDA's samples send `client_id:secret` as is to introspect and revoke.

let thaid: ThaidProvider;
let endpoints: Record<string, string>;
beforeAll(async () => {
  thaid = await startThaidProvider({ seed: 3 });
  endpoints = (await (await fetch(`${thaid.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
});
afterAll(() => thaid.close());

const form = (v: string) =>
  encodeURIComponent(v).replace(/[-_.!~*'()]|%20/g, (c) =>
    c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

async function post(endpoint: string, id: string, secret: string, body: string) {
  const res = await fetch(endpoints[endpoint]!, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-imauth-apikey': thaid.apiKey,
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('ThaID sandbox: Basic client credentials compared as written', () => {
  const cases: Array<[string, string]> = [
    ['introspection_endpoint', 'token=not-a-token'],
    ['revocation_endpoint', 'token=not-a-token'],
    ['token_endpoint', 'grant_type=refresh_token&refresh_token=not-a-token'],
  ];
  for (const [endpoint, body] of cases) {
    it(`${endpoint}: raw client_id "…==" is accepted, the form-encoded "…%3D%3D" is invalid_client`, async () => {
      const c = thaid.clients.default;
      const raw = await post(endpoint, c.clientId, c.clientSecret, body);
      expect(raw.status).not.toBe(401);
      expect(raw.text).not.toContain('invalid_client');
      const encoded = await post(endpoint, form(c.clientId), form(c.clientSecret), body);
      expect(encoded.status).toBe(401);
      expect(JSON.parse(encoded.text)).toMatchObject({ error: 'invalid_client' });
    });
  }
});
