// One signed letter end to end: a sender client signs and sends it through its own sandbox node to the
// receiver's node, and the real inbox worker of the receiver fetches, verifies, stores or quarantines it.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import {
  EcmsClient,
  EcmsInboxWorker,
  type EcmsInboxWorkerOptions,
  type LetterInput,
  type LetterRecord,
  type LetterSigningKey,
  MemoryLetterStore,
  type QuarantinedItem,
} from '../../src/index.js';
import { sampleLetter } from './letters.js';

/** Worker options of a test: everything but the client and the store. */
export type TestWorkerOptions = Omit<EcmsInboxWorkerOptions, 'client' | 'store'>;

export interface Delivered {
  /** Inbound letters the worker stored (with their signature evidence). */
  stored: LetterRecord[];
  /** Items the worker refused and kept as evidence. */
  quarantined: QuarantinedItem[];
  /** Letters handed to `onLetter`. */
  dispatched: string[];
  /** Items still queued at the receiver's node after the run (a refusal is dequeued too). */
  pending: number;
}

/** A two-node network that stays up for a test file; `deliver` sends one letter through it per call. */
export interface DeliveryBench {
  net: EcmsNetwork;
  deliver(
    signingKey: LetterSigningKey,
    worker: TestWorkerOptions,
    letter?: Partial<LetterInput>,
  ): Promise<Delivered>;
  close(): Promise<void>;
}

export async function startDeliveryBench(seed: number): Promise<DeliveryBench> {
  const net = await startEcmsNetwork({ seed });
  const [a, b] = net.nodes;
  if (!a || !b) throw new Error('the sandbox network has fewer than two nodes');
  const receiver = new EcmsClient({ nodeUrl: b.url, organizationId: b.organizationId });
  let n = 0;
  return {
    net,
    async deliver(signingKey, worker, letter = {}) {
      const sender = new EcmsClient({ nodeUrl: a.url, organizationId: a.organizationId, signingKey });
      try {
        await sender.sendLetter(
          sampleLetter({
            id: `สพร 0105/${++n}`,
            sender: { departmentId: a.organizationId },
            receiver: { departmentId: b.organizationId },
            ...letter,
          }),
        );
      } finally {
        await sender.close();
      }
      const store = new MemoryLetterStore();
      const dispatched: string[] = [];
      await new EcmsInboxWorker({
        client: receiver,
        store,
        onLetter: ({ letter: l }) => void dispatched.push(l.id),
        ...worker,
      }).runOnce();
      return {
        stored: await store.list({ direction: 'inbound' }),
        quarantined: await store.quarantined(),
        dispatched,
        pending: net.queue(b.organizationId).pending.length,
      };
    },
    async close() {
      await receiver.close();
      await net.close();
    },
  };
}
