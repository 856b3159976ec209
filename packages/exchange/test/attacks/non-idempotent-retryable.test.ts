import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GdxCallInput } from '../../src/index.js';
import { useGateway } from '../helpers/scripted-gateway.js';
import { type Harness, harness, rejection, withRawClient } from '../helpers.js';

/**
 * `retryable` is what a caller's own retry wrapper reads (`if (err.retryable) again()`). A POST that reached the
 * server and failed (a lost answer, a 5xx, a timeout waiting for it) may have taken effect: the SDK itself does
 * not repeat it, and its error must not invite the caller to, or an e-Payment create is made twice (the
 * reference: never retry create/void blindly, check the status first). Only a request that never left
 * (`notSent`), or one the caller made repeatable (idempotent, an idempotency key), stays retryable.
 */

const create = (ref: string): GdxCallInput<unknown> => ({
  method: 'POST',
  path: '/ws/dga/payment/create',
  body: { json: { ref, amount: 100 } },
  envelope: 'payment',
});

describe('an e-Payment create whose answer is lost (sandbox)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ client: { agentId: 'payment-system', pathPrefixes: { '/ws/dga': '/uat' } } });
  });
  afterAll(() => h.close());

  it('is not retryable, and a caller that honours `retryable` makes one payment', async () => {
    h.sandbox.gdx.payments.loseReplies = 1;
    let err = await rejection(h.client.call(create('NI-LOST')));
    for (let i = 0; i < 3 && err.retryable; i++) err = await rejection(h.client.call(create('NI-LOST')));
    expect(err.retryable).toBe(false);
    expect(err.notSent).toBeUndefined();
    expect(h.sandbox.gdx.payments.list('uat').filter((p) => p.ref === 'NI-LOST')).toHaveLength(1);
  });
});

describe('a non-idempotent call that failed after it was sent', () => {
  const gw = useGateway();

  for (const status of [500, 502, 503, 504]) {
    it(`e-Payment create, HTTP ${status}: ERR_HTTP, not retryable, with a hint to check first`, async () => {
      gw.reply = () => ({ status, body: '' });
      const err = await withRawClient(gw.url(), (c) =>
        rejection(c.call(create('NI-5XX'), { agentId: 'payment-system' })),
      );
      expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: status, retryable: false });
      expect(err.hint).toMatch(/not idempotent/);
      expect(gw.dataCalls).toBe(1);
    });
  }

  it('a generic POST that timed out waiting for the answer is not retryable', async () => {
    gw.reply = () => undefined;
    const err = await withRawClient(
      gw.url(),
      (c) =>
        rejection(
          c.call({ method: 'POST', path: '/ws/x/submit', body: { json: {} } }, { agentId: 'payment-system' }),
        ),
      // Generous: the validate before it (answered at once) must beat it too.
      { timeouts: { headersInMs: 2000 } },
    );
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err.retryable).toBe(false);
  });
});

describe('what stays retryable (guards)', () => {
  const gw = useGateway();

  it('a GET, HTTP 503', async () => {
    gw.reply = () => ({ status: 503, body: '' });
    const err = await withRawClient(
      gw.url(),
      (c) => rejection(c.call({ path: '/ws/x/y' }, { agentId: 'payment-system' })),
      {
        retry: { maxRetries: 0 },
      },
    );
    expect(err).toMatchObject({ code: 'ERR_HTTP', retryable: true });
  });

  it('a POST with an idempotency key, HTTP 503', async () => {
    gw.reply = () => ({ status: 503, body: '' });
    const call = { method: 'POST', path: '/ws/x/y', body: { json: {} }, idempotencyKey: 'k-1' } as const;
    const err = await withRawClient(gw.url(), (c) => rejection(c.call(call, { agentId: 'payment-system' })), {
      retry: { maxRetries: 0 },
    });
    expect(err).toMatchObject({ code: 'ERR_HTTP', retryable: true });
  });

  it('a POST that never left (connection refused)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    // validate itself cannot connect: a GET, its error notSent and retryable.
    const err = await withRawClient(
      `http://127.0.0.1:${port}`,
      (c) => rejection(c.call(create('NI-REFUSED'), { agentId: 'payment-system' })),
      { retry: { maxRetries: 0 } },
    );
    expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true, retryable: true });
  });
});
