// Attack: someone between the client and a platform that signs its responses (a TLS-inspecting proxy, a
// compromised gateway) forges responses without the platform's key. With a `responseVerifier` set, nothing
// unsigned may steer the client:
// - a streamed download skipped verification altogether (the stream was handed over before `verifyResponse`);
// - `classify` ran before verification, so a forged 200 envelope became a typed business error of the attacker's
//   choosing (and, on a non-2xx, could make a retryable failure final, or the reverse);
// - the Retry-After of an unsigned 503 was obeyed, so one forged header parked every call for up to 30 s.
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  createRequestSigner,
  createSignatureVerifier,
  type RawResponse,
  type RetryInfo,
  ThGovError,
  type TransportOptions,
} from '../../src/index.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const platform = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const platformSigner = createRequestSigner({ key: platform.privateKey, kid: 'platform', alg: 'ES256' });
const impostorSigner = createRequestSigner({ key: impostor.privateKey, kid: 'platform', alg: 'ES256' });

/** What the (real or forged) server answers: status, headers, body, and who signs it. */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: Buffer;
  /** 'platform' signs with the key the client trusts; 'impostor' with another; 'none' sends no signature. */
  signedBy?: 'platform' | 'impostor' | 'none';
  /** Bytes sent instead of the signed ones (the body changed after signing). */
  tamperedBody?: Buffer;
}

async function answer(req: IncomingMessage, res: ServerResponse, a: Answer): Promise<void> {
  const status = a.status ?? 200;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...a.headers };
  const signer =
    a.signedBy === 'impostor' ? impostorSigner : a.signedBy === 'none' ? undefined : platformSigner;
  if (signer) {
    const signed = await signer.signResponse({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      status,
      body: a.body,
      requestId: String(req.headers['x-request-id']),
    });
    Object.assign(headers, signed.headers);
  }
  res.writeHead(status, headers);
  res.end(a.tamperedBody ?? a.body);
}

/** A server answering the n-th request with `answers[n - 1]` (the last one repeats). */
async function platformServer(...answers: Answer[]) {
  const s = await serve((req, res, n) => {
    void answer(req, res, answers[Math.min(n, answers.length) - 1] as Answer);
  });
  return s;
}

function verifyingClient(url: string, extra: Partial<TransportOptions> = {}) {
  return transport({
    baseUrl: url,
    responseVerifier: createSignatureVerifier({ keys: [{ kid: 'platform', key: platform.publicKey }] }),
    retry: false,
    ...extra,
  });
}

async function drain(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const DOWNLOAD = Buffer.from(JSON.stringify({ file: 'ทะเบียนราษฎร์', rows: [1, 2, 3] }));
const FAULT = Buffer.from(JSON.stringify({ fault: { code: 'PERSON_NOT_FOUND' } }));

/** A `classify` that maps a `fault` envelope to a business error, and counts its calls. */
function faultClassifier() {
  const seen: number[] = [];
  const classify = (raw: RawResponse) => {
    seen.push(raw.statusCode);
    const f = (raw.json() as { fault?: { code: string } } | undefined)?.fault;
    return f ? new ThGovError('ERR_TEST_BUSINESS', `platform says ${f.code}`) : undefined;
  };
  return { seen, classify };
}

describe('a streamed response with a responseVerifier is verified before the caller reads it', () => {
  it('an unsigned streamed body is refused (ERR_JWS_INVALID), not handed over', async () => {
    const s = await platformServer({ body: DOWNLOAD, signedBy: 'none' });
    const err = await caught(
      verifyingClient(s.url).request({ method: 'GET', path: '/f', responseType: 'stream' }),
    );
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
  });

  it('a streamed body signed by another key is refused', async () => {
    const s = await platformServer({ body: DOWNLOAD, signedBy: 'impostor' });
    const err = await caught(
      verifyingClient(s.url).request({ method: 'GET', path: '/f', responseType: 'stream' }),
    );
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
  });

  it('a streamed body changed after signing is refused', async () => {
    const forged = Buffer.from(JSON.stringify({ file: 'forged', rows: [9] }));
    const s = await platformServer({ body: DOWNLOAD, tamperedBody: forged });
    const err = await caught(
      verifyingClient(s.url).request({ method: 'GET', path: '/f', responseType: 'stream' }),
    );
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
  });

  it('a signed streamed body arrives as a Readable over the verified bytes', async () => {
    const s = await platformServer({ body: DOWNLOAD });
    const res = await verifyingClient(s.url).request({ method: 'GET', path: '/f', responseType: 'stream' });
    expect(res.body).toBeInstanceOf(Readable);
    expect((await drain(res.body)).equals(DOWNLOAD)).toBe(true);
  });

  it('a signed gzip download is verified over the bytes as sent and streamed decoded', async () => {
    const gz = gzipSync(DOWNLOAD);
    const s = await serve(async (req, res) => {
      const signed = await platformSigner.signResponse({
        method: 'GET',
        target: req.url ?? '/',
        status: 200,
        body: gz,
        requestId: String(req.headers['x-request-id']),
      });
      res.writeHead(200, { 'content-encoding': 'gzip', ...signed.headers });
      res.end(gz);
    });
    const res = await verifyingClient(s.url).request({ method: 'GET', path: '/f', responseType: 'stream' });
    expect((await drain(res.body)).equals(DOWNLOAD)).toBe(true);
  });

  it('verifying a stream reads it within maxResponseBytes: a larger signed body is ERR_RESPONSE_TOO_LARGE', async () => {
    const s = await platformServer({ body: Buffer.alloc(64 * 1024, 0x41) });
    const err = await caught(
      verifyingClient(s.url, { maxResponseBytes: 16 * 1024 }).request({
        method: 'GET',
        path: '/f',
        responseType: 'stream',
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
  });

  it('a stream with classify is verified, classified, and still handed over as a stream', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ body: DOWNLOAD });
    const res = await verifyingClient(s.url).request({
      method: 'GET',
      path: '/f',
      responseType: 'stream',
      classify,
    });
    expect(seen).toEqual([200]);
    expect((await drain(res.body)).equals(DOWNLOAD)).toBe(true);
  });
});

describe('classify sees only verified responses', () => {
  it('an unsigned 200 is refused before classify can turn it into a business error', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ body: FAULT, signedBy: 'none' });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
    expect(seen).toEqual([]);
  });

  it('a 200 signed by another key is refused before classify', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ body: FAULT, signedBy: 'impostor' });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
    expect(seen).toEqual([]);
  });

  it('a signed 200 envelope is classified as before', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ body: FAULT });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_TEST_BUSINESS', message: 'platform says PERSON_NOT_FOUND' });
    expect(seen).toEqual([200]);
  });

  it('an unsigned 500 stays a status error: classify does not read the forged envelope', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ status: 500, body: FAULT, signedBy: 'none' });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 500, retryable: true });
    expect(err.hint).toMatch(/no signature/i);
    expect(seen).toEqual([]);
  });

  it('a signed 500 is verified, then classified', async () => {
    const { seen, classify } = faultClassifier();
    const s = await platformServer({ status: 500, body: FAULT });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_TEST_BUSINESS' });
    expect(seen).toEqual([500]);
  });

  it('a non-2xx whose signature does not verify is the verification error', async () => {
    const { seen, classify } = faultClassifier();
    const forged = Buffer.from(JSON.stringify({ fault: { code: 'ACCOUNT_CLOSED' } }));
    const s = await platformServer({ status: 400, body: FAULT, tamperedBody: forged });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/lookup', classify }));
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
    expect(seen).toEqual([]);
  });
});

