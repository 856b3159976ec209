import { setTimeout as delay } from 'node:timers/promises';
import type { PgClientLike, PgPoolLike } from './driver.js';
import { isTransientPostgresError, postgresError } from './transient.js';

/** Options of a PostgreSQL transaction run by the thgov stores: its name for errors and its retries. */
export interface TransactionOptions {
  /** What the transaction does, for the error message (`recording a letter`). */
  what: string;
  /** Extra attempts after a transient failure that happened before COMMIT was sent. Default 4. */
  retries?: number;
  /**
   * `READ COMMITTED` (default), `REPEATABLE READ` (every statement sees one snapshot: a consistent read over several
   * queries) or `SERIALIZABLE`.
   */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

const BEGIN = {
  'read committed': 'BEGIN',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
} as const;

/**
 * Runs `fn` in one transaction on a connection of its own. A transient failure (serialization failure,
 * deadlock, lost connection, server restart) before COMMIT rolls back and runs `fn` again after a short,
 * growing pause. A failure during COMMIT is not retried here: whether it committed is unknown, so it is
 * thrown as a retryable ERR_POSTGRES for the caller's idempotent retry (the workers redo the item, which
 * they recognise by its ProcessID).
 */
export async function withTransaction<T>(
  pool: PgPoolLike,
  fn: (client: PgClientLike) => Promise<T>,
  options: TransactionOptions,
): Promise<T> {
  const retries = options.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    let client: PgClientLike | undefined;
    let committing = false;
    // pg's pool stops listening to a connection's errors while it is checked out: a session cut between two
    // statements (failover, admin shutdown) would emit 'error' with no listener and end the process. The
    // error is kept instead; the next statement then fails, and the lost session decides the retry.
    let lost: Error | undefined;
    const onLost = (err: Error) => {
      lost ??= err;
    };
    try {
      client = await pool.connect();
      client.on?.('error', onLost);
      await client.query(BEGIN[options.isolation ?? 'read committed'] ?? 'BEGIN');
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      client.off?.('error', onLost);
      client.release();
      return result;
    } catch (thrown) {
      const err = lost ?? thrown;
      if (client) {
        // A broken connection is destroyed, not returned to the pool (the listener stays on it: a destroyed
        // connection may still report its end).
        const broken =
          lost !== undefined ||
          (isTransientPostgresError(err) && !/^40/.test(String((err as { code?: unknown }).code)));
        if (!broken && !committing) await client.query('ROLLBACK').catch(() => undefined);
        if (!broken && !committing) client.off?.('error', onLost);
        client.release(broken || committing ? true : undefined);
      }
      if (committing || attempt >= retries || !isTransientPostgresError(err))
        throw postgresError(options.what, err);
      await delay(Math.min(2_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
