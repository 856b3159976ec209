// withTransaction on a real PostgreSQL when the server cuts the connection of a transaction in progress.
// pg's pool stops listening to a connection's errors while it is checked out, so a session terminated
// between two statements (no query running: failover, admin shutdown, idle_in_transaction timeout) emitted
// 'error' with no listener, an uncaught exception that ended the process.
import { requirePostgres } from '@thgov/testkit/postgres';
import type pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import type { PgClientLike } from '../src/postgres/driver.js';
import { withTransaction } from '../src/postgres/transaction.js';
import { PostgresForFile } from './helpers/postgres.js';

const postgres = requirePostgres({ why: 'a session cut by the server inside a transaction' });

postgres.describe('withTransaction when the server cuts the connection', () => {
  const db = new PostgresForFile('core_transaction');
  let pool: pg.Pool;
  beforeAll(async () => {
    await db.admin.query('CREATE TABLE done (attempt int)');
    pool = db.pool({ max: 2, ignoreErrors: true });
  });

  /** Terminates the client's session and waits until the client has seen it end (a hang guard, not a timing). */
  async function cut(client: PgClientLike): Promise<void> {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const ended = new Promise<void>((resolve) => (client as unknown as pg.PoolClient).once('end', resolve));
    await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
  }

  it('a session terminated between two statements is no uncaught exception: the transaction runs again', async () => {
    let attempts = 0;
    const result = await withTransaction(
      pool,
      async (client) => {
        attempts++;
        await client.query('INSERT INTO done VALUES ($1)', [attempts]);
        if (attempts === 1) await cut(client);
        await client.query('SELECT 1');
        return attempts;
      },
      { what: 'recording an attempt' },
    );
    expect(result).toBe(2);
    // The first attempt was rolled back with its session; only the second one committed.
    const rows = (await db.admin.query<{ attempt: number }>('SELECT attempt FROM done ORDER BY attempt'))
      .rows;
    expect(rows.map((r) => r.attempt)).toEqual([2]);
    // The pool still works: the broken connection was dropped, not handed out again.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });

  it('cut every time: a retryable ERR_POSTGRES after the retries, still no uncaught exception', async () => {
    let attempts = 0;
    const err = await withTransaction(
      pool,
      async (client) => {
        attempts++;
        await cut(client);
        await client.query('SELECT 1');
      },
      { what: 'recording an attempt', retries: 2 },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(err).toMatchObject({ code: 'ERR_POSTGRES', retryable: true });
  });
});
