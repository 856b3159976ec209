// Attack class: values PostgreSQL refuses or mishandles. A ProcessID longer than a btree index row (about 2.7 KB
// of incompressible text) could not be recorded in `ecms_processed` (primary key) nor `ecms_letters` (index on
// process_id): the insert and the quarantine both failed, the item was never dequeued, and every letter behind
// it waited for ever. U+0000 and lone UTF-16 surrogates: PostgreSQL refuses the first in text and jsonb, and
// node-postgres turns the second into U+FFFD (two ProcessIDs became one) or jsonb refuses its escape, while the
// memory journal kept both: the journals disagreed. Now every journal refuses such a value in a letter's own
// fields (ERR_ECMS_MESSAGE, nothing written), makes the descriptive text of errors, notes and quarantined items
// storable (U+FFFD; the raw answer is kept byte for byte), and keys ProcessIDs of any length by their SHA-256.
import { randomBytes } from 'node:crypto';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { requirePostgres } from '@thgov/testkit/postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxRejectedEvent,
  type LetterStore,
  type QuarantinedItem,
} from '../../src/index.js';
import { PostgresLetterStore } from '../../src/postgres.js';
import { DGA, sampleLetter } from '../helpers/letters.js';
import { inboundRecord } from '../helpers/records.js';
import {
  describeEachStore,
  type OpenedStore,
  postgresJournalAtVersion,
  STORE_KINDS,
} from '../helpers/stores.js';

/** Incompressible, so PostgreSQL cannot squeeze it into an index row: 4 KB of random hex. */
const longProcessId = () => `P-${randomBytes(2_048).toString('hex')}`;

/** A quarantined item as the inbox keeps it, with `fields` changed. */
function poison(fields: Partial<QuarantinedItem> = {}): QuarantinedItem {
  return {
    id: crypto.randomUUID(),
    processId: `Q-${crypto.randomUUID()}`,
    operation: 'CorrespondenceLetterInbound',
    element: 'GovernmentDocument',
    xml: Buffer.from('<x>\u0000</x>'),
    sha256: 'b'.repeat(64),
    at: new Date('2026-11-27T03:00:00.000Z'),
    error: { code: 'ERR_ECMS_XML', message: 'bad' },
    signature: undefined,
    letterKey: undefined,
    notified: true,
    settled: false,
    note: undefined,
    ...fields,
  };
}

