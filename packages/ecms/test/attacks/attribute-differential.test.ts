// Attack class: parser differential on attributes. The codec reads a letter through sax (xml-js), the signature
// check through xmldom. sax silently keeps the first of two attributes written with the same name, and the
// codec used to file `mimeCode` and `x:mimeCode` under one key (the last won), so a file's declared type was
// whichever copy one parser happened to keep: a signed letter whose attachment says `mimeCode="application/pdf"`
// to every namespace-aware reader (xmldom, a Java DOM, the sender's archive) was handed to the application as
// `text/plain`. The codec now refuses both shapes, as it refuses a field written twice with different text.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  encodeGovernmentDocument,
  type InboxRejectedEvent,
  MemoryLetterStore,
  verifyLetterSignature,
} from '../../src/index.js';
import { standardChain } from '../helpers/certs.js';
import { DGA, sampleLetter } from '../helpers/letters.js';
import { signLetterWith } from '../helpers/sign.js';

const TXT = Buffer.from('plain text attachment');
const letter = () => sampleLetter({ attachments: [{ mimeCode: 'application/pdf', content: TXT }] });
const ATTACHMENT = '<ram:AttachmentBinaryObject mimeCode="application/pdf"';

/** The document with `extra` written into the attachment's start tag, before or after its own mimeCode. */
function withAttachmentAttribute(xml: string, extra: string, before = false): string {
  expect(xml).toContain(ATTACHMENT);
  const edited = before ? ATTACHMENT.replace('mimeCode=', `${extra} mimeCode=`) : `${ATTACHMENT} ${extra}`;
  return xml.replace(ATTACHMENT, edited);
}

const plain = () => encodeGovernmentDocument(letter()).toString('utf8');

describe('an attribute written twice', () => {
  it('control: the attachment keeps its declared type', () => {
    expect(decodeGovernmentDocument(plain()).attachments[0]?.mimeCode).toBe('application/pdf');
  });

  for (const before of [false, true]) {
    it(`the same name twice (${before ? 'other copy first' : 'other copy last'}) is malformed XML (ERR_ECMS_XML)`, () => {
      const xml = withAttachmentAttribute(plain(), 'mimeCode="text/plain"', before);
      expect(() => decodeGovernmentDocument(xml)).toThrow(expect.objectContaining({ code: 'ERR_ECMS_XML' }));
    });
  }

  it('the same name twice with the same value is still malformed XML (xmldom refuses it too)', () => {
    const xml = withAttachmentAttribute(plain(), 'mimeCode="application/pdf"');
    expect(() => decodeGovernmentDocument(xml)).toThrow(expect.objectContaining({ code: 'ERR_ECMS_XML' }));
  });

  it('an "=" inside a quoted value is not taken for another attribute', () => {
    const xml = withAttachmentAttribute(plain(), `note="a=b" other='c="d"'`);
    expect(decodeGovernmentDocument(xml).attachments[0]?.mimeCode).toBe('application/pdf');
  });
});

describe('two spellings of one attribute', () => {
  for (const [name, extra] of [
    ['a prefixed copy after it', 'x:mimeCode="text/plain" xmlns:x="urn:x"'],
    ['a prefixed copy before it', 'xmlns:x="urn:x" x:mimeCode="text/plain"'],
    ['another case', 'MimeCode="text/plain"'],
    ['a dashed spelling', 'mime-code="text/plain"'],
  ] as const) {
    it(`${name} with another value: refused (ERR_ECMS_MESSAGE), not one of them picked`, () => {
      for (const before of [false, true]) {
        const xml = withAttachmentAttribute(plain(), extra, before);
        expect(() => decodeGovernmentDocument(xml), `${extra} before=${before}`).toThrow(
          expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
        );
      }
    });
  }

  it('two spellings with the same value are that value', () => {
    const xml = withAttachmentAttribute(plain(), 'x:mimeCode="application/pdf" xmlns:x="urn:x"');
    expect(decodeGovernmentDocument(xml).attachments[0]?.mimeCode).toBe('application/pdf');
  });
});

describe('in a signed letter', () => {
  const { root, ca, signer } = standardChain();
  const keyInfoPem = signer.pem + ca.pem;
  const signed = () => signLetterWith(signer, { letter: letter(), keyInfoPem }).toString('utf8');

  it('control: the signature verifies and the declared type is read', async () => {
    const xml = signed();
    const check = await verifyLetterSignature(xml, { policy: 'require', trustAnchors: [root.pem] });
    expect(check.status).toBe('valid');
    expect(decodeGovernmentDocument(xml).attachments[0]?.mimeCode).toBe('application/pdf');
  });

  it('a signer’s prefixed second type verifies, yet the letter is not decoded with either type', async () => {
    // The signer wrote both attributes, so the signature covers both: only the reader's choice differs.
    const letterWithTwo = encodeGovernmentDocument(letter(), { withSignatureBlock: true }).toString('utf8');
    const xml = withAttachmentAttribute(letterWithTwo, 'x:mimeCode="text/plain" xmlns:x="urn:x"');
    const resigned = signAsIs(xml);
    const check = await verifyLetterSignature(resigned, { policy: 'require', trustAnchors: [root.pem] });
    expect(check.status).toBe('valid');
    expect(() => decodeGovernmentDocument(resigned)).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
  });

  function signAsIs(xml: string): string {
    return signLetterWith(signer, { documentXml: xml, keyInfoPem }).toString('utf8');
  }
});

describe('through the inbox worker and the sandbox node', () => {
  let net: EcmsNetwork;
  let receiver: EcmsClient;
  let receiverOrg: string;
  beforeAll(async () => {
    net = await startEcmsNetwork({ seed: 23 });
    receiverOrg = net.nodes[1]!.organizationId;
    receiver = new EcmsClient({
      nodeUrl: net.nodes[1]!.url,
      organizationId: receiverOrg,
      retry: { maxRetries: 0 },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await net?.close();
  });

  it('letters with an ambiguous attribute are kept as poison and dequeued, not stored with a guessed type', async () => {
    const cases: [string, string][] = [
      [withAttachmentAttribute(plain(), 'mimeCode="text/plain"', true), 'ERR_ECMS_XML'],
      [withAttachmentAttribute(plain(), 'x:mimeCode="text/plain" xmlns:x="urn:x"'), 'ERR_ECMS_MESSAGE'],
    ];
    const ids = cases.map(([xml]) =>
      net.injectItem(receiverOrg, {
        xml,
        letterId: 'สพร 0105/1234',
        correspondenceDate: '2026-11-27',
        senderDepartmentId: DGA,
      }),
    );
    const store = new MemoryLetterStore();
    const rejected: InboxRejectedEvent[] = [];
    const worker = new EcmsInboxWorker({ client: receiver, store, onRejected: (e) => void rejected.push(e) });
    expect(await worker.runOnce()).toBe(cases.length);
    expect(await store.list({ direction: 'inbound' })).toEqual([]);
    const kept = await store.quarantined();
    expect(kept.map((q) => [q.processId, q.error.code])).toEqual(ids.map((id, i) => [id, cases[i]![1]]));
    expect(net.queue(receiverOrg).pending).toEqual([]);
    expect(rejected).toHaveLength(cases.length);
  });
});