describe('Retry-After is trusted only on a verified response', () => {
  const retry = { maxRetries: 1, baseDelayInMs: 5, maxDelayInMs: 20, budget: false as const };

  it('an unsigned 503 with Retry-After: 25 is retried with the normal backoff, not after 25 s', async () => {
    const retries: RetryInfo[] = [];
    const s = await platformServer(
      { status: 503, headers: { 'retry-after': '25' }, body: Buffer.from('{}'), signedBy: 'none' },
      { body: DOWNLOAD },
    );
    const t = verifyingClient(s.url, { retry, onRetry: (i) => retries.push(i) });
    const res = await t.request({ method: 'GET', path: '/x' });
    expect(res.attempts).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ statusCode: 503, delaySource: 'backoff' });
    expect(retries[0]!.delayInMs).toBeLessThanOrEqual(retry.maxDelayInMs);
  });

  it('the unsigned 503 error carries no retryAfterInMs, and says why', async () => {
    const s = await platformServer({
      status: 503,
      headers: { 'retry-after': '25' },
      body: Buffer.from('{}'),
      signedBy: 'none',
    });
    const err = await caught(verifyingClient(s.url).request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 503, retryable: true });
    expect(err.retryAfterInMs).toBeUndefined();
    expect(err.hint).toMatch(/Retry-After/);
  });

  it('a signed 503 with Retry-After is honoured (within maxRetryAfterInMs)', async () => {
    const retries: RetryInfo[] = [];
    const s = await platformServer(
      { status: 503, headers: { 'retry-after': '25' }, body: Buffer.from('{}') },
      { body: DOWNLOAD },
    );
    const t = verifyingClient(s.url, {
      retry: { ...retry, maxRetryAfterInMs: 5 },
      onRetry: (i) => retries.push(i),
    });
    await t.request({ method: 'GET', path: '/x' });
    expect(retries[0]).toMatchObject({ delaySource: 'retry-after', delayInMs: 5 });
  });

  it('a 503 with a signature that does not verify is not retried: ERR_JWS_INVALID', async () => {
    const s = await platformServer(
      { status: 503, headers: { 'retry-after': '25' }, body: Buffer.from('{}'), signedBy: 'impostor' },
      { body: DOWNLOAD },
    );
    const err = await caught(verifyingClient(s.url, { retry }).request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_JWS_INVALID' });
    expect(s.requests).toHaveLength(1);
  });

  it('without a responseVerifier nothing changes: classify reads any 200, Retry-After is honoured', async () => {
    const { seen, classify } = faultClassifier();
    const retries: RetryInfo[] = [];
    const s = await platformServer(
      { status: 503, headers: { 'retry-after': '25' }, body: Buffer.from('{}'), signedBy: 'none' },
      { body: FAULT, signedBy: 'none' },
    );
    const t = transport({
      baseUrl: s.url,
      retry: { ...retry, maxRetryAfterInMs: 5 },
      onRetry: (i) => retries.push(i),
    });
    const err = await caught(t.request({ method: 'GET', path: '/x', classify }));
    expect(retries[0]).toMatchObject({ delaySource: 'retry-after', delayInMs: 5 });
    expect(err).toMatchObject({ code: 'ERR_TEST_BUSINESS' });
    expect(seen).toEqual([503, 200]);
  });
});
