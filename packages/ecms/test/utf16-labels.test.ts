// `<?xml version="1.0" encoding="utf-16"?>` on bytes that are UTF-8: what a .NET service writes when it
// serialises through a StringWriter (whose encoding is UTF-16) and sends the string as UTF-8. A UTF-16 document
// starts with a byte-order mark (XML 1.0 §4.3.3) and its declaration cannot be read as ASCII bytes, so a
// declaration read that way that names UTF-16 describes characters, not these bytes (libxml2 reads such a document
// as the 8-bit encoding it is, too). It was taken at its word: the answer was refused as a whole (an inbox that
// cannot get past it) or decoded as UTF-16 into nothing.
// And an answer that is UTF-16 (by its byte-order mark or its charset) whose item cannot be decoded: the ProcessID
// was looked for in its bytes read as Latin-1, where UTF-16 markup is not legible, so the item could be neither
// used nor dequeued and the whole fetch failed at every poll.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInboundResponse, decodeTimeCheckResponse } from '../src/codec.js';
import { decodeGovernmentDocument, EcmsClient, encodeGovernmentDocument } from '../src/index.js';
import { DGA, sampleLetter } from './helpers/letters.js';

const letter = sampleLetter({ id: 'สพร 0105/16', subject: 'แจ้งผลการประชุม “ครั้งที่ ๑”' });
const documentXml = encodeGovernmentDocument(letter)
  .toString('utf8')
  .replace(/^<\?xml[^>]*\?>/, '');

const inbound = (encoding: string) =>
  `<?xml version="1.0" encoding="${encoding}"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CorrespondenceLetterInboundResponse><ProcessID>P-16</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${documentXml}</CorrespondenceLetterInboundResponse></soap:Body></soap:Envelope>`;

const LABELS = ['utf-16', 'UTF-16', 'utf-16le', 'UTF-16BE', 'unicode'];

describe('a declaration naming UTF-16 on bytes without a UTF-16 byte-order mark', () => {
  it('the codec reads the UTF-8 it is, Thai text intact', () => {
    for (const label of LABELS) {
      const item = decodeInboundResponse(Buffer.from(inbound(label), 'utf8'));
      expect(item?.kind, label).toBe('letter');
      if (item?.kind !== 'letter') continue;
      expect(item.letter.id, label).toBe(letter.id);
      expect(item.letter.subject, label).toBe(letter.subject);
      const standalone = Buffer.from(`<?xml version="1.0" encoding="${label}"?>${documentXml}`, 'utf8');
      expect(decodeGovernmentDocument(standalone).subject, label).toBe(letter.subject);
    }
  });

  it('with a Content-Type that says UTF-8 the declaration does not make the answer a disagreement', () => {
    const item = decodeInboundResponse(Buffer.from(inbound('utf-16'), 'utf8'), {
      contentType: 'text/xml; charset=utf-8',
    });
    expect(item).toMatchObject({ kind: 'letter', processId: 'P-16', letter: { subject: letter.subject } });
  });

  it('bytes that are not UTF-8 either are still refused (typed), never decoded as something else', () => {
    const latin = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="utf-16"?><S:Envelope xmlns:S="x"><S:Body><ECMSTime>'),
      Buffer.from([0xe1, 0xa8]),
      Buffer.from('</ECMSTime></S:Body></S:Envelope>'),
    ]);
    expect(() => decodeTimeCheckResponse(latin)).toThrow(expect.objectContaining({ code: 'ERR_ECMS_XML' }));
  });

  it('real UTF-16 (with its byte-order mark) still reads, in either byte order', () => {
    const text = inbound('utf-16');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    for (const [name, bytes] of [
      ['LE', le],
      ['BE', be],
    ] as const) {
      const item = decodeInboundResponse(bytes);
      expect(item?.kind, name).toBe('letter');
      if (item?.kind === 'letter') expect(item.letter.subject, name).toBe(letter.subject);
    }
  });
});

describe('an item in a UTF-16 answer that cannot be decoded', () => {
  const withBom = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  // A control character XML forbids, inside the letter (the envelope around it is sound).
  const forbidden = () => withBom(inbound('utf-16').replace(letter.subject, `${letter.subject}\u0001`));
  // A lone surrogate: bytes that are not UTF-16 text at all.
  function unpaired(): Buffer {
    const bytes = withBom(inbound('utf-16'));
    const at = bytes.indexOf(Buffer.from(letter.subject, 'utf16le'));
    return Buffer.concat([bytes.subarray(0, at), Buffer.from([0x00, 0xd8]), bytes.subarray(at)]);
  }

  it('is a poison item with its ProcessID (kept, dequeued), not an answer that blocks the queue', () => {
    for (const [name, bytes] of [
      ['forbidden character', forbidden()],
      ['lone surrogate', unpaired()],
      [
        'big-endian, forbidden character',
        Buffer.concat([Buffer.from([0xfe, 0xff]), forbidden().subarray(2).swap16()]),
      ],
    ] as const) {
      const item = decodeInboundResponse(bytes);
      expect(item, name).toMatchObject({
        kind: 'poison',
        processId: 'P-16',
        error: { code: 'ERR_ECMS_XML' },
      });
    }
  });

  it('an answer whose ProcessID cannot be told still throws (nothing is dequeued on a guess)', () => {
    const twice = withBom(
      inbound('utf-16')
        .replace('<ProcessTime>', '<ProcessID>P-17</ProcessID><ProcessTime>')
        .replace(letter.subject, `${letter.subject}\u0001`),
    );
    expect(() => decodeInboundResponse(twice)).toThrow(expect.objectContaining({ code: 'ERR_ECMS_XML' }));
  });
});

describe('through the client (127.0.0.1 node answering in that shape)', () => {
  let server: Server;
  let url: string;
  let type = 'text/xml; charset=utf-8';
  let answer = () => Buffer.from(inbound('utf-16'), 'utf8');
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = answer();
        res.writeHead(200, { 'content-type': type, 'content-length': body.length });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ecms-ws01/service2`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('fetchNext returns the letter, with charset=utf-8 and without a charset', async () => {
    const client = new EcmsClient({ nodeUrl: url, organizationId: DGA, retry: { maxRetries: 0 } });
    try {
      for (const t of ['text/xml; charset=utf-8', 'text/xml']) {
        type = t;
        const { item } = await client.fetchNext();
        expect(item, t).toMatchObject({
          kind: 'letter',
          processId: 'P-16',
          letter: { id: letter.id, subject: letter.subject },
        });
      }
    } finally {
      await client.close();
    }
  });

  it('a UTF-16 answer (charset=utf-16, no byte-order mark) whose letter is unreadable gives a poison item', async () => {
    const client = new EcmsClient({ nodeUrl: url, organizationId: DGA, retry: { maxRetries: 0 } });
    try {
      type = 'text/xml; charset=utf-16';
      answer = () =>
        Buffer.from(inbound('utf-16').replace(letter.subject, `${letter.subject}\u0001`), 'utf16le');
      const { item } = await client.fetchNext();
      expect(item).toMatchObject({ kind: 'poison', processId: 'P-16', error: { code: 'ERR_ECMS_XML' } });
    } finally {
      await client.close();
    }
  });
});
