// Letters the inbox worker takes as far as it may and then leaves to the agency: a letter addressed to another
// department, a letter whose signature fails (verify-if-present), a letter when the application acknowledges
// itself (autoAcknowledge: false). The node has nothing left for them (they are stored and dequeued: the
// protocol's inbound queue is fetch → persist → dequeue, and only the agency may answer with a receipt, a
// registration, a rejection or an InvalidLetterNotifier). Each poll's recover() used to claim them again, read
// them twice and log the same warning again: log spam, store work growing with the backlog, and recover()'s
// batch filled with letters that need nothing, so a letter that did need recovering waited its turn behind
// them. Now recover() asks the journal only for letters that still have automatic work (`ClaimInput.waiting`,
// decided in the store's query from the worker's options): one warning per letter, no work per poll, and the
// letters stay in the journal for the agency's decision.
import type { Logger } from '@thgov/core';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type EcmsInboxWorkerOptions,
  type LetterRecord,
  type LetterStore,
} from '../src/index.js';
import { makeCert, standardChain, testKey } from './helpers/certs.js';
import { countingStore } from './helpers/counting-store.js';
import { sampleLetter } from './helpers/letters.js';
import { describeEachStore } from './helpers/stores.js';

/** A department the receiving node also serves, but which the misaddressed letters are not addressed to. */
const OTHER = '9900000001';
const BAD = 12;
const BATCH = 4;

let net: EcmsNetwork;
let plain: EcmsClient;
let signing: EcmsClient;
const chain = standardChain();
const stranger = makeCert({
  cn: 'Stranger',
  key: testKey('p256', 'stranger'),
  keyUsage: ['digitalSignature'],
});

beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 57 });
  const a = net.nodes[0]!;
  plain = new EcmsClient({ nodeUrl: a.url, organizationId: a.organizationId });
  signing = new EcmsClient({
    nodeUrl: a.url,
    organizationId: a.organizationId,
    signingKey: { privateKey: chain.signer.key.privatePem, certificate: chain.signer.pem + chain.ca.pem },
  });
});
afterAll(async () => {
  await plain.close();
  await signing.close();
  await net.close();
});

interface Logged {
  message: string;
  context: Record<string, unknown> | undefined;
}

function capture(): { logger: Logger; warnings: Logged[] } {
  const warnings: Logged[] = [];
  const noop = () => undefined;
  return {
    warnings,
    logger: {
      debug: noop,
      info: noop,
      error: noop,
      warn: (message: string, context?: Record<string, unknown>) => {
        warnings.push({ message, context });
      },
    },
  };
}

/** How often each letter was warned about (by the journalId in the warning). */
function warningsPerLetter(warnings: Logged[]): number[] {
  const per = new Map<string, number>();
  for (const w of warnings) {
    const id = w.context?.journalId;
    if (typeof id === 'string') per.set(id, (per.get(id) ?? 0) + 1);
  }
  return [...per.values()];
}

/** The store, counting its calls and recording every letter `claim` hands out. */
function watched(store: LetterStore): {
  store: LetterStore;
  calls: Record<string, number>;
  claimed: string[];
} {
  const claimed: string[] = [];
  const claim = store.claim.bind(store);
  store.claim = async (input) => {
    const leases = await claim(input);
    claimed.push(...leases.map((l) => l.journalId));
    return leases;
  };
  return { ...countingStore(store), claimed };
}

const nodeB = () => net.nodes[1]!;
const pending = () => net.queue(nodeB().organizationId).pending;
let series = 0;

