import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createRequestSigner,
  createSignatureVerifier,
  isThGovError,
  MemoryReplayCache,
  type ReplayCache,
} from '../../src/index.js';

/**
 * JWS replay at the window's edge: a signature is accepted until `iat + 1 s + skew` inclusive, but its
 * replay-cache entry expired at that same millisecond, so a copy sent at exactly that instant was accepted
 * a second time. The cache must keep an entry at least as long as the message can be accepted.
 */

const SKEW = 60_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createRequestSigner({ key: privateKey, kid: 'k1', alg: 'ES256' });
const request = { method: 'POST', target: '/gdx/v1/pay', body: '{"amount":100}', requestId: 'req-1' };

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'accepted',
    (e: unknown) => (isThGovError(e) ? `${e.code}: ${e.message}` : `crash: ${String(e)}`),
  );
}

describe('jws replay boundary', () => {
  for (const [name, cache] of [
    ['the default cache', undefined],
    ['an explicit MemoryReplayCache', new MemoryReplayCache()],
  ] as const) {
    it(`${name}: a copy sent at exactly iat + 1 s + skew is a replay`, async () => {
      const verifier = createSignatureVerifier({
        keys: [{ kid: 'k1', key: publicKey }],
        clockSkewInMs: SKEW,
        ...(cache ? { replayCache: cache } : {}),
      });
      const { headers } = await signer.sign({ ...request, now: T0 });
      const input = { ...request, headers: { ...headers, 'x-request-id': request.requestId } };
      const lastAcceptedMs = T0 + 1000 + SKEW;
      expect(await outcome(verifier.verify({ ...input, now: T0 }))).toBe('accepted');
      expect(await outcome(verifier.verify({ ...input, now: lastAcceptedMs }))).toMatch(
        /^ERR_JWS_REPLAY: .*already accepted/,
      );
      expect(await outcome(verifier.verify({ ...input, now: lastAcceptedMs + 1 }))).toMatch(
        /^ERR_JWS_REPLAY: .*clock-skew window/,
      );
    });
  }

  it('first seen at the last accepted millisecond, then replayed then: still a replay', async () => {
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k1', key: publicKey }], clockSkewInMs: SKEW });
    const { headers } = await signer.sign({ ...request, now: T0 });
    const input = { ...request, headers: { ...headers, 'x-request-id': request.requestId } };
    const edge = T0 + 1000 + SKEW;
    expect(await outcome(verifier.verify({ ...input, now: edge }))).toBe('accepted');
    expect(await outcome(verifier.verify({ ...input, now: edge }))).toMatch(/^ERR_JWS_REPLAY/);
  });

  it('after long uptime (many messages, the clock far ahead) the boundary still holds', async () => {
    const seen = new Map<string, number>();
    // A shared store (Redis-like) that treats expiresAtMs as exclusive, as PX/TTL stores do.
    const shared: ReplayCache = {
      remember(id, expiresAtMs, nowMs) {
        const until = seen.get(id);
        if (until !== undefined && nowMs < until) return false;
        seen.set(id, expiresAtMs);
        return true;
      },
    };
    const verifier = createSignatureVerifier({
      keys: [{ kid: 'k1', key: publicKey }],
      clockSkewInMs: SKEW,
      replayCache: shared,
    });
    let now = T0;
    for (let i = 0; i < 200; i++) {
      now += 3_600_000;
      const { headers } = await signer.sign({ ...request, requestId: `r-${i}`, now });
      const input = { ...request, requestId: `r-${i}`, headers: { ...headers, 'x-request-id': `r-${i}` } };
      expect(await outcome(verifier.verify({ ...input, now }))).toBe('accepted');
      const edge = Math.floor(now / 1000) * 1000 + 1000 + SKEW;
      expect(await outcome(verifier.verify({ ...input, now: edge }))).toMatch(/^ERR_JWS_REPLAY: .*already/);
    }
  });
});
