import { describe, expect, it } from 'vitest';
import { allocateRegistrationNumber, type LetterRecord, MemoryLetterStore } from '../src/index.js';
import { inboundRecord } from './helpers/records.js';

const inbound = (n: number) => inboundRecord({ state: 'acknowledged', letterId: `สพร 0105/r${n}` });

/** A memory store that counts its reads of one letter. */
function counting() {
  const store = new MemoryLetterStore();
  let reads = 0;
  const get = store.get.bind(store);
  store.get = (journalId: string) => {
    reads++;
    return get(journalId);
  };
  return { store, reads: () => reads };
}

const now = () => new Date('2026-12-04T03:00:00Z');

describe('allocateRegistrationNumber with the record the caller holds', () => {
  it('under a fence, the record the caller just wrote saves the first read; the number is the same', async () => {
    const { store, reads } = counting();
    const a = inbound(1);
    const b = inbound(2);
    await store.insert(a);
    await store.insert(b);
    const leaseA = await store.claimOne(a.journalId, 'w1', 60_000);
    const leaseB = await store.claimOne(b.journalId, 'w1', 60_000);
    const current = (await store.get(a.journalId)) as LetterRecord;
    const before = reads();
    const withRecord = await allocateRegistrationNumber(store, a.journalId, { fence: leaseA, current, now });
    // No read at all: under the fence the record also tells the year of a number the letter already has.
    expect(reads() - before).toBe(0);
    const plain = await allocateRegistrationNumber(store, b.journalId, { fence: leaseB, now });
    expect(reads() - before).toBe(2); // the letter before the allocation, and its number's year after it
    expect(withRecord).toMatchObject({ number: 1, beYear: 2569, acceptId: '1/2569', register: 'central' });
    expect(plain).toMatchObject({ number: 2, beYear: 2569, acceptId: '2/2569' });
    // Idempotent: the letter keeps its number whether the caller hands its record in or not.
    const kept = (await store.get(a.journalId)) as LetterRecord;
    expect(
      await allocateRegistrationNumber(store, a.journalId, { fence: leaseA, current: kept, now }),
    ).toEqual(withRecord);
  });

  it('under a fence, a number from an earlier year keeps that year, without a read', async () => {
    const { store, reads } = counting();
    const a = inbound(5);
    await store.insert(a);
    const lease = await store.claimOne(a.journalId, 'w1', 60_000);
    const lastYear = () => new Date('2025-12-30T03:00:00Z');
    const first = await allocateRegistrationNumber(store, a.journalId, { fence: lease, now: lastYear });
    expect(first).toMatchObject({ number: 1, beYear: 2568, acceptId: '1/2568' });
    const current = (await store.get(a.journalId)) as LetterRecord;
    const before = reads();
    // A crash before the AcceptLetterNotifier, retried in the new year: the same number, with its year.
    expect(await allocateRegistrationNumber(store, a.journalId, { fence: lease, current, now })).toEqual(
      first,
    );
    expect(reads() - before).toBe(0);
  });

  it('reads the letter itself without a fence, or when the record handed in is another letter', async () => {
    const { store, reads } = counting();
    const a = inbound(3);
    const b = inbound(4);
    await store.insert(a);
    await store.insert(b);
    const lease = await store.claimOne(a.journalId, 'w1', 60_000);
    const other = (await store.get(b.journalId)) as LetterRecord;
    let before = reads();
    await allocateRegistrationNumber(store, a.journalId, { current: other, now });
    expect(reads() - before).toBe(2);
    before = reads();
    const renewed = await allocateRegistrationNumber(store, a.journalId, {
      fence: lease,
      current: other,
      renew: true,
      now,
    });
    expect(reads() - before).toBe(2);
    expect(renewed.number).toBe(2);
  });
});
