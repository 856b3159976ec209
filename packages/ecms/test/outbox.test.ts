import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  EcmsClient,
  EcmsOutbox,
  MemoryLetterStore,
  newLetterRecord,
  OUTBOUND_TRANSITIONS,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

let net: EcmsNetwork;
let client: EcmsClient;
let store: MemoryLetterStore;
let outbox: EcmsOutbox;

beforeEach(async () => {
  net = await startEcmsNetwork({ seed: 5 });
  client = new EcmsClient({
    nodeUrl: net.nodes[0]!.url,
    organizationId: net.nodes[0]!.organizationId,
    retry: { maxRetries: 2, baseDelayInMs: 5, maxDelayInMs: 20 },
    timeouts: { connectInMs: 2000, headersInMs: 2000, bodyInMs: 2000 },
  });
  store = new MemoryLetterStore();
  outbox = new EcmsOutbox({ client, store });
  await client.getOrganizations();
});
afterEach(async () => {
  await client.close();
  await net.close();
});

const receiverQueue = (letterId: string) =>
  net.queue(net.nodes[1]!.organizationId).all.filter((i) => i.kind === 'letter' && i.letterId === letterId);

describe('outbox: an ambiguous send is resolved before any resend', () => {
  it('lost response after the node committed → submit_unknown → found in outbound status → one letter only', async () => {
    net.setLostResponse(1);
    const rec = await outbox.submit(sampleLetter({ id: 'สพร 1/1' }));
    net.setLostResponse(0);
    expect(rec.state).toBe('submitted');
    expect(rec.sendCount).toBe(1);
    expect(receiverQueue('สพร 1/1')).toHaveLength(1);
    expect(rec.processId).toBe(receiverQueue('สพร 1/1')[0]!.processId);
    const path = (await store.transitions(rec.journalId)).map((t) => t.to);
    expect(path).toEqual(['submit_unknown', 'submitted']);
    expect(net.counters(net.nodes[0]!.organizationId).sendLetter).toBe(1);
  });

  it('a send the node never saw (503) stays submit_unknown until resolved, then is sent exactly once', async () => {
    net.faults.setProfile({ rules: [{ route: '/ecms-ws01', unavailable: 1 }] });
    const rec = await outbox.submit(sampleLetter({ id: 'สพร 1/2' }));
    expect(rec.state).toBe('submit_unknown');
    expect(receiverQueue('สพร 1/2')).toHaveLength(0);
    // While the node is down, resolving fails and nothing is resent blindly.
    await expect(outbox.resolvePending()).rejects.toMatchObject({ code: 'ERR_HTTP' });
    expect((await store.get(rec.journalId))?.state).toBe('submit_unknown');
    net.faults.setProfile({ rules: [] });
    const [resolved] = await outbox.resolvePending();
    expect(resolved?.state).toBe('submitted');
    expect(resolved?.sendCount).toBe(2);
    expect(receiverQueue('สพร 1/2')).toHaveLength(1);
    expect(await outbox.resolvePending()).toEqual([]);
  });

  it('a letter left in submitting by a crash is resolved the same way at start-up', async () => {
    // Simulate: journalled as submitting, sent, then the process died before recording the answer.
    const letter = sampleLetter({ id: 'สพร 1/3' });
    const res = await client.sendLetter(letter);
    const rec = newLetterRecord({
      direction: 'outbound',
      state: 'submitting',
      letterId: letter.id,
      correspondenceDate: letter.correspondenceDate,
      subject: letter.subject,
      senderDepartmentId: letter.sender.departmentId,
      receiverDepartmentId: letter.receiver.departmentId,
      document: client.encodeLetter(letter),
      sendCount: 1,
    });
    await store.insert(rec);
    const [resolved] = await outbox.resolvePending();
    expect(resolved?.state).toBe('submitted');
    expect(resolved?.processId).toBe(res.processId);
    expect(receiverQueue('สพร 1/3')).toHaveLength(1);
  });

  it('a definitive node fault marks the letter failed (no resend), and it can be resent after a fix', async () => {
    const bad = sampleLetter({ id: 'สพร 1/4', sender: { departmentId: net.nodes[1]!.organizationId } });
    const err = await outbox.submit(bad).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E_SENDER' });
    const [failed] = await store.list({ direction: 'outbound', states: ['failed'] });
    expect(failed?.lastError).toBe('ERR_ECMS_FAULT');
    expect(net.counters(net.nodes[0]!.organizationId)).toMatchObject({ fault: 1 });
    await expect(outbox.withdraw(failed!.journalId)).rejects.toMatchObject({ code: 'ERR_ECMS_STATE' });
    const fixed = await outbox.resend(failed!.journalId, sampleLetter({ id: 'สพร 1/4' }));
    expect(fixed.state).toBe('submitted');
    expect(receiverQueue('สพร 1/4')).toHaveLength(1);
  });

  it('refuses a top-secret letter before anything is journalled or sent', async () => {
    await expect(outbox.submit(sampleLetter({ secrecy: 'top_secret' }))).rejects.toMatchObject({
      code: 'ERR_ECMS_SECRECY',
    });
    expect(await store.list()).toEqual([]);
    expect(net.counters(net.nodes[0]!.organizationId).sendLetter).toBeUndefined();
  });
});

describe('journal state machine', () => {
  it('is monotonic: no state goes back to an earlier one except the documented resend/dispute loops', () => {
    expect(canTransition('outbound', 'registered', 'received')).toBe(false);
    expect(canTransition('outbound', 'received', 'submitted')).toBe(false);
    expect(canTransition('outbound', 'rejected', 'withdrawn')).toBe(true);
    expect(canTransition('outbound', 'withdrawn', 'submitting')).toBe(true);
    expect(canTransition('outbound', 'registration_disputed', 'registered')).toBe(true);
    expect(canTransition('inbound', 'stored', 'acknowledged')).toBe(false);
    expect(canTransition('inbound', 'dequeued', 'acknowledged')).toBe(true);
    expect(() => assertTransition('outbound', 'registered', 'submitted')).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_STATE' }),
    );
    expect(() => assertTransition('outbound', 'registered', 'registered')).not.toThrow();
    for (const [from, tos] of Object.entries(OUTBOUND_TRANSITIONS)) expect(tos).not.toContain(from);
  });

  it('transitions are compare-and-set: a repeated or stale transition changes nothing', async () => {
    const rec = newLetterRecord({
      direction: 'outbound',
      state: 'submitted',
      letterId: 'x',
      correspondenceDate: '2026-11-27',
      subject: 's',
      senderDepartmentId: '0031500001',
      receiverDepartmentId: '1500300001',
    });
    await store.insert(rec);
    const first = await store.transition({ journalId: rec.journalId, from: ['submitted'], to: 'received' });
    expect(first?.state).toBe('received');
    const again = await store.transition({ journalId: rec.journalId, from: ['submitted'], to: 'received' });
    expect(again).toBeUndefined();
    expect((await store.transitions(rec.journalId)).length).toBe(1);
  });
});
