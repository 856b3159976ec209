import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePostgres } from '@thgov/testkit/postgres';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { LetterRecord, LetterStore } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { SqliteLetterStore } from '../src/sqlite.js';
import { ECMS_MIGRATIONS } from '../src/store/postgres-schema.js';
import { inboundRecord } from './helpers/records.js';
import { postgresJournalAtVersion } from './helpers/stores.js';

const SENDER = '0031500001';
const RECEIVER = '1500300001';

/** Letters as the earlier release could leave them: [journal id, direction, state, book number, created]. */
const OLD_ROWS: [string, 'inbound' | 'outbound', string, string, number][] = [
  ['in-a', 'inbound', 'registered', 'ที่ 7/1', 1_000],
  // Delivered twice by two replicas (the race), then once more with Thai digits and stray spaces.
  ['in-b', 'inbound', 'acknowledged', 'ที่ 7/1', 2_000],
  ['in-c', 'inbound', 'stored', ' ที่\u00a0 ๗/๑\u200b ', 3_000],
  ['in-d', 'inbound', 'rejected', 'ที่ 7/1', 500],
  // One outbound letter submitted once with ASCII and once with Thai digits: two sends then.
  ['out-a', 'outbound', 'submitted', 'ที่ 8/1', 1_000],
  ['out-b', 'outbound', 'submitted', 'ที่ ๘/๑', 2_000],
];

const oldOutboundKey = (letterId: string) => JSON.stringify([SENDER, letterId, RECEIVER, '2026-11-27']);

/** After the upgrade: every old letter is found by its normalised key, and the key refuses new copies. */
async function expectUpgraded(store: LetterStore) {
  const inbound = await store.findByNaturalKey({
    direction: 'inbound',
    letterId: 'ที่ 7/1',
    correspondenceDate: '2026-11-27',
    counterpartDepartmentId: SENDER,
  });
  expect(inbound.map((r) => r.journalId)).toEqual(['in-d', 'in-a', 'in-b', 'in-c']);
  expect(inbound.find((r) => r.journalId === 'in-c')?.letterId).toBe(' ที่\u00a0 ๗/๑\u200b ');
  expect((await store.findByBookNumber('outbound', 'ที่ 8/1')).map((r) => r.journalId)).toEqual([
    'out-a',
    'out-b',
  ]);
  const copy = inboundRecord({
    letterId: 'ที่ ๗/๑',
    senderDepartmentId: SENDER,
    receiverDepartmentId: RECEIVER,
  });
  await expect(store.insert(copy, { processedId: copy.processId! })).rejects.toMatchObject({
    code: 'ERR_ECMS_DUPLICATE',
  });
  const resubmit: LetterRecord = inboundRecord({
    direction: 'outbound',
    state: 'submitting',
    processId: undefined,
    letterId: 'ที่ 8/1 ',
    senderDepartmentId: SENDER,
    receiverDepartmentId: RECEIVER,
  });
  await expect(store.insert(resubmit)).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
  // Another letter goes in as before.
  await store.insert(inboundRecord({ letterId: 'ที่ 7/2', senderDepartmentId: SENDER }));
}

