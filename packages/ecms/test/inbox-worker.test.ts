import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxNotifierEvent,
  MemoryLetterStore,
  thaiBuddhistYear,
} from '../src/index.js';

const BE = thaiBuddhistYear(new Date());

import { countingStore } from './helpers/counting-store.js';
import { sampleLetter } from './helpers/letters.js';

let net: EcmsNetwork;
let sender: EcmsClient;
let receiver: EcmsClient;
let store: MemoryLetterStore;

async function setup(options: Parameters<typeof startEcmsNetwork>[0] = {}) {
  net = await startEcmsNetwork({ seed: 3, ...options });
  const [a, b] = net.nodes;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
  receiver = new EcmsClient({
    nodeUrl: b!.url,
    organizationId: b!.organizationId,
    retry: { maxRetries: 0 },
  });
  store = new MemoryLetterStore();
}

afterEach(async () => {
  await sender.close();
  await receiver.close();
  await net.close();
});

const pending = () => net.queue(net.nodes[1]!.organizationId).pending;

describe('inbox worker', () => {
  beforeEach(() => setup());

  it('persists, dequeues, dispatches once and acknowledges; bounded batches', async () => {
    for (let i = 1; i <= 5; i++) await sender.sendLetter(sampleLetter({ id: `สพร 2/${i}` }));
    const seen: string[] = [];
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      batchSize: 3,
      onLetter: ({ letter }) => {
        seen.push(letter.id);
      },
    });
    expect(await worker.runOnce()).toBe(3);
    expect(pending()).toHaveLength(2);
    expect(await worker.runOnce()).toBe(2);
    expect(await worker.runOnce()).toBe(0);
    expect(seen).toEqual(['สพร 2/1', 'สพร 2/2', 'สพร 2/3', 'สพร 2/4', 'สพร 2/5']);
    const records = await store.list({ direction: 'inbound' });
    expect(records.map((r) => r.state)).toEqual(Array(5).fill('acknowledged'));
    const receipts = net.queue(net.nodes[0]!.organizationId).all.filter((i) => i.kind === 'receive');
    expect(receipts).toHaveLength(5);
  });

  it('takes a letter from the queue to its registration without reading it back from the store', async () => {
    // Each store call is a database round trip on PostgreSQL: the worker works from what the store's
    // writes return, and reads a letter only when it has no copy made under its lease.
    for (let i = 1; i <= 3; i++) await sender.sendLetter(sampleLetter({ id: `สพร 9/${i}` }));
    const { store: counted, calls } = countingStore(store);
    const handed: string[] = [];
    const worker = new EcmsInboxWorker({
      client: receiver,
      store: counted,
      autoRegister: { register: 'central' },
      onLetter: ({ record, letter }) => {
        expect(record.state).toBe('dequeued');
        expect(record.dispatched).toBe(false);
        handed.push(letter.id);
      },
    });
    expect(await worker.runOnce()).toBe(3);
    expect(handed).toEqual(['สพร 9/1', 'สพร 9/2', 'สพร 9/3']);
    const records = await store.list({ direction: 'inbound' });
    expect(records.map((r) => [r.state, r.dispatched, r.acceptId])).toEqual([
      ['registered', true, `1/${BE}`],
      ['registered', true, `2/${BE}`],
      ['registered', true, `3/${BE}`],
    ]);
    expect(calls.get ?? 0).toBe(0);
    expect(calls.findByProcessId ?? 0).toBe(0);
    // Per letter: stored, dequeued, acknowledged and registered are four writes; dispatched is one more.
    expect([calls.insert, calls.transition, calls.update, calls.allocateRegistrationNumber]).toEqual([
      3, 9, 3, 3,
    ]);
  });

  it('an undeleted item comes back and is recognised by ProcessID; a duplicate send by the natural key', async () => {
    await sender.sendLetter(sampleLetter({ id: 'สพร 3/1' }));
    // A previous consumer fetched it and died before dequeuing: at-least-once redelivery.
    const first = await receiver.fetchNext();
    expect(first.item?.kind).toBe('letter');
    const worker = new EcmsInboxWorker({ client: receiver, store });
    expect(await worker.runOnce()).toBe(1);
    // The sender sends the very same letter again (its own duplicate): a new ProcessID, same natural key.
    await sender.sendLetter(sampleLetter({ id: 'สพร 3/1' }));
    expect(await worker.runOnce()).toBe(1);
    expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
    expect(pending()).toHaveLength(0);
    // Item processed earlier (store has it) and redelivered: only dequeued again.
    const again = await receiver.reRequest('letter', {
      letterId: 'สพร 3/1',
      correspondenceDate: '2026-11-27',
      senderDepartmentId: net.nodes[0]!.organizationId,
      acceptDepartmentId: net.nodes[1]!.organizationId,
    });
    expect(again.item).not.toBeNull();
    expect(await worker.runOnce()).toBe(1);
    expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
    expect(pending()).toHaveLength(0);
  });

  it('dispatches notifiers with whether they advanced the letter; unmatched ones are ignored', async () => {
    const events: InboxNotifierEvent[] = [];
    const senderWorker = new EcmsInboxWorker({
      client: sender,
      store,
      onNotifier: (e) => void events.push(e),
    });
    const receiverWorker = new EcmsInboxWorker({
      client: receiver,
      store: new MemoryLetterStore(),
      autoRegister: {},
    });
    await sender.sendLetter(sampleLetter({ id: 'สพร 4/1' }));
    await receiverWorker.runOnce();
    await senderWorker.runOnce();
    // The sender used the bare client (no outbox), so its journal has no such letter: ignored, not lost.
    expect(events.map((e) => [e.notifier.kind, e.changed, e.record])).toEqual([
      ['receive', false, undefined],
      ['accept', false, undefined],
    ]);
    expect(events[1]?.notifier.acceptId).toBe(`1/${BE}`);
    expect(net.queue(net.nodes[0]!.organizationId).pending).toHaveLength(0);
  });

  it('without automatic receipt the letter stays dequeued and no receipt is sent', async () => {
    const worker = new EcmsInboxWorker({ client: receiver, store, autoAcknowledge: false });
    await sender.sendLetter(sampleLetter({ id: 'สพร 8/1' }));
    expect(await worker.runOnce()).toBe(1);
    expect((await store.list({ direction: 'inbound' })).map((r) => r.state)).toEqual(['dequeued']);
    expect(net.queue(net.nodes[0]!.organizationId).all.filter((i) => i.kind === 'receive')).toHaveLength(0);
  });

  it('registration numbers run per register and are never reused', async () => {
    const worker = new EcmsInboxWorker({ client: receiver, store, autoRegister: { register: 'R1' } });
    for (let i = 1; i <= 4; i++) await sender.sendLetter(sampleLetter({ id: `สพร 5/${i}` }));
    await worker.runOnce();
    const numbers = (await store.list({ direction: 'inbound' })).map((r) => r.acceptId);
    expect(numbers).toEqual([1, 2, 3, 4].map((n) => `${n}/${BE}`));
    const custom = new EcmsInboxWorker({
      client: receiver,
      store: new MemoryLetterStore(),
      autoRegister: {
        register: 'R2',
        format: ({ number, beYear, register }) => `${register}-${String(number).padStart(5, '0')}/${beYear}`,
      },
    });
    await sender.sendLetter(sampleLetter({ id: 'สพร 5/9' }));
    await custom.runOnce();
    const accepts = net
      .queue(net.nodes[0]!.organizationId)
      .all.filter((i) => i.kind === 'accept')
      .map((i) => i.acceptId);
    expect(accepts).toContain(`R2-00001/${BE}`);
  });
});

