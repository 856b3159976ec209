// Several replicas on one PostgreSQL journal: inbox workers and outboxes of different processes share the
// queue through leases; each letter is stored, dispatched, acknowledged and registered once.
import { randomBytes } from 'node:crypto';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { requirePostgres } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker, EcmsOutbox } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { sampleLetter } from './helpers/letters.js';
import { postgresUrl } from './helpers/stores.js';

const postgres = requirePostgres({ why: 'replicas sharing a PostgreSQL journal' });

postgres.describe('replicas on one PostgreSQL journal', () => {
  let net: EcmsNetwork;
  let url: string;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    // Items stay visible to every fetch until dequeued: replicas really do race for the same item.
    net = await startEcmsNetwork({ seed: 15, redeliveryAfterInMs: 0 });
    url = await postgresUrl();
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await net.close();
  });

  function replica(node: 0 | 1, schema: string, workerId: string) {
    const n = net.nodes[node]!;
    const client = new EcmsClient({
      nodeUrl: n.url,
      organizationId: n.organizationId,
      retry: { maxRetries: 1 },
    });
    const store = new PostgresLetterStore({ connectionString: url, schema, poolSize: 3 });
    closers.push(
      () => client.close(),
      () => store.close(),
    );
    return { client, store, workerId };
  }

  const newSchema = () => `r_${randomBytes(4).toString('hex')}`;

  describe('replicas on one PostgreSQL journal', () => {
    it('three inbox workers racing for the same queue: each letter stored, dispatched and registered once', async () => {
      const schema = newSchema();
      await new PostgresLetterStore({ connectionString: url, schema, migrate: true }).migrate();
      const sender = replica(0, newSchema(), 'sender');
      const dispatched: string[] = [];
      const workers = [1, 2, 3].map((i) => {
        const r = replica(1, schema, `inbox-${i}`);
        return new EcmsInboxWorker({
          client: r.client,
          store: r.store,
          workerId: r.workerId,
          autoRegister: { register: 'central' },
          batchSize: 5,
          onLetter: ({ letter }) => {
            dispatched.push(letter.id);
          },
        });
      });
      const ids = Array.from({ length: 30 }, (_, i) => `สพร 0105/r${i + 1}`);
      for (const id of ids) await sender.client.sendLetter(sampleLetter({ id }));
      for (let round = 0; round < 40 && net.queue(net.nodes[1]!.organizationId).pending.length > 0; round++)
        await Promise.all(workers.map((w) => w.runOnce()));
      await Promise.all(workers.map((w) => w.recover()));

      const store = new PostgresLetterStore({ connectionString: url, schema });
      closers.push(() => store.close());
      const letters = await store.list({ direction: 'inbound' });
      expect(letters.map((l) => l.letterId).sort()).toEqual([...ids].sort());
      expect(letters.every((l) => l.state === 'registered')).toBe(true);
      expect(letters.map((l) => l.registrationNumber).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      expect([...dispatched].sort()).toEqual([...ids].sort());
      // The sender saw one receipt and one registration per letter.
      const senderQueue = net.queue(net.nodes[0]!.organizationId).all;
      for (const kind of ['receive', 'accept'] as const) {
        const got = senderQueue
          .filter((i) => i.kind === kind && ids.includes(i.letterId))
          .map((i) => i.letterId);
        expect(got.sort()).toEqual([...ids].sort());
      }
    });

    it('two outbox replicas drain one list of journalled letters: each delivered exactly once', async () => {
      const schema = newSchema();
      const a = replica(0, schema, 'outbox-a');
      const b = replica(0, schema, 'outbox-b');
      await a.store.migrate?.();
      const outA = new EcmsOutbox({ client: a.client, store: a.store, workerId: a.workerId });
      const outB = new EcmsOutbox({ client: b.client, store: b.store, workerId: b.workerId });
      const ids = Array.from({ length: 24 }, (_, i) => `สพร 0105/o${i + 1}`);
      for (const id of ids) await outA.enqueue(sampleLetter({ id }));
      const sent: string[][] = [[], []];
      for (let round = 0; round < 20; round++) {
        const [ra, rb] = await Promise.all([outA.runOnce({ limit: 4 }), outB.runOnce({ limit: 4 })]);
        sent[0]!.push(...ra.map((r) => r.letterId));
        sent[1]!.push(...rb.map((r) => r.letterId));
        if (ra.length + rb.length === 0) break;
      }
      expect(sent[0]!.length).toBeGreaterThan(0);
      expect(sent[1]!.length).toBeGreaterThan(0);
      expect([...sent[0]!, ...sent[1]!].sort()).toEqual([...ids].sort());
      const delivered = net
        .queue(net.nodes[1]!.organizationId)
        .all.filter((i) => i.kind === 'letter' && ids.includes(i.letterId))
        .map((i) => i.letterId);
      expect(delivered.sort()).toEqual([...ids].sort());
      const letters = await a.store.list({ direction: 'outbound' });
      expect(letters.every((l) => l.state === 'submitted' && l.sendCount === 1)).toBe(true);
    });

    it('connections cut by the server (57P01) mid-run: the worker retries, no letter is lost or doubled', async () => {
      const schema = newSchema();
      const r = replica(1, schema, 'inbox-cut');
      await r.store.migrate();
      const sender = replica(0, newSchema(), 'sender-cut');
      const worker = new EcmsInboxWorker({
        client: r.client,
        store: r.store,
        workerId: r.workerId,
        autoRegister: { register: 'cut' },
        batchSize: 3,
      });
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      closers.push(() => admin.end());
      const ids = Array.from({ length: 12 }, (_, i) => `สพร 0105/c${i + 1}`);
      for (const id of ids) await sender.client.sendLetter(sampleLetter({ id }));
      const errors: unknown[] = [];
      for (let round = 0; round < 30 && net.queue(net.nodes[1]!.organizationId).pending.length > 0; round++) {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'thgov' AND datname = current_database() AND pid <> pg_backend_pid()",
        );
        await worker.runOnce().catch((err: unknown) => errors.push(err));
      }
      await worker.recover();
      for (const e of errors) expect(e).toMatchObject({ code: 'ERR_POSTGRES', retryable: true });
      const all = await r.store.list({ direction: 'inbound' });
      // The queue also held the previous test's letters: none may be doubled either.
      expect(new Set(all.map((l) => l.letterId)).size).toBe(all.length);
      const letters = all.filter((l) => ids.includes(l.letterId));
      expect(letters.map((l) => l.letterId).sort()).toEqual([...ids].sort());
      expect(all.every((l) => l.state === 'registered')).toBe(true);
      expect(all.map((l) => l.registrationNumber).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: all.length }, (_, i) => i + 1),
      );
    });
  });
});
