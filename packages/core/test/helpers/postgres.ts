// Set-up shared by the test files that run on the test PostgreSQL: a database of the file's own, a connection to
// act on it as an operator or as someone with write access but not the keys, audit sinks with the test keys, and
// whatever a file opened closed after it. Construct these inside the gated `postgres.describe(…)` of
// `requirePostgres` (@thgov/testkit/postgres), so that their hooks are skipped with the suite where no server runs.
import { testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AuditAnchor } from '../../src/audit/anchor.js';
import { PostgresAuditSink, type PostgresAuditSinkOptions } from '../../src/postgres/audit-sink.js';
import {
  type VerifyPostgresAuditLogOptions,
  verifyPostgresAuditLog,
} from '../../src/postgres/audit-verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from './audit.js';

export interface ConnectionOptions {
  /**
   * The test terminates these sessions itself: the 'error' event that reports it is expected (without a listener
   * it is an uncaught exception), and ending a session already gone may fail.
   */
  ignoreErrors?: boolean;
}

/** A database of the calling test file (dropped after it), with an admin client connected to it. */
export class PostgresForFile {
  #url = '';
  #admin: pg.Client | undefined;
  readonly #clients: { client: pg.Client; ignoreErrors: boolean }[] = [];
  readonly #pools: pg.Pool[] = [];

  /** `prefix` names the database, so that a leftover one shows which file made it. */
  constructor(prefix: string) {
    beforeAll(async () => {
      this.#url = (await testDatabase(prefix)).url;
      this.#admin = new pg.Client({ connectionString: this.#url });
      await this.#admin.connect();
    });
    afterAll(async () => {
      await Promise.all(this.#pools.map((p) => p.end()));
      for (const { client, ignoreErrors } of this.#clients) {
        await (ignoreErrors ? client.end().catch(() => undefined) : client.end());
      }
      await this.#admin?.end();
    });
  }

  /** URL of the file's database, once its beforeAll has run. */
  get url(): string {
    return this.#url;
  }

  /** A client connected to the file's database as its owner. */
  get admin(): pg.Client {
    if (!this.#admin) throw new Error('the test database is not set up yet (use it inside a test or hook)');
    return this.#admin;
  }

  /** One more connected client, ended after the file. */
  async client(options: ConnectionOptions = {}): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#url });
    if (options.ignoreErrors) client.on('error', () => undefined);
    await client.connect();
    this.#clients.push({ client, ignoreErrors: options.ignoreErrors === true });
    return client;
  }

  /** A pool on the file's database, ended after the file. */
  pool(options: ConnectionOptions & { max?: number } = {}): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.#url, ...(options.max ? { max: options.max } : {}) });
    if (options.ignoreErrors) pool.on('error', () => undefined);
    this.#pools.push(pool);
    return pool;
  }
}

/**
 * The file's database holding audit chains: sinks and verification with the test keys (helpers/audit.ts), and the
 * edits of an attacker who can write to the tables but holds no key.
 */
export class AuditPostgresForFile extends PostgresForFile {
  readonly #sinks: PostgresAuditSink[] = [];

  constructor(prefix: string) {
    super(prefix);
    // Registered after the database's own: vitest runs afterAll hooks last registered first, so the sinks are
    // closed before the clients and pools.
    afterAll(async () => {
      await Promise.all(this.#sinks.map((s) => s.close()));
    });
  }

  /** A sink on `chain` with the test keys, creating the tables as needed; closed after the file if not before. */
  sink(chain: string, extra: Partial<PostgresAuditSinkOptions> = {}): PostgresAuditSink {
    const sink = new PostgresAuditSink({
      connectionString: this.url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
      ...extra,
    });
    this.#sinks.push(sink);
    return sink;
  }

  /** A sink on `chain` that has appended events 0..n-1, left open. */
  async chainOf(
    chain: string,
    n: number,
    extra: Partial<PostgresAuditSinkOptions> = {},
  ): Promise<PostgresAuditSink> {
    const sink = this.sink(chain, extra);
    for (let i = 0; i < n; i++) await sink.append(auditEvent(i));
    return sink;
  }

  /** Appends events from..from+n-1 to `chain` through a sink that is then closed. */
  async writeChain(chain: string, n: number, from = 0): Promise<void> {
    const sink = this.sink(chain);
    for (let i = from; i < from + n; i++) await sink.append(auditEvent(i));
    await sink.close();
  }

  /** Verifies `chain` with the test chain key, as an auditor would; `extra` adds or replaces options. */
  verify(chain: string, extra: Omit<VerifyPostgresAuditLogOptions, 'chain'> = {}) {
    return verifyPostgresAuditLog({ connectionString: this.url, chain, keys: [CHAIN_KEY], ...extra });
  }

  /** The case references of `chain`'s records, in order, after checking that it verifies without error. */
  async caseRefs(chain: string) {
    const v = await this.verify(chain);
    expect(v.errors).toEqual([]);
    return v.records.map((r) => r.caseRef);
  }

  /** Deletes every record of `chain` (its head row stays). */
  async deleteRecords(chain: string): Promise<void> {
    await this.admin.query('DELETE FROM thgov.audit_records WHERE chain = $1', [chain]);
  }

  /** Deletes the one record of `chain` at `seq`. */
  async deleteRecord(chain: string, seq: number): Promise<void> {
    await this.admin.query('DELETE FROM thgov.audit_records WHERE chain = $1 AND seq = $2', [chain, seq]);
  }

  /** Cuts `chain` after `seq`: the newest records deleted, the head row left as it is. */
  async cutAfter(chain: string, seq: number): Promise<void> {
    await this.admin.query('DELETE FROM thgov.audit_records WHERE chain = $1 AND seq > $2', [chain, seq]);
  }

  /** Deletes the head row of `chain`. */
  async deleteHead(chain: string): Promise<void> {
    await this.admin.query('DELETE FROM thgov.audit_heads WHERE chain = $1', [chain]);
  }

  /** The anchor the head row of `chain` holds now. */
  async headAnchor(chain: string): Promise<AuditAnchor> {
    const { rows } = await this.admin.query<{ anchor: AuditAnchor }>(
      'SELECT anchor FROM thgov.audit_heads WHERE chain = $1',
      [chain],
    );
    if (!rows[0]) throw new Error(`no head row for chain ${chain}`);
    return rows[0].anchor;
  }

  /** Replaces the head row's anchor of `chain` with `anchor` (an anchor read before, or its JSON text). */
  async setHead(chain: string, anchor: AuditAnchor | string): Promise<void> {
    await this.admin.query('UPDATE thgov.audit_heads SET anchor = $1 WHERE chain = $2', [anchor, chain]);
  }
}
