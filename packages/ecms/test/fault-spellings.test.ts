// A fault is the node's verdict whatever its HTTP status: a body the decoders read as an ErrorDetail or a SOAP
// Fault at HTTP 200 is the same fault at HTTP 500. The status-500 path used to look for the element names with a
// case-sensitive byte search over ASCII bytes, so a fault in UTF-16 (.NET textMessageEncoding), or spelled the
// way the decoders' tolerant name fold accepts (`errorDetail` as JAXB names a bean, `soap:fault`), became a
// bare HTTP 500: retried, its node code lost, and a send the node had refused taken for one of unknown outcome.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsFaultError, EcmsOutbox, MemoryLetterStore } from '../src/index.js';
import { DGA, DOPA, sampleLetter } from './helpers/letters.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

const envelope = (body: string, ns = SOAP11, encoding = 'utf-8') =>
  `<?xml version="1.0" encoding="${encoding}"?><S:Envelope xmlns:S="${ns}"><S:Body>${body}</S:Body></S:Envelope>`;

const ERROR_DETAIL =
  '<ErrorDetail><ErrorCode>E_RECEIVER</ErrorCode><ErrorDescription>ไม่พบหน่วยงานผู้รับ</ErrorDescription></ErrorDetail>';

function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
function utf16be(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
}

interface FaultCase {
  name: string;
  type: string;
  body: Buffer;
  nodeCode: string;
  soapFault: boolean;
}

const CASES: FaultCase[] = [
  {
    name: 'an ErrorDetail in UTF-16LE with a byte-order mark',
    type: 'text/xml; charset=utf-16',
    body: utf16le(envelope(ERROR_DETAIL, SOAP11, 'utf-16')),
    nodeCode: 'E_RECEIVER',
    soapFault: false,
  },
  {
    name: 'a SOAP 1.1 Client fault in UTF-16BE with a byte-order mark',
    type: 'text/xml',
    body: utf16be(
      envelope(
        '<S:Fault><faultcode>S:Client</faultcode><faultstring>bad request</faultstring></S:Fault>',
        SOAP11,
        'utf-16',
      ),
    ),
    nodeCode: 'S:Client',
    soapFault: true,
  },
  {
    name: 'an errorDetail as JAXB spells it',
    type: 'text/xml; charset=utf-8',
    body: Buffer.from(
      envelope(
        '<errorDetail><errorCode>E_RECEIVER</errorCode><errorDescription>no receiver</errorDescription></errorDetail>',
      ),
    ),
    nodeCode: 'E_RECEIVER',
    soapFault: false,
  },
  {
    name: 'a SOAP 1.2 fault element spelled in lower case',
    type: 'application/soap+xml; charset=utf-8',
    body: Buffer.from(
      envelope(
        '<S:fault><S:Code><S:Value>S:Sender</S:Value></S:Code><S:Reason><S:Text xml:lang="en">bad</S:Text></S:Reason></S:fault>',
        SOAP12,
      ),
    ),
    nodeCode: 'S:Sender',
    soapFault: true,
  },
];

let server: Server;
let url: string;
let answer: { status: number; type: string; body: Buffer };
let requests: string[] = [];

const ORGANIZATIONS = () =>
  envelope(
    `<GetOrganizationListResponse><OrganizationList><OrganizationID>${DOPA}</OrganizationID><ECMS-URL>${url}</ECMS-URL></OrganizationList></GetOrganizationListResponse>`,
  );

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = Buffer.concat(chunks).toString('utf8');
      requests.push(request);
      const reply = request.includes('GetOrganizationList')
        ? { status: 200, type: 'text/xml; charset=utf-8', body: Buffer.from(ORGANIZATIONS()) }
        : answer;
      res.writeHead(reply.status, { 'content-type': reply.type, 'content-length': reply.body.length });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ecms-ws01/service2`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests = [];
});

const client = () =>
  new EcmsClient({
    nodeUrl: url,
    organizationId: DGA,
    retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 2 },
  });

describe('a fault at HTTP 500 is read as the decoders read it at HTTP 200', () => {
  for (const c of CASES) {
    it(`${c.name}: ERR_ECMS_FAULT with the node code at HTTP 500 and 200, never retried`, async () => {
      const ecms = client();
      try {
        for (const status of [500, 200]) {
          answer = { status, type: c.type, body: c.body };
          requests = [];
          const err = await ecms.fetchNext().catch((e: unknown) => e);
          expect(err, `HTTP ${status}`).toBeInstanceOf(EcmsFaultError);
          expect(err, `HTTP ${status}`).toMatchObject({
            code: 'ERR_ECMS_FAULT',
            nodeCode: c.nodeCode,
            soapFault: c.soapFault,
            retryable: false,
          });
          // A fault is the node's answer to this request: asking again gets the same answer.
          expect(requests, `HTTP ${status}`).toHaveLength(1);
        }
        answer = { status: 500, type: c.type, body: c.body };
        const err = await ecms.dequeue('P1').catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'ERR_ECMS_FAULT', statusCode: 500, operation: 'dequeue' });
      } finally {
        await ecms.close();
      }
    });
  }

  it('a 500 that is no SOAP message (a proxy’s HTML page) is still the HTTP error, and retried', async () => {
    const ecms = client();
    try {
      answer = {
        status: 500,
        type: 'text/html; charset=utf-8',
        body: Buffer.from('<html><body><h1>Fault</h1><p>ErrorDetail</p></body></html>'),
      };
      await expect(ecms.fetchNext()).rejects.toMatchObject({ code: 'ERR_HTTP', statusCode: 500 });
      expect(requests).toHaveLength(3);
    } finally {
      await ecms.close();
    }
  });
});

describe('through the outbox: the node refused the letter at HTTP 500', () => {
  it('the letter is failed with the node’s code after one send, not left of unknown outcome', async () => {
    const ecms = client();
    const store = new MemoryLetterStore();
    const outbox = new EcmsOutbox({ client: ecms, store, absenceRecheckDelayInMs: 0 });
    try {
      answer = { status: 500, type: 'text/xml; charset=utf-16', body: CASES[0]!.body };
      const err = await outbox.submit(sampleLetter({ id: 'สพร 9/500' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E_RECEIVER', statusCode: 500 });
      const [record] = await store.list({ direction: 'outbound' });
      expect(record).toMatchObject({ state: 'failed', lastError: 'ERR_ECMS_FAULT' });
      expect(requests.filter((r) => r.includes('CorrespondenceLetterOutboundRequest'))).toHaveLength(1);
      expect(requests.filter((r) => r.includes('OutboundStatusRequest'))).toHaveLength(0);
    } finally {
      await ecms.close();
    }
  });
});