/** Sends `count` letters from node A to B (signed by a signer B does not trust when `signed`). */
async function send(count: number, signed = false): Promise<string[]> {
  const ids: string[] = [];
  const prefix = `สพร ${++series}`;
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}/${i}`;
    await (signed ? signing : plain).sendLetter(
      sampleLetter({
        id,
        sender: { ...sampleLetter().sender, departmentId: net.nodes[0]!.organizationId },
        receiver: { departmentId: nodeB().organizationId },
      }),
    );
    ids.push(id);
  }
  return ids;
}

interface Scenario {
  name: string;
  /** Sends the letters the worker leaves to the agency. */
  bad: () => Promise<string[]>;
  /** The receiving client's organisation (OTHER: B's letters are addressed to another department). */
  organizationId?: string;
  options: Partial<EcmsInboxWorkerOptions>;
  /** What the agency decides for one of them, and the state that gives. */
  decide: (worker: EcmsInboxWorker, journalId: string) => Promise<LetterRecord>;
  decided: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'misaddressed letters, no onLetter',
    bad: () => send(BAD),
    organizationId: OTHER,
    options: { autoRegister: { register: 'central' } },
    decide: (w, id) => w.markInvalid(id),
    decided: 'invalid',
  },
  {
    name: 'misaddressed letters, dispatched to onLetter',
    bad: () => send(BAD),
    organizationId: OTHER,
    options: { onLetter: () => undefined },
    decide: (w, id) => w.register(id, { register: 'central' }),
    decided: 'registered',
  },
  {
    name: 'letters whose signature fails (verify-if-present)',
    bad: () => send(BAD, true),
    options: {
      signaturePolicy: 'verify-if-present',
      trustAnchors: [stranger.pem],
      autoRegister: { register: 'central' },
      onLetter: () => undefined,
    },
    decide: (w, id) => w.reject(id),
    decided: 'rejected',
  },
  {
    name: 'letters with autoAcknowledge: false',
    bad: () => send(BAD),
    options: { autoAcknowledge: false, onLetter: () => undefined },
    decide: (w, id) => w.register(id, { register: 'central' }),
    decided: 'registered',
  },
];

describeEachStore('letters left to the agency (%s journal)', (_kind, open) => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: warned once, not claimed at every poll, nothing lost',
    async (_name, scenario) => {
      const bad = await scenario.bad();
      const { logger, warnings } = capture();
      const { store, calls, claimed } = watched((await open()).store);
      const client = new EcmsClient({
        nodeUrl: nodeB().url,
        organizationId: scenario.organizationId ?? nodeB().organizationId,
        retry: { maxRetries: 0 },
      });
      const worker = new EcmsInboxWorker({ client, store, batchSize: BATCH, logger, ...scenario.options });
      try {
        for (let poll = 0; poll < Math.ceil(BAD / BATCH) && pending().length > 0; poll++)
          await worker.runOnce();
        expect(pending()).toHaveLength(0);
        // Polls over an empty queue: none of them is claimed, read or warned about again.
        const [warned, gets, claims] = [warnings.length, calls.get ?? 0, claimed.length];
        for (let poll = 0; poll < 3; poll++) expect(await worker.runOnce()).toBe(0);
        expect(claimed.length - claims).toBe(0);
        expect((calls.get ?? 0) - gets).toBe(0);
        expect(warnings.length).toBe(warned);
        expect(warningsPerLetter(warnings).every((n) => n === 1)).toBe(true);
        // Nothing lost: every one is in the journal, dequeued, with its document, for the agency to decide.
        const records = await store.list({ direction: 'inbound' });
        expect(records.map((r) => r.letterId).sort()).toEqual([...bad].sort());
        for (const r of records) expect(r).toMatchObject({ state: 'dequeued', document: expect.anything() });
        const decided = await scenario.decide(worker, records[0]!.journalId);
        expect(decided.state).toBe(scenario.decided);
      } finally {
        await client.close();
        await store.close();
      }
    },
  );

  it('a backlog of failed signatures does not hold back a good letter that must be recovered', async () => {
    await send(BAD, true);
    const { store, claimed } = watched((await open()).store);
    const client = new EcmsClient({
      nodeUrl: nodeB().url,
      organizationId: nodeB().organizationId,
      retry: { maxRetries: 0 },
    });
    const failOnce = new Set<string>();
    let goodId = '';
    const dispatched: string[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store,
      batchSize: BATCH,
      signaturePolicy: 'verify-if-present',
      trustAnchors: [stranger.pem],
      onLetter: ({ letter }) => {
        if (letter.id === goodId && !failOnce.has(letter.id)) {
          failOnce.add(letter.id);
          throw new Error('the saraban database is briefly away');
        }
        dispatched.push(letter.id);
      },
    });
    try {
      for (let poll = 0; poll < Math.ceil(BAD / BATCH); poll++) await worker.runOnce();
      expect(dispatched).toHaveLength(BAD);
      goodId = `สพร ${series + 1}/1`;
      const [good] = await send(1);
      // The application fails on it: the poll fails, the letter stays dequeued and undispatched.
      await expect(worker.runOnce()).rejects.toThrow('briefly away');
      const before = claimed.length;
      // The next poll's recover() takes it up at once, whatever the backlog of letters waiting for the agency.
      expect(await worker.runOnce()).toBe(0);
      expect(dispatched).toContain(good);
      const records = await store.list({ direction: 'inbound' });
      const byId = new Map(records.map((r) => [r.letterId, r]));
      expect(byId.get(good!)?.state).toBe('acknowledged');
      expect(claimed.slice(before)).toEqual([byId.get(good!)?.journalId]);
      expect(records.filter((r) => r.state === 'dequeued')).toHaveLength(BAD);
    } finally {
      await client.close();
      await store.close();
    }
  });
});
