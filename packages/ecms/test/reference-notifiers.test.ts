// Notifiers queued in the shape shared/reference/ecms.md gives them: a node that hands the receiver's queue the
// notifier exactly as the sender wrote it (LetterID, AcceptID, CorrespondenceDate, Subject), without the
// SenderDepartment / AcceptDepartment a `notifierShape: 'routed'` node adds. A dispute of a registration number then has only the
// book number, the date and the disputed number to go by — which name one registration.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxNotifierEvent,
  type LetterRecord,
  type LetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';
import { describeEachStore } from './helpers/stores.js';

describeEachStore('a registration dispute without department codes (%s)', (_kind, open) => {
  let net: EcmsNetwork;
  let sender: EcmsClient;
  let receiver: EcmsClient;
  let store: LetterStore;
  let worker: EcmsInboxWorker;
  const seen: InboxNotifierEvent[] = [];

  beforeEach(async () => {
    net = await startEcmsNetwork({ seed: 23 });
    const [a, b] = net.nodes;
    sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
    receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId });
    store = (await open()).store;
    seen.length = 0;
    worker = new EcmsInboxWorker({
      client: receiver,
      store,
      autoRegister: { register: 'reference-dispute' },
      onNotifier: (e) => {
        seen.push(e);
      },
    });
  });
  afterEach(async () => {
    await Promise.all([sender.close(), receiver.close(), store.close()]);
    await net.close();
  });

  /** A letter from A to B, received and registered by B's worker. */
  async function registeredLetter(id: string, correspondenceDate = '2026-11-27'): Promise<LetterRecord> {
    const [a, b] = net.nodes;
    await sender.sendLetter(
      sampleLetter({
        id,
        correspondenceDate,
        sender: { ...sampleLetter().sender, departmentId: a!.organizationId },
        receiver: { departmentId: b!.organizationId },
      }),
    );
    await worker.runOnce();
    const [r] = (await store.list({ direction: 'inbound' })).filter((x) => x.letterId === id);
    expect(r?.state).toBe('registered');
    return r as LetterRecord;
  }

  const dispute = (r: { letterId: string; correspondenceDate: string; acceptId: string }) =>
    net.injectItem(net.nodes[1]!.organizationId, {
      kind: 'invalid_accept_id',
      xml: `<InvalidAcceptIDNotifier><LetterID>${r.letterId}</LetterID><AcceptID>${r.acceptId}</AcceptID><CorrespondenceDate>${r.correspondenceDate}</CorrespondenceDate><Subject>${sampleLetter().subject}</Subject></InvalidAcceptIDNotifier>`,
    });

  it('is applied to the letter registered under the disputed number, which gets a fresh one', async () => {
    const r = await registeredLetter('สพร 0105/501');
    const first = r.acceptId as string;
    dispute({ letterId: r.letterId, correspondenceDate: r.correspondenceDate, acceptId: first });
    await worker.runOnce();
    const after = await store.get(r.journalId);
    expect(seen.map((e) => [e.changed, e.record?.journalId])).toEqual([[true, r.journalId]]);
    expect((await store.transitions(r.journalId)).map((t) => t.to)).toContain('registration_disputed');
    expect(after?.state).toBe('registered');
    expect(after?.acceptId).not.toBe(first);
  });

  it('a number that is not the letter’s registration is not applied to it (no guess by book number and date)', async () => {
    const r = await registeredLetter('สพร 0105/502');
    dispute({ letterId: r.letterId, correspondenceDate: r.correspondenceDate, acceptId: 'not-our-number' });
    await worker.runOnce();
    expect(seen.map((e) => [e.changed, e.record?.journalId])).toEqual([[false, undefined]]);
    const after = await store.get(r.journalId);
    expect(after?.state).toBe('registered');
    expect(after?.acceptId).toBe(r.acceptId);
  });
});
