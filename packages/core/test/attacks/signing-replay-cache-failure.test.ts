import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createRequestSigner,
  createSignatureVerifier,
  isThGovError,
  type ReplayCache,
} from '../../src/index.js';

/**
 * A shared replay cache (Redis, a database) fails: connection refused, a timeout, a driver error whose message names
 * the store's URL with its password. The verifier let that error through as it was: not a ThGovError, so a server
 * that answers ThGovErrors by code (and logs the rest in full) crashed or logged the store's credentials, and the
 * key resolver's failure, the same kind of outage, was typed while this one was not.
 */

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createRequestSigner({ key: privateKey, kid: 'k1', alg: 'ES256' });
const request = { method: 'POST', target: '/gdx/v1/pay', body: '{"a":1}', requestId: 'req-1' };

async function verifyWith(replayCache: ReplayCache): Promise<unknown> {
  const verifier = createSignatureVerifier({ keys: [{ kid: 'k1', key: publicKey }], replayCache });
  const { headers } = await signer.sign({ ...request, now: T0 });
  return verifier
    .verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 })
    .then(
      () => 'accepted',
      (e: unknown) => e,
    );
}

describe('a replay cache that fails', () => {
  const secretUrl = 'redis://default:s3cr3t-pa55@10.0.0.5:6379';
  const failing: Array<[string, ReplayCache]> = [
    [
      'throws',
      {
        remember() {
          throw new Error(`connect ECONNREFUSED ${secretUrl}`);
        },
      },
    ],
    ['rejects', { remember: () => Promise.reject(new Error(`timeout talking to ${secretUrl}`)) }],
  ];
  for (const [name, cache] of failing) {
    it(`${name}: the message is refused with a typed error that does not repeat the store's message`, async () => {
      const err = await verifyWith(cache);
      expect(isThGovError(err, 'ERR_JWS_INVALID')).toBe(true);
      expect((err as Error).message).not.toContain('s3cr3t');
      expect((err as Error).message).toMatch(/replay cache/);
    });
  }

  it('a cache that answers is used as before (guard)', async () => {
    const seen = new Set<string>();
    const cache: ReplayCache = { remember: (id) => !seen.has(id) && Boolean(seen.add(id)) };
    expect(await verifyWith(cache)).toBe('accepted');
  });
});
