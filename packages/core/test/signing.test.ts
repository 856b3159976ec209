import { createHmac, generateKeyPairSync, type KeyObject, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createSelfSigned, expectCode } from '@thgov/testkit';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isThGovError } from '../src/errors.js';
import { computeContentDigest, verifyContentDigest } from '../src/signing/content-digest.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../src/signing/keys.js';
import { MemoryReplayCache } from '../src/signing/replay-cache.js';
import { createRequestSigner } from '../src/signing/signer.js';
import { createSignatureVerifier } from '../src/signing/verifier.js';

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function makePair(alg: SigningAlgorithm): Pair {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const pairs = new Map<SigningAlgorithm, Pair>();
const other = new Map<SigningAlgorithm, Pair>();
beforeAll(() => {
  for (const alg of SIGNING_ALGORITHMS) {
    pairs.set(alg, makePair(alg));
    other.set(alg, makePair(alg));
  }
});

const pair = (alg: SigningAlgorithm): Pair => pairs.get(alg)!;
const pem = (k: KeyObject): string =>
  k.type === 'private'
    ? (k.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (k.export({ type: 'spki', format: 'pem' }) as string);

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

/** The rejection of `p` carries `code` and is a branded thgov error (not just any object with a code). */
async function expectThGovCode(p: Promise<unknown>, code: string): Promise<unknown> {
  const err = await expectCode(p, code);
  expect(isThGovError(err, code)).toBe(true);
  return err;
}

function signedRequest(alg: SigningAlgorithm = 'ES256') {
  const signer = createRequestSigner({ key: pem(pair(alg).privateKey), kid: `k-${alg}`, alg });
  const verifier = createSignatureVerifier({ keys: [{ kid: `k-${alg}`, key: pem(pair(alg).publicKey) }] });
  return { signer, verifier };
}

const request = {
  method: 'POST',
  target: '/gdx/v1/dopa/linkage?consent=yes&x=1',
  body: JSON.stringify({ service: 'linkage', n: 1 }),
  requestId: '9b2c1f8e-1d0a-4f3e-9d35-0a4b9c6e7f10',
};

describe('Content-Digest (RFC 9530)', () => {
  it('computes the known sha-256 of an empty body and of a string vs its bytes', () => {
    expect(computeContentDigest('')).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    expect(computeContentDigest('héllo')).toBe(computeContentDigest(Buffer.from('héllo', 'utf8')));
  });

  it('verifies a matching digest, also within a dictionary with other algorithms', () => {
    const body = '{"a":1}';
    const d = computeContentDigest(body);
    expect(verifyContentDigest(d, body)).toBe(true);
    expect(verifyContentDigest(`unixsum=:AAA=:, ${d}`, body)).toBe(true);
    expect(verifyContentDigest(d, '{"a":2}')).toBe(false);
  });

  it('rejects malformed, unknown-only, empty and oversized headers without throwing', () => {
    const body = 'x';
    for (const h of [
      '',
      'garbage',
      'sha-256=abc',
      'sha-256=:!!!:',
      'md5=:AAAA:',
      `sha-256=:${'A'.repeat(5000)}:`,
    ]) {
      expect(verifyContentDigest(h, body)).toBe(false);
    }
    expect(verifyContentDigest(undefined, body)).toBe(false);
  });

  it('throws a coded TypeError for a body of the wrong type', () => {
    expect(() => computeContentDigest(42 as unknown as string)).toThrow(TypeError);
    try {
      computeContentDigest({} as unknown as string);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('ERR_INVALID_ARG');
    }
  });
});

describe('detached JWS signing', () => {
  it.each(SIGNING_ALGORITHMS)('round trip with %s (PEM keys)', async (alg) => {
    const { signer, verifier } = signedRequest(alg);
    const { headers } = await signer.sign({ ...request, now: T0 });
    expect(headers['content-digest']).toBe(computeContentDigest(request.body));
    expect(headers['x-jws-signature']).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    const protectedHeader = JSON.parse(
      Buffer.from(headers['x-jws-signature']!.split('.')[0]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(protectedHeader).toMatchObject({
      alg,
      kid: `k-${alg}`,
      b64: false,
      crit: ['b64'],
      iat: T0 / 1000,
    });
    const result = await verifier.verify({
      method: 'POST',
      target: request.target,
      body: Buffer.from(request.body),
      headers: { ...headers, 'X-Request-Id': request.requestId },
      now: T0 + 5_000,
    });
    expect(result).toMatchObject({ kid: `k-${alg}`, alg, requestId: request.requestId });
    expect(result.issuedAt.getTime()).toBe(T0);
  });

  it('accepts JWK, KeyObject, CryptoKey and a JWKS', async () => {
    const p = pair('ES256');
    const jwkPrivate = p.privateKey.export({ format: 'jwk' });
    const jwkPublic = { ...p.publicKey.export({ format: 'jwk' }), kid: 'jwk-1', use: 'sig' };
    const signer = createRequestSigner({ key: jwkPrivate, kid: 'jwk-1', alg: 'ES256' });
    const { headers } = await signer.sign({ ...request, now: T0 });
    const verifyWith = async (v: ReturnType<typeof createSignatureVerifier>) =>
      v.verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 });
    await expect(verifyWith(createSignatureVerifier({ jwks: { keys: [jwkPublic] } }))).resolves.toMatchObject(
      {
        kid: 'jwk-1',
      },
    );
    await expect(
      verifyWith(createSignatureVerifier({ keys: [{ kid: 'jwk-1', key: p.publicKey, alg: 'ES256' }] })),
    ).resolves.toMatchObject({ alg: 'ES256' });
    const cryptoKey = await webcrypto.subtle.importKey(
      'jwk',
      p.publicKey.export({ format: 'jwk' }) as webcrypto.JsonWebKey,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    await expect(
      verifyWith(
        createSignatureVerifier({ keyResolver: ({ kid }) => (kid === 'jwk-1' ? cryptoKey : undefined) }),
      ),
    ).resolves.toMatchObject({ kid: 'jwk-1' });
  });

  it('verifies with the public key taken from an X.509 certificate', async () => {
    const cert = await createSelfSigned({ commonName: 'thgov test', usage: 'signing' });
    const signer = createRequestSigner({ key: cert.key, kid: 'cert', alg: 'ES256' });
    const verifier = createSignatureVerifier({ keys: [{ kid: 'cert', key: cert.cert }] });
    const { headers } = await signer.sign({ ...request, now: T0 });
    const result = await verifier.verify({
      ...request,
      headers: { ...headers, 'x-request-id': request.requestId },
      now: T0,
    });
    expect(result.kid).toBe('cert');
  });

  it('signs a request without a body (GET) and binds the empty digest', async () => {
    const { signer, verifier } = signedRequest('EdDSA');
    const input = { method: 'get', target: 'https://gdx.example.go.th/v1/status?x=1', requestId: 'r-1' };
    const { headers } = await signer.sign({ ...input, now: T0 });
    await expect(
      verifier.verify({
        method: 'GET',
        target: '/v1/status?x=1',
        headers: { ...headers, 'x-request-id': 'r-1' },
        now: T0,
      }),
    ).resolves.toMatchObject({ requestId: 'r-1' });
  });

  describe('tampering is detected (ERR_JWS_INVALID)', () => {
    const cases: Array<
      [string, (v: { method: string; target: string; body: string; headers: Record<string, string> }) => void]
    > = [
      [
        'changed body (digest header recomputed)',
        (v) => {
          v.body = v.body.replace('"n":1', '"n":2');
          v.headers['content-digest'] = computeContentDigest(v.body);
        },
      ],
      [
        'changed body (digest header kept)',
        (v) => {
          v.body = v.body.replace('"n":1', '"n":2');
        },
      ],
      [
        'changed path',
        (v) => {
          v.target = v.target.replace('linkage', 'linkagf');
        },
      ],
      [
        'changed query',
        (v) => {
          v.target = v.target.replace('x=1', 'x=2');
        },
      ],
      [
        'added query parameter',
        (v) => {
          v.target += '&admin=1';
        },
      ],
      [
        'changed method',
        (v) => {
          v.method = 'PUT';
        },
      ],
      [
        'changed request id',
        (v) => {
          v.headers['x-request-id'] = 'another-request-id';
        },
      ],
      [
        'flipped signature character',
        (v) => {
          const s = v.headers['x-jws-signature']!;
          const last = s.at(-2) === 'A' ? 'B' : 'A';
          v.headers['x-jws-signature'] = s.slice(0, -2) + last + s.slice(-1);
        },
      ],
      [
        'edited protected header (iat moved)',
        (v) => {
          const [h, , sig] = v.headers['x-jws-signature']!.split('.');
          const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { iat: number };
          header.iat += 1;
          v.headers['x-jws-signature'] =
            `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${sig}`;
        },
      ],
    ];

    it.each(cases)('%s', async (_name, mutate) => {
      const { signer, verifier } = signedRequest('ES256');
      const { headers } = await signer.sign({ ...request, now: T0 });
      const v = {
        method: request.method,
        target: request.target,
        body: request.body,
        headers: { ...headers, 'x-request-id': request.requestId },
      };
      mutate(v);
      await expectThGovCode(verifier.verify({ ...v, now: T0 }), 'ERR_JWS_INVALID');
    });

    it('a signature swapped in from another message', async () => {
      const { signer, verifier } = signedRequest('RS256');
      const a = await signer.sign({ ...request, now: T0 });
      const b = await signer.sign({ ...request, body: '{"other":true}', requestId: 'req-b', now: T0 });
      await expectThGovCode(
        verifier.verify({
          ...request,
          headers: {
            ...a.headers,
            'x-jws-signature': b.headers['x-jws-signature']!,
            'x-request-id': request.requestId,
          },
          now: T0,
        }),
        'ERR_JWS_INVALID',
      );
    });
  });

  it('rejects a replayed message with ERR_JWS_REPLAY, within the window', async () => {
    const { signer, verifier } = signedRequest('ES256');
    const { headers } = await signer.sign({ ...request, now: T0 });
    const input = { ...request, headers: { ...headers, 'x-request-id': request.requestId } };
    await verifier.verify({ ...input, now: T0 + 1000 });
    const err = await expectThGovCode(verifier.verify({ ...input, now: T0 + 2000 }), 'ERR_JWS_REPLAY');
    expect((err as Error).message).toMatch(/replay/);
    // A fresh signature over the very same request is a new message.
    const again = await signer.sign({ ...request, now: T0 + 2000 });
    await expect(
      verifier.verify({
        ...request,
        headers: { ...again.headers, 'x-request-id': request.requestId },
        now: T0 + 2000,
      }),
    ).resolves.toBeDefined();
  });

  it('a replay cache can be shared between verifiers, or disabled', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 10 });
    const { signer } = signedRequest('EdDSA');
    const keys = [{ kid: 'k-EdDSA', key: pair('EdDSA').publicKey }];
    const v1 = createSignatureVerifier({ keys, replayCache: cache });
    const v2 = createSignatureVerifier({ keys, replayCache: cache });
    const v3 = createSignatureVerifier({ keys, replayCache: false });
    const { headers } = await signer.sign({ ...request, now: T0 });
    const input = { ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 };
    await v1.verify(input);
    await expectThGovCode(v2.verify(input), 'ERR_JWS_REPLAY');
    await v3.verify(input);
    await v3.verify(input);
    expect(cache.size).toBe(1);
  });

  it('the memory replay cache stays bounded and forgets expired entries', () => {
    const cache = new MemoryReplayCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) expect(cache.remember(`id-${i}`, 1000 + i, 0)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.remember('id-9', 2000, 10)).toBe(false);
    expect(cache.remember('id-9', 5000, 3000)).toBe(true);
    expect(() => new MemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('rejects an iat outside the clock-skew window (expired and future) with ERR_JWS_REPLAY', async () => {
    const { signer, verifier } = signedRequest('PS256');
    const old = await signer.sign({ ...request, now: T0 });
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: { ...old.headers, 'x-request-id': request.requestId },
        now: T0 + 62_000,
      }),
      'ERR_JWS_REPLAY',
    );
    const future = await signer.sign({ ...request, now: T0 + 61_000 });
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: { ...future.headers, 'x-request-id': request.requestId },
        now: T0,
      }),
      'ERR_JWS_REPLAY',
    );
    const strict = createSignatureVerifier({
      keys: [{ kid: 'k-PS256', key: pair('PS256').publicKey }],
      clockSkewInMs: 5_000,
    });
    const edge = await signer.sign({ ...request, now: T0 });
    await expect(
      strict.verify({
        ...request,
        headers: { ...edge.headers, 'x-request-id': request.requestId },
        now: T0 + 4_000,
      }),
    ).resolves.toBeDefined();
  });

  it('rejects a signature made with another key, and an unknown kid', async () => {
    const alg = 'ES256';
    const signer = createRequestSigner({ key: other.get(alg)!.privateKey, kid: 'k-ES256', alg });
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k-ES256', key: pair(alg).publicKey }] });
    const { headers } = await signer.sign({ ...request, now: T0 });
    await expectThGovCode(
      verifier.verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 }),
      'ERR_JWS_INVALID',
    );
    const unknown = createRequestSigner({ key: pair(alg).privateKey, kid: 'nobody', alg });
    const s2 = await unknown.sign({ ...request, now: T0 });
    const err = await expectThGovCode(
      verifier.verify({ ...request, headers: { ...s2.headers, 'x-request-id': request.requestId }, now: T0 }),
      'ERR_JWS_INVALID',
    );
    expect((err as Error).message).toMatch(/kid/);
  });

  it('rejects alg none and an algorithm outside the allow-list', async () => {
    const verifier = createSignatureVerifier({
      keys: [{ kid: 'k-ES256', key: pair('ES256').publicKey }],
      algorithms: ['ES256'],
    });
    const digest = computeContentDigest(request.body);
    const none = Buffer.from(
      JSON.stringify({
        alg: 'none',
        kid: 'k-ES256',
        b64: false,
        crit: ['b64'],
        iat: T0 / 1000,
        jti: 'abcdefgh-1',
      }),
    ).toString('base64url');
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: {
          'x-jws-signature': `${none}..AAAAAAAAAAAAAAAAAAAA`,
          'content-digest': digest,
          'x-request-id': request.requestId,
        },
        now: T0,
      }),
      'ERR_JWS_INVALID',
    );
    // Properly signed, but with an algorithm this verifier does not accept.
    const rs = createRequestSigner({ key: pair('RS256').privateKey, kid: 'k-ES256', alg: 'RS256' });
    const { headers } = await rs.sign({ ...request, now: T0 });
    const err = await expectThGovCode(
      verifier.verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 }),
      'ERR_JWS_INVALID',
    );
    expect((err as Error).message).toMatch(/not allowed/);
  });

  it('rejects HS256 signed with the public key as the HMAC secret (key confusion)', async () => {
    const publicPem = pem(pair('RS256').publicKey);
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k-RS256', key: publicPem }] });
    const digest = computeContentDigest(request.body);
    const headerB64 = Buffer.from(
      JSON.stringify({
        alg: 'HS256',
        kid: 'k-RS256',
        b64: false,
        crit: ['b64'],
        iat: T0 / 1000,
        jti: 'abcdefgh-2',
      }),
    ).toString('base64url');
    const payload = [
      'thgov-http-signature/1',
      'direction: request',
      `method: ${request.method}`,
      `target: ${request.target}`,
      `content-digest: ${digest}`,
      `x-request-id: ${request.requestId}`,
    ].join('\n');
    const mac = createHmac('sha256', publicPem).update(`${headerB64}.${payload}`).digest('base64url');
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: {
          'x-jws-signature': `${headerB64}..${mac}`,
          'content-digest': digest,
          'x-request-id': request.requestId,
        },
        now: T0,
      }),
      'ERR_JWS_INVALID',
    );
    expect(() =>
      createSignatureVerifier({
        keys: [{ kid: 'x', key: publicPem }],
        algorithms: ['HS256' as SigningAlgorithm],
      }),
    ).toThrow(TypeError);
  });

  it('rejects a JWS that is not detached/unencoded (b64 true)', async () => {
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k-ES256', key: pair('ES256').publicKey }] });
    const headerB64 = Buffer.from(
      JSON.stringify({ alg: 'ES256', kid: 'k-ES256', iat: T0 / 1000, jti: 'abcdefgh-3' }),
    ).toString('base64url');
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: {
          'x-jws-signature': `${headerB64}..${'A'.repeat(86)}`,
          'content-digest': computeContentDigest(request.body),
          'x-request-id': request.requestId,
        },
        now: T0,
      }),
      'ERR_JWS_INVALID',
    );
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not a jws at all'],
    ['compact with payload', 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAA'],
    ['huge', `${'A'.repeat(100_000)}..${'B'.repeat(100_000)}`],
    ['header not JSON', `${Buffer.from('{{{').toString('base64url')}..AAAAAAAAAAAAAAAAAAAAAAAA`],
    ['header JSON array', `${Buffer.from('[1,2]').toString('base64url')}..AAAAAAAAAAAAAAAAAAAAAAAA`],
    ['newline injection', 'abc\n..def'],
  ])('malformed x-jws-signature (%s) gives ERR_JWS_INVALID', async (_name, value) => {
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k-ES256', key: pair('ES256').publicKey }] });
    const headers: Record<string, string> = {
      'content-digest': computeContentDigest(request.body),
      'x-request-id': request.requestId,
    };
    if (value !== undefined) headers['x-jws-signature'] = value;
    await expectThGovCode(verifier.verify({ ...request, headers, now: T0 }), 'ERR_JWS_INVALID');
  });

  it('a missing request id, a missing digest and a doubled signature header are typed errors', async () => {
    const { signer, verifier } = signedRequest('ES256');
    const { headers } = await signer.sign({ ...request, now: T0 });
    await expectThGovCode(
      verifier.verify({ ...request, headers: { ...headers }, now: T0 }),
      'ERR_JWS_INVALID',
    );
    const noDigest: Record<string, string> = { ...headers, 'x-request-id': request.requestId };
    delete noDigest['content-digest'];
    await expectThGovCode(verifier.verify({ ...request, headers: noDigest, now: T0 }), 'ERR_JWS_INVALID');
    await expectThGovCode(
      verifier.verify({
        ...request,
        headers: {
          ...headers,
          'x-request-id': request.requestId,
          'X-JWS-Signature': headers['x-jws-signature']!,
        },
        now: T0,
      }),
      'ERR_JWS_INVALID',
    );
  });

  it('a request line that was never signable is ERR_JWS_INVALID on the server, a wrong type a TypeError', async () => {
    const { signer, verifier } = signedRequest('ES256');
    const { headers } = await signer.sign({ ...request, now: T0 });
    const h = { ...headers, 'x-request-id': request.requestId };
    await expectThGovCode(
      verifier.verify({ ...request, target: '/a b', headers: h, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verify({ ...request, method: 'GE T', headers: h, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expect(
      verifier.verify({ ...request, target: 42 as unknown as string, headers: h }),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(
      verifier.verify({ ...request, headers: null as unknown as Record<string, string> }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      verifier.verify({ ...request, body: 5 as unknown as string, headers: h }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  it('works with a fetch Headers object', async () => {
    const { signer, verifier } = signedRequest('EdDSA');
    const { headers } = await signer.sign({ ...request, now: T0 });
    const h = new Headers(headers);
    h.set('X-Request-ID', request.requestId);
    await expect(verifier.verify({ ...request, headers: h, now: T0 })).resolves.toMatchObject({
      kid: 'k-EdDSA',
    });
  });

  it('errors never contain key material, also when serialized', async () => {
    const privatePem = pem(pair('ES256').privateKey);
    const publicPem = pem(pair('ES256').publicKey);
    const body = (p: string) => p.split('\n').slice(1, -2).join('');
    const signer = createRequestSigner({ key: privatePem, kid: 'k', alg: 'ES256' });
    const verifier = createSignatureVerifier({ keys: [{ kid: 'k', key: other.get('ES256')!.publicKey }] });
    const { headers } = await signer.sign({ ...request, now: T0 });
    const errors: unknown[] = [];
    await verifier
      .verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 })
      .catch((e: unknown) => errors.push(e));
    for (const bad of [
      publicPem,
      `${privatePem.slice(0, 120)}\n-----END PRIVATE KEY-----`,
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    ]) {
      try {
        createRequestSigner({ key: bad, kid: 'k', alg: 'ES256' });
      } catch (e) {
        errors.push(e);
      }
    }
    expect(errors).toHaveLength(4);
    for (const e of errors) {
      const text = `${(e as Error).message} ${JSON.stringify(e)} ${inspect(e)}`;
      expect(text).not.toContain(body(privatePem).slice(0, 40));
      expect(text).not.toContain(body(publicPem).slice(0, 40));
    }
  });

  it('bad signer and verifier configuration gives coded TypeErrors', () => {
    const k = pair('ES256').privateKey;
    const bad: Array<() => unknown> = [
      () => createRequestSigner({ key: k, kid: 'k', alg: 'HS256' as SigningAlgorithm }),
      () => createRequestSigner({ key: k, kid: 'k', alg: 'none' as SigningAlgorithm }),
      () => createRequestSigner({ key: k, kid: '', alg: 'ES256' }),
      () => createRequestSigner({ key: k, kid: 'k', alg: 'RS256' }),
      () => createRequestSigner({ key: pair('ES256').publicKey, kid: 'k', alg: 'ES256' }),
      () => createRequestSigner({ key: new Uint8Array(32) as unknown as string, kid: 'k', alg: 'ES256' }),
      () => createRequestSigner({ key: { kty: 'oct', k: 'c2VjcmV0' }, kid: 'k', alg: 'ES256' }),
      () => createRequestSigner({ key: 'not a pem', kid: 'k', alg: 'ES256' }),
      () => createRequestSigner({ key: k, kid: 'k', alg: 'ES256', extra: 1 } as never),
      () =>
        createRequestSigner({
          key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
          kid: 'k',
          alg: 'RS256',
        }),
      () => createSignatureVerifier({}),
      () => createSignatureVerifier({ keys: [], jwks: { keys: [] } }),
      () =>
        createSignatureVerifier({
          keys: [
            { kid: 'a', key: pem(k) },
            { kid: 'a', key: pem(k) },
          ],
        }),
      () => createSignatureVerifier({ keys: [{ kid: 'a', key: pair('ES256').publicKey }], algorithms: [] }),
      () =>
        createSignatureVerifier({ keys: [{ kid: 'a', key: pair('ES256').publicKey }], clockSkewInMs: -1 }),
      () => createSignatureVerifier({ jwks: { keys: [{ kty: 'EC' }] } }),
    ];
    for (const fn of bad) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught, fn.toString()).toBeInstanceOf(Error);
      expect((caught as { code?: string }).code).toBe('ERR_INVALID_ARG');
    }
  });

  it('sign() input is validated (newline in target, bad method, bad request id)', async () => {
    const { signer } = signedRequest('ES256');
    for (const input of [
      { ...request, target: '/a\nmethod: GET' },
      { ...request, target: 'relative/path' },
      { ...request, method: 'PO ST' },
      { ...request, requestId: 'has space' },
      { ...request, requestId: '' },
      { ...request, body: 12 as unknown as string },
      { ...request, now: Number.NaN },
    ]) {
      await expect(signer.sign(input)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    }
  });
});

describe('signed responses', () => {
  const req = { method: 'POST', target: '/v1/x?y=1', requestId: 'req-123' };

  it('round trip: a server signs, the client verifies against its own request', async () => {
    const { signer, verifier } = signedRequest('ES256');
    const body = '{"ok":true}';
    const { headers } = await signer.signResponse({ ...req, status: 200, body, now: T0 });
    const out = await verifier.verifyResponse({
      ...req,
      status: 200,
      body,
      headers: { ...headers, 'x-request-id': 'req-123' },
      now: T0,
    });
    expect(out.requestId).toBe('req-123');
  });

  it('a response cannot be replayed for another request, status or as a request signature', async () => {
    const { signer, verifier } = signedRequest('ES256');
    const body = '{"ok":true}';
    const { headers } = await signer.signResponse({ ...req, status: 200, body, now: T0 });
    await expectThGovCode(
      verifier.verifyResponse({ ...req, requestId: 'req-456', status: 200, body, headers, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verifyResponse({ ...req, target: '/v1/x?y=2', status: 200, body, headers, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verifyResponse({ ...req, method: 'GET', status: 200, body, headers, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verifyResponse({ ...req, status: 201, body, headers, now: T0 }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verifyResponse({
        ...req,
        status: 200,
        body,
        headers: { ...headers, 'x-request-id': 'req-999' },
        now: T0,
      }),
      'ERR_JWS_INVALID',
    );
    await expectThGovCode(
      verifier.verify({ ...req, body, headers: { ...headers, 'x-request-id': 'req-123' }, now: T0 }),
      'ERR_JWS_INVALID',
    );
    // A request signature presented as a response signature fails too.
    const signedReq = await signer.sign({ ...req, body, now: T0 });
    await expectThGovCode(
      verifier.verifyResponse({ ...req, status: 200, body, headers: signedReq.headers, now: T0 }),
      'ERR_JWS_INVALID',
    );
  });
});

describe('over real HTTP on 127.0.0.1', () => {
  let server: Server;
  let origin = '';
  const serverKeys = () => makePairOnce('server');
  const clientKeys = () => makePairOnce('client');
  const made = new Map<string, Pair>();
  function makePairOnce(name: string): Pair {
    let p = made.get(name);
    if (!p) {
      p = makePair('ES256');
      made.set(name, p);
    }
    return p;
  }

  beforeAll(async () => {
    const verifier = createSignatureVerifier({
      keys: [{ kid: 'client-1', key: clientKeys().publicKey, alg: 'ES256' }],
    });
    const signer = createRequestSigner({ key: serverKeys().privateKey, kid: 'server-1', alg: 'ES256' });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const method = req.method ?? 'GET';
        const target = req.url ?? '/';
        verifier
          .verify({ method, target, body, headers: req.headers })
          .then(async (v) => {
            const out = JSON.stringify({ ok: true, kid: v.kid });
            const signed = await signer.signResponse({
              method,
              target,
              status: 200,
              body: out,
              requestId: v.requestId,
            });
            res.writeHead(200, {
              'content-type': 'application/json',
              'x-request-id': v.requestId,
              ...signed.headers,
            });
            res.end(out);
          })
          .catch((err: unknown) => {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ code: (err as { code?: string }).code }));
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const clientSigner = () =>
    createRequestSigner({ key: clientKeys().privateKey, kid: 'client-1', alg: 'ES256' });
  const responseVerifier = () =>
    createSignatureVerifier({ keys: [{ kid: 'server-1', key: serverKeys().publicKey }] });

  async function send(target: string, body: string, headers: Record<string, string>) {
    const res = await undiciRequest(`${origin}${target}`, { method: 'POST', body, headers });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }

  it('a signed request is accepted and its signed response verifies on the client', async () => {
    const target = '/gdx/v1/linkage?q=%E0%B8%81&x=1';
    const body = '{"pid":"masked"}';
    const requestId = 'e2e-1';
    const { headers } = await clientSigner().sign({ method: 'POST', target, body, requestId });
    const res = await send(target, body, {
      ...headers,
      'x-request-id': requestId,
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
    const verified = await responseVerifier().verifyResponse({
      method: 'POST',
      target,
      requestId,
      status: res.status,
      body: res.text,
      headers: res.headers,
    });
    expect(verified.kid).toBe('server-1');
    // The same response presented for another request of the client is refused.
    await expectThGovCode(
      responseVerifier().verifyResponse({
        method: 'POST',
        target,
        requestId: 'e2e-2',
        status: 200,
        body: res.text,
        headers: res.headers,
      }),
      'ERR_JWS_INVALID',
    );
  });

  it('the server refuses a changed body and a replay', async () => {
    const target = '/gdx/v1/linkage';
    const { headers } = await clientSigner().sign({
      method: 'POST',
      target,
      body: '{"a":1}',
      requestId: 'e2e-3',
    });
    const tampered = await send(target, '{"a":2}', { ...headers, 'x-request-id': 'e2e-3' });
    expect(tampered).toMatchObject({ status: 401, text: '{"code":"ERR_JWS_INVALID"}' });
    const first = await send(target, '{"a":1}', { ...headers, 'x-request-id': 'e2e-3' });
    expect(first.status).toBe(200);
    const replay = await send(target, '{"a":1}', { ...headers, 'x-request-id': 'e2e-3' });
    expect(replay).toMatchObject({ status: 401, text: '{"code":"ERR_JWS_REPLAY"}' });
  });
});
