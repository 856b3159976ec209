// Which PostgreSQL failures a worker retries: each one produced for real on the run's server (a
// serialization conflict, a deadlock, a session terminated by the administrator) and one that must not be
// retried (a unique violation, whose message quotes the row).

import { inspect } from 'node:util';
import { caught } from '@thgov/testkit';
import { requirePostgres } from '@thgov/testkit/postgres';
import { beforeAll, expect, it } from 'vitest';
import { isTransientPostgresError, postgresError, sqlState } from '../src/postgres/transient.js';
import { PostgresForFile } from './helpers/postgres.js';

const postgres = requirePostgres({ why: 'transient errors as a real server raises them' });

postgres.describe('isTransientPostgresError on real server failures', () => {
  const db = new PostgresForFile('core_transient');
  // A terminated session reports on its client too.
  const connect = () => db.client({ ignoreErrors: true });
  beforeAll(async () => {
    await db.admin.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await db.admin.query("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  });

  it('a serialization failure (40001) is retried', async () => {
    const [a, b] = [await connect(), await connect()];
    for (const c of [a, b]) await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await a.query('SELECT v FROM t WHERE id = 1');
    await b.query('SELECT v FROM t WHERE id = 1');
    await a.query("UPDATE t SET v = 'x' WHERE id = 1");
    await a.query('COMMIT');
    const err = await caught(b.query("UPDATE t SET v = 'y' WHERE id = 1"));
    await b.query('ROLLBACK');
    expect(sqlState(err)).toBe('40001');
    expect(isTransientPostgresError(err)).toBe(true);
    expect(postgresError('update', err).retryable).toBe(true);
  });

  it('a deadlock (40P01) is retried', async () => {
    const [a, b] = [await connect(), await connect()];
    for (const c of [a, b]) await c.query('BEGIN');
    await a.query("UPDATE t SET v = 'a1' WHERE id = 1");
    await b.query("UPDATE t SET v = 'b2' WHERE id = 2");
    const waiting = a.query("UPDATE t SET v = 'a2' WHERE id = 2").then(
      () => undefined,
      (e: unknown) => e,
    );
    const second = await b.query("UPDATE t SET v = 'b1' WHERE id = 1").then(
      () => undefined,
      (e: unknown) => e,
    );
    const err = second ?? (await waiting);
    for (const c of [a, b]) await c.query('ROLLBACK');
    await waiting;
    expect(sqlState(err)).toBe('40P01');
    expect(isTransientPostgresError(err)).toBe(true);
  });

  it('a session terminated by the administrator (57P01) is retried', async () => {
    const [victim, admin] = [await connect(), await connect()];
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const pending = caught(victim.query('SELECT pg_sleep(30)'));
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const err = await pending;
    expect(sqlState(err)).toBe('57P01');
    expect(isTransientPostgresError(err)).toBe(true);
    // The client is gone afterwards: what it throws next is transient as well.
    expect(isTransientPostgresError(await caught(victim.query('SELECT 1')))).toBe(true);
  });

  it('a unique violation (23505) is not retried, and the wrapped error does not quote the row', async () => {
    const c = await connect();
    const err = await caught(c.query("INSERT INTO t VALUES (1, 'citizen 1234567890123')"));
    expect(sqlState(err)).toBe('23505');
    expect(isTransientPostgresError(err)).toBe(false);
    const wrapped = postgresError('insert', err);
    expect(wrapped.code).toBe('ERR_POSTGRES');
    expect(wrapped.retryable).toBe(false);
    expect(wrapped.message).toBe('insert failed (SQLSTATE 23505)');
  });

  // What a logger can reach of the wrapped error: its JSON, util.inspect, and the cause's own fields as
  // pino's error serializer copies them (detail, where, internalQuery … are enumerable on the driver's error).
  const everything = (e: Error) => {
    const cause = e.cause as Record<string, unknown> | undefined;
    return [
      JSON.stringify(e),
      inspect(e, { depth: 10 }),
      JSON.stringify(Object.fromEntries(Object.entries(cause ?? {}))),
      String(cause?.message),
      String(cause?.stack),
    ].join('\n');
  };

  it('the row values the server quotes (detail, where, message) reach no log through the cause', async () => {
    const c = await connect();
    await c.query('CREATE TABLE person (name text PRIMARY KEY)');
    const row = 'สมชาย ใจดี';
    await c.query('INSERT INTO person VALUES ($1)', [row]);
    const duplicate = await caught(c.query('INSERT INTO person VALUES ($1)', [row]));
    expect(String((duplicate as { detail?: string }).detail)).toContain(row); // the server quotes it
    const badInput = await caught(c.query('SELECT $1::int', [row]));
    expect(String((badInput as Error).message)).toContain(row);
    const inFunction = await caught(c.query(`DO $$ BEGIN PERFORM ('${row}')::int; END $$`));
    for (const [err, state] of [
      [duplicate, '23505'],
      [badInput, '22P02'],
      [inFunction, '22P02'],
    ] as const) {
      const wrapped = postgresError('insert', err);
      expect(sqlState(wrapped.cause)).toBe(state);
      expect(everything(wrapped)).not.toContain('สมชาย');
      // What a reader needs stays: the SQLSTATE, and the constraint or the routine that refused.
      expect(JSON.stringify(wrapped)).toContain(state);
    }
    expect((postgresError('insert', duplicate).cause as { constraint?: string }).constraint).toBe(
      'person_pkey',
    );
  });
});
