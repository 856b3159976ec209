// [chaos] Several replicas on one PostgreSQL, killed at random: 3 inbox-worker processes of agency B and
// 2 outbox processes of agency A share their journals (one database, a schema per agency) while 1,000
// letters go out of A's journal (outbound) and into B's (inbound) through the sandbox e-CMS nodes. At
// least 20 workers are SIGKILLed and restarted, and PostgreSQL itself is restarted once mid-run.
// Run alone: pnpm --filter @thgov/ecms test:chaos (THGOV_CHAOS_LETTERS changes the count).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PostgresAuditSink, verifyPostgresAuditLog } from '@thgov/core/postgres';
import { createRandom, type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import {
  createDatabaseOn,
  requirePostgres,
  startTestPostgres,
  type TestPostgres,
} from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsOutbox } from '../../src/index.js';
import { PostgresLetterStore } from '../../src/postgres.js';
import { sampleLetter } from '../helpers/letters.js';

const postgres = requirePostgres({ why: 'the multi-replica chaos run' });

postgres.describe('[chaos] replicas killed at random on one PostgreSQL', () => {
  const LETTERS = Number(process.env.THGOV_CHAOS_LETTERS ?? 1000);
  const MIN_KILLS = 20;
  const CHILD = fileURLToPath(new URL('../helpers/chaos-child.ts', import.meta.url));
  const AUDIT = {
    chain: 'chaos',
    hmacSecret: 'chaos-subject-secret-0123456789',
    chainKey: { id: 'chaos-1', secret: 'chaos-chain-key-0123456789abcdef0123456789' },
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  let server: TestPostgres | undefined;
  let url = '';
  let net: EcmsNetwork;
  beforeAll(async () => {
    // Its own server: this test restarts it. With THGOV_TEST_PG_URL the "restart" terminates every session.
    const external = process.env.THGOV_TEST_PG_URL;
    if (!external) server = await startTestPostgres();
    url = (await createDatabaseOn(external ?? server!.url, 'chaos')).url;
    for (const schema of ['agency_a', 'agency_b'])
      await new PostgresLetterStore({ connectionString: url, schema, migrate: true }).migrate();
    await new PostgresAuditSink({ connectionString: url, ...AUDIT }).migrate();
    net = await startEcmsNetwork({ seed: 1500, redeliveryAfterInMs: 1_500 });
  }, 120_000);
  /** Every replica ever started: a failed run must not leave any behind. */
  const spawned = new Set<ChildProcess>();
  afterAll(async () => {
    for (const child of spawned)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await net?.close();
    await server?.destroy();
  });

  interface Slot {
    role: 'inbox' | 'outbox';
    n: number;
    /** The replica in this slot once it is up (a supervisor restarts a killed one at once). */
    child?: Promise<ChildProcess>;
  }

  function spawnChild(slot: Slot): Promise<ChildProcess> {
    const [nodeIndex, schema] = slot.role === 'inbox' ? [1, 'agency_b'] : [0, 'agency_a'];
    const node = net.nodes[nodeIndex]!;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        slot.role,
        node.url,
        node.organizationId,
        `postgres:${url}#${schema}`,
        String(slot.n),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, THGOV_LOG_LEVEL: 'silent', THGOV_CHAOS_AUDIT_URL: url },
      },
    );
    spawned.add(child);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve(child);
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.once('exit', (code) =>
        reject(new Error(`${slot.role} ${slot.n} exited early (${code}): ${err.slice(0, 800)}`)),
      );
    });
  }

  function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async function count(admin: pg.Client, sql: string): Promise<number> {
    return Number((await admin.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  }

  const ids = Array.from({ length: LETTERS }, (_, i) => `ชก 0105/${i + 1}`);

  /** An admin connection that survives the restart (reconnect after it). */
  class Admin {
    client!: pg.Client;
    async connect(): Promise<void> {
      await this.client?.end().catch(() => undefined);
      this.client = new pg.Client({ connectionString: url });
      this.client.on('error', () => undefined);
      await this.client.connect();
    }
    async registered(): Promise<number> {
      try {
        return await count(
          this.client,
          "SELECT count(*) AS n FROM agency_b.ecms_letters WHERE direction = 'inbound' AND state = 'registered'",
        );
      } catch {
        return -1;
      }
    }
  }

  /** The application side of agency A: letters journalled for sending, one audit record each. */
  function applicationA() {
    const a = net.nodes[0]!;
    const client = new EcmsClient({ nodeUrl: a.url, organizationId: a.organizationId });
    const journal = new PostgresLetterStore({ connectionString: url, schema: 'agency_a', poolSize: 2 });
    const outbox = new EcmsOutbox({ client, store: journal });
    const audit = new PostgresAuditSink({ connectionString: url, ...AUDIT, poolSize: 2 });
    return {
      audit,
      async enqueue(id: string) {
        for (let attempt = 0; ; attempt++) {
          try {
            await outbox.enqueue(sampleLetter({ id }));
            await audit.append(
              { who: 'saraban-a', service: 'ecms', operation: 'letter.enqueued', caseRef: id, status: 'ok' },
              { idempotencyKey: `enqueued:${id}` },
            );
            return;
          } catch (err) {
            if (attempt > 100) throw err;
            await sleep(100);
          }
        }
      },
      async close() {
        await audit.close();
        await journal.close();
        await client.close();
      },
    };
  }

  async function restartPostgres(admin: Admin): Promise<void> {
    if (server) {
      await server.stop();
      await sleep(800);
      await server.start();
    } else {
      await admin.client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
    }
    await admin.connect();
  }

  /**
   * Letters keep arriving while replicas die: each round journals a share of them, waits a little, and kills
   * a random replica, which a supervisor restarts in its slot. PostgreSQL restarts once, 40 % in.
   */
  async function rounds(slots: Slot[], app: ReturnType<typeof applicationA>, admin: Admin) {
    const random = createRandom(77);
    const total = MIN_KILLS + 2;
    const perRound = Math.ceil(LETTERS / total);
    let kills = 0;
    let interrupted = 0;
    let restarted = false;
    for (let round = 0; round < total; round++) {
      // Journalled by 8 requests at a time, as an application's concurrent users would.
      const batch = ids.slice(round * perRound, (round + 1) * perRound);
      for (let i = 0; i < batch.length; i += 8) await Promise.all(batch.slice(i, i + 8).map(app.enqueue));
      await sleep(random.int(100, 700));
      if (round === Math.floor(total * 0.4)) {
        await restartPostgres(admin);
        restarted = true;
      }
      const slot = slots[random.int(0, slots.length - 1)]!;
      if ((await admin.registered()) < Math.min(LETTERS, (round + 1) * perRound)) interrupted++;
      await kill(await slot.child!, 'SIGKILL');
      kills++;
      // Restarted in the background: the run goes on while it starts, as under a real supervisor.
      slot.child = spawnChild(slot);
    }
    return { kills, interrupted, restarted };
  }

  /** Outbound: every letter sent, and the receiving node has each exactly once. Returns how many were resolved. */
  async function checkOutbound(admin: Admin): Promise<number> {
    const out = (
      await admin.client.query<{ letter_id: string; state: string; process_id: string }>(
        'SELECT letter_id, state, process_id FROM agency_a.ecms_letters',
      )
    ).rows;
    expect(out).toHaveLength(LETTERS);
    expect(out.filter((r) => r.state !== 'submitted')).toEqual([]);
    expect(new Set(out.map((r) => r.process_id)).size).toBe(LETTERS);
    const delivered = net.queue(net.nodes[1]!.organizationId).all.filter((i) => i.kind === 'letter');
    expect(delivered.map((i) => i.letterId).sort()).toEqual([...ids].sort());
    return count(
      admin.client,
      "SELECT count(DISTINCT journal_id) AS n FROM agency_a.ecms_transitions WHERE note LIKE 'resolved through outbound status%'",
    );
  }

  /** Inbound: stored once, registered, numbers 1..N; the sender got a receipt and only the stored AcceptID. */
  async function checkInbound(admin: Admin): Promise<void> {
    const inbound = (
      await admin.client.query<{
        letter_id: string;
        state: string;
        registration_number: number;
        accept_id: string;
      }>(
        "SELECT letter_id, state, registration_number, accept_id FROM agency_b.ecms_letters WHERE direction = 'inbound'",
      )
    ).rows;
    expect(inbound).toHaveLength(LETTERS);
    expect(new Set(inbound.map((r) => r.letter_id)).size).toBe(LETTERS);
    expect(inbound.filter((r) => r.state !== 'registered')).toEqual([]);
    expect(inbound.map((r) => r.registration_number).sort((x, y) => x - y)).toEqual(
      Array.from({ length: LETTERS }, (_, i) => i + 1),
    );
    expect(net.queue(net.nodes[1]!.organizationId).pending).toHaveLength(0);
    const toSender = net.queue(net.nodes[0]!.organizationId).all;
    expect(new Set(toSender.filter((i) => i.kind === 'receive').map((i) => i.letterId)).size).toBe(LETTERS);
    const stored = new Map(inbound.map((r) => [r.letter_id, r.accept_id]));
    const accepts = toSender.filter((i) => i.kind === 'accept');
    expect(new Set(accepts.map((i) => i.letterId)).size).toBe(LETTERS);
    for (const i of accepts) expect(i.acceptId).toBe(stored.get(i.letterId));
  }

  /** The audit chain verifies and holds one record per operation: enqueued and received, per letter. */
  async function checkAudit(): Promise<void> {
    const v = await verifyPostgresAuditLog({ connectionString: url, chain: 'chaos', keys: [AUDIT.chainKey] });
    expect(v.errors).toEqual([]);
    expect(v.records).toHaveLength(2 * LETTERS);
    for (const op of ['letter.enqueued', 'letter.received']) {
      const refs = v.records.filter((r) => r.operation === op).map((r) => r.caseRef);
      expect(refs.sort()).toEqual([...ids].sort());
    }
  }

  // THGOV_CHAOS=0 leaves it out of a second pass that only re-checks PATH-dependent suites (.ci/run): it uses
  // no system tool and already ran in the first.
  describe.skipIf(process.env.THGOV_CHAOS === '0')(
    '[chaos] replicas on one PostgreSQL, SIGKILLs and a database restart (skipped when THGOV_CHAOS=0)',
    () => {
      it(`${LETTERS} letters out and in: stored once, delivered once, numbered 1..N, audited once`, async () => {
        const slots: Slot[] = [
          ...[1, 2, 3].map((n) => ({ role: 'inbox' as const, n })),
          ...[1, 2].map((n) => ({ role: 'outbox' as const, n })),
        ];
        for (const s of slots) s.child = spawnChild(s);
        await Promise.all(slots.map((s) => s.child));
        const app = applicationA();
        const admin = new Admin();
        await admin.connect();

        const t0 = performance.now();
        const { kills, interrupted, restarted } = await rounds(slots, app, admin);
        const roundsInMs = Math.round(performance.now() - t0);
        const deadline = Date.now() + 300_000;
        let done = false;
        while (Date.now() < deadline && !done) {
          done =
            (await admin.registered()) >= LETTERS &&
            net.queue(net.nodes[1]!.organizationId).pending.length === 0;
          if (!done) await sleep(250);
        }
        const drainInMs = Math.round(performance.now() - t0) - roundsInMs;
        for (const s of slots) await kill(await s.child!, 'SIGTERM');
        expect(done, `registered ${await admin.registered()} of ${LETTERS}, ${kills} kills`).toBe(true);
        expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
        // Most kills hit replicas with work in hand, not idle ones.
        expect(interrupted).toBeGreaterThanOrEqual(MIN_KILLS / 2);
        expect(restarted).toBe(true);

        const resolved = await checkOutbound(admin);
        await checkInbound(admin);
        await app.close();
        await checkAudit();
        process.stdout.write(
          `${JSON.stringify({ chaos: 'replicas', letters: LETTERS, kills, interrupted, postgresRestarted: server !== undefined, resolvedThroughOutboundStatus: resolved, roundsInMs, drainInMs })}\n`,
        );
        await admin.client.end();
      }, 600_000);
    },
  );
});
