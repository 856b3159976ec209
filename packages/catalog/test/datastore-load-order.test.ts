import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogClient, type DataStoreRecord } from '../src/index.js';

/**
 * A load sends its batches one at a time, in order (a later row with the same key must win), and stops at the
 * first failure with that failure's error: a batch's request, the privacy guard on a batch, or the caller's
 * records failing. Nothing after the failing batch is sent, and the caller's iterator is closed.
 */

const ID = completeThaiId('110170023070');

interface Seen {
  firstN: number;
  rows: number;
}

let server: Server;
let url: string;
let seen: Seen[] = [];
let inFlight = 0;
let maxInFlight = 0;
let failAt = -1;
let received: DataStoreRecord[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { records: DataStoreRecord[] };
      seen.push({ firstN: body.records[0]?.n as number, rows: body.records.length });
      received.push(...body.records);
      const fail = seen.length === failAt;
      // Answered later, so that anything the client would send meanwhile arrives while this one is open.
      setTimeout(() => {
        inFlight--;
        res.writeHead(fail ? 403 : 200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            fail
              ? { success: false, error: { __type: 'Authorization Error', message: 'no' } }
              : { help: 'h', success: true, result: { method: 'upsert', records: body.records } },
          ),
        );
      }, 15);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  seen = [];
  received = [];
  inFlight = 0;
  maxInFlight = 0;
  failAt = -1;
});

const client = () =>
  new CatalogClient({
    baseUrl: url,
    apiToken: 'test-token-0123456789',
    politeness: { requestsPerSecond: false },
    schemaVersion: '2.2',
    retry: { maxRetries: 0 },
  });

/** `count` records of 50 a batch; `closed.value` turns true when the generator is closed or done. */
function recordsOf(count: number, at: (n: number) => DataStoreRecord = (n) => ({ n, v: 'ข้อมูล' })) {
  const closed = { value: false };
  function* gen(): Generator<DataStoreRecord> {
    try {
      for (let n = 0; n < count; n++) yield at(n);
    } finally {
      closed.value = true;
    }
  }
  return { records: gen(), closed };
}

describe('datastore load order', () => {
  it('sends every batch once, in order, one at a time', async () => {
    const c = client();
    const progress: number[] = [];
    const { records } = recordsOf(420);
    const done = await c.datastore.upsert('res-1', records, {
      batchRows: 50,
      onProgress: (p) => progress.push(p.rowsDone),
    });
    await c.close();
    expect(done).toEqual({ rows: 420, batches: 9 });
    expect(seen.map((s) => s.firstN)).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400]);
    expect(seen.map((s) => s.rows)).toEqual([50, 50, 50, 50, 50, 50, 50, 50, 20]);
    expect(maxInFlight).toBe(1);
    expect(progress).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 420]);
  });

  it('a failed batch ends the load with its own error; nothing after it is sent', async () => {
    failAt = 2;
    const c = client();
    // Batch 3 holds an ID: the failure of batch 2 must win over the guard's refusal of batch 3.
    const { records, closed } = recordsOf(200, (n) => ({ n, v: n === 120 ? ID : 'ไม่มี' }));
    const err = await c.datastore.upsert('res-1', records, { batchRows: 50 }).catch((e) => e);
    await c.close();
    expect(err).toMatchObject({ code: 'ERR_CATALOG_AUTH' });
    expect(seen.map((s) => s.firstN)).toEqual([0, 50]);
    expect(closed.value).toBe(true);
  });

  it('the guard refuses a batch after the batches before it are accepted, and sends nothing more', async () => {
    const c = client();
    const progress: number[] = [];
    const { records, closed } = recordsOf(200, (n) => ({ n, v: n === 120 ? ID : 'ไม่มี' }));
    const err = await c.datastore
      .upsert('res-1', records, { batchRows: 50, onProgress: (p) => progress.push(p.rowsDone) })
      .catch((e) => e);
    await c.close();
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect(err.message).toMatch(/batch 3 of the records/);
    expect(err.message).not.toContain(ID);
    expect(seen.map((s) => s.firstN)).toEqual([0, 50]);
    expect(progress).toEqual([50, 100]);
    expect(closed.value).toBe(true);
  });

  it("the records' own failure ends the load after the batches before it are sent", async () => {
    const c = client();
    function* failing(): Generator<DataStoreRecord> {
      for (let n = 0; n < 120; n++) yield { n };
      throw new Error('the source broke');
    }
    const err = await c.datastore.upsert('res-1', failing(), { batchRows: 50 }).catch((e) => e);
    const bad = await c.datastore
      .upsert('res-1', recordsOf(130, (n) => ({ n, x: n === 110 ? Number.NaN : 1 })).records, {
        batchRows: 50,
      })
      .catch((e) => e);
    await c.close();
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('the source broke');
    expect(bad).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(bad.message).toMatch(/records\.110\.x/);
    expect(seen.map((s) => s.firstN)).toEqual([0, 50, 0, 50]);
  });

  it('checks the values JSON sends: own enumerable keys, getters included; inherited and hidden ones are not sent', async () => {
    const c = client();
    const inherited = Object.create({ hidden: Number.NaN, n: -1 }) as DataStoreRecord;
    inherited.n = 0;
    inherited.ok = 1;
    const hidden = { n: 1 } as DataStoreRecord;
    Object.defineProperty(hidden, 'x', { value: Number.POSITIVE_INFINITY, enumerable: false });
    const loaded = await c.datastore.upsert('res-1', [inherited, hidden], { batchRows: 10 });
    const getter = { n: 2 } as DataStoreRecord;
    Object.defineProperty(getter, 'ratio', { get: () => Number.NaN, enumerable: true });
    const refused = await c.datastore.upsert('res-1', [{ n: 3 }, getter], { batchRows: 10 }).catch((e) => e);
    await c.close();
    expect(loaded.rows).toBe(2);
    expect(received).toEqual([{ n: 0, ok: 1 }, { n: 1 }]);
    expect(refused).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(refused.message).toMatch(/records\.1\.ratio/);
    expect(received).toHaveLength(2);
  });
});
