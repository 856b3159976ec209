// A field written twice. Clients that concatenate XML by hand (shared/reference/ecms.md) can leave a template's
// empty element beside the filled one; a hostile or broken peer can write two different values. The decoder read
// the first and dropped the rest without a word: the filled-in value behind an empty one was lost, and of two
// different subjects or two main letters one was silently discarded — from the journal's document too, so a
// second letter differing only there was then taken for a duplicate of the first. An empty copy is now ignored;
// two different values, or two main letters, are refused (a typed error; in the inbox a kept poison item).
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInboundResponse } from '../src/codec.js';
import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  encodeGovernmentDocument,
  MemoryLetterStore,
} from '../src/index.js';
import { DGA, pdfBytes, sampleLetter } from './helpers/letters.js';

const doc = () => encodeGovernmentDocument(sampleLetter()).toString('utf8');

/** The document with `extra` inserted right after the first occurrence of `after`. */
function withAfter(xml: string, after: string, extra: string): string {
  const at = xml.indexOf(after);
  if (at < 0) throw new Error(`no ${after} in the document`);
  return xml.slice(0, at + after.length) + extra + xml.slice(at + after.length);
}

/** The document with `extra` inserted right before the first occurrence of `before`. */
function withBefore(xml: string, before: string, extra: string): string {
  const at = xml.indexOf(before);
  if (at < 0) throw new Error(`no ${before} in the document`);
  return xml.slice(0, at) + extra + xml.slice(at);
}

const SUBJECT_END = '</ram:Subject>';

describe('a letter field written twice', () => {
  it('control: the document as encoded decodes with its own values', () => {
    const l = decodeGovernmentDocument(doc());
    expect(l.subject).toBe(sampleLetter().subject);
    expect(l.description).toBe(sampleLetter().description);
  });

  it('an empty template element before the filled one does not hide the value', () => {
    const xml = withBefore(doc(), '<ram:Description>', '<ram:Description/>');
    expect(decodeGovernmentDocument(xml).description).toBe(sampleLetter().description);
    const enclosures = withBefore(doc(), '<ram:Attachment>', '<ram:Attachment></ram:Attachment>');
    expect(decodeGovernmentDocument(enclosures).enclosures).toBe(sampleLetter().enclosures);
  });

  it('the same value twice is that value', () => {
    const xml = withAfter(doc(), SUBJECT_END, `<ram:Subject>${sampleLetter().subject}</ram:Subject>`);
    expect(decodeGovernmentDocument(xml).subject).toBe(sampleLetter().subject);
  });

  const refused: [string, (xml: string) => string][] = [
    ['two different subjects', (x) => withAfter(x, SUBJECT_END, '<ram:Subject>เรื่องอื่น</ram:Subject>')],
    ['two different book numbers', (x) => withAfter(x, '</ram:ID>', '<ram:ID>สพร 0105/9999</ram:ID>')],
    [
      'two different correspondence dates',
      (x) =>
        withAfter(
          x,
          '</ram:CorrespondenceDate>',
          '<ram:CorrespondenceDate>2026-01-02</ram:CorrespondenceDate>',
        ),
    ],
    [
      'two receiver parties',
      (x) =>
        withBefore(
          x,
          '<ram:ReceiverParty>',
          `<ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty>`,
        ),
    ],
    [
      'two main letters',
      (x) =>
        withBefore(
          x,
          '<ram:MainLetterBinaryObject',
          `<ram:MainLetterBinaryObject mimeCode="application/pdf">${pdfBytes(80, 0x42).toString('base64')}</ram:MainLetterBinaryObject>`,
        ),
    ],
  ];
  for (const [name, edit] of refused) {
    it(`${name}: refused (ERR_ECMS_MESSAGE), not one of them picked`, () => {
      const xml = edit(doc());
      expect(xml).not.toBe(doc());
      expect(() => decodeGovernmentDocument(xml)).toThrow(
        expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
      );
    });
  }

  it('a queued notifier with two different registration numbers is a poison item', () => {
    const answer = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CorrespondenceLetterInboundResponse><ProcessID>77</ProcessID><ProcessTime>2026-11-27 10:00:00</ProcessTime><AcceptLetterNotifier><LetterID>สพร 0105/1</LetterID><AcceptID>1/2569</AcceptID><AcceptID>2/2569</AcceptID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>x</Subject></AcceptLetterNotifier></CorrespondenceLetterInboundResponse></soap:Body></soap:Envelope>`;
    const item = decodeInboundResponse(answer);
    expect(item).toMatchObject({ kind: 'poison', processId: '77', error: { code: 'ERR_ECMS_MESSAGE' } });
  });
});

describe('through the inbox worker', () => {
  let net: EcmsNetwork;
  beforeAll(async () => {
    net = await startEcmsNetwork({ seed: 41 });
  });
  afterAll(async () => {
    await net.close();
  });

  it('a letter differing from a stored one only in a second main letter is kept, not dropped as a duplicate', async () => {
    const [, b] = net.nodes;
    const org = b!.organizationId;
    const letter = sampleLetter({
      id: 'สพร 0105/881',
      sender: { ...sampleLetter().sender, departmentId: DGA },
    });
    const first = encodeGovernmentDocument({ ...letter, receiver: { departmentId: org } }).toString('utf8');
    const second = withAfter(
      first,
      '</ram:MainLetterBinaryObject>',
      `<ram:MainLetterBinaryObject mimeCode="application/pdf">${pdfBytes(90, 0x43).toString('base64')}</ram:MainLetterBinaryObject>`,
    );
    net.injectItem(org, { xml: first, senderDepartmentId: DGA });
    net.injectItem(org, { xml: second, senderDepartmentId: DGA });
    const client = new EcmsClient({ nodeUrl: b!.url, organizationId: org });
    const store = new MemoryLetterStore();
    try {
      await new EcmsInboxWorker({ client, store, autoAcknowledge: false }).runOnce();
      expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
      const kept = await store.quarantined();
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ error: { code: 'ERR_ECMS_MESSAGE' } });
      expect(net.queue(org).pending).toHaveLength(0);
    } finally {
      await client.close();
      await store.close();
    }
  });
});
