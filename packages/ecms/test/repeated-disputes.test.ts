// A sender disputes the registration number it was given (InvalidAcceptIDNotifier: LetterID, AcceptID,
// CorrespondenceDate, Subject — no letter body) and the receiver renumbers the letter. The dispute is a request
// without a dedup key on the wire: a sender whose first attempt timed out after the node had queued it sends it
// again, so the receiver's queue holds the same dispute twice. The second names the number the letter no longer
// has. It must not renumber the letter again: that gives the letter a third number the sender never learns (the
// sender's journal ignores a registration that does not advance its letter), so both journals disagree.
// The same on the sender's side: a receipt of registration repeated after the dispute (the receiver's first
// AcceptLetterNotifier timed out and was sent again) carries the disputed number, and must not settle the dispute.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type InboxNotifierEvent,
  type LetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';
import { describeEachStore } from './helpers/stores.js';

let net: EcmsNetwork;
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
  await net?.close();
});

/** Agency A sends to B; B registers automatically. Both journals on `open`; B's client never retries. */
async function agencies(shape: 'reference' | 'routed', open: () => Promise<{ store: LetterStore }>) {
  net = await startEcmsNetwork({ seed: 61, notifierShape: shape });
  const [na, nb] = net.nodes;
  const clientA = new EcmsClient({
    nodeUrl: na!.url,
    organizationId: na!.organizationId,
    retry: { maxRetries: 0 },
  });
  const clientB = new EcmsClient({
    nodeUrl: nb!.url,
    organizationId: nb!.organizationId,
    retry: { maxRetries: 0 },
  });
  const storeA: LetterStore = (await open()).store;
  const storeB: LetterStore = (await open()).store;
  closing.push(clientA, clientB, storeA, storeB);
  const seen: InboxNotifierEvent[] = [];
  return {
    storeA,
    storeB,
    seen,
    queueB: () => net.queue(nb!.organizationId).pending,
    acceptsByB: () => net.counters(nb!.organizationId)['notifier.accept'] ?? 0,
    outbox: new EcmsOutbox({ client: clientA, store: storeA }),
    inboxA: new EcmsInboxWorker({ client: clientA, store: storeA }),
    inboxB: new EcmsInboxWorker({
      client: clientB,
      store: storeB,
      autoRegister: { register: 'repeated-dispute' },
      onNotifier: (e) => {
        seen.push(e);
      },
    }),
  };
}

/** Loses every answer to `operation` (the node still commits it) while `run` runs. */
async function losingAnswers<T>(operation: string, run: () => Promise<T>): Promise<T> {
  net.setLostResponseOperations([operation]);
  net.setLostResponse(1);
  try {
    return await run();
  } finally {
    net.setLostResponse(0);
  }
}

describe.each(['reference', 'routed'] as const)('a repeated dispute notice (%s notifiers)', (shape) => {
  describeEachStore('%s journal', (_kind, open) => {
    it('a dispute delivered twice renumbers the letter once; both journals keep the same number', async () => {
      const x = await agencies(shape, open);
      const sent = await x.outbox.submit(sampleLetter({ id: 'สพร 0105/901' }));
      await x.inboxB.runOnce();
      await x.inboxA.runOnce();
      const first = (await x.storeA.get(sent.journalId))?.acceptId;
      expect(first).toBeTruthy();

      // The first dispute is queued at B, but its answer is lost: A cannot tell, and sends it again.
      await losingAnswers('notifier.invalid_accept_id', () =>
        expect(x.outbox.disputeRegistration(sent.journalId)).rejects.toMatchObject({
          code: expect.any(String),
        }),
      );
      expect((await x.storeA.get(sent.journalId))?.state).toBe('registered');
      await x.outbox.disputeRegistration(sent.journalId);
      expect(x.queueB().filter((i) => i.kind === 'invalid_accept_id')).toHaveLength(2);

      const acceptsBefore = x.acceptsByB();
      await x.inboxB.runOnce();
      await x.inboxA.runOnce();
      const [received] = await x.storeB.list({ direction: 'inbound' });
      expect(received?.state).toBe('registered');
      // One renumbering: one AcceptLetterNotifier more, and the second dispute changed nothing.
      expect(x.acceptsByB() - acceptsBefore).toBe(1);
      expect(x.seen.map((e) => e.changed)).toEqual([true, false]);
      expect(
        (await x.storeB.transitions(received!.journalId)).filter((t) => t.to === 'registration_disputed'),
      ).toHaveLength(1);
      const renumbered = await x.storeA.get(sent.journalId);
      expect(renumbered?.state).toBe('registered');
      expect(renumbered?.acceptId).not.toBe(first);
      expect(received?.acceptId).toBe(renumbered?.acceptId);
      expect(x.queueB()).toHaveLength(0);
    });

    it('the disputed number repeated after the dispute does not settle it: the sender takes the new number', async () => {
      const x = await agencies(shape, open);
      const sent = await x.outbox.submit(sampleLetter({ id: 'สพร 0105/902' }));
      // B registers the letter, but the answer to its AcceptLetterNotifier is lost: B sends it again later.
      await losingAnswers('notifier.accept', () => x.inboxB.runOnce().catch(() => 0));
      expect((await x.storeB.list({ direction: 'inbound' }))[0]?.state).toBe('acknowledged');
      await x.inboxA.runOnce();
      const first = (await x.storeA.get(sent.journalId))?.acceptId;
      expect(first).toBeTruthy();
      await x.outbox.disputeRegistration(sent.journalId);

      // B's next poll repeats the registration under the same number, then renumbers on the dispute.
      await x.inboxB.runOnce();
      const [received] = await x.storeB.list({ direction: 'inbound' });
      expect(received?.state).toBe('registered');
      expect(received?.acceptId).not.toBe(first);
      await x.inboxA.runOnce();
      const after = await x.storeA.get(sent.journalId);
      expect(after?.state).toBe('registered');
      expect(after?.acceptId).toBe(received?.acceptId);
      expect((await x.storeA.transitions(sent.journalId)).map((t) => t.to)).toEqual([
        'submitted',
        'received',
        'registered',
        'registration_disputed',
        'registered',
      ]);
    });
  });
});
