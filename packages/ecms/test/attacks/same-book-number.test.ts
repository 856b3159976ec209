// Attack class: one book number, two letters. The inbox recognised a letter it already had by book number,
// date and sender only, in two separate steps (look up, then insert):
// - two inbox replicas that each fetched one copy of a letter the sender sent twice (two ProcessIDs) both
//   found nothing, both stored it, and the saraban system got it twice;
// - a different letter under a book number already journalled (a forged or tampered copy that arrived first,
//   then the genuine one) was dequeued as a "duplicate" with an info log: the genuine letter vanished.
// Now a letter's natural key is unique among live letters in every store, and a second item under it is a
// duplicate only when it is the same letter (subject, receiver, document, signature verdict): anything else is
// kept in quarantine and reported (ERR_ECMS_LETTER_CONFLICT), never dropped.
import { createHash } from 'node:crypto';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxRejectedEvent,
  type LetterInput,
  type LetterStore,
  MemoryLetterStore,
} from '../../src/index.js';
import { sampleLetter } from '../helpers/letters.js';
import { describeEachStore } from '../helpers/stores.js';

let net: EcmsNetwork;
let sender: EcmsClient;
let senderOrg: string;
let receiverOrg: string;
const receivers: EcmsClient[] = [];

async function startNetwork(options: Parameters<typeof startEcmsNetwork>[0] = {}) {
  net = await startEcmsNetwork({ seed: 7, ...options });
  const [a, b] = net.nodes;
  senderOrg = a!.organizationId;
  receiverOrg = b!.organizationId;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: senderOrg });
}

afterEach(async () => {
  for (const c of receivers.splice(0)) await c.close();
  await sender.close();
  await net.close();
});

function receiver(): EcmsClient {
  const c = new EcmsClient({
    nodeUrl: net.node(receiverOrg).url,
    organizationId: receiverOrg,
    retry: { maxRetries: 0 },
  });
  receivers.push(c);
  return c;
}

const letter = (overrides: Partial<LetterInput> = {}) =>
  sampleLetter({
    sender: { departmentId: senderOrg, givenName: 'สมชาย', familyName: 'ใจดี', jobTitle: 'ผู้อำนวยการ' },
    receiver: { departmentId: receiverOrg, jobTitle: 'อธิบดี' },
    ...overrides,
  });

/**
 * Each replica's handle on the journal, with the race window held open: no `hold` call goes ahead before both
 * replicas have made theirs, or (with `after`) before both have had an answer from `after` (or 5 s have
 * passed, should only one replica get there).
 */
function raceBarrier(
  hold: 'insert' | 'quarantine',
  after?: 'findByNaturalKey',
): (store: LetterStore) => LetterStore {
  let arrived = 0;
  let open: () => void = () => undefined;
  const both = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held = Promise.race([both, new Promise<void>((resolve) => setTimeout(resolve, 5_000))]);
  const arrive = () => {
    if (++arrived >= 2) open();
  };
  return (store) =>
    new Proxy(store, {
      get(target, name, recv) {
        const v = Reflect.get(target, name, recv);
        if (typeof v !== 'function') return v;
        if (after && name === after)
          return async (...args: unknown[]) => {
            const answer = await v.apply(target, args);
            arrive();
            return answer;
          };
        if (name === hold)
          return async (...args: unknown[]) => {
            if (!after) arrive();
            await held;
            return v.apply(target, args);
          };
        return (...args: unknown[]) => v.apply(target, args);
      },
    });
}

describeEachStore('two inbox replicas, one letter queued twice (%s)', (_kind, open) => {
  it('the letter is stored and handed to onLetter once; both queue items are dequeued', async () => {
    // Items stay with the replica that fetched them: each replica gets one copy.
    await startNetwork({ redeliveryAfterInMs: 60_000 });
    await sender.sendLetter(letter({ id: 'สพร 9/1' }));
    await sender.sendLetter(letter({ id: 'สพร 9/1' }));
    expect(net.queue(receiverOrg).pending).toHaveLength(2);
    const opened = await open();
    const twin = opened.twin();
    const slow = raceBarrier('insert', 'findByNaturalKey');
    const delivered: string[] = [];
    const rejected: InboxRejectedEvent[] = [];
    const replica = (store: LetterStore, workerId: string) =>
      new EcmsInboxWorker({
        client: receiver(),
        store: slow(store),
        workerId,
        batchSize: 1,
        clockCheckIntervalInMs: 0,
        onLetter: ({ record }) => void delivered.push(record.journalId),
        onRejected: (e) => void rejected.push(e),
      });
    try {
      await Promise.all([replica(opened.store, 'A').runOnce(), replica(twin, 'B').runOnce()]);
      expect(delivered).toHaveLength(1);
      const journal = await opened.store.list({ direction: 'inbound' });
      expect(journal.map((r) => [r.journalId, r.letterId])).toEqual([[delivered[0], 'สพร 9/1']]);
      // The second copy is the same letter: a duplicate, dequeued and recorded as processed, not a conflict.
      expect(net.queue(receiverOrg).pending).toEqual([]);
      expect(rejected).toEqual([]);
      expect(await opened.store.quarantined()).toEqual([]);
      for (const item of net.queue(receiverOrg).all)
        expect(await opened.store.isProcessed(item.processId)).toBe(true);
    } finally {
      if (twin !== opened.store) await twin.close();
      await opened.store.close();
    }
  });
});