describeEachStore('values PostgreSQL refuses, on the %s journal', (_kind, open) => {
  let opened: OpenedStore;
  let store: LetterStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => store.close());

  it('a ProcessID longer than an index row is recorded, found, deduplicated and quarantined', async () => {
    const id = longProcessId();
    const r = inboundRecord({ processId: id });
    await store.insert(r, { processedId: id });
    expect(await store.isProcessed(id)).toBe(true);
    expect(await store.isProcessed(`${id}x`)).toBe(false);
    expect((await store.findByProcessId(id))?.journalId).toBe(r.journalId);
    await expect(store.insert(inboundRecord({ processId: id }), { processedId: id })).rejects.toMatchObject({
      code: 'ERR_ECMS_DUPLICATE',
    });
    const other = longProcessId();
    await store.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued', processedId: other });
    await store.update(r.journalId, { processId: other });
    expect((await store.findByProcessId(other))?.journalId).toBe(r.journalId);
    expect(await store.isProcessed(other)).toBe(true);
    const q = poison({ processId: longProcessId() });
    await store.quarantine(q);
    expect(await store.isProcessed(q.processId)).toBe(true);
    expect((await store.quarantined()).map((x) => x.processId)).toEqual([q.processId]);
    const marked = longProcessId();
    await store.markProcessed(marked);
    await store.markProcessed(marked);
    expect(await store.isProcessed(marked)).toBe(true);
  });

  it.each([
    ['U+0000', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
  ])('a letter field holding %s is refused alike, nothing written', async (_name, bad) => {
    for (const fields of [
      { subject: bad },
      { letterId: bad },
      { processId: bad },
      { idempotencyKey: bad, direction: 'outbound' as const, state: 'submitted' as const },
    ]) {
      const r = inboundRecord(fields);
      await expect(store.insert(r, { processedId: `ok-${r.journalId}` })).rejects.toMatchObject({
        code: 'ERR_ECMS_MESSAGE',
      });
      expect(await store.get(r.journalId)).toBeUndefined();
      expect(await store.isProcessed(`ok-${r.journalId}`)).toBe(false);
    }
    const r = inboundRecord();
    await store.insert(r);
    await expect(store.update(r.journalId, { acceptId: bad })).rejects.toMatchObject({
      code: 'ERR_ECMS_MESSAGE',
    });
    await expect(
      store.transition({
        journalId: r.journalId,
        from: ['stored'],
        to: 'dequeued',
        patch: { processId: bad },
      }),
    ).rejects.toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
    expect(await store.get(r.journalId)).toMatchObject({ state: 'stored', acceptId: undefined });
    expect(await store.findByProcessId(bad)).toBeUndefined();
    expect(await store.findByBookNumber('inbound', bad)).toEqual([]);
  });

  it('a processed ProcessID keeps U+0000 exactly; a lone surrogate in one is refused', async () => {
    await store.markProcessed('P\u00002');
    expect(await store.isProcessed('P\u00002')).toBe(true);
    expect(await store.isProcessed('P\ufffd2')).toBe(false);
    expect(await store.isProcessed('P2')).toBe(false);
    for (const bad of ['P\ud8002', 'P\udc002']) {
      await expect(store.markProcessed(bad)).rejects.toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
      expect(await store.isProcessed(bad)).toBe(false);
      const r = inboundRecord();
      await expect(store.insert(r, { processedId: bad })).rejects.toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
      expect(await store.get(r.journalId)).toBeUndefined();
    }
    await store.markProcessed('P\ufffd2');
    expect(await store.isProcessed('P\ud8002')).toBe(false);
  });

  it('descriptive text (errors, notes, signature evidence, quarantined items) is stored alike', async () => {
    const bad = 'x\u0000y\ud800z\udfff';
    const stored = 'x\ufffdy\ufffdz\ufffd';
    const r = inboundRecord({
      lastError: bad,
      signature: { status: 'failed', checkedAt: '2026-11-27T03:00:00.000Z', message: bad },
    });
    await store.insert(r);
    const moved = await store.transition({
      journalId: r.journalId,
      from: ['stored'],
      to: 'dequeued',
      note: bad,
      patch: { lastError: `${bad}!` },
    });
    expect(moved?.lastError).toBe(`${stored}!`);
    const got = await store.get(r.journalId);
    expect(got?.signature?.message).toBe(stored);
    expect((await store.transitions(r.journalId))[0]?.note).toBe(stored);
    const q = poison({
      element: `Government${bad}`,
      error: { code: 'ERR_ECMS_XML', message: bad },
      letterKey: { letterId: bad, correspondenceDate: '2026-11-27', subject: bad, senderDepartmentId: DGA },
      note: bad,
    });
    await store.quarantine(q);
    await store.updateQuarantined(q.id, { note: `${bad}.` });
    const [kept] = await store.quarantined();
    expect(kept).toMatchObject({
      element: `Government${stored}`,
      error: { message: stored },
      letterKey: { letterId: stored, subject: stored },
      note: `${stored}.`,
    });
    // The raw answer, the evidence, stays byte for byte.
    expect(Buffer.from(kept!.xml)).toEqual(Buffer.from('<x>\u0000</x>'));
  });

  it('a ProcessID with U+0000 (read from a malformed item by the tag scan) is quarantined and processed', async () => {
    const q = poison({ processId: 'P\u00001' });
    await store.quarantine(q);
    expect(await store.isProcessed('P\u00001')).toBe(true);
    expect(await store.isProcessed('P\ufffd1')).toBe(false);
    expect((await store.quarantined())[0]?.processId).toBe('P\ufffd1');
  });

  it('a multi-megabyte subject and document are kept whole', async () => {
    const r = inboundRecord({ subject: 'ก'.repeat(3_000_000), document: randomBytes(6_000_000) });
    await store.insert(r);
    const got = await store.get(r.journalId);
    expect(got?.subject).toBe(r.subject);
    expect(Buffer.from(got!.document!).equals(Buffer.from(r.document!))).toBe(true);
  });
});

const postgresKind = STORE_KINDS.find(([k]) => k === 'postgres');
const postgres = requirePostgres({ why: 'the inbox worker on the PostgreSQL journal' });

