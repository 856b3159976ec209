// A letter the own node hands out that is addressed to another department than the ones this saraban serves
// (a misrouted letter, or a node shared by several departments). A saraban officer registers only letters
// addressed to the agency: such a letter is stored, dequeued and handed to onLetter, flagged, but neither
// acknowledged nor registered automatically — the agency decides (markInvalid as a wrong recipient, or register
// by hand). A node serving several departments lists them all in `departments`.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type EcmsInboxWorkerOptions,
  type InboxLetterEvent,
  MemoryLetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

/** A department the receiving node also serves, but which the letters are not addressed to. */
const OTHER = '9900000001';

let net: EcmsNetwork;
let sender: EcmsClient;
beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 41 });
  sender = new EcmsClient({ nodeUrl: net.nodes[0]!.url, organizationId: net.nodes[0]!.organizationId });
});
afterAll(async () => {
  await sender.close();
  await net.close();
});

/** Sends a letter from node A to department B, and runs B's node's worker (client department OTHER) twice. */
async function receive(id: string, options: Partial<EcmsInboxWorkerOptions> = {}) {
  const [a, b] = net.nodes;
  await sender.sendLetter(
    sampleLetter({
      id,
      sender: { ...sampleLetter().sender, departmentId: a!.organizationId },
      receiver: { departmentId: b!.organizationId },
    }),
  );
  const client = new EcmsClient({ nodeUrl: b!.url, organizationId: OTHER, retry: { maxRetries: 0 } });
  const store = new MemoryLetterStore();
  const events: InboxLetterEvent[] = [];
  const worker = new EcmsInboxWorker({
    client,
    store,
    autoRegister: { register: 'central' },
    onLetter: (e) => {
      events.push(e);
    },
    ...options,
  });
  const before = net.counters(b!.organizationId);
  await worker.runOnce();
  await worker.runOnce();
  const after = net.counters(b!.organizationId);
  const sent = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
  const [record] = await store.list({ direction: 'inbound' });
  return { client, store, worker, events, record: record!, sent };
}

it('a letter addressed to another department is stored and dispatched, but not acknowledged or registered', async () => {
  const { client, store, worker, events, record, sent } = await receive('สพร 0105/801');
  try {
    expect(record).toMatchObject({ state: 'dequeued', dispatched: true });
    expect(record.acceptId).toBeUndefined();
    expect(record.registrationNumber).toBeUndefined();
    expect(sent('notifier.receive')).toBe(0);
    expect(sent('notifier.accept')).toBe(0);
    expect(events).toHaveLength(1);
    expect(events[0]!.addressedToUs).toBe(false);
    expect(net.queue(net.nodes[1]!.organizationId).pending).toHaveLength(0);
    // The agency decides: registered by hand, it gets its number.
    const registered = await worker.register(record.journalId, { register: 'central' });
    expect(registered.state).toBe('registered');
    expect(registered.acceptId).toBeTruthy();
  } finally {
    await client.close();
    await store.close();
  }
});

it('a node serving several departments lists them: a letter to any of them is registered', async () => {
  const b = net.nodes[1]!.organizationId;
  const { client, store, events, record, sent } = await receive('สพร 0105/802', { departments: [OTHER, b] });
  try {
    expect(record.state).toBe('registered');
    expect(record.acceptId).toBeTruthy();
    expect(sent('notifier.receive')).toBe(1);
    expect(sent('notifier.accept')).toBe(1);
    expect(events.map((e) => e.addressedToUs)).toEqual([true]);
  } finally {
    await client.close();
    await store.close();
  }
});

it('departments must be department codes', () => {
  const client = new EcmsClient({ nodeUrl: net.nodes[1]!.url, organizationId: OTHER });
  const store = new MemoryLetterStore();
  for (const departments of [[], ['not-a-code']]) {
    expect(() => new EcmsInboxWorker({ client, store, departments })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  }
});
