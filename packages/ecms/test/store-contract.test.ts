// The LetterStore contract: one suite, run against the memory, SQLite and PostgreSQL journals alike.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LetterRecord, LetterStore } from '../src/index.js';
import { SqliteLetterStore } from '../src/sqlite.js';
import { inboundRecord } from './helpers/records.js';
import { describeEachStore, type OpenedStore } from './helpers/stores.js';

const evidence = (processId: string) => ({
  processId,
  operation: 'CorrespondenceLetterInbound',
  direction: 'received' as const,
  xml: Buffer.from(`<x>${processId}</x>`),
  sha256: 'a'.repeat(64),
  at: new Date('2026-11-27T03:00:00.000Z'),
});

const inbound = inboundRecord;

describeEachStore('LetterStore contract (%s)', (kind, open) => {
  let opened: OpenedStore;
  let store: LetterStore;
  const extra: LetterStore[] = [];
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(async () => {
    for (const s of extra.splice(0)) if (s !== store) await s.close();
    await store.close();
  });
  const twin = () => {
    const t = opened.twin();
    extra.push(t);
    return t;
  };

  it('stores a letter with its evidence and processed ProcessID in one step, field for field', async () => {
    const r = inbound({ signatureStatus: 'valid' });
    await store.insert(r, { evidence: [evidence(r.processId!)], processedId: r.processId! });
    const got = await store.get(r.journalId);
    expect({ ...got, document: Buffer.from(got!.document!) }).toEqual({
      ...r,
      document: Buffer.from(r.document!),
    });
    expect(await store.isProcessed(r.processId!)).toBe(true);
    const ev = await store.evidence(r.journalId);
    expect(ev).toHaveLength(1);
    expect(Buffer.from(ev[0]!.xml).toString()).toBe(`<x>${r.processId}</x>`);
    expect(ev[0]!.at.toISOString()).toBe('2026-11-27T03:00:00.000Z');
    expect(await store.findByProcessId(r.processId!)).toMatchObject({ journalId: r.journalId });
    expect(await store.get(crypto.randomUUID())).toBeUndefined();
  });

  it('a queue item recorded twice (two workers fetched it) writes nothing the second time', async () => {
    const first = inbound();
    await store.insert(first, { processedId: first.processId! });
    const second = inbound({ processId: first.processId });
    await expect(twin().insert(second, { processedId: first.processId! })).rejects.toMatchObject({
      code: 'ERR_ECMS_DUPLICATE',
    });
    expect(await store.get(second.journalId)).toBeUndefined();
  });

  it('transitions are compare-and-set and leave a trail', async () => {
    const r = inbound();
    await store.insert(r);
    expect(await store.transition({ journalId: r.journalId, from: ['dequeued'], to: 'acknowledged' })).toBe(
      undefined,
    );
    const moved = await store.transition({
      journalId: r.journalId,
      from: ['stored'],
      to: 'dequeued',
      patch: { lastError: 'x', dispatched: true },
      note: 'dequeued',
      evidence: [evidence('ev')],
      processedId: 'notifier-1',
    });
    expect(moved).toMatchObject({ state: 'dequeued', lastError: 'x', dispatched: true });
    expect(moved!.updatedAt.getTime()).toBeGreaterThanOrEqual(r.updatedAt.getTime());
    expect((await store.transitions(r.journalId)).map((t) => [t.from, t.to, t.note])).toEqual([
      ['stored', 'dequeued', 'dequeued'],
    ]);
    expect(await store.isProcessed('notifier-1')).toBe(true);
    await store.update(r.journalId, { lastError: undefined, sendCount: 3 });
    expect(await store.get(r.journalId)).toMatchObject({ lastError: undefined, sendCount: 3 });
    await expect(store.update(crypto.randomUUID(), {})).rejects.toMatchObject({ code: 'ERR_ECMS_NOT_FOUND' });
    await expect(
      store.transition({ journalId: crypto.randomUUID(), from: ['stored'], to: 'dequeued' }),
    ).rejects.toMatchObject({ code: 'ERR_ECMS_NOT_FOUND' });
  });

  it('a transition returns the whole record, or every field but the document when asked to leave it out', async () => {
    const r = inbound({
      signatureStatus: 'valid',
      idempotencyKey: `k-${crypto.randomUUID()}`,
      register: 'central',
      registrationYear: 2569,
      registrationNumber: 7,
      dispatched: true,
      recoverFailures: 1,
      lastError: 'ERR_X',
      acceptId: 'รับ 7',
    });
    await store.insert(r);
    const whole = await store.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued' });
    expect(Buffer.from(whole!.document!)).toEqual(Buffer.from(r.document!));
    const lean = await store.transition({
      journalId: r.journalId,
      from: ['dequeued'],
      to: 'acknowledged',
      patch: { sendCount: 2 },
      withDocument: false,
    });
    expect(lean!.document).toBeUndefined();
    // Every other field is there, exactly as a read gives it; the document itself is untouched.
    const got = await store.get(r.journalId);
    expect(lean).toEqual({ ...got, document: undefined });
    expect(got).toMatchObject({
      state: 'acknowledged',
      sendCount: 2,
      registrationNumber: 7,
      signatureStatus: 'valid',
    });
    expect(Buffer.from(got!.document!)).toEqual(Buffer.from(r.document!));
  });

  it('a transition keeps its evidence in order, field for field; one that keeps the state is recorded too', async () => {
    const r = inbound();
    await store.insert(r);
    const first = { ...evidence('ack-1'), operation: 'AcknowledgeReceipt', direction: 'sent' as const };
    const second = { ...evidence('ack-1'), processId: undefined, xml: Buffer.from('<second/>') };
    const moved = await store.transition({
      journalId: r.journalId,
      from: ['stored'],
      to: 'dequeued',
      evidence: [first, second],
    });
    expect(moved?.state).toBe('dequeued');
    const ev = await store.evidence(r.journalId);
    expect(
      ev.map((e) => [e.journalId, e.processId, e.operation, e.direction, Buffer.from(e.xml).toString()]),
    ).toEqual([
      [r.journalId, 'ack-1', 'AcknowledgeReceipt', 'sent', '<x>ack-1</x>'],
      [r.journalId, undefined, 'CorrespondenceLetterInbound', 'received', '<second/>'],
    ]);
    expect(ev.map((e) => e.at.toISOString())).toEqual([
      '2026-11-27T03:00:00.000Z',
      '2026-11-27T03:00:00.000Z',
    ]);
    // A change that keeps the state (to among from) is a transition like any other.
    const kept = await store.transition({
      journalId: r.journalId,
      from: ['dequeued', 'acknowledged'],
      to: 'dequeued',
      patch: { lastError: 'kept' },
      note: 'retry noted',
    });
    expect(kept).toMatchObject({ state: 'dequeued', lastError: 'kept' });
    expect((await store.transitions(r.journalId)).map((t) => [t.from, t.to, t.note])).toEqual([
      ['stored', 'dequeued', undefined],
      ['dequeued', 'dequeued', 'retry noted'],
    ]);
    // A refused transition records nothing: no history, no evidence, no ProcessID.
    expect(
      await store.transition({
        journalId: r.journalId,
        from: ['stored'],
        to: 'acknowledged',
        evidence: [evidence('late')],
        processedId: 'late-notifier',
      }),
    ).toBeUndefined();
    expect(await store.transitions(r.journalId)).toHaveLength(2);
    expect(await store.evidence(r.journalId)).toHaveLength(2);
    expect(await store.isProcessed('late-notifier')).toBe(false);
  });

  it('finds letters by natural key and lists them by direction and state, oldest first', async () => {
    const a = inbound({ letterId: 'ที่ 1', createdAt: new Date(1_000) });
    const b = inbound({ letterId: 'ที่ 1', createdAt: new Date(2_000), state: 'rejected' });
    const c = inbound({ direction: 'outbound', state: 'submitted', letterId: 'ที่ 1' });
    for (const r of [b, a, c]) await store.insert(r);
    const found = await store.findByNaturalKey({
      direction: 'inbound',
      letterId: 'ที่ 1',
      correspondenceDate: '2026-11-27',
      counterpartDepartmentId: '0031500001',
    });
    expect(found.map((r) => r.journalId)).toEqual([a.journalId, b.journalId]);
    expect((await store.list({ direction: 'inbound', states: ['stored'] })).map((r) => r.journalId)).toEqual([
      a.journalId,
    ]);
    expect(await store.list({ states: [] })).toEqual([]);
    expect((await store.list()).length).toBe(3);
    // By book number alone: every date and party of one direction, oldest first.
    const other = inbound({
      letterId: 'ที่ 1',
      correspondenceDate: '2027-01-05',
      senderDepartmentId: '9999999999',
    });
    await store.insert(other);
    expect((await store.findByBookNumber('inbound', 'ที่ 1')).map((r) => r.journalId)).toEqual([
      a.journalId,
      b.journalId,
      other.journalId,
    ]);
    expect((await store.findByBookNumber('outbound', 'ที่ 1')).map((r) => r.journalId)).toEqual([c.journalId]);
    expect(await store.findByBookNumber('outbound', 'ที่ 2')).toEqual([]);
  });

  it('an outbound letter journalled twice (same natural key or idempotency key) is refused atomically', async () => {
    const out = (extra: Partial<LetterRecord> = {}) =>
      inbound({
        direction: 'outbound',
        state: 'submitting',
        processId: undefined,
        letterId: 'ที่ 9/1',
        ...extra,
      });
    const first = out({ idempotencyKey: 'order-1' });
    await store.insert(first);
    expect(await store.get(first.journalId)).toMatchObject({ idempotencyKey: 'order-1' });
    // Same sender, book number, receiver and date: refused, from this handle and from another replica's.
    for (const s of [store, twin()]) {
      const again = out();
      await expect(s.insert(again)).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
      expect(await store.get(again.journalId)).toBeUndefined();
    }
    // Same idempotency key on another letter: refused too.
    const reused = out({ letterId: 'ที่ 9/2', idempotencyKey: 'order-1' });
    await expect(store.insert(reused)).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
    expect(await store.get(reused.journalId)).toBeUndefined();
    // A circular letter (another receiver), the book number in another BE year (another date) and an inbound
    // letter with the same key are different letters.
    await store.insert(out({ receiverDepartmentId: '1500300002' }));
    await store.insert(out({ correspondenceDate: '2027-11-27' }));
    await store.insert(inbound({ letterId: 'ที่ 9/1' }));
    expect((await store.list({ direction: 'outbound' })).length).toBe(3);
    expect((await store.list({ direction: 'inbound' })).length).toBe(1);
  });

  it('book numbers are compared normalised: spaces, no-break spaces, format characters, Thai digits', async () => {
    const out = (letterId: string, extra: Partial<LetterRecord> = {}) =>
      inbound({ direction: 'outbound', state: 'submitting', processId: undefined, letterId, ...extra });
    const first = out('สพร 1/3');
    await store.insert(first);
    for (const variant of [
      'สพร 1/3 ',
      ' สพร 1/3',
      'สพร  1/3',
      'สพร\u00a01/3',
      'สพร 1/3\u200b',
      'สพร\t1/3',
      'สพร ๑/๓',
    ]) {
      const again = out(variant);
      await expect(store.insert(again), JSON.stringify(variant)).rejects.toMatchObject({
        code: 'ERR_ECMS_DUPLICATE',
      });
      expect(await store.get(again.journalId)).toBeUndefined();
      const found = await store.findByNaturalKey({
        direction: 'outbound',
        letterId: variant,
        correspondenceDate: first.correspondenceDate,
        counterpartDepartmentId: first.receiverDepartmentId,
      });
      expect(found.map((r) => r.journalId)).toEqual([first.journalId]);
      expect((await store.findByBookNumber('outbound', variant)).map((r) => r.journalId)).toEqual([
        first.journalId,
      ]);
    }
    // What is stored is the book number as given: the key alone is normalised.
    const thai = out('สพร ๒/๓');
    await store.insert(thai);
    expect((await store.get(thai.journalId))?.letterId).toBe('สพร ๒/๓');
    await expect(store.insert(out('สพร 2/3'))).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
    // Other characters still make another book number.
    await store.insert(out('สพร 1/33'));
    await store.insert(out('สพร1/3'));
  });

  it('an inbound letter journalled again under another ProcessID is refused while the first copy is live', async () => {
    const first = inbound({ letterId: 'ที่ 5/1' });
    await store.insert(first, { processedId: first.processId! });
    // The same letter (sender, book number, receiver, date) from another queue item, and its spellings.
    for (const letterId of ['ที่ 5/1', 'ที่ ๕/๑', ' ที่\u00a05/1 ', 'ที่ 5/1\ufeff']) {
      const copy = inbound({ letterId });
      await expect(twin().insert(copy, { processedId: copy.processId! })).rejects.toMatchObject({
        code: 'ERR_ECMS_DUPLICATE',
      });
      expect(await store.get(copy.journalId)).toBeUndefined();
      // Nothing of the refused insert is kept: its ProcessID is not marked processed.
      expect(await store.isProcessed(copy.processId!)).toBe(false);
    }
    expect(
      (
        await store.findByNaturalKey({
          direction: 'inbound',
          letterId: 'ที่ ๕/๑',
          correspondenceDate: first.correspondenceDate,
          counterpartDepartmentId: first.senderDepartmentId,
        })
      ).map((r) => r.journalId),
    ).toEqual([first.journalId]);
    // Another receiver, date or sender is another letter.
    await store.insert(inbound({ letterId: 'ที่ 5/1', receiverDepartmentId: '1500300002' }));
    await store.insert(inbound({ letterId: 'ที่ 5/1', correspondenceDate: '2027-11-27' }));
    await store.insert(inbound({ letterId: 'ที่ 5/1', senderDepartmentId: '9999999999' }));
    // Once the first copy is rejected (or declared invalid), the sender's resend is a new letter.
    for (const state of ['dequeued', 'acknowledged', 'registered', 'quarantined'] as const) {
      await store.transition({
        journalId: first.journalId,
        from: [first.state, 'stored', 'dequeued'],
        to: state,
      });
      const held = inbound({ letterId: 'ที่ 5/1' });
      await expect(store.insert(held)).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
      await store.transition({ journalId: first.journalId, from: [state], to: 'dequeued' });
    }
    await store.transition({ journalId: first.journalId, from: ['dequeued'], to: 'rejected' });
    const resend = inbound({ letterId: 'ที่ 5/1' });
    await store.insert(resend);
    await store.transition({ journalId: resend.journalId, from: ['stored'], to: 'invalid' });
    const third = inbound({ letterId: 'ที่ ๕/๑' });
    await store.insert(third);
    await expect(store.insert(inbound({ letterId: 'ที่ 5/1' }))).rejects.toMatchObject({
      code: 'ERR_ECMS_DUPLICATE',
    });
  });

  it('four replicas journalling one inbound letter under four ProcessIDs at once: exactly one wins', async () => {
    const handles = [store, twin(), twin(), twin()];
    const copies = handles.map(() => inbound({ letterId: 'ที่ 5/2' }));
    const results = await Promise.allSettled(
      handles.map((h, i) => h.insert(copies[i]!, { processedId: copies[i]!.processId! })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
    expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
  });

  it('two replicas journalling the same letter at once: exactly one insert wins', async () => {
    const make = () =>
      inbound({ direction: 'outbound', state: 'draft', processId: undefined, letterId: 'ที่ 9/3' });
    const handles = [store, twin(), twin(), twin()];
    const results = await Promise.allSettled(handles.map((h) => h.insert(make())));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
    expect(await store.list({ direction: 'outbound' })).toHaveLength(1);
  });

  it('registration numbers: 1..N per register and year, once per letter, never reused', async () => {
    const letters = Array.from({ length: 24 }, () => inbound());
    for (const r of letters) await store.insert(r);
    const handles = [store, twin(), twin()];
    const numbers = await Promise.all(
      letters.map((r, i) =>
        handles[i % 3]!.allocateRegistrationNumber({
          journalId: r.journalId,
          register: 'central',
          year: 2569,
        }),
      ),
    );
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // Idempotent per letter; another register or year counts on its own.
    const again = await store.allocateRegistrationNumber({
      journalId: letters[0]!.journalId,
      register: 'central',
      year: 2569,
    });
    expect(again).toBe(numbers[0]);
    const other = inbound();
    await store.insert(other);
    expect(
      await store.allocateRegistrationNumber({ journalId: other.journalId, register: 'hr', year: 2569 }),
    ).toBe(1);
    // A disputed number is replaced by the next one, never given back.
    const renewed = await store.allocateRegistrationNumber({
      journalId: letters[0]!.journalId,
      register: 'central',
      year: 2569,
      renew: true,
    });
    expect(renewed).toBe(25);
    expect(await store.get(letters[0]!.journalId)).toMatchObject({
      registrationNumber: 25,
      registrationYear: 2569,
    });
  });

  it('leases: two workers claim disjoint letters; a live lease is skipped, an expired one taken over', async () => {
    const letters = Array.from({ length: 6 }, () => inbound());
    for (const r of letters) await store.insert(r);
    const other = twin();
    const [mine, theirs] = await Promise.all([
      store.claim({ direction: 'inbound', states: ['stored'], owner: 'w1', leaseInMs: 60_000, limit: 3 }),
      other.claim({ direction: 'inbound', states: ['stored'], owner: 'w2', leaseInMs: 60_000, limit: 3 }),
    ]);
    expect(mine).toHaveLength(3);
    expect(theirs).toHaveLength(3);
    const ids = new Set([...mine, ...theirs].map((l) => l.journalId));
    expect(ids.size).toBe(6);
    expect(
      await store.claim({
        direction: 'inbound',
        states: ['stored'],
        owner: 'w3',
        leaseInMs: 60_000,
        limit: 10,
      }),
    ).toEqual([]);
    expect(await store.claimOne(mine[0]!.journalId, 'w3', 60_000)).toBeUndefined();
    // The owner may renew its own lease: a new, larger token.
    const renewed = await store.claimOne(mine[0]!.journalId, 'w1', 60_000);
    expect(renewed!.token).toBeGreaterThan(Math.max(...[...mine, ...theirs].map((l) => l.token)));
    await store.release(renewed!);
    expect((await store.claimOne(mine[0]!.journalId, 'w3', 60_000))?.owner).toBe('w3');
    await expect(store.claimOne(crypto.randomUUID(), 'w3', 10)).rejects.toMatchObject({
      code: 'ERR_ECMS_NOT_FOUND',
    });
  });

  it('claim leaves out the letters that wait for the agency (`waiting`), and only those', async () => {
    const other = '9900000001';
    const ours = inbound().receiverDepartmentId;
    const letters = {
      stored: inbound({ receiverDepartmentId: other, signatureStatus: 'failed:ERR_ECMS_SIGNATURE' }),
      ourDequeued: inbound({ state: 'dequeued', dispatched: true, signatureStatus: 'valid' }),
      otherDequeued: inbound({ state: 'dequeued', dispatched: true, receiverDepartmentId: other }),
      otherUndispatched: inbound({ state: 'dequeued', receiverDepartmentId: other }),
      ourAcknowledged: inbound({ state: 'acknowledged', dispatched: true }),
      failedDisputed: inbound({
        state: 'registration_disputed',
        dispatched: true,
        signatureStatus: 'failed:ERR_ECMS_UNTRUSTED_SIGNER',
      }),
      otherAcknowledged: inbound({ state: 'acknowledged', dispatched: true, receiverDepartmentId: other }),
    };
    for (const r of Object.values(letters)) await store.insert(r);
    const claimed = async (waiting?: { dispatch: boolean; acknowledges: boolean }) => {
      const leases = await store.claim({
        direction: 'inbound',
        states: ['stored', 'dequeued', 'acknowledged', 'registration_disputed'],
        owner: 'w1',
        leaseInMs: 60_000,
        limit: 20,
        ...(waiting ? { waiting: { ...waiting, departments: [ours] } } : {}),
      });
      const names = new Map(Object.entries(letters).map(([name, r]) => [r.journalId, name]));
      return leases.map((l) => names.get(l.journalId)).sort();
    };
    expect(await claimed()).toEqual(Object.keys(letters).sort());
    expect(await claimed({ dispatch: true, acknowledges: false })).toEqual(
      ['otherUndispatched', 'ourAcknowledged', 'stored'].sort(),
    );
    expect(await claimed({ dispatch: false, acknowledges: true })).toEqual(
      ['ourAcknowledged', 'ourDequeued', 'stored'].sort(),
    );
  });

  it('fencing: a worker whose lease was taken over cannot change the letter any more', async () => {
    const r = inbound();
    await store.insert(r);
    const stale = await store.claimOne(r.journalId, 'paused-worker', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fresh = await twin().claimOne(r.journalId, 'new-owner', 60_000);
    expect(fresh!.token).toBeGreaterThan(stale!.token);
    const lost = { code: 'ERR_ECMS_LEASE_LOST' };
    await expect(
      store.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued', fence: stale! }),
    ).rejects.toMatchObject(lost);
    await expect(store.update(r.journalId, { dispatched: true }, { fence: stale! })).rejects.toMatchObject(
      lost,
    );
    await expect(
      store.allocateRegistrationNumber({ journalId: r.journalId, register: 'c', year: 2569, fence: stale! }),
    ).rejects.toMatchObject(lost);
    expect(await store.get(r.journalId)).toMatchObject({ state: 'stored', dispatched: false });
    expect(await store.transitions(r.journalId)).toEqual([]);
    expect(
      await store.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued', fence: fresh! }),
    ).toMatchObject({ state: 'dequeued' });
    // The refused allocation took no number: the owner's is the register's first (no gap).
    expect(
      await store.allocateRegistrationNumber({
        journalId: r.journalId,
        register: 'c',
        year: 2569,
        fence: fresh!,
      }),
    ).toBe(1);
    await store.update(r.journalId, { dispatched: true }, { fence: fresh! });
    expect(await store.get(r.journalId)).toMatchObject({ state: 'dequeued', dispatched: true });
    await expect(store.update(crypto.randomUUID(), {}, { fence: fresh! })).rejects.toMatchObject({
      code: 'ERR_ECMS_NOT_FOUND',
    });
    // A released lease fences nothing in, but its old token still fences out.
    await store.release(stale!);
    expect((await store.get(r.journalId))?.state).toBe('dequeued');
  });

  it('a second handle (another replica) sees every committed change', async () => {
    const r = inbound();
    await store.insert(r, { processedId: r.processId! });
    const t = twin();
    expect(await t.isProcessed(r.processId!)).toBe(true);
    await t.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued' });
    expect((await store.get(r.journalId))?.state).toBe('dequeued');
  });

  it('refuses use after close', async () => {
    const t = kind === 'memory' ? store : opened.twin();
    await t.close();
    await expect(t.get(crypto.randomUUID())).rejects.toMatchObject({ code: 'ERR_ECMS_STORE' });
    await expect(t.insert(inbound())).rejects.toMatchObject({ code: 'ERR_ECMS_STORE' });
  });
});

describe('SqliteLetterStore file', () => {
  it('creates the missing directories of its file (mkdir -p) and reopens the journal there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'thgov-ecms-mkdir-'));
    try {
      const filename = join(root, 'not', 'yet', 'there', 'journal.db');
      const first = new SqliteLetterStore({ filename });
      const r = inbound();
      await first.insert(r);
      await first.close();
      expect(existsSync(filename)).toBe(true);
      const again = new SqliteLetterStore({ filename });
      expect(await again.get(r.journalId)).toMatchObject({ letterId: r.letterId });
      await again.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps documents in a table of their own, and moves those of an older journal there on open', async () => {
    const root = mkdtempSync(join(tmpdir(), 'thgov-ecms-documents-'));
    try {
      const filename = join(root, 'journal.db');
      const first = new SqliteLetterStore({ filename });
      const [a, b] = [inbound({ document: Buffer.from('<a/>') }), inbound({ document: Buffer.from('<b/>') })];
      await first.insert(a);
      await first.insert(b);
      await first.close();
      const raw = new Database(filename);
      const letterDocuments = () =>
        raw.prepare('SELECT count(*) AS n FROM ecms_letters WHERE document IS NOT NULL').get() as {
          n: number;
        };
      // The letter rows hold no document: a state change, which rewrites the row, does not copy it.
      expect(letterDocuments().n).toBe(0);
      expect((raw.prepare('SELECT count(*) AS n FROM ecms_documents').get() as { n: number }).n).toBe(2);
      // The layout an earlier release wrote: documents in ecms_letters, user_version 0.
      raw.exec(`UPDATE ecms_letters SET document =
        (SELECT document FROM ecms_documents d WHERE d.journal_id = ecms_letters.journal_id)`);
      raw.exec('DELETE FROM ecms_documents');
      raw.pragma('user_version = 0');
      expect(letterDocuments().n).toBe(2);
      raw.close();
      const again = new SqliteLetterStore({ filename });
      expect(Buffer.from((await again.get(a.journalId))!.document!).toString()).toBe('<a/>');
      expect(Buffer.from((await again.findByProcessId(b.processId!))!.document!).toString()).toBe('<b/>');
      await again.close();
      const after = new Database(filename, { readonly: true });
      // Documents apart (1), then every letter keyed (2).
      expect(after.pragma('user_version', { simple: true })).toBe(2);
      expect(
        (
          after.prepare('SELECT count(*) AS n FROM ecms_letters WHERE document IS NOT NULL').get() as {
            n: number;
          }
        ).n,
      ).toBe(0);
      after.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a path it cannot create is a typed store error whose hint says what to check', () => {
    const root = mkdtempSync(join(tmpdir(), 'thgov-ecms-mkdir-'));
    try {
      const file = join(root, 'a-file');
      writeFileSync(file, 'x');
      let caught: unknown;
      try {
        new SqliteLetterStore({ filename: join(file, 'sub', 'journal.db') });
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ code: 'ERR_ECMS_STORE' });
      expect((caught as { hint?: string }).hint).toMatch(/creates the file and its missing directories/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
