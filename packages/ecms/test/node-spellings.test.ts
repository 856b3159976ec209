// Spellings real e-CMS nodes and other agencies' saraban clients send, beyond node-profiles.test.ts: each is
// read, or refused with a typed error; an item is never taken for an empty queue.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeInboundResponse, decodeNotifierResponse } from '../src/codec.js';
import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  type InboxRejectedEvent,
  MemoryLetterStore,
} from '../src/index.js';
import { unpackMultipart } from '../src/xml/mtom.js';
import { DGA, DOPA, sampleLetter } from './helpers/letters.js';

const GD = 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0';
const RAM = 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1';

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>${body}</S:Body></S:Envelope>`;
}

function letterXml(o: { date?: string; speed?: string; secret?: string; extra?: string } = {}): string {
  return `<rsm:GovernmentDocument xmlns:rsm="${GD}" xmlns:ram="${RAM}"><ram:CorrespondenceLetter ID="Letter"><ram:ID>มท 0309/77</ram:ID><ram:CorrespondenceDate>${o.date ?? '2026-11-20'}</ram:CorrespondenceDate><ram:Subject>แจ้งผล</ram:Subject><ram:SecretCode>${o.secret ?? '1'}</ram:SecretCode><ram:SpeedCode>${o.speed ?? '1'}</ram:SpeedCode><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${DOPA}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty>${o.extra ?? ''}<ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQKJeLjz9M=</ram:MainLetterBinaryObject></ram:CorrespondenceLetter></rsm:GovernmentDocument>`;
}

const FUTURE_ITEM =
  '<ForwardLetterNotifier><LetterID>มท 0309/77</LetterID><CorrespondenceDate>2026-11-20</CorrespondenceDate><Subject>แจ้งผล</Subject></ForwardLetterNotifier>';

describe('an item of a kind the SDK does not know (a future notifier)', () => {
  it('is a poison item with its ProcessID, not an empty queue', () => {
    const item = decodeInboundResponse(
      envelope(
        `<CorrespondenceLetterInboundResponse><ProcessID>P7</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${FUTURE_ITEM}</CorrespondenceLetterInboundResponse>`,
      ),
    );
    expect(item).toMatchObject({ kind: 'poison', processId: 'P7', element: 'ForwardLetterNotifier' });
    if (item?.kind !== 'poison') return;
    expect(item.error.code).toBe('ERR_ECMS_MESSAGE');
  });

  it('an empty queue is still empty, however the node spells it', () => {
    for (const inner of [
      '',
      '  ',
      '<ProcessID/>',
      '<ProcessID></ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>',
      '<ProcessID/><ProcessTime/>',
    ]) {
      const xml = envelope(
        `<CorrespondenceLetterInboundResponse>${inner}</CorrespondenceLetterInboundResponse>`,
      );
      expect(decodeInboundResponse(xml), inner).toBeNull();
    }
    expect(decodeInboundResponse(envelope('<CorrespondenceLetterInboundResponse/>'))).toBeNull();
  });

  describe('through the inbox worker', () => {
    let net: EcmsNetwork;
    let receiver: EcmsClient;
    let receiverOrg: string;
    beforeEach(async () => {
      net = await startEcmsNetwork({ seed: 23 });
      receiverOrg = net.nodes[1]!.organizationId;
      receiver = new EcmsClient({
        nodeUrl: net.nodes[1]!.url,
        organizationId: receiverOrg,
        retry: { maxRetries: 0 },
      });
    });
    afterEach(async () => {
      await receiver.close();
      await net.close();
    });

    it('is kept as evidence and reported, and the letter behind it arrives', async () => {
      const sender = new EcmsClient({
        nodeUrl: net.nodes[0]!.url,
        organizationId: net.nodes[0]!.organizationId,
      });
      try {
        const futureId = net.injectItem(receiverOrg, { xml: FUTURE_ITEM, kind: 'receive' });
        await sender.sendLetter(sampleLetter({ id: 'สพร 9/1' }));
        const store = new MemoryLetterStore();
        const rejected: InboxRejectedEvent[] = [];
        const worker = new EcmsInboxWorker({
          client: receiver,
          store,
          batchSize: 10,
          onRejected: (e) => {
            rejected.push(e);
          },
        });
        expect(await worker.runOnce()).toBe(2);
        const kept = await store.quarantined();
        expect(kept.map((q) => [q.processId, q.element])).toEqual([[futureId, 'ForwardLetterNotifier']]);
        expect(Buffer.from(kept[0]!.xml).toString('utf8')).toContain(FUTURE_ITEM);
        expect(rejected.map((r) => r.quarantined.processId)).toEqual([futureId]);
        const letters = await store.list({ direction: 'inbound' });
        expect(letters.map((l) => l.letterId)).toEqual(['สพร 9/1']);
      } finally {
        await sender.close();
      }
    });
  });
});

describe('envelopes as other SOAP stacks write them', () => {
  it('a BOM, CRLF, WS-Addressing and WS-Security headers with mustUnderstand, comments around the Body child', () => {
    const header =
      '<S:Header><wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing" S:mustUnderstand="1">x</wsa:Action><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" S:mustUnderstand="1"><wsu:Timestamp xmlns:wsu="urn:wsu"><wsu:Created>2026-11-27T03:00:00Z</wsu:Created></wsu:Timestamp></wsse:Security></S:Header>';
    const xml = envelope(
      `\r\n  <!-- queue head -->\r\n<CorrespondenceLetterInboundResponse><ProcessID>P2</ProcessID>\r\n<ProcessTime>2026-11-27T10:00:00.123Z</ProcessTime>${letterXml()}</CorrespondenceLetterInboundResponse><!-- end -->\r\n`,
    ).replace('<S:Body>', `${header}<S:Body>`);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml.replace(/></g, '>\r\n<'))]);
    const item = decodeInboundResponse(bytes);
    expect(item).toMatchObject({ kind: 'letter', processId: 'P2' });
    const unprefixed = `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><CorrespondenceLetterInboundResponse xmlns=""><ProcessID>P3</ProcessID>${letterXml()}</CorrespondenceLetterInboundResponse></Body></Envelope>`;
    expect(decodeInboundResponse(unprefixed)).toMatchObject({ kind: 'letter', processId: 'P3' });
  });
});

describe('the node reports an error inside the response element', () => {
  it('an ErrorDetail beside ProcessID is ERR_ECMS_FAULT, not an empty queue', () => {
    const xml = envelope(
      '<CorrespondenceLetterInboundResponse><ErrorDetail><ErrorCode>E042</ErrorCode><ErrorDescription>queue unavailable</ErrorDescription></ErrorDetail></CorrespondenceLetterInboundResponse>',
    );
    expect(() => decodeInboundResponse(xml)).toThrowError(
      expect.objectContaining({ code: 'ERR_ECMS_FAULT', nodeCode: 'E042' }),
    );
    const ack = envelope(
      '<CorrespondenceLetterOutboundResponse><ErrorDetail><ErrorCode>E043</ErrorCode><ErrorDescription>x</ErrorDescription></ErrorDetail></CorrespondenceLetterOutboundResponse>',
    );
    expect(() => decodeNotifierResponse(ack)).toThrowError(
      expect.objectContaining({ code: 'ERR_ECMS_FAULT', nodeCode: 'E043' }),
    );
  });
});

describe('letter fields as other saraban clients write them', () => {
  it('an empty <ReferenceCorrespondence/> (a template with nothing referred to) is no reference', () => {
    const letter = decodeGovernmentDocument(
      letterXml({
        extra:
          '<ram:ReferenceCorrespondence/><ram:ReferenceCorrespondence><ram:ID/><ram:CorrespondenceDate/><ram:Subject></ram:Subject></ram:ReferenceCorrespondence><ram:Attachment/><ram:Description/>',
      }),
    );
    expect(letter.references).toEqual([]);
    expect(letter.subject).toBe('แจ้งผล');
  });

  it('a reference with only some fields is still refused (typed)', () => {
    expect(() =>
      decodeGovernmentDocument(
        letterXml({
          extra: '<ram:ReferenceCorrespondence><ram:ID>มท 1/2</ram:ID></ram:ReferenceCorrespondence>',
        }),
      ),
    ).toThrowError(expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }));
  });

  it('xs:date with a zone, as Java and .NET serialisers write it, is the date as written', () => {
    expect(decodeGovernmentDocument(letterXml({ date: '2026-11-27+07:00' })).correspondenceDate).toBe(
      '2026-11-27',
    );
    expect(decodeGovernmentDocument(letterXml({ date: '2026-11-27Z' })).correspondenceDate).toBe(
      '2026-11-27',
    );
    expect(decodeGovernmentDocument(letterXml({ date: '2569-11-27+0700' })).correspondenceDate).toBe(
      '2026-11-27',
    );
    expect(() => decodeGovernmentDocument(letterXml({ date: '2026-11-27+25:00' }))).toThrowError(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
  });

  it('speed and secrecy written as their Thai names map to the named values', () => {
    const cases: [speed: string, secret: string, expected: [string, string]][] = [
      ['ปกติ', 'ปกติ', ['normal', 'normal']],
      ['ด่วน', 'ลับ', ['urgent', 'confidential']],
      ['ด่วนมาก', 'ลับมาก', ['very_urgent', 'secret']],
      ['ด่วนที่สุด', 'ลับเฉพาะบุคคล', ['most_urgent', 'personal']],
    ];
    for (const [speed, secret, [sp, se]] of cases) {
      const l = decodeGovernmentDocument(letterXml({ speed, secret }));
      expect([l.speed, l.secrecy], `${speed}/${secret}`).toEqual([sp, se]);
    }
    expect(() => decodeGovernmentDocument(letterXml({ speed: 'เร็ว' }))).toThrowError(
      expect.objectContaining({ code: 'ERR_ECMS_CODE' }),
    );
  });
});

describe('answers on the wire as other nodes send them (127.0.0.1 server)', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; type: string; body: Buffer; chunked?: boolean } = {
    status: 200,
    type: 'text/xml',
    body: Buffer.alloc(0),
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const headers: Record<string, string | number> = { 'content-type': answer.type };
        if (!answer.chunked) headers['content-length'] = answer.body.length;
        res.writeHead(answer.status, headers);
        if (answer.chunked) {
          const mid = answer.body.length >> 1;
          res.write(answer.body.subarray(0, mid));
          res.end(answer.body.subarray(mid));
        } else res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ecms-ws01/service2`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  const client = () => new EcmsClient({ nodeUrl: url, organizationId: DGA, retry: { maxRetries: 0 } });
  const TIME = envelope('<TimeCheckResponse><ECMSTime>2026-11-27T17:00:00</ECMSTime></TimeCheckResponse>');

  it('text/xml;charset=UTF-8, application/soap+xml and chunked answers are read', async () => {
    const c = client();
    try {
      for (const [type, chunked] of [
        ['text/xml;charset=UTF-8', false],
        ['application/soap+xml; charset=utf-8; action="x"', false],
        ['text/xml; charset=utf-8', true],
      ] as const) {
        answer = { status: 200, type, body: Buffer.from(TIME), chunked };
        const t = await c.timeCheck();
        expect(t.nodeTime.toISOString(), type).toBe('2026-11-27T10:00:00.000Z');
      }
    } finally {
      await c.close();
    }
  });

  it('a SOAP Fault is ERR_ECMS_FAULT with HTTP 500 and with HTTP 200', async () => {
    const c = client();
    try {
      for (const status of [500, 200]) {
        answer = {
          status,
          type: 'text/xml; charset=utf-8',
          body: Buffer.from(
            envelope(
              '<S:Fault><faultcode>S:Server</faultcode><faultstring>queue down</faultstring></S:Fault>',
            ),
          ),
        };
        await expect(c.fetchNext(), String(status)).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT' });
      }
    } finally {
      await c.close();
    }
  });

  it('an MTOM (multipart/related) answer from a Java node is read from its root part, XOP parts inlined', async () => {
    const pdf = Buffer.from('%PDF-1.4 the main letter\n%%EOF');
    const boundary = 'uuid:0f3a-boundary';
    const letter = letterXml().replace(
      'JVBERi0xLjQKJeLjz9M=',
      '<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:main-letter@ecms"/>',
    );
    const root = envelope(
      `<CorrespondenceLetterInboundResponse><ProcessID>P-MTOM</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${letter}</CorrespondenceLetterInboundResponse>`,
    );
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n${root}\r\n--${boundary}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <main-letter@ecms>\r\n\r\n`,
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    answer = {
      status: 200,
      type: `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<root.message@cxf.apache.org>"; start-info="text/xml"`,
      body,
    };
    const c = client();
    try {
      const { item } = await c.fetchNext();
      expect(item?.kind).toBe('letter');
      if (item?.kind !== 'letter') return;
      expect(item.processId).toBe('P-MTOM');
      expect(Buffer.compare(item.letter.mainLetter.content, pdf)).toBe(0);
      // The same answer with the root part alone (nothing optimised) reads too.
      answer = {
        status: 200,
        type: `multipart/related; type="application/xop+xml"; boundary=${boundary}`,
        body: Buffer.from(
          `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n\r\n${TIME}\r\n--${boundary}--\r\n`,
        ),
      };
      expect((await c.timeCheck()).nodeTime.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    } finally {
      await c.close();
    }
  });

  it('an MTOM answer that refers to a part it does not carry is a typed error', async () => {
    const boundary = 'b1';
    const letter = letterXml().replace(
      'JVBERi0xLjQKJeLjz9M=',
      '<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:missing@ecms"/>',
    );
    const root = envelope(
      `<CorrespondenceLetterInboundResponse><ProcessID>P-X</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${letter}</CorrespondenceLetterInboundResponse>`,
    );
    answer = {
      status: 200,
      type: `multipart/related; boundary=${boundary}`,
      body: Buffer.from(
        `--${boundary}\r\nContent-Type: application/xop+xml\r\n\r\n${root}\r\n--${boundary}--`,
      ),
    };
    const c = client();
    try {
      // Refused as a whole answer (nothing dequeued), never a letter without its content.
      await expect(c.fetchNext()).rejects.toMatchObject({ code: 'ERR_ECMS_XML' });
    } finally {
      await c.close();
    }
  });
});

