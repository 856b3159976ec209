import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sb: Sandbox;
let token: string;

async function call(method: 'GET' | 'POST', path: string, body?: unknown, consumer = sb.gdx.consumers[0]!) {
  const res = await fetch(`${sb.gdx.url}${path}`, {
    method,
    headers: {
      'Consumer-Key': consumer.consumerKey,
      Token: token,
      'Content-Type':
        body === undefined ? 'application/x-www-form-urlencoded; charset=utf-8' : 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  sb = await startSandbox({ gdx: { tokenIdleTimeoutInMs: 60_000 } });
  const c = sb.gdx.consumers[0]!;
  const v = await fetch(
    `${sb.gdx.url}/ws/auth/validate?ConsumerSecret=${encodeURIComponent(c.consumerSecret)}&AgentID=payment-system`,
    { headers: { 'Consumer-Key': c.consumerKey } },
  );
  token = ((await v.json()) as { Result: string }).Result;
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.gdx.payments.loseReplies = 0;
});

describe('DGA e-Payment behind GDX', () => {
  it('create, status, close and void answer the {status, errorCode, message, data} envelope; status 0 = success', async () => {
    const created = await call('POST', '/ws/dga/payment/create', { ref: 'INV-1', amount: 100 });
    expect(created.status).toBe(200);
    const body = created.json();
    expect(Object.keys(body).sort()).toEqual(['data', 'errorCode', 'message', 'status']);
    expect(body.status).toBe(0);
    const id = (body.data as { paymentId: string }).paymentId;
    const status = await call('GET', `/ws/dga/payment/status?paymentId=${id}`);
    expect((status.json().data as { state: string }).state).toBe('CREATED');
    expect((await call('POST', '/ws/dga/payment/close', { paymentId: id })).json().status).toBe(0);
    // A closed payment cannot be voided: a business failure in a 200, with an errorCode.
    const voided = await call('POST', '/ws/dga/payment/void', { paymentId: id });
    expect(voided.status).toBe(200);
    expect(voided.json()).toMatchObject({ status: 1, errorCode: 'E202', data: null });
  });

  it('failures are 200 envelopes with status != 0 and an errorCode', async () => {
    await call('POST', '/ws/dga/payment/create', { ref: 'INV-2', amount: 5 });
    expect((await call('POST', '/ws/dga/payment/create', { ref: 'INV-2', amount: 5 })).json()).toMatchObject({
      status: 1,
      errorCode: 'E102',
    });
    expect((await call('POST', '/ws/dga/payment/create', { ref: 'INV-3', amount: -1 })).json()).toMatchObject(
      {
        status: 1,
        errorCode: 'E103',
      },
    );
    expect((await call('GET', '/ws/dga/payment/status?ref=nope')).json()).toMatchObject({
      status: 1,
      errorCode: 'E201',
    });
    expect((await call('GET', '/ws/dga/payment/create')).status).toBe(405);
  });

  it('the environment segment (/uat, /dev) selects a ledger of its own', async () => {
    const r = await call('POST', '/ws/dga/uat/payment/create', { ref1: 'UAT-1', amount: 1 });
    expect(r.json().status).toBe(0);
    expect(sb.gdx.payments.list('uat').map((p) => p.ref)).toEqual(['UAT-1']);
    expect(sb.gdx.payments.list('dev')).toEqual([]);
    expect((await call('GET', '/ws/dga/payment/status?ref=UAT-1')).json().status).toBe(1);
    expect((await call('GET', '/ws/dga/uat/payment/status?ref=UAT-1')).json().status).toBe(0);
  });

  it('a lost answer after the payment was made: the caller sees a reset, the status shows the payment', async () => {
    sb.gdx.payments.loseReplies = 1;
    await expect(call('POST', '/ws/dga/dev/payment/create', { ref: 'LOST-1', amount: 9 })).rejects.toThrow();
    expect(sb.gdx.payments.list('dev').map((p) => p.ref)).toEqual(['LOST-1']);
    expect((await call('GET', '/ws/dga/dev/payment/status?ref=LOST-1')).json().status).toBe(0);
  });

  it('without the right to e-Payment: 401 with no body, as for any service', async () => {
    const r = await call('POST', '/ws/dga/payment/create', { ref: 'X', amount: 1 }, sb.gdx.consumers[1]!);
    expect(r.status).toBe(401);
  });
});
