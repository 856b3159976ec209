import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GdxCallInput, GdxError } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

// DGA e-Payment (reference gdx.md): `{status (0 = success), errorCode, message, data}`; "never retry
// create/void blindly: check status first". GDX honours no idempotency key, so any repeat is blind.

let h: Harness;
beforeAll(async () => {
  h = await harness({ client: { agentId: 'payment-system', pathPrefixes: { '/ws/dga': '/uat' } } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sandbox.gdx.payments.loseReplies = 0;
});

const create = (ref: string, extra: Pick<GdxCallInput<unknown>, 'idempotencyKey' | 'idempotent'> = {}) =>
  h.client.call<{ status: number; data: { paymentId: string; state: string } }>({
    method: 'POST',
    path: '/ws/dga/payment/create',
    body: { json: { ref, amount: 100 } },
    envelope: 'payment',
    ...extra,
  });
const status = (ref: string) =>
  h.client.call<{ status: number; data: { state: string } }>({
    path: '/ws/dga/payment/status',
    query: { ref },
    envelope: 'payment',
  });

describe('e-Payment against the sandbox', () => {
  it('creates in the configured environment and reads the status back', async () => {
    const r = await create('FID-1');
    expect(r.status).toBe(0);
    expect((await status('FID-1')).data.state).toBe('CREATED');
    expect(h.sandbox.gdx.payments.list('uat').filter((p) => p.ref === 'FID-1')).toHaveLength(1);
    expect(h.sandbox.gdx.payments.list('')).toEqual([]);
  });

  it('a failure envelope in a 200 is ERR_GDX_BUSINESS with the provider code', async () => {
    const err = (await rejection(status('FID-none'))) as unknown as GdxError;
    expect(err.code).toBe('ERR_GDX_BUSINESS');
    expect(err.providerCode).toBe('E201');
    expect(err.retryable).toBe(false);
  });

  it('a create whose answer is lost is not repeated: one payment, and the status shows it', async () => {
    h.sandbox.gdx.payments.loseReplies = 1;
    await expect(create('FID-LOST')).rejects.toThrow();
    expect(h.sandbox.gdx.payments.list('uat').filter((p) => p.ref === 'FID-LOST')).toHaveLength(1);
    expect((await status('FID-LOST')).data.state).toBe('CREATED');
  });

  const flags: Array<Pick<GdxCallInput<unknown>, 'idempotencyKey' | 'idempotent'>> = [
    { idempotencyKey: true },
    { idempotencyKey: 'k-1' },
    { idempotent: true },
  ];
  for (const flag of flags) {
    it(`a create or void is never retried blindly, even with ${JSON.stringify(flag)} (GDX dedupes nothing)`, async () => {
      const ref = `FID-FLAG-${JSON.stringify(flag)}`;
      const before = h.sandbox.gdx.payments.list('uat').length;
      h.sandbox.gdx.payments.loseReplies = 1;
      const err = await rejection(create(ref, flag));
      // Refused before anything is sent: nothing was created, so no second payment can be either.
      expect(err.code).toBe('ERR_INVALID_ARG');
      expect(h.sandbox.gdx.payments.list('uat').length).toBe(before);
      const v = await rejection(
        h.client.call({
          method: 'POST',
          path: '/ws/dga/payment/void',
          body: { json: { ref } },
          envelope: 'payment',
          ...flag,
        }),
      );
      expect(v.code).toBe('ERR_INVALID_ARG');
    });
  }
});
