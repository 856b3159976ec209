import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRequestSigner, createSignatureVerifier, isThGovError } from '../../src/index.js';

/**
 * A server may receive its request target in absolute form (`GET http://host/path HTTP/1.1`, as a proxy sends it)
 * and hand it to `verify()` as received. The verifier reduced it to a path with the WHATWG URL parser, which
 * resolves dot-segments (also percent-encoded ones), turns backslashes into slashes and drops tabs, newlines and the
 * fragment: a request for `/x/%2e%2e/admin`, which the application routes as it was received, verified with the
 * signature of a request for `/admin`. The received target must be compared as it travelled.
 */

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createRequestSigner({ key: privateKey, kid: 'k1', alg: 'ES256' });

async function outcome(signedTarget: string, receivedTarget: string): Promise<string> {
  const verifier = createSignatureVerifier({ keys: [{ kid: 'k1', key: publicKey }] });
  const request = { method: 'POST', body: '{"a":1}', requestId: 'req-1', now: T0 };
  const { headers } = await signer.sign({ ...request, target: signedTarget });
  return verifier
    .verify({ ...request, target: receivedTarget, headers: { ...headers, 'x-request-id': 'req-1' } })
    .then(
      () => 'accepted',
      (e: unknown) => (isThGovError(e) ? e.code : `crash: ${String(e)}`),
    );
}

describe('an absolute-form target is compared as received', () => {
  const ORIGIN = 'http://api.example.go.th';
  const other: Array<[string, string]> = [
    ['a dot-segment', `${ORIGIN}/x/../admin`],
    ['a percent-encoded dot-segment', `${ORIGIN}/x/%2e%2e/admin`],
    ['an upper-case percent-encoded dot-segment', `${ORIGIN}/x/%2E%2E/admin`],
    ['a single percent-encoded dot', `${ORIGIN}/%2e/admin`],
    ['backslashes', `${ORIGIN}/x\\..\\admin`],
    ['a backslash after the authority', `${ORIGIN}\\admin`],
    ['a tab inside the path', `${ORIGIN}/ad\tmin`],
    ['a newline inside the path', `${ORIGIN}/ad\nmin`],
    ['a fragment', `${ORIGIN}/admin#top`],
    ['a raw space (the URL parser would encode it)', `${ORIGIN}/ad min`],
  ];
  for (const [name, received] of other) {
    it(`${name}: not the signed /admin`, async () => {
      expect(await outcome('/admin', received)).toBe('ERR_JWS_INVALID');
    });
  }

  it('the same target in absolute form still verifies (scheme and host in any case, a port)', async () => {
    expect(await outcome('/admin?a=1&b=2', `${ORIGIN}/admin?a=1&b=2`)).toBe('accepted');
    expect(await outcome('/admin', 'HTTPS://API.Example.go.th:8443/admin')).toBe('accepted');
    expect(await outcome('/', `${ORIGIN}`)).toBe('accepted');
    expect(await outcome('/?q=1', `${ORIGIN}?q=1`)).toBe('accepted');
  });

  it('the literal dot-segment target verifies only against itself', async () => {
    expect(await outcome('/x/%2e%2e/admin', `${ORIGIN}/x/%2e%2e/admin`)).toBe('accepted');
    expect(await outcome('/x/%2e%2e/admin', '/x/%2e%2e/admin')).toBe('accepted');
    expect(await outcome('/x/%2e%2e/admin', '/admin')).toBe('ERR_JWS_INVALID');
  });

  it('an absolute-form target with user info, white space or a backslash in its authority is refused', async () => {
    for (const received of [
      'http://u:p@api.example.go.th/admin',
      'http://api ex/admin',
      'http://a\\b/admin',
    ]) {
      expect(await outcome('/admin', received)).toBe('ERR_JWS_INVALID');
    }
  });
});