describe('SQLite journal of the earlier release', () => {
  const root = mkdtempSync(join(tmpdir(), 'thgov-ecms-natural-key-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('opens with every letter keyed; colliding letters are kept and the oldest holds the key', async () => {
    const filename = join(root, 'journal.db');
    await new SqliteLetterStore({ filename }).close();
    // Back to the earlier layout: no book key columns or indexes, user_version 1.
    const raw = new Database(filename);
    for (const index of raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%book_key%'")
      .all() as { name: string }[])
      raw.exec(`DROP INDEX ${index.name}`);
    raw.exec('ALTER TABLE ecms_letters DROP COLUMN book_key');
    raw.exec('ALTER TABLE ecms_letters DROP COLUMN key_held');
    raw.pragma('user_version = 1');
    const insert = raw.prepare(
      `INSERT INTO ecms_letters (journal_id, direction, state, letter_id, correspondence_date, subject,
        sender_department_id, receiver_department_id, process_id, created_at, updated_at, outbound_key)
       VALUES (?, ?, ?, ?, '2026-11-27', 'เรื่อง', ?, ?, ?, ?, ?, ?)`,
    );
    for (const [id, direction, state, letterId, at] of OLD_ROWS)
      insert.run(
        id,
        direction,
        state,
        letterId,
        SENDER,
        RECEIVER,
        `P-${id}`,
        at,
        at,
        direction === 'outbound' ? oldOutboundKey(letterId) : null,
      );
    raw.close();

    const store = new SqliteLetterStore({ filename });
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
    const after = new Database(filename, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    expect(
      after
        .prepare(
          `SELECT journal_id, book_key, key_held FROM ecms_letters
           WHERE journal_id LIKE 'in-%' OR journal_id LIKE 'out-%' ORDER BY journal_id`,
        )
        .all(),
    ).toEqual([
      { journal_id: 'in-a', book_key: 'ที่ 7/1', key_held: 1 },
      { journal_id: 'in-b', book_key: 'ที่ 7/1', key_held: 0 },
      { journal_id: 'in-c', book_key: 'ที่ 7/1', key_held: 0 },
      { journal_id: 'in-d', book_key: 'ที่ 7/1', key_held: 1 },
      { journal_id: 'out-a', book_key: 'ที่ 8/1', key_held: 1 },
      { journal_id: 'out-b', book_key: 'ที่ 8/1', key_held: 0 },
    ]);
    after.close();
    // Opening again changes nothing.
    const again = new SqliteLetterStore({ filename });
    expect((await again.list()).length).toBe(OLD_ROWS.length + 1);
    await again.close();
  });
});

const postgres = requirePostgres({ why: 'the natural-key migration of the PostgreSQL journal' });

postgres.describe('PostgreSQL journal at schema version 2', () => {
  it('migrates with every letter keyed; colliding letters are kept and the oldest holds the key', async () => {
    const { connectionString, schema, pool } = await postgresJournalAtVersion(2);
    try {
      for (const [id, direction, state, letterId, at] of OLD_ROWS)
        await pool.query(
          `INSERT INTO ${schema}.ecms_letters (journal_id, direction, state, letter_id, correspondence_date, subject,
            sender_department_id, receiver_department_id, process_id, created_at, updated_at, outbound_key)
           VALUES ($1, $2, $3, $4, '2026-11-27', 'เรื่อง', $5, $6, $7, $8, $8, $9)`,
          [
            id,
            direction,
            state,
            letterId,
            SENDER,
            RECEIVER,
            `P-${id}`,
            new Date(at),
            direction === 'outbound' ? oldOutboundKey(letterId) : null,
          ],
        );
      const store = new PostgresLetterStore({ connectionString, schema, poolSize: 2 });
      try {
        await expect(store.migrationStatus()).resolves.toMatchObject({ current: 2 });
        expect(await store.migrate()).toEqual(
          ECMS_MIGRATIONS.filter((m) => m.version > 2).map((m) => m.version),
        );
        await expectUpgraded(store);
      } finally {
        await store.close();
      }
      const rows = await pool.query(
        `SELECT journal_id, book_key, key_held FROM ${schema}.ecms_letters WHERE journal_id = ANY($1) ORDER BY journal_id`,
        [OLD_ROWS.map(([id]) => id)],
      );
      expect(rows.rows).toEqual([
        { journal_id: 'in-a', book_key: 'ที่ 7/1', key_held: true },
        { journal_id: 'in-b', book_key: 'ที่ 7/1', key_held: false },
        { journal_id: 'in-c', book_key: 'ที่ 7/1', key_held: false },
        { journal_id: 'in-d', book_key: 'ที่ 7/1', key_held: true },
        { journal_id: 'out-a', book_key: 'ที่ 8/1', key_held: true },
        { journal_id: 'out-b', book_key: 'ที่ 8/1', key_held: false },
      ]);
    } finally {
      await pool.end();
    }
  });
});