describeEachStore('two inbox replicas fetching one conflicting letter at once (%s)', (_kind, open) => {
  it('it is kept and reported once, and dequeued', async () => {
    // Every fetch hands out the head of the queue until it is dequeued: both replicas get the same item.
    await startNetwork({ redeliveryAfterInMs: 0 });
    const opened = await open();
    const twin = opened.twin();
    try {
      await sender.sendLetter(letter({ id: 'สพร 8/1', subject: 'ฉบับแรก' }));
      await new EcmsInboxWorker({
        client: receiver(),
        store: opened.store,
        clockCheckIntervalInMs: 0,
      }).runOnce();
      await sender.sendLetter(letter({ id: 'สพร 8/1', subject: 'ฉบับที่สอง' }));
      const slow = raceBarrier('quarantine');
      const rejected: InboxRejectedEvent[] = [];
      const replica = (store: LetterStore, workerId: string) =>
        new EcmsInboxWorker({
          client: receiver(),
          store: slow(store),
          workerId,
          batchSize: 1,
          clockCheckIntervalInMs: 0,
          onRejected: (e) => void rejected.push(e),
        });
      await Promise.all([replica(opened.store, 'A').runOnce(), replica(twin, 'B').runOnce()]);
      const kept = await opened.store.quarantined();
      expect(kept.map((q) => [q.error.code, q.error.reason, q.settled])).toEqual([
        ['ERR_ECMS_LETTER_CONFLICT', 'subject', true],
      ]);
      expect(rejected.map((e) => e.quarantined.id)).toEqual([kept[0]!.id]);
      expect((await opened.store.list({ direction: 'inbound' })).map((r) => r.subject)).toEqual(['ฉบับแรก']);
      expect(net.queue(receiverOrg).pending).toEqual([]);
    } finally {
      if (twin !== opened.store) await twin.close();
      await opened.store.close();
    }
  });
});

