// Book numbers (ที่) as people type them: stray, doubled and no-break spaces, decomposed characters,
// invisible format characters, Thai digits. The outbox refused a letter submitted twice only when the book
// number was spelled the same way, and a number with a leading or trailing space was journalled as typed but
// reached the receiver trimmed. Now a book number is normalised before it is journalled and sent, an
// invisible character in it is refused, and keys compare Thai digits as ASCII (what is sent keeps them).
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bookNumberKey,
  decodeGovernmentDocument,
  EcmsClient,
  EcmsOutbox,
  encodeGovernmentDocument,
  MemoryLetterStore,
  normalizeBookNumber,
  outgoingLetterSchema,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

describe('book number normalisation', () => {
  it('trims, collapses every kind of space to one, composes (NFC); the key also maps Thai digits', () => {
    expect(normalizeBookNumber('  สพร \u00a0 1/3\t')).toBe('สพร 1/3');
    expect(normalizeBookNumber('สพร\u3000๑/๓')).toBe('สพร ๑/๓');
    expect(normalizeBookNumber('Cafe\u0301 1/3')).toBe('Café 1/3');
    expect(bookNumberKey('สพร ๑๒๓/๒๕๖๙')).toBe('สพร 123/2569');
    expect(bookNumberKey('สพร\u200b 1/3\ufeff')).toBe('สพร 1/3');
    expect(bookNumberKey('สพร 1/3')).not.toBe(bookNumberKey('สพร1/3'));
  });

  it('a letter is encoded with its book number normalised; an invisible character in it is refused', () => {
    const xml = encodeGovernmentDocument(sampleLetter({ id: ' สพร\u00a0 1/3 ' })).toString('utf8');
    expect(xml).toContain('>สพร 1/3<');
    expect(decodeGovernmentDocument(xml).id).toBe('สพร 1/3');
    // Thai digits are sent as written.
    expect(decodeGovernmentDocument(encodeGovernmentDocument(sampleLetter({ id: 'สพร ๑/๓' }))).id).toBe(
      'สพร ๑/๓',
    );
    for (const id of ['สพร 1/3\u200b', 'สพร\u200d1/3', '\ufeffสพร 1/3', 'สพร 1/3\u00ad', 'สพร \u202e1/3'])
      expect(() => encodeGovernmentDocument(sampleLetter({ id })), JSON.stringify(id)).toThrow(
        expect.objectContaining({
          code: 'ERR_ECMS_MESSAGE',
          message: expect.stringMatching(/^Invalid letter at id/),
        }),
      );
    expect(() => encodeGovernmentDocument(sampleLetter({ id: ' \u00a0 ' }))).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
    // The outgoing schema is the letter schema with that book number: as strict about everything else.
    expect(outgoingLetterSchema.safeParse({ ...sampleLetter(), unknownField: 1 }).success).toBe(false);
    expect(outgoingLetterSchema.parse(sampleLetter({ id: 'สพร  9/1 ' })).id).toBe('สพร 9/1');
  });

  it('a received letter keeps its book number as the sender wrote it', () => {
    const sent = encodeGovernmentDocument(sampleLetter({ id: 'สพร 1/3' }))
      .toString('utf8')
      .replace('>สพร 1/3<', '>สพร\u00a01/3\u200b<');
    const read = decodeGovernmentDocument(sent);
    expect(read.id).toBe('สพร\u00a01/3\u200b');
    // What the inbox keeps: re-encoded as received, not as it would be sent.
    expect(encodeGovernmentDocument(read, { received: true }).toString('utf8')).toContain(
      '>สพร\u00a01/3\u200b<',
    );
    expect(() => encodeGovernmentDocument(read)).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
  });
});

describe('outbox: one letter, its book number spelled several ways', () => {
  let net: EcmsNetwork;
  let client: EcmsClient;
  let outbox: EcmsOutbox;
  let store: MemoryLetterStore;
  beforeEach(async () => {
    net = await startEcmsNetwork({ seed: 3 });
    client = new EcmsClient({ nodeUrl: net.nodes[0]!.url, organizationId: net.nodes[0]!.organizationId });
    store = new MemoryLetterStore();
    outbox = new EcmsOutbox({ client, store });
  });
  afterEach(async () => {
    await client.close();
    await net.close();
  });
  const letter = (id: string) =>
    sampleLetter({
      id,
      sender: { departmentId: net.nodes[0]!.organizationId },
      receiver: { departmentId: net.nodes[1]!.organizationId },
    });
  const arrived = () =>
    net
      .queue(net.nodes[1]!.organizationId)
      .all.filter((i) => i.kind === 'letter')
      .map((i) => i.letterId);

  it('is journalled and sent once; other spellings are refused as duplicates, invisible characters as invalid', async () => {
    const first = await outbox.submit(letter('สพร 1/3'));
    expect(first.state).toBe('submitted');
    for (const variant of [
      'สพร 1/3 ',
      ' สพร 1/3',
      'สพร  1/3',
      'สพร 1/3'.normalize('NFD'),
      'สพร\u00a01/3',
      'สพร ๑/๓',
    ])
      await expect(outbox.submit(letter(variant)), JSON.stringify(variant)).rejects.toMatchObject({
        code: 'ERR_ECMS_DUPLICATE',
        message: expect.stringContaining(first.journalId),
      });
    await expect(outbox.submit(letter('สพร 1/3\u200b'))).rejects.toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
    expect(net.counters(net.nodes[0]!.organizationId).sendLetter).toBe(1);
    expect(arrived()).toEqual(['สพร 1/3']);
    expect(await store.list({ direction: 'outbound' })).toHaveLength(1);
  });

  it('journals the book number as it is sent; Thai digits are sent and journalled as written', async () => {
    const spaced = await outbox.submit(letter(' สพร\u00a0\u00a02/3 '));
    expect(spaced.letterId).toBe('สพร 2/3');
    const thai = await outbox.submit(letter('สพร ๔/๓'));
    expect(thai.letterId).toBe('สพร ๔/๓');
    expect(arrived()).toEqual(['สพร 2/3', 'สพร ๔/๓']);
    // The same idempotency key with another spelling gets the journalled letter back.
    const keyed = await outbox.submit(letter('สพร 5/3'), { idempotencyKey: 'doc-5' });
    const retried = await outbox.submit(letter('สพร ๕/๓ '), { idempotencyKey: 'doc-5' });
    expect(retried.journalId).toBe(keyed.journalId);
    expect(net.counters(net.nodes[0]!.organizationId).sendLetter).toBe(3);
  });
});
