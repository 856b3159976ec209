// Transient PostgreSQL failures provoked for real on the store's code path, not classified from a made-up
// error: a serialization failure (40001, a SERIALIZABLE transaction whose row another connection changed
// and committed meanwhile) and a deadlock (40P01, two connections taking two locks in opposite order). The
// store's transaction or statement is rolled back, done again, and its effect is recorded exactly once. Then
// an answer lost after the server committed: a write is run again only where running it twice is harmless.
import { randomBytes } from 'node:crypto';
import type { PgClientLike, PgPoolLike } from '@thgov/core/postgres';
import { sqlState } from '@thgov/core/postgres';
import { requirePostgres } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newLetterRecord } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { postgresUrl } from './helpers/stores.js';

const postgres = requirePostgres({ why: 'serialization failures and deadlocks on a real server' });

/**
 * The real pool, seen from outside: counts the connections the store checks out (one per transaction
 * attempt) and the statements it runs on their own, and keeps the SQLSTATE of every statement that failed.
 * Nothing is changed on the way through, except on request: `loseAnswer(pattern)` lets the next statement
 * that matches run (and commit, when it runs on its own) and then fails it as a connection cut before the
 * answer arrived, which is what a network fault or a failover does and what no server can be asked for.
 */
function observedPool(pool: pg.Pool) {
  const seen = { checkouts: 0, statements: 0, failures: [] as string[], answersLost: 0 };
  let lose: RegExp | undefined;
  /** `run` the statement, keeping the SQLSTATE of a failure. */
  const noted = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      if (lose?.test(text)) {
        lose = undefined;
        seen.answersLost++;
        throw new Error('Connection terminated unexpectedly');
      }
      return result;
    } catch (err) {
      seen.failures.push(sqlState(err) ?? 'none');
      throw err;
    }
  };
  const observed: PgPoolLike = {
    query: ((text: string, values?: unknown[]) => {
      seen.statements++;
      return noted(text, () => pool.query(text, values));
    }) as PgPoolLike['query'],
    end: () => pool.end(),
    async connect() {
      const client = (await pool.connect()) as unknown as PgClientLike;
      seen.checkouts++;
      return {
        query: ((text: string, values?: unknown[]) =>
          noted(text, () => client.query(text, values))) as PgClientLike['query'],
        release: (destroy) => client.release(destroy),
      };
    },
  };
  const loseAnswer = (pattern: RegExp) => {
    lose = pattern;
  };
  return { observed, seen, loseAnswer };
}

/**
 * Waits (bounded) until the store's backend waits for a lock: a backend of this database other than the
 * admin connection and the other connection (`otherPid`). The statement's text is not matched: the server
 * keeps only its first kilobyte.
 */