describe('unpackMultipart (MTOM/XOP)', () => {
  const mp = (parts: string[], boundary = 'B') =>
    Buffer.from(
      `preamble\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\nepilogue`,
    );

  it('leaves other answers alone, keeps the root charset, inlines start-tag/end-tag Includes', () => {
    const plain = Buffer.from('<a/>');
    expect(unpackMultipart(plain, 'text/xml').body).toBe(plain);
    const out = unpackMultipart(
      mp([
        'Content-Type: application/xop+xml; charset=windows-874\r\n\r\n<r><x:Include xmlns:x="http://www.w3.org/2004/08/xop/include" href="cid:a%40b"></x:Include><Include>text</Include></r>',
        'Content-ID: <a@b>\r\n\r\nhello',
      ]),
      'multipart/related; boundary=B',
    );
    expect(Buffer.from(out.body).toString()).toBe(
      `<r>${Buffer.from('hello').toString('base64')}<Include>text</Include></r>`,
    );
    expect(out.contentType).toBe('text/xml; charset=windows-874');
    // A part without header lines is its content.
    expect(
      Buffer.from(unpackMultipart(mp(['\r\n<a/>']), 'multipart/related; boundary="B"').body).toString(),
    ).toBe('<a/>');
  });

  it('refuses what it cannot read with ERR_ECMS_XML', () => {
    for (const [body, type] of [
      [mp(['\r\n<a/>']), 'multipart/related'],
      [mp(['\r\n<a/>']), 'multipart/related; boundary=C'],
      [Buffer.from('--B\r\n\r\n<a/>'), 'multipart/related; boundary=B'],
      [mp(['\r\n<a/>']), 'multipart/related; boundary=B; start="<nope>"'],
      [mp(['Content-Transfer-Encoding: quoted-printable\r\n\r\n<a/>']), 'multipart/related; boundary=B'],
    ] as const) {
      expect(() => unpackMultipart(body, type), type).toThrowError(
        expect.objectContaining({ code: 'ERR_ECMS_XML' }),
      );
    }
  });
});