describe('a different letter under a book number already in the journal', () => {
  beforeEach(() => startNetwork());

  /** A letter put straight into the receiver's queue as a peer built it; `patch` changes its XML. */
  async function inject(input: LetterInput, patch: (xml: string) => string = (x) => x) {
    const c = new EcmsClient({ nodeUrl: net.node(senderOrg).url, organizationId: senderOrg });
    try {
      const xml = c
        .encodeLetter(input)
        .toString('utf8')
        .replace(/^<\?xml[^>]*\?>/, '');
      net.injectItem(receiverOrg, {
        xml: patch(xml),
        letterId: input.id,
        correspondenceDate: input.correspondenceDate,
        senderDepartmentId: senderOrg,
      });
    } finally {
      await c.close();
    }
  }

  /** The worker's run against the receiver's queue: what it stored, kept, reported and handed on. */
  async function drain(store = new MemoryLetterStore()) {
    const delivered: string[] = [];
    const rejected: InboxRejectedEvent[] = [];
    const infos: string[] = [];
    await new EcmsInboxWorker({
      client: receiver(),
      store,
      clockCheckIntervalInMs: 0,
      logger: { debug() {}, info: (m: string) => void infos.push(m), warn() {}, error() {} },
      onLetter: ({ letter: l }) => void delivered.push(l.subject),
      onRejected: (e) => void rejected.push(e),
    }).runOnce();
    return { store, delivered, rejected, infos };
  }

  it('a forged copy that arrives first does not make the genuine letter vanish: kept and reported', async () => {
    // The forgery: same book number, date and sender, another subject, put straight into the queue.
    await inject(letter({ id: 'สพร 7/7', subject: 'FORGED: โอนเงินด่วน' }));
    await sender.sendLetter(letter({ id: 'สพร 7/7', subject: 'GENUINE: ขอเชิญประชุม' }));
    const genuineProcessId = net.queue(receiverOrg).pending[1]!.processId;

    const { store, delivered, rejected, infos } = await drain();
    expect(delivered).toEqual(['FORGED: โอนเงินด่วน']);
    expect(infos).not.toContain('duplicate e-CMS letter ignored');
    // The genuine letter: kept byte for byte with its digest and a typed reason, reported, dequeued.
    const kept = await store.quarantined();
    expect(kept).toHaveLength(1);
    const [q] = kept;
    expect(q!.error).toMatchObject({ code: 'ERR_ECMS_LETTER_CONFLICT', reason: 'subject' });
    expect(q!.processId.startsWith(genuineProcessId)).toBe(true);
    expect(q!.sha256).toBe(createHash('sha256').update(q!.xml).digest('hex'));
    expect(Buffer.from(q!.xml).toString('utf8')).toContain('GENUINE: ขอเชิญประชุม');
    expect(Buffer.from(q!.xml).toString('utf8')).toContain(`<ProcessID>${genuineProcessId}</ProcessID>`);
    expect(q!.letterKey).toMatchObject({ letterId: 'สพร 7/7', senderDepartmentId: senderOrg });
    expect(q!.settled).toBe(true);
    expect(rejected.map((e) => e.quarantined.id)).toEqual([q!.id]);
    expect(net.queue(receiverOrg).pending).toEqual([]);
    // The sender is not told its letter is invalid: which copy is genuine is the records office's call.
    expect(net.queue(senderOrg).all.filter((i) => i.kind === 'invalid')).toEqual([]);
    // Handled once: a later poll finds nothing and reports nothing again.
    const again = await drain(store);
    expect(again.rejected).toEqual([]);
    expect(await store.quarantined()).toHaveLength(1);
  });

  it('same subject and receiver but another attachment: a conflict too, not a duplicate', async () => {
    await sender.sendLetter(letter({ id: 'สพร 7/8' }));
    await sender.sendLetter(
      letter({
        id: 'สพร 7/8',
        attachments: [{ mimeCode: 'image/png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]) }],
      }),
    );
    const { store, delivered, rejected } = await drain();
    expect(delivered).toHaveLength(1);
    expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
    expect(rejected.map((e) => e.quarantined.error)).toEqual([
      expect.objectContaining({ code: 'ERR_ECMS_LETTER_CONFLICT', reason: 'document' }),
    ]);
    expect(net.queue(receiverOrg).pending).toEqual([]);
  });

  it('the book number spelled another way (Thai digits, a no-break space) is the same key: a conflict', async () => {
    await sender.sendLetter(letter({ id: 'สพร 7/9' }));
    await sender.sendLetter(letter({ id: 'สพร ๗/๙' }));
    // Sent through this SDK it would leave as 'สพร 7/9'; another saraban system may keep the no-break space.
    await inject(letter({ id: 'สพร 7/9' }), (xml) => xml.replace('>สพร 7/9<', '>สพร\u00a07/9<'));
    const { store, delivered, rejected } = await drain();
    expect(delivered).toHaveLength(1);
    expect((await store.list({ direction: 'inbound' })).map((r) => r.letterId)).toEqual(['สพร 7/9']);
    expect(rejected.map((e) => [e.quarantined.error.code, e.quarantined.letterKey?.letterId])).toEqual([
      ['ERR_ECMS_LETTER_CONFLICT', 'สพร ๗/๙'],
      ['ERR_ECMS_LETTER_CONFLICT', 'สพร\u00a07/9'],
    ]);
  });

  it('the very same letter sent twice is still a plain duplicate; after a reject, the resend is a new letter', async () => {
    await sender.sendLetter(letter({ id: 'สพร 7/10' }));
    await sender.sendLetter(letter({ id: 'สพร 7/10' }));
    const first = await drain();
    expect(first.delivered).toHaveLength(1);
    expect(first.rejected).toEqual([]);
    expect(first.infos).toContain('duplicate e-CMS letter ignored');
    const [stored] = await first.store.list({ direction: 'inbound' });
    const worker = new EcmsInboxWorker({ client: receiver(), store: first.store, clockCheckIntervalInMs: 0 });
    await worker.reject(stored!.journalId);
    await sender.sendLetter(letter({ id: 'สพร 7/10' }));
    const second = await drain(first.store);
    expect(second.delivered).toHaveLength(1);
    expect(second.rejected).toEqual([]);
    expect((await first.store.list({ direction: 'inbound' })).map((r) => r.state)).toEqual([
      'rejected',
      'acknowledged',
    ]);
  });
});