async function waitUntilBlocked(admin: pg.Client, otherPid: number): Promise<void> {
  for (let i = 0; i < 1_500; i++) {
    const r = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND pid <> $1`,
      [otherPid],
    );
    if (r.rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the store never waited for a lock');
}

postgres.describe('PostgresLetterStore under real transient failures', () => {
  let url: string;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    url = await postgresUrl();
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function setUp(options: pg.PoolConfig = {}) {
    const schema = `rt_${randomBytes(5).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: url, max: 2, ...options });
    const { observed, seen, loseAnswer } = observedPool(pool);
    const store = new PostgresLetterStore({ pool: observed, schema, migrate: true });
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    closers.push(
      () => pool.end(),
      () => other.end(),
      () => admin.end(),
    );
    const record = newLetterRecord({
      direction: 'inbound',
      state: 'dequeued',
      letterId: `ศธ 0${randomBytes(2).readUInt16BE()}/1`,
      correspondenceDate: '2026-12-03',
      subject: 'retry test',
      senderDepartmentId: 'D1',
      receiverDepartmentId: 'D2',
      processId: `P-${randomBytes(4).toString('hex')}`,
    });
    await store.insert(record);
    return { store, seen, loseAnswer, other, otherPid, admin, record, t: `"${schema}"` };
  }

  /**
   * A store whose every transaction and statement is SERIALIZABLE, with the letter's row changed by another
   * connection whose transaction is still open: the store's next write to that row waits for it, and fails with
   * 40001 once it commits.
   */
  async function serializableWithRowHeld() {
    const set = await setUp({ options: '-c default_transaction_isolation=serializable' });
    await set.other.query('BEGIN');
    await set.other.query(`UPDATE ${set.t}.ecms_letters SET subject = subject WHERE journal_id = $1`, [
      set.record.journalId,
    ]);
    return set;
  }

  const evidence = () => [
    {
      processId: 'ACK-1',
      operation: 'acknowledgeReceipt',
      direction: 'sent' as const,
      xml: Buffer.from('<ack/>'),
      sha256: '00',
      at: new Date(),
    },
  ];

  it('a serialization failure (40001) is rolled back and retried; the transition is recorded once', async () => {
    const { store, seen, other, otherPid, admin, record } = await serializableWithRowHeld();
    const before = { checkouts: seen.checkouts, statements: seen.statements };
    // Its snapshot is taken while the other connection's update is uncommitted; it waits for the row lock.
    const pending = store.transition({
      journalId: record.journalId,
      from: ['dequeued'],
      to: 'acknowledged',
      evidence: evidence(),
      note: 'receipt acknowledged',
    });
    await waitUntilBlocked(admin, otherPid);
    await other.query('COMMIT');
    const done = await pending;

    expect(seen.failures).toEqual(['40001']);
    // One statement (no transaction of its own), run twice: the aborted run and the retry.
    expect(seen.checkouts - before.checkouts).toBe(0);
    expect(seen.statements - before.statements).toBe(2);
    expect(done?.state).toBe('acknowledged');
    const transitions = await store.transitions(record.journalId);
    expect(transitions.map((x) => `${x.from}->${x.to}`)).toEqual(['dequeued->acknowledged']);
    expect((await store.evidence(record.journalId)).map((e) => e.operation)).toEqual(['acknowledgeReceipt']);
  });

  it('a deadlock (40P01) is rolled back and retried; the transition and its ProcessID are recorded once', async () => {
    const { store, seen, other, otherPid, admin, record, t } = await setUp();
    await other.query('BEGIN');
    // The store's victim role is made certain where the server allows it: the other side waits 60 s
    // before looking for a deadlock, the store's backend after the default 1 s.
    await other.query(`SET LOCAL deadlock_timeout = '60s'`).catch(async () => {
      await other.query('ROLLBACK');
      await other.query('BEGIN');
    });
    // Lock 1 (held by the other connection): the ProcessID the store's transition will record.
    await other.query(
      `INSERT INTO ${t}.ecms_processed (process_key, process_id)
       VALUES (sha256(convert_to('NOTIFIER-1', 'UTF8')), 'NOTIFIER-1')`,
    );
    const before = { checkouts: seen.checkouts, statements: seen.statements };
    // The store takes lock 2 (the letter row), then waits for lock 1.
    const pending = store.transition({
      journalId: record.journalId,
      from: ['dequeued'],
      to: 'acknowledged',
      evidence: evidence(),
      processedId: 'NOTIFIER-1',
      note: 'receipt acknowledged',
    });
    await waitUntilBlocked(admin, otherPid);
    // The other connection now wants lock 2: a cycle, which the server breaks by aborting the store's side.
    const crossing = other
      .query(`SELECT 1 FROM ${t}.ecms_letters WHERE journal_id = $1 FOR UPDATE`, [record.journalId])
      .then(() => other.query('ROLLBACK'));
    await crossing;
    const done = await pending;

    expect(seen.failures).toEqual(['40P01']);
    // One statement (no transaction of its own), run twice: the aborted run and the retry.
    expect(seen.checkouts - before.checkouts).toBe(0);
    expect(seen.statements - before.statements).toBe(2);
    expect(done?.state).toBe('acknowledged');
    const transitions = await store.transitions(record.journalId);
    expect(transitions.map((x) => `${x.from}->${x.to}`)).toEqual(['dequeued->acknowledged']);
    expect(await store.evidence(record.journalId)).toHaveLength(1);
    expect(await store.isProcessed('NOTIFIER-1')).toBe(true);
    const processed = await admin.query(`SELECT journal_id FROM ${t}.ecms_processed WHERE process_id = $1`, [
      'NOTIFIER-1',
    ]);
    expect(processed.rows).toEqual([{ journal_id: record.journalId }]);
  });

  it('a serialization failure on a single-statement claim is retried; the row holds the lease returned', async () => {
    const { store, seen, other, otherPid, admin, record, t } = await serializableWithRowHeld();
    const before = { checkouts: seen.checkouts, statements: seen.statements };
    const pending = store.claimOne(record.journalId, 'worker-1', 60_000);
    await waitUntilBlocked(admin, otherPid);
    await other.query('COMMIT');
    const lease = await pending;

    expect(seen.failures).toEqual(['40001']);
    // No transaction: the claim ran as one statement, twice.
    expect(seen.checkouts - before.checkouts).toBe(0);
    expect(seen.statements - before.statements).toBe(2);
    expect(lease?.owner).toBe('worker-1');
    const row = await admin.query(
      `SELECT lease_owner, lease_token FROM ${t}.ecms_letters WHERE journal_id = $1`,
      [record.journalId],
    );
    expect(row.rows).toEqual([{ lease_owner: 'worker-1', lease_token: String(lease?.token) }]);
    await store.release(lease as NonNullable<typeof lease>);
    const released = await admin.query(`SELECT lease_owner FROM ${t}.ecms_letters WHERE journal_id = $1`, [
      record.journalId,
    ]);
    expect(released.rows).toEqual([{ lease_owner: null }]);
  });
  it('a transition whose answer was lost after it committed runs again and changes nothing twice', async () => {
    const { store, seen, loseAnswer, record, t, admin } = await setUp();
    const before = { checkouts: seen.checkouts, statements: seen.statements };
    loseAnswer(/ecms_transitions/);
    const moved = await store.transition({
      journalId: record.journalId,
      from: ['dequeued'],
      to: 'acknowledged',
      evidence: evidence(),
      processedId: 'NOTIFIER-2',
      note: 'receipt acknowledged',
    });
    expect(seen.answersLost).toBe(1);
    expect(seen.statements - before.statements).toBe(2);
    expect(seen.checkouts - before.checkouts).toBe(0);
    // The second run found the letter already moved: nothing to do, as for a letter another worker moved.
    expect(moved).toBeUndefined();
    expect((await store.get(record.journalId))?.state).toBe('acknowledged');
    expect((await store.transitions(record.journalId)).map((x) => `${x.from}->${x.to}`)).toEqual([
      'dequeued->acknowledged',
    ]);
    expect(await store.evidence(record.journalId)).toHaveLength(1);
    const processed = await admin.query(`SELECT journal_id FROM ${t}.ecms_processed WHERE process_id = $1`, [
      'NOTIFIER-2',
    ]);
    expect(processed.rows).toEqual([{ journal_id: record.journalId }]);
  });

  it('a change that keeps the state is never run twice: its lost answer rolls back, or is reported', async () => {
    const { store, seen, loseAnswer, record } = await setUp();
    const keep = (note: string) =>
      store.transition({ journalId: record.journalId, from: ['dequeued'], to: 'dequeued', note });
    // Lost before COMMIT: the transaction rolled back with its connection and ran once more.
    loseAnswer(/ecms_transitions/);
    expect(await keep('first')).toMatchObject({ state: 'dequeued' });
    // Lost during COMMIT: whether it committed is unknown, so it is not run again but reported.
    loseAnswer(/^COMMIT$/);
    await expect(keep('second')).rejects.toMatchObject({ code: 'ERR_POSTGRES', retryable: true });
    expect(seen.answersLost).toBe(2);
    expect((await store.transitions(record.journalId)).map((x) => x.note)).toEqual(['first', 'second']);
  });

  it('a registration whose answer was lost keeps its number; a renewal is never retried into a gap', async () => {
    const { store, loseAnswer, record } = await setUp();
    const allocate = (renew?: boolean) =>
      store.allocateRegistrationNumber({
        journalId: record.journalId,
        register: 'central',
        year: 2569,
        renew,
      });
    loseAnswer(/ecms_registration_counters/);
    expect(await allocate()).toBe(1);
    loseAnswer(/^COMMIT$/);
    await expect(allocate(true)).rejects.toMatchObject({ code: 'ERR_POSTGRES', retryable: true });
    expect((await store.get(record.journalId))?.registrationNumber).toBe(2);
    const next = newLetterRecord({
      direction: 'inbound',
      state: 'dequeued',
      letterId: `${record.letterId}-2`,
      correspondenceDate: record.correspondenceDate,
      subject: record.subject,
      senderDepartmentId: record.senderDepartmentId,
      receiverDepartmentId: record.receiverDepartmentId,
    });
    await store.insert(next);
    expect(
      await store.allocateRegistrationNumber({ journalId: next.journalId, register: 'central', year: 2569 }),
    ).toBe(3);
  });
});
