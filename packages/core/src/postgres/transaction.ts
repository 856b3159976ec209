import { setTimeout as delay } from 'node:timers/promises';
import type { PgClientLike, PgPoolLike } from './driver.js';
import { isTransientPostgresError, postgresError } from './transient.js';

export interface TransactionOptions {
  /** What the transaction does, for the error message (`recording a letter`). */
  what: string;
  /** Extra attempts after a transient failure that happened before COMMIT was sent. Default 4. */
  retries?: number;
  /** `READ COMMITTED` (default) or `SERIALIZABLE`. */
  isolation?: 'read committed' | 'serializable';
}

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
    try {
      client = await pool.connect();
      await client.query(
        options.isolation === 'serializable' ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN',
      );
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      if (client) {
        // A broken connection is destroyed, not returned to the pool.
        const broken = isTransientPostgresError(err) && !/^40/.test(String((err as { code?: unknown }).code));
        if (!broken && !committing) await client.query('ROLLBACK').catch(() => undefined);
        client.release(broken || committing ? true : undefined);
      }
      if (committing || attempt >= retries || !isTransientPostgresError(err))
        throw postgresError(options.what, err);
      await delay(Math.min(2_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
