// A notifier reaches `onNotifier` at least once, under its ProcessID, whatever happens between the journal and
// the node's dequeue: the dequeue's answer lost after the node deleted the item, the dequeue failing outright, a
// handler that throws. Before, the notifier was recorded as processed first and handed over only after a
// successful dequeue: a lost answer or a crash in between took it from the application for good.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type InboxNotifierEvent,
  MemoryLetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

let net: EcmsNetwork;
let sender: EcmsClient;
let receiver: EcmsClient;

beforeEach(async () => {
  net = await startEcmsNetwork({ seed: 41 });
  const [a, b] = net.nodes;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId, retry: { maxRetries: 0 } });
  receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId, retry: { maxRetries: 0 } });
});

afterEach(async () => {
  await sender.close();
  await receiver.close();
  await net.close();
});

const senderQueue = () => net.queue(net.nodes[0]!.organizationId);

/** Sends one letter and lets the receiver's worker store and acknowledge it: a receipt waits at the sender. */
async function receiptQueued(id: string): Promise<void> {
  await sender.sendLetter(sampleLetter({ id }));
  await new EcmsInboxWorker({ client: receiver, store: new MemoryLetterStore() }).runOnce();
  expect(senderQueue().pending.map((i) => i.kind)).toEqual(['receive']);
}

describe('onNotifier delivery', () => {
  it('a notifier whose dequeue answer is lost (the node deleted it) still reaches onNotifier, once', async () => {
    await receiptQueued('สพร 71/1');
    const events: InboxNotifierEvent[] = [];
    const worker = new EcmsInboxWorker({
      client: sender,
      store: new MemoryLetterStore(),
      onNotifier: (e) => void events.push(e),
    });
    net.setLostResponseOperations(['dequeue']);
    net.setLostResponse(1);
    await expect(worker.runOnce()).rejects.toThrow();
    net.setLostResponse(0);
    // The node did delete it: nothing comes back, and the application has had it.
    expect(senderQueue().pending).toHaveLength(0);
    expect(await worker.runOnce()).toBe(0);
    expect(events.map((e) => [e.notifier.kind, e.notifier.letterId])).toEqual([['receive', 'สพร 71/1']]);
  });

  it('a notifier whose dequeue fails outright is handed over once, and only dequeued when it comes back', async () => {
    await receiptQueued('สพร 71/2');
    const events: InboxNotifierEvent[] = [];
    const store = new MemoryLetterStore();
    // A dequeue that fails before the node sees it (the sandbox's faults hit every operation of the route).
    let refuse = true;
    const flaky = withDequeue(sender, (processId) =>
      refuse ? Promise.reject(new Error('connection refused')) : sender.dequeue(processId),
    );
    const worker = new EcmsInboxWorker({ client: flaky, store, onNotifier: (e) => void events.push(e) });
    await expect(worker.runOnce()).rejects.toThrow('connection refused');
    refuse = false;
    expect(senderQueue().pending).toHaveLength(1);
    expect(await worker.runOnce()).toBe(1);
    expect(senderQueue().pending).toHaveLength(0);
    expect(events.map((e) => e.processId)).toEqual([senderQueue().all[0]?.processId]);
  });

  it('a worker that died in the handler: the next one hands the notifier over again, with the same ProcessID and change', async () => {
    const store = new MemoryLetterStore();
    await sender.getOrganizations();
    const outbox = new EcmsOutbox({ client: sender, store });
    const sent = await outbox.submit(sampleLetter({ id: 'สพร 71/3' }));
    await new EcmsInboxWorker({ client: receiver, store: new MemoryLetterStore() }).runOnce();
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first: InboxNotifierEvent[] = [];
    // The first worker's process is killed while its handler runs: the handler never returns.
    void new EcmsInboxWorker({
      client: sender,
      store,
      onNotifier: (e) => {
        first.push(e);
        entered();
        return new Promise<void>(() => undefined);
      },
    }).runOnce();
    await inHandler;
    const events: InboxNotifierEvent[] = [];
    const next = new EcmsInboxWorker({ client: sender, store, onNotifier: (e) => void events.push(e) });
    expect(await next.runOnce()).toBe(1);
    expect(senderQueue().pending).toHaveLength(0);
    expect(
      events.map((e) => [e.notifier.kind, e.processId, e.changed, e.record?.journalId, e.record?.state]),
    ).toEqual([['receive', first[0]?.processId, true, sent.journalId, 'received']]);
    // Handed over and dequeued: never again.
    expect(await next.runOnce()).toBe(0);
    expect(events).toHaveLength(1);
  });
});

/** `client` with its `dequeue` replaced (every other member is the client's own). */
function withDequeue(client: EcmsClient, dequeue: (processId: string) => Promise<unknown>): EcmsClient {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'dequeue') return dequeue;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