describe('inbox worker lifecycle', () => {
  it('backs off on errors, recovers, and stops gracefully', async () => {
    await setup({ faults: { seed: 9, rules: [{ route: '/ecms-ws01', unavailable: 1 }] } });
    const errors: string[] = [];
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      pollIntervalInMs: 20,
      backoff: { baseInMs: 5, maxInMs: 20 },
      onError: (e) => errors.push((e as { code: string }).code),
    });
    await worker.start();
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 2_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => errors.length >= 3);
    expect(errors.slice(0, 3)).toEqual(['ERR_HTTP', 'ERR_HTTP', 'ERR_HTTP']);
    net.faults.setProfile({ rules: [] });
    await sender.sendLetter(sampleLetter({ id: 'สพร 6/1' }));
    await until(() => pending().length === 0);
    await worker.stop();
    expect(worker.running).toBe(false);
    expect((await store.list({ direction: 'inbound' })).map((r) => r.state)).toEqual(['acknowledged']);
  });

  it('warns about a skewed node clock', async () => {
    await setup({ clockSkewInMs: 10 * 60_000 });
    const warnings: string[] = [];
    const skews: number[] = [];
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      logger: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
      onClockSkew: (s) => void skews.push(s),
    });
    const skew = await worker.checkClock();
    expect(skew).toBeGreaterThan(9 * 60_000);
    expect(skews).toHaveLength(1);
    expect(warnings.some((w) => w.includes('clock'))).toBe(true);
  });

  it('rejects a bad batch size', async () => {
    await setup();
    expect(() => new EcmsInboxWorker({ client: receiver, store, batchSize: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
  });
});
