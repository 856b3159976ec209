// recover() at start-up and before each poll: one letter that cannot be finished must not stall the inbox.
// It is quarantined like a poison item after `maxRecoverFailures` definitive failures; a letter another live
// replica holds is never touched. Against sandbox nodes and the three real journals.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxRejectedEvent,
  type LetterStore,
  newLetterRecord,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';
import { describeEachStore } from './helpers/stores.js';

describeEachStore('inbox recover(): a letter that cannot be finished is quarantined (%s)', (_kind, open) => {
  let net: EcmsNetwork;
  let sender: EcmsClient;
  let receiver: EcmsClient;
  let store: LetterStore;
  let twin: LetterStore;

  beforeEach(async () => {
    net = await startEcmsNetwork({ seed: 9 });
    const [a, b] = net.nodes;
    sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
    receiver = new EcmsClient({
      nodeUrl: b!.url,
      organizationId: b!.organizationId,
      retry: { maxRetries: 0 },
    });
    const opened = await open();
    store = opened.store;
    twin = opened.twin();
  });
  afterEach(async () => {
    if (twin !== store) await twin.close();
    await store.close();
    await sender.close();
    await receiver.close();
    await net.close();
  });

  /** A journalled inbound letter whose stored document is not XML (a damaged row, a bad migration…). */
  async function brokenLetter() {
    const r = newLetterRecord({
      direction: 'inbound',
      state: 'dequeued',
      letterId: 'สพร 0105/เสีย 1',
      correspondenceDate: '2026-11-27',
      subject: 'เรื่องที่อ่านไม่ได้',
      senderDepartmentId: net.nodes[0]!.organizationId,
      receiverDepartmentId: net.nodes[1]!.organizationId,
      processId: `BROKEN-${crypto.randomUUID()}`,
      document: Buffer.from('not xml at all \u0000\u0001', 'latin1'),
    });
    await store.insert(r, { processedId: r.processId! });
    return r;
  }

  it('the inbox keeps fetching; after maxRecoverFailures the letter is quarantined and reported once', async () => {
    const broken = await brokenLetter();
    const dispatched: string[] = [];
    const rejected: InboxRejectedEvent[] = [];
    const errors: unknown[] = [];
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      maxRecoverFailures: 3,
      onLetter: ({ letter }) => {
        dispatched.push(letter.id);
      },
      onRejected: (e) => {
        rejected.push(e);
      },
      onError: (e) => {
        errors.push(e);
      },
    });
    for (let i = 1; i <= 3; i++) {
      await sender.sendLetter(sampleLetter({ id: `สพร 7/${i}` }));
      // Before the fix, recover() threw here on the broken letter and nothing was fetched any more.
      expect(await worker.runOnce()).toBe(1);
      expect(dispatched).toContain(`สพร 7/${i}`);
      const now = await store.get(broken.journalId);
      expect(now?.state).toBe(i < 3 ? 'dequeued' : 'quarantined');
      expect(now?.recoverFailures).toBe(i);
    }
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ code: 'ERR_ECMS_XML' });
    const kept = await store.quarantined();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({
      operation: 'recover',
      processId: broken.processId,
      error: { code: 'ERR_ECMS_XML' },
      notified: true,
      settled: true,
    });
    expect(Buffer.from(kept[0]!.xml)).toEqual(Buffer.from(broken.document!));
    expect(rejected.map((e) => e.quarantined.id)).toEqual([kept[0]!.id]);
    // Quarantined letters are out of the way: the next runs neither retry nor report them again.
    await worker.runOnce();
    expect(errors).toHaveLength(3);
    expect(rejected).toHaveLength(1);
    const inbound = await store.list({ direction: 'inbound', states: ['acknowledged'] });
    expect(inbound.map((r) => r.letterId).sort()).toEqual(['สพร 7/1', 'สพร 7/2', 'สพร 7/3']);
  });

  it('a letter leased by another live replica is not touched, and the inbox still runs', async () => {
    const broken = await brokenLetter();
    const held = await twin.claimOne(broken.journalId, 'replica-b', 600_000);
    expect(held).toBeDefined();
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      maxRecoverFailures: 1,
      onLetter: () => undefined,
      workerId: 'replica-a',
    });
    await sender.sendLetter(sampleLetter({ id: 'สพร 8/1' }));
    expect(await worker.runOnce()).toBe(1);
    await worker.runOnce();
    expect(await store.get(broken.journalId)).toMatchObject({ state: 'dequeued', recoverFailures: 0 });
    expect(await store.quarantined()).toHaveLength(0);
    // Once the other replica lets go, this one may take it (and, failing definitively, quarantine it).
    await twin.release(held!);
    await worker.runOnce();
    expect((await store.get(broken.journalId))?.state).toBe('quarantined');
  });

  it('a failure that is not the letter’s (node away) does not count towards quarantine', async () => {
    const r = newLetterRecord({
      direction: 'inbound',
      state: 'dequeued',
      letterId: 'สพร 0105/9',
      correspondenceDate: '2026-11-27',
      subject: 'รอส่งใบตอบรับ',
      senderDepartmentId: net.nodes[0]!.organizationId,
      receiverDepartmentId: net.nodes[1]!.organizationId,
      processId: `P-${crypto.randomUUID()}`,
      document: undefined,
      dispatched: true,
    });
    await store.insert(r, { processedId: r.processId! });
    const worker = new EcmsInboxWorker({ client: receiver, store, maxRecoverFailures: 1 });
    net.faults.setProfile({ rules: [{ route: '/ecms-ws01', unavailable: 1 }] });
    for (let i = 0; i < 3; i++) await worker.recover();
    net.faults.setProfile({ rules: [] });
    expect(await store.get(r.journalId)).toMatchObject({ state: 'dequeued', recoverFailures: 0 });
    expect(await store.quarantined()).toHaveLength(0);
  });
});
