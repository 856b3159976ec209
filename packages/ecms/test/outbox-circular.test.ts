// Circular letters (หนังสือเวียน), lagging outbound status and duplicate submits, against sandbox nodes and
// the three real journals. A circular letter is one book number sent to several departments: an ambiguous
// send must be matched on book number, receiver and date, and where the node's status entries do not say
// receiver or date (as the reference documents them), the outbox must not guess.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type EcmsOutboxOptions,
  type LetterRecord,
  type LetterStore,
  type OutboxUnresolvedEvent,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';
import { describeEachStore } from './helpers/stores.js';

describeEachStore('outbox: circular letters and lagging nodes (%s)', (_kind, open) => {
  let net: EcmsNetwork;
  let client: EcmsClient;
  let store: LetterStore;
  let sender: string;
  let receivers: string[];
  const events: OutboxUnresolvedEvent[] = [];

  beforeEach(async () => {
    net = await startEcmsNetwork({ organizations: 4, seed: 11 });
    sender = net.nodes[0]!.organizationId;
    receivers = net.nodes.slice(1).map((n) => n.organizationId);
    client = new EcmsClient({
      nodeUrl: net.nodes[0]!.url,
      organizationId: sender,
      retry: { maxRetries: 0 },
      timeouts: { connectInMs: 5000, headersInMs: 5000, bodyInMs: 5000 },
    });
    await client.getOrganizations();
    store = (await open()).store;
    events.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await client.close();
    await net.close();
  });

  const outboxWith = (o: Partial<EcmsOutboxOptions> = {}) =>
    new EcmsOutbox({
      client,
      store,
      absenceRecheckDelayInMs: 5,
      onUnresolved: (e) => {
        events.push(e);
      },
      ...o,
    });
  const circular = (receiver: string, extra: Parameters<typeof sampleLetter>[0] = {}) =>
    sampleLetter({
      id: 'สพร 0105/ว 77',
      sender: { ...sampleLetter().sender, departmentId: sender },
      receiver: { jobTitle: 'อธิบดี', departmentId: receiver },
      ...extra,
    });
  const copiesAt = (receiver: string, letterId = 'สพร 0105/ว 77') =>
    net.queue(receiver).all.filter((i) => i.kind === 'letter' && i.letterId === letterId);
  const open_ = ['submitting', 'submit_unknown'];

  /** Resolves until nothing is pending any more or only unattributable sends are left (bounded). */
  async function settle(outbox: EcmsOutbox): Promise<LetterRecord[]> {
    for (let round = 0; round < 40; round++) {
      await outbox.resolvePending().catch(() => undefined);
      const pending = await store.list({ direction: 'outbound', states: open_ as never });
      if (pending.every((r) => r.lastError === 'ERR_ECMS_SUBMIT_AMBIGUOUS')) break;
    }
    return store.list({ direction: 'outbound' });
  }

  /** Exactly one copy at each receiver whose letter is `submitted` (with that copy's ProcessID), or an explicit submit_unknown. */
  function expectOneCopyOrExplicitUnknown(records: LetterRecord[]): void {
    expect(records).toHaveLength(3);
    for (const receiver of receivers) {
      const r = records.find((x) => x.receiverDepartmentId === receiver)!;
      const copies = copiesAt(receiver);
      expect(copies.length).toBeLessThanOrEqual(1);
      if (r.state === 'submitted') {
        expect(copies).toHaveLength(1);
        expect(r.processId).toBe(copies[0]!.processId);
      } else {
        expect(r).toMatchObject({ state: 'submit_unknown', lastError: 'ERR_ECMS_SUBMIT_AMBIGUOUS' });
        expect(events.map((e) => e.record.journalId)).toContain(r.journalId);
      }
    }
  }

  it('status entries with receiver and date: cut responses and faulting status checks end with one copy at each receiver', async () => {
    const outbox = outboxWith();
    // Every send is cut after the node queued it, and so is the status check right after it.
    await withLostOps(net, 1, async () => {
      for (const receiver of receivers) {
        const sent = await outbox.submit(circular(receiver));
        expect(sent.state).toBe('submit_unknown');
      }
      // While status checks fault, nothing is resent blindly.
      await expect(outbox.resolvePending()).rejects.toBeDefined();
    });
    expect(net.counters(sender).sendLetter).toBe(3);
    const records = await settle(outbox);
    for (const receiver of receivers) expect(copiesAt(receiver)).toHaveLength(1);
    expect(records.every((r) => r.state === 'submitted')).toBe(true);
    expectOneCopyOrExplicitUnknown(records);
    expect(net.counters(sender).sendLetter).toBe(3);
  });

  it("entries without receiver or date (the reference's shape): the outbox never guesses which copy arrived", async () => {
    net.setOutboundStatus({ entries: 'minimal' });
    const outbox = outboxWith();
    // To the first receiver: the node is down (503), the letter never arrives.
    net.faults.setProfile({ rules: [{ route: '/ecms-ws01', unavailable: 1 }] });
    const a = await outbox.submit(circular(receivers[0]!));
    net.faults.setProfile({ rules: [] });
    // To the second: queued, but the answer and the status check are cut.
    const b = await withLostOps(net, 1, () => outbox.submit(circular(receivers[1]!)));
    // To the third: a clean send.
    const c = await outbox.submit(circular(receivers[2]!));
    expect([a.state, b.state, c.state]).toEqual(['submit_unknown', 'submit_unknown', 'submitted']);
    expect(copiesAt(receivers[0]!)).toHaveLength(0);
    expect(copiesAt(receivers[1]!)).toHaveLength(1);

    const records = await settle(outbox);
    // The status lists one unclaimed entry for the book number and two open sends could own it: taking the
    // first would mark the first receiver's letter delivered (never delivered) and resend the second's (a
    // duplicate). Both stay submit_unknown, surfaced once each.
    expect(copiesAt(receivers[0]!)).toHaveLength(0);
    expect(copiesAt(receivers[1]!)).toHaveLength(1);
    expectOneCopyOrExplicitUnknown(records);
    const unresolved = await outbox.unresolved();
    expect(unresolved.map((r) => r.receiverDepartmentId).sort()).toEqual(
      [receivers[0]!, receivers[1]!].sort(),
    );
    expect(events).toHaveLength(2);
    expect(events[0]!.candidateProcessIds).toEqual([copiesAt(receivers[1]!)[0]!.processId]);
    expect(net.counters(sender).sendLetter).toBe(2);
    // A person finds out (asks the receivers) and decides; the outbox carries it out.
    const settledB = await outbox.settleUnresolved(b.journalId, {
      arrived: true,
      processId: copiesAt(receivers[1]!)[0]!.processId,
    });
    expect(settledB).toMatchObject({ state: 'submitted', processId: copiesAt(receivers[1]!)[0]!.processId });
    const settledA = await outbox.settleUnresolved(a.journalId, { arrived: false });
    expect(settledA.state).toBe('submitted');
    expect(copiesAt(receivers[0]!)).toHaveLength(1);
    expect(copiesAt(receivers[1]!)).toHaveLength(1);
    expect(await outbox.unresolved()).toEqual([]);
    await expect(outbox.settleUnresolved(a.journalId, { arrived: false })).rejects.toMatchObject({
      code: 'ERR_ECMS_STATE',
    });
  });

  it('entries without receiver or date, random cuts of sends and status checks: never two copies at a receiver', async () => {
    net.setOutboundStatus({ entries: 'minimal' });
    const outbox = outboxWith();
    await withLostOps(net, 0.5, async () => {
      for (const receiver of receivers) await outbox.submit(circular(receiver)).catch(() => undefined);
    });
    await withLostOps(net, 0.3, () => settle(outbox));
    const records = await settle(outbox);
    expectOneCopyOrExplicitUnknown(records);
  });

  it('a lagging node: a send not yet in the outbound status is looked for again, not sent twice', async () => {
    net.setOutboundStatus({ lagRequests: 3 });
    const outbox = outboxWith({ absenceRechecks: 3 });
    net.setLostResponse(1);
    const sent = await outbox.submit(circular(receivers[0]!));
    net.setLostResponse(0);
    // The look right after the cut send does not see it yet: still unknown, not resent.
    expect(sent.state).toBe('submit_unknown');
    const resolved = await outbox.resolve(sent.journalId);
    expect(resolved.state).toBe('submitted');
    expect(copiesAt(receivers[0]!)).toHaveLength(1);
    expect(resolved.processId).toBe(copiesAt(receivers[0]!)[0]!.processId);
    expect(net.counters(sender).sendLetter).toBe(1);
  });

  it('the same lagging node without re-checks gets a duplicate (why the re-checks are on by default)', async () => {
    net.setOutboundStatus({ lagRequests: 3 });
    const outbox = outboxWith({ absenceRechecks: 0 });
    net.setLostResponse(1);
    const sent = await outbox.submit(circular(receivers[0]!));
    net.setLostResponse(0);
    await outbox.resolve(sent.journalId);
    expect(copiesAt(receivers[0]!)).toHaveLength(2);
  });

  it('a book number reused in another BE year is a different letter; an unresolved one of last year is a rival', async () => {
    net.setOutboundStatus({ entries: 'minimal' });
    const outbox = outboxWith();
    const lastYear = await outbox.submit(circular(receivers[0]!, { correspondenceDate: '2025-11-27' }));
    expect(lastYear.state).toBe('submitted');
    net.setLostResponse(1);
    const thisYear = await outbox.submit(circular(receivers[0]!));
    net.setLostResponse(0);
    // Last year's entry is claimed by its letter: the one unclaimed entry is this year's.
    const resolved = await outbox.resolve(thisYear.journalId);
    expect(resolved.state).toBe('submitted');
    expect(resolved.processId).not.toBe(lastYear.processId);
    expect(copiesAt(receivers[0]!).map((i) => i.processId)).toEqual([lastYear.processId, resolved.processId]);

    // Two years' sends of one book number both unknown: the entries cannot be told apart.
    const [old, fresh] = await withLostOps(net, 1, async () => [
      await outbox.submit(circular(receivers[1]!, { correspondenceDate: '2025-11-28' })),
      await outbox.submit(circular(receivers[1]!, { correspondenceDate: '2026-11-28' })),
    ]);
    expect((await outbox.resolve(fresh!.journalId)).lastError).toBe('ERR_ECMS_SUBMIT_AMBIGUOUS');
    expect((await outbox.resolve(old!.journalId)).lastError).toBe('ERR_ECMS_SUBMIT_AMBIGUOUS');
    expect(copiesAt(receivers[1]!)).toHaveLength(2);
  });

  it('a notifier without receiving department for a circular letter is kept, not applied to a guessed copy', async () => {
    const outbox = outboxWith();
    for (const receiver of receivers) await outbox.submit(circular(receiver));
    await outbox.submit(circular(receivers[0]!, { id: 'สพร 0105/เดี่ยว 1' }));
    const notifier = (id: string) =>
      `<ReceiveLetterNotifier><LetterID>${id}</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>${sampleLetter().subject}</Subject></ReceiveLetterNotifier>`;
    net.injectItem(sender, { xml: notifier('สพร 0105/ว 77'), kind: 'receive' });
    net.injectItem(sender, { xml: notifier('สพร 0105/เดี่ยว 1'), kind: 'receive' });
    const seen: { changed: boolean; journalId: string | undefined }[] = [];
    const inbox = new EcmsInboxWorker({
      client,
      store,
      onNotifier: (e) => {
        seen.push({ changed: e.changed, journalId: e.record?.journalId });
      },
    });
    expect(await inbox.runOnce()).toBe(2);
    const records = await store.list({ direction: 'outbound' });
    const circularCopies = records.filter((r) => r.letterId === 'สพร 0105/ว 77');
    expect(circularCopies.map((r) => r.state)).toEqual(['submitted', 'submitted', 'submitted']);
    const single = records.find((r) => r.letterId === 'สพร 0105/เดี่ยว 1')!;
    expect(single.state).toBe('received');
    expect(seen).toEqual([
      { changed: false, journalId: undefined },
      { changed: true, journalId: single.journalId },
    ]);
  });

  it('the same letter submitted twice is sent once: refused without a key, returned with the same key', async () => {
    const outbox = outboxWith();
    const first = await outbox.submit(circular(receivers[0]!));
    await expect(outbox.submit(circular(receivers[0]!))).rejects.toMatchObject({
      code: 'ERR_ECMS_DUPLICATE',
      message: expect.stringContaining(first.journalId),
    });
    await expect(outbox.enqueue(circular(receivers[0]!))).rejects.toMatchObject({
      code: 'ERR_ECMS_DUPLICATE',
    });
    const keyed = await outbox.submit(circular(receivers[1]!), { idempotencyKey: 'saraban-42' });
    const again = await outbox.submit(circular(receivers[1]!), { idempotencyKey: 'saraban-42' });
    expect(again.journalId).toBe(keyed.journalId);
    // The key on another letter is a mistake, not a retry.
    await expect(
      outbox.submit(circular(receivers[2]!), { idempotencyKey: 'saraban-42' }),
    ).rejects.toMatchObject({ code: 'ERR_ECMS_DUPLICATE' });
    await expect(outbox.submit(circular(receivers[2]!), { idempotencyKey: '' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    expect(copiesAt(receivers[0]!)).toHaveLength(1);
    expect(copiesAt(receivers[1]!)).toHaveLength(1);
    expect(copiesAt(receivers[2]!)).toHaveLength(0);
    expect(net.counters(sender).sendLetter).toBe(2);
    // Two replicas submitting the same letter at once: one send.
    const twins = [outboxWith(), outboxWith(), outboxWith()];
    const results = await Promise.allSettled(
      twins.map((o) => o.submit(circular(receivers[2]!, { id: 'สพร 0105/ว 78' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(copiesAt(receivers[2]!, 'สพร 0105/ว 78')).toHaveLength(1);
  });
});

/** Sends and status checks lose their answers with `probability` while `fn` runs. */
async function withLostOps<T>(net: EcmsNetwork, probability: number, fn: () => Promise<T>): Promise<T> {
  net.setLostResponse(probability);
  net.setLostResponseOperations(['sendLetter', 'outboundStatus']);
  try {
    return await fn();
  } finally {
    net.setLostResponse(0);
    net.setLostResponseOperations(['sendLetter']);
  }
}