postgres.describe('through the inbox worker, on the PostgreSQL journal', () => {
  let net: EcmsNetwork;
  let sender: EcmsClient;
  let receiver: EcmsClient;
  let receiverOrg: string;
  beforeEach(async () => {
    net = await startEcmsNetwork({ seed: 12 });
    const [a, b] = net.nodes;
    receiverOrg = b!.organizationId;
    sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
    receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: receiverOrg, retry: { maxRetries: 0 } });
  });
  afterEach(async () => {
    await sender.close();
    await receiver.close();
    await net.close();
  });

  it('a letter and a poison item under ProcessIDs of 4 KB do not jam the queue', async () => {
    await sender.sendLetter(sampleLetter({ id: 'สพร 9/1' }));
    await sender.sendLetter(sampleLetter({ id: 'สพร 9/2' }));
    net.injectItem(receiverOrg, { xml: '<GovernmentDocument><x/></GovernmentDocument>' });
    // A NUL byte in the element name: the item is read by the tag scan alone, the name kept as text.
    net.injectItem(receiverOrg, { xml: '<Govern\u0000ment><x/></Govern\u0000ment>' });
    await sender.sendLetter(sampleLetter({ id: 'สพร 9/3' }));
    // The node hands out ProcessIDs of 4 KB (the sandbox's queue items are its own objects).
    const pending = net.queue(receiverOrg).pending as { processId: string }[];
    const ids = pending.map((item, i) => {
      if (i === 1 || i === 2) item.processId = longProcessId();
      return item.processId;
    });
    const { store } = await postgresKind![1]();
    try {
      const rejected: InboxRejectedEvent[] = [];
      const worker = new EcmsInboxWorker({
        client: receiver,
        store,
        onRejected: (e) => void rejected.push(e),
      });
      expect(await worker.runOnce()).toBe(5);
      expect(net.queue(receiverOrg).pending).toEqual([]);
      const letters = await store.list({ direction: 'inbound' });
      expect(letters.map((l) => [l.letterId, l.state])).toEqual([
        ['สพร 9/1', 'acknowledged'],
        ['สพร 9/2', 'acknowledged'],
        ['สพร 9/3', 'acknowledged'],
      ]);
      expect(letters[1]?.processId).toBe(ids[1]);
      const kept = await store.quarantined();
      expect(kept.map((q) => q.processId)).toEqual([ids[2], ids[3]]);
      expect(kept[1]?.element).toBe('Govern\ufffdment');
      expect(rejected).toHaveLength(2);
      for (const id of ids) expect(await store.isProcessed(id!)).toBe(true);
      expect(await worker.runOnce()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

postgres.describe('PostgreSQL journal at schema version 3', () => {
  it('upgrades with every processed ProcessID and letter kept, still deduplicated and found', async () => {
    const { connectionString, schema, pool } = await postgresJournalAtVersion(3);
    try {
      const old = inboundRecord({ processId: 'P-old-ที่ ๑' });
      await pool.query(
        `INSERT INTO ${schema}.ecms_letters (journal_id, direction, state, letter_id, correspondence_date, subject,
          sender_department_id, receiver_department_id, process_id, created_at, updated_at, book_key)
         VALUES ($1, 'inbound', 'stored', $2, '2026-11-27', 'เรื่อง', $3, $4, $5, now(), now(), $2)`,
        [old.journalId, old.letterId, old.senderDepartmentId, old.receiverDepartmentId, old.processId],
      );
      await pool.query(
        `INSERT INTO ${schema}.ecms_processed (process_id, journal_id) VALUES ($1, $2), ('NOTIFIER-old', NULL)`,
        [old.processId, old.journalId],
      );
      const store = new PostgresLetterStore({ connectionString, schema, poolSize: 2 });
      try {
        expect(await store.migrate()).toEqual([4]);
        expect(await store.isProcessed('P-old-ที่ ๑')).toBe(true);
        expect(await store.isProcessed('NOTIFIER-old')).toBe(true);
        expect((await store.findByProcessId('P-old-ที่ ๑'))?.journalId).toBe(old.journalId);
        const again = inboundRecord({ processId: 'P-old-ที่ ๑' });
        await expect(store.insert(again, { processedId: 'P-old-ที่ ๑' })).rejects.toMatchObject({
          code: 'ERR_ECMS_DUPLICATE',
        });
        await store.markProcessed('NOTIFIER-old');
        const id = longProcessId();
        await store.markProcessed(id);
        expect(await store.isProcessed(id)).toBe(true);
      } finally {
        await store.close();
      }
      const rows = await pool.query(
        `SELECT process_id, journal_id FROM ${schema}.ecms_processed WHERE length(process_id) < 100 ORDER BY process_id`,
      );
      expect(rows.rows).toEqual([
        { process_id: 'NOTIFIER-old', journal_id: null },
        { process_id: 'P-old-ที่ ๑', journal_id: old.journalId },
      ]);
    } finally {
      await pool.end();
    }
  });
});
