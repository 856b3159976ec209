// Delivery fidelity against the shapes real nodes answer with: a dequeue the node refuses, answers in TIS-620,
// a ProcessID the node reuses for another letter, a generic SOAP Server fault on a send, an empty attachment
// element, SOAP 1.2 faults and fault tags written with whitespace. Each runs against a real HTTP server on
// 127.0.0.1 that plays the node (a queue with explicit dequeue, as the e-CMS node keeps it).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  encodeGovernmentDocument,
  type LetterInput,
  MemoryLetterStore,
  signGovernmentDocument,
} from '../src/index.js';
import { standardChain, type TestCert } from './helpers/certs.js';
import { DGA, DOPA, sampleLetter } from './helpers/letters.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

interface Reply {
  status?: number;
  body: string | Buffer;
  type?: string;
}
type Handler = (op: string, body: string) => Reply | undefined | Promise<Reply | undefined>;

interface StubNode {
  url: string;
  ops: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 answering each SOAP operation (the Body's first element) through `handler`. */
async function stubNode(handler: Handler): Promise<StubNode> {
  const ops: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const op = /<(?:[\w-]+:)?([\w-]+)[\s>/]/.exec(body.slice(body.search(/Body>/) + 5))?.[1] ?? '';
      ops.push(op);
      const r = (await handler(op, body)) ?? {
        status: 500,
        body: env(
          `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>unhandled ${op}</faultstring></soap:Fault>`,
        ),
      };
      res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/xml; charset=utf-8' });
      res.end(r.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ecms-ws01/service2`,
    ops,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** A client of the receiving department against a stub node, both closed after `use`. */
async function withReceiver(handler: Handler, use: (client: EcmsClient, node: StubNode) => Promise<void>) {
  const node = await stubNode(handler);
  const client = receiverClient(node.url);
  try {
    await use(client, node);
  } finally {
    await client.close();
    await node.close();
  }
}

const env = (inner: string, decl = 'utf-8') =>
  `<?xml version="1.0" encoding="${decl}"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
const inbound = (pid: string, item: string, decl = 'utf-8') =>
  env(
    `<CorrespondenceLetterInboundResponse><ProcessID>${pid}</ProcessID><ProcessTime>2026-12-05T10:00:00</ProcessTime>${item}</CorrespondenceLetterInboundResponse>`,
    decl,
  );
const withoutDeclaration = (xml: Buffer | string) => xml.toString().replace(/^<\?xml[^>]*\?>/, '');
const docXml = (over: Partial<LetterInput> = {}) =>
  withoutDeclaration(encodeGovernmentDocument(sampleLetter({ attachments: [], ...over })));
const orgList = env(
  `<GetOrganizationListResponse>${[DGA, DOPA, '2100000001']
    .map(
      (id) =>
        `<OrganizationList><OrganizationID>${id}</OrganizationID><ECMS-URL>http://127.0.0.1:9/ecms-ws01/service2</ECMS-URL></OrganizationList>`,
    )
    .join('')}</GetOrganizationListResponse>`,
);
const errorDetail = (code: string, text: string) =>
  env(
    `<ErrorDetail><ErrorCode>${code}</ErrorCode><ErrorDescription>${text}</ErrorDescription></ErrorDetail>`,
  );

/** Thai text in TIS-620 (U+0E01–U+0E5B ↔ 0xA1–0xFB; ASCII as is). */
function tis620(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const cp = ch.codePointAt(0) as number;
      if (cp < 0x80) return cp;
      if (cp >= 0xe01 && cp <= 0xe5b) return cp - 0xe01 + 0xa1;
      throw new Error(`not in TIS-620: U+${cp.toString(16)}`);
    }),
  );
}

interface QueueItem {
  pid: string;
  xml: string;
}

/** The receiver's own node: a FIFO queue (fetch returns the head, delete removes by ProcessID), plus notifiers. */
async function queueNode(
  items: QueueItem[],
  refuseDelete: (pid: string) => Reply | undefined = () => undefined,
): Promise<StubNode & { notifiers: string[] }> {
  const notifiers: string[] = [];
  const node = await stubNode((op, body) => {
    if (op === 'CorrespondenceLetterInboundRequest') {
      const head = items[0];
      return { body: head ? inbound(head.pid, head.xml) : env('<CorrespondenceLetterInboundResponse/>') };
    }
    if (op === 'CorrespondenceLetterDeleteRequest') {
      const pid = /<ProcessID>([^<]*)</.exec(body)?.[1] ?? '';
      const refused = refuseDelete(pid);
      if (refused) return refused;
      const i = items.findIndex((x) => x.pid === pid);
      if (i < 0) return { body: errorDetail('E404', 'not found') };
      items.splice(i, 1);
      return {
        body: env(
          `<CorrespondenceLetterDeleteResponse><ProcessID>${pid}</ProcessID><ProcessTime>t</ProcessTime></CorrespondenceLetterDeleteResponse>`,
        ),
      };
    }
    if (op === 'GetOrganizationList') return { body: orgList };
    if (op === 'CorrespondenceLetterOutboundRequest') {
      notifiers.push(body);
      return {
        body: env(
          `<CorrespondenceLetterOutboundResponse><ProcessID>N${notifiers.length}</ProcessID><ProcessTime>t</ProcessTime></CorrespondenceLetterOutboundResponse>`,
        ),
      };
    }
    return undefined;
  });
  return { ...node, notifiers };
}

const receiverClient = (url: string) =>
  new EcmsClient({ nodeUrl: url, organizationId: DOPA, retry: { maxRetries: 0 } });

const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;

describe('a dequeue the node refuses is not taken as done', () => {
  it('the refusal surfaces, the letter stays stored (not acknowledged), nothing behind it is skipped, and it finishes once the node accepts', async () => {
    let refusing = true;
    const items = [
      { pid: 'P1', xml: docXml({ id: 'นร 0105/1', subject: 'ก' }) },
      { pid: 'P2', xml: docXml({ id: 'นร 0105/2', subject: 'ข' }) },
    ];
    const node = await queueNode(items, (pid) =>
      refusing && pid === 'P1' ? { body: errorDetail('E500', 'database is busy, try again') } : undefined,
    );
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const seen: string[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store,
      autoRegister: false,
      onLetter: ({ letter }) => {
        seen.push(letter.id);
      },
    });
    try {
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E500' });
      const [first, ...others] = await store.list({ direction: 'inbound' });
      expect(others).toEqual([]);
      expect(first).toMatchObject({ letterId: 'นร 0105/1', processId: 'P1', state: 'stored' });
      expect(seen).toEqual([]);
      expect(node.notifiers).toEqual([]); // no receipt for a letter still in the node's queue
      expect(count(node.ops, 'CorrespondenceLetterInboundRequest')).toBe(2);

      // Still refused on the next poll: the same error, still stored.
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT' });
      expect((await store.findByProcessId('P1'))?.state).toBe('stored');

      refusing = false;
      await worker.runOnce();
      const states = (await store.list({ direction: 'inbound' })).map((r) => `${r.processId}:${r.state}`);
      expect(states.sort()).toEqual(['P1:acknowledged', 'P2:acknowledged']);
      expect(seen).toEqual(['นร 0105/1', 'นร 0105/2']);
      expect(items).toEqual([]);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a refused dequeue of a notifier is tried again on the next poll, and the queue moves on once it succeeds', async () => {
    let refusing = true;
    const items = [
      {
        pid: 'N1',
        xml: '<ReceiveLetterNotifier><LetterID>นร 0105/7</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>ก</Subject></ReceiveLetterNotifier>',
      },
      { pid: 'P2', xml: docXml({ id: 'นร 0105/8' }) },
    ];
    const node = await queueNode(items, (pid) =>
      refusing && pid === 'N1' ? { body: errorDetail('E500', 'database is busy') } : undefined,
    );
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const worker = new EcmsInboxWorker({ client, store, autoRegister: false });
    try {
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E500' });
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E500' });
      expect(await store.list({ direction: 'inbound' })).toEqual([]);
      refusing = false;
      expect(await worker.runOnce()).toBe(2);
      expect(items).toEqual([]);
      expect((await store.list({ direction: 'inbound' })).map((r) => r.state)).toEqual(['acknowledged']);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('an item that comes back after a dequeue the node acknowledged surfaces as an error instead of looping', async () => {
    const items = [{ pid: 'P1', xml: docXml({ id: 'นร 0105/1' }) }];
    // The node says yes but never deletes.
    const node = await queueNode(items, (pid) => ({
      body: env(
        `<CorrespondenceLetterDeleteResponse><ProcessID>${pid}</ProcessID><ProcessTime>t</ProcessTime></CorrespondenceLetterDeleteResponse>`,
      ),
    }));
    const client = receiverClient(node.url);
    const worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      autoRegister: false,
      autoAcknowledge: false,
    });
    try {
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_ECMS_STATE' });
      expect(count(node.ops, 'CorrespondenceLetterInboundRequest')).toBe(2);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a running worker backs off on a refused dequeue instead of polling without a pause', async () => {
    const items = Array.from({ length: 3 }, (_, i) => ({
      pid: `P${i + 1}`,
      xml: docXml({ id: `นร 0105/${i + 1}` }),
    }));
    const node = await queueNode(items, (pid) =>
      pid === 'P1' ? { body: errorDetail('E500', 'database is busy') } : undefined,
    );
    const client = receiverClient(node.url);
    const errors: unknown[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      autoRegister: false,
      batchSize: 2,
      pollIntervalInMs: 5,
      backoff: { baseInMs: 200, maxInMs: 200 },
      clockCheckIntervalInMs: 0,
      onError: (e) => errors.push(e),
    });
    try {
      await worker.start().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400));
      await worker.stop();
      expect(errors.some((e) => (e as { code?: string }).code === 'ERR_ECMS_FAULT')).toBe(true);
      // Without backoff this is thousands of fetches in 400 ms.
      expect(count(node.ops, 'CorrespondenceLetterInboundRequest')).toBeLessThan(20);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a delete refused because another replica already removed the item is still taken as done', async () => {
    const items = [
      { pid: 'P1', xml: docXml({ id: 'นร 0105/1' }) },
      { pid: 'P2', xml: docXml({ id: 'นร 0105/2' }) },
    ];
    // Between our fetch and our delete, another replica deletes P1: our delete is refused as unknown.
    const node = await queueNode(items, (pid) => {
      if (pid !== 'P1') return undefined;
      const i = items.findIndex((x) => x.pid === 'P1');
      if (i >= 0) items.splice(i, 1);
      return { body: errorDetail('E404', 'no such process') };
    });
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const worker = new EcmsInboxWorker({ client, store, autoRegister: false });
    try {
      expect(await worker.runOnce()).toBe(2);
      const states = (await store.list({ direction: 'inbound' })).map((r) => `${r.processId}:${r.state}`);
      expect(states.sort()).toEqual(['P1:acknowledged', 'P2:acknowledged']);
    } finally {
      await client.close();
      await node.close();
    }
  });
});

describe('a ProcessID the node reuses for another letter', () => {
  it('the new letter is stored and delivered, never dequeued unseen', async () => {
    const items = [{ pid: '1', xml: docXml({ id: 'นร 0105/1', subject: 'เรื่องแรก' }) }];
    const node = await queueNode(items);
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const seen: string[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store,
      autoRegister: false,
      onLetter: ({ letter }) => {
        seen.push(letter.id);
      },
    });
    try {
      await worker.runOnce();
      items.push({
        pid: '1',
        xml: docXml({ id: 'สธ 0201/77', subject: 'เรื่องที่สอง', sender: { departmentId: '2100000001' } }),
      });
      await worker.runOnce();
      expect(seen).toEqual(['นร 0105/1', 'สธ 0201/77']);
      const journal = (await store.list({ direction: 'inbound' })).map((r) => `${r.letterId}:${r.state}`);
      expect(journal.sort()).toEqual(['นร 0105/1:acknowledged', 'สธ 0201/77:acknowledged']);
      expect(items).toEqual([]);
      // The same (second) letter redelivered under the same ProcessID is a duplicate: dequeued, not stored twice.
      items.push({
        pid: '1',
        xml: docXml({ id: 'สธ 0201/77', subject: 'เรื่องที่สอง', sender: { departmentId: '2100000001' } }),
      });
      await worker.runOnce();
      expect(await store.list({ direction: 'inbound' })).toHaveLength(2);
      expect(items).toEqual([]);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('another letter under the reused ProcessID with the same book number and subject is kept, not dequeued unseen', async () => {
    const items = [{ pid: '1', xml: docXml({ id: 'นร 0105/5', subject: 'เรื่องเดียวกัน' }) }];
    const node = await queueNode(items);
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const rejected: string[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store,
      autoRegister: false,
      onRejected: ({ quarantined }) =>
        void rejected.push(`${quarantined.error.code}:${quarantined.error.reason}`),
    });
    try {
      await worker.runOnce();
      // Same book number, date, subject, sender and receiver; another main letter.
      const other = docXml({
        id: 'นร 0105/5',
        subject: 'เรื่องเดียวกัน',
        mainLetter: { mimeCode: 'application/pdf', content: Buffer.from('%PDF-1.7\nanother letter') },
      });
      items.push({ pid: '1', xml: other });
      await worker.runOnce();
      expect(rejected).toEqual(['ERR_ECMS_LETTER_CONFLICT:document']);
      const [kept] = await store.quarantined();
      expect(Buffer.from(kept!.xml).toString('utf8')).toContain(
        Buffer.from('%PDF-1.7\nanother letter').toString('base64'),
      );
      expect(await store.list({ direction: 'inbound' })).toHaveLength(1);
      expect(items).toEqual([]);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a node that hands out every item as ProcessID 1 has each letter stored within one poll', async () => {
    const items = [
      { pid: '1', xml: docXml({ id: 'นร 0105/1', subject: 'ก' }) },
      { pid: '1', xml: docXml({ id: 'นร 0105/2', subject: 'ข' }) },
    ];
    const node = await stubNode((op) => {
      if (op === 'CorrespondenceLetterInboundRequest') {
        const head = items[0];
        return { body: head ? inbound(head.pid, head.xml) : env('<CorrespondenceLetterInboundResponse/>') };
      }
      if (op === 'CorrespondenceLetterDeleteRequest') {
        items.shift();
        return {
          body: env(
            '<CorrespondenceLetterDeleteResponse><ProcessID>1</ProcessID></CorrespondenceLetterDeleteResponse>',
          ),
        };
      }
      if (op === 'GetOrganizationList') return { body: orgList };
      return {
        body: env(
          '<CorrespondenceLetterOutboundResponse><ProcessID>N</ProcessID></CorrespondenceLetterOutboundResponse>',
        ),
      };
    });
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const worker = new EcmsInboxWorker({ client, store, autoRegister: false });
    try {
      expect(await worker.runOnce()).toBe(2);
      const journal = (await store.list({ direction: 'inbound' })).map((r) => `${r.letterId}:${r.state}`);
      expect(journal.sort()).toEqual(['นร 0105/1:acknowledged', 'นร 0105/2:acknowledged']);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('the same letter fetched again under its ProcessID (dequeue lost) is only dequeued', async () => {
    const xml = docXml({ id: 'นร 0105/9' });
    const items = [{ pid: 'P9', xml }];
    let lose = true;
    const node = await queueNode(items, () =>
      lose ? { status: 503, body: 'busy', type: 'text/plain' } : undefined,
    );
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const worker = new EcmsInboxWorker({ client, store, autoRegister: false });
    try {
      await expect(worker.runOnce()).rejects.toMatchObject({ code: 'ERR_HTTP' });
      lose = false;
      await worker.runOnce();
      expect((await store.list({ direction: 'inbound' })).map((r) => r.state)).toEqual(['acknowledged']);
      expect(items).toEqual([]);
    } finally {
      await client.close();
      await node.close();
    }
  });
});

describe('answers declared in TIS-620 / windows-874', () => {
  const nameTh = 'กรมการปกครอง';
  const orgs = (decl: string) =>
    env(
      `<GetOrganizationListResponse><OrganizationList><En-Name>DOPA</En-Name><Th-Name>${nameTh}</Th-Name><ECMS-URL>http://x/ecms-ws01/service2</ECMS-URL><OrganizationID>${DOPA}</OrganizationID></OrganizationList></GetOrganizationListResponse>`,
      decl,
    );

  it.each([
    ['XML declaration and Content-Type', 'TIS-620', 'text/xml; charset=TIS-620'],
    ['XML declaration only', 'TIS-620', 'text/xml'],
    ['Content-Type only (windows-874)', 'windows-874', 'text/xml; charset=windows-874'],
    ['ISO-8859-11 declared', 'ISO-8859-11', 'text/xml'],
  ])('decodes Thai as declared (%s)', async (_name, decl, type) => {
    const xml = type.includes('windows-874') ? orgs('x').replace(/<\?xml[^>]*\?>/, '') : orgs(decl);
    const node = await stubNode(() => ({ body: tis620(xml), type }));
    const client = receiverClient(node.url);
    try {
      const [org] = await client.getOrganizations();
      expect(org?.nameTh).toBe(nameTh);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a notifier in TIS-620 keeps its natural key', async () => {
    const n = `<ReceiveLetterNotifier><LetterID>นร 0105/1234</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>ขอเชิญประชุม</Subject></ReceiveLetterNotifier>`;
    await withReceiver(
      () => ({
        body: tis620(inbound('P9', n, 'TIS-620')),
        type: 'text/xml; charset=TIS-620',
      }),
      async (client) => {
        const { item } = await client.fetchNext();
        expect(item).toMatchObject({
          kind: 'notifier',
          notifier: { letterId: 'นร 0105/1234', subject: 'ขอเชิญประชุม' },
        });
      },
    );
  });

  it('a letter in TIS-620 reaches the journal and onLetter intact, and the receipt carries its book number', async () => {
    let queued = true;
    const notifiers: string[] = [];
    const node = await stubNode((op, body) => {
      if (op === 'CorrespondenceLetterInboundRequest')
        return queued
          ? { body: tis620(inbound('P1', docXml(), 'TIS-620')), type: 'text/xml; charset=TIS-620' }
          : { body: env('<CorrespondenceLetterInboundResponse/>') };
      if (op === 'CorrespondenceLetterDeleteRequest') {
        queued = false;
        return {
          body: env(
            '<CorrespondenceLetterDeleteResponse><ProcessID>P1</ProcessID></CorrespondenceLetterDeleteResponse>',
          ),
        };
      }
      if (op === 'GetOrganizationList') return { body: orgList };
      notifiers.push(body);
      return {
        body: env(
          '<CorrespondenceLetterOutboundResponse><ProcessID>N1</ProcessID></CorrespondenceLetterOutboundResponse>',
        ),
      };
    });
    const client = receiverClient(node.url);
    const store = new MemoryLetterStore();
    const got: { id: string; subject: string; sender?: string }[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store,
      autoRegister: false,
      onLetter: ({ letter }) => {
        got.push({ id: letter.id, subject: letter.subject, sender: letter.sender.givenName });
      },
    });
    const expected = sampleLetter();
    try {
      await worker.runOnce();
      expect(got).toEqual([
        { id: expected.id, subject: expected.subject, sender: expected.sender.givenName },
      ]);
      const [record] = await store.list({ direction: 'inbound' });
      expect(record).toMatchObject({
        letterId: expected.id,
        subject: expected.subject,
        state: 'acknowledged',
      });
      expect(/<LetterID>([^<]*)</.exec(notifiers[0] ?? '')?.[1]).toBe(expected.id);
      // The evidence is the bytes received, as received.
      const [evidence] = await store.evidence(record!.journalId);
      expect(Buffer.from(evidence!.xml)).toEqual(tis620(inbound('P1', docXml(), 'TIS-620')));
    } finally {
      await client.close();
      await node.close();
    }
  });

  describe('signed letters', () => {
    let chain: { root: TestCert; ca: TestCert; signer: TestCert };
    beforeAll(() => {
      chain = standardChain();
    });
    const signedDoc = () =>
      withoutDeclaration(
        signGovernmentDocument(encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true }), {
          privateKey: chain.signer.key.privatePem,
          certificate: chain.signer.pem + chain.ca.pem,
        }),
      );

    it('a signed letter relayed in TIS-620 still verifies (the signature covers characters, not bytes)', async () => {
      const node = await stubNode(() => ({
        body: tis620(inbound('P1', signedDoc(), 'TIS-620')),
        type: 'text/xml; charset=TIS-620',
      }));
      const client = new EcmsClient({
        nodeUrl: node.url,
        organizationId: DOPA,
        retry: { maxRetries: 0 },
        letterVerification: { policy: 'require', trustAnchors: [chain.root.pem] },
      });
      try {
        const { item } = await client.fetchNext();
        expect(item?.kind).toBe('letter');
        if (item?.kind !== 'letter') return;
        expect(item.verification?.status).toBe('valid');
        expect(item.letter.subject).toBe(sampleLetter().subject);
      } finally {
        await client.close();
        await node.close();
      }
    });

    it('a signed TIS-620 letter whose subject was changed fails the signature cleanly', async () => {
      const tampered = signedDoc().replace(sampleLetter().subject, 'โอนเงินด่วน');
      const node = await stubNode(() => ({
        body: tis620(inbound('P1', tampered, 'TIS-620')),
        type: 'text/xml; charset=TIS-620',
      }));
      const client = new EcmsClient({
        nodeUrl: node.url,
        organizationId: DOPA,
        retry: { maxRetries: 0 },
        letterVerification: { policy: 'require', trustAnchors: [chain.root.pem] },
      });
      try {
        const { item } = await client.fetchNext();
        expect(item).toMatchObject({ kind: 'poison', error: { code: 'ERR_ECMS_SIGNATURE' } });
      } finally {
        await client.close();
        await node.close();
      }
    });
  });

  it('bytes that are not UTF-8, with no other encoding declared, are refused rather than replaced', async () => {
    const node = await stubNode(() => ({ body: tis620(orgs('utf-8')), type: 'text/xml' }));
    const client = receiverClient(node.url);
    try {
      await expect(client.getOrganizations()).rejects.toMatchObject({ code: 'ERR_ECMS_XML' });
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('a queued letter that is not valid in its encoding becomes a poison item (kept, dequeued), not a garbled letter', async () => {
    const xml = inbound('P1', docXml());
    const at = xml.indexOf('<ram:Subject>') + '<ram:Subject>'.length;
    // A subject with bytes that are no UTF-8 (a TIS-620 fragment pasted into a UTF-8 document).
    const broken = Buffer.concat([Buffer.from(xml.slice(0, at)), tis620('ด่วน'), Buffer.from(xml.slice(at))]);
    await withReceiver(
      () => ({ body: broken }),
      async (client) => {
        const { item } = await client.fetchNext();
        expect(item).toMatchObject({ kind: 'poison', processId: 'P1', error: { code: 'ERR_ECMS_XML' } });
      },
    );
  });

  it('an encoding the Content-Type and the XML declaration disagree on is refused', async () => {
    await withReceiver(
      () => ({ body: tis620(orgs('TIS-620')), type: 'text/xml; charset=utf-8' }),
      async (client) => {
        await expect(client.getOrganizations()).rejects.toMatchObject({ code: 'ERR_ECMS_XML' });
      },
    );
  });

  it('the standalone codec honours the declaration too', () => {
    const doc = `<?xml version="1.0" encoding="TIS-620"?>${docXml()}`;
    expect(decodeGovernmentDocument(tis620(doc)).subject).toBe(sampleLetter().subject);
    expect(() => decodeGovernmentDocument(tis620(docXml()))).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_XML' }),
    );
  });
});

describe('a generic SOAP Server fault on a send leaves the outcome unknown', () => {
  /** The sender's node: commits every letter it is sent, then answers the first with `firstAnswer`. */
  async function senderNode(firstAnswer: Reply) {
    const committed: string[] = [];
    let sends = 0;
    const node = await stubNode((op) => {
      if (op === 'GetOrganizationList') return { body: orgList };
      if (op === 'CorrespondenceLetterOutboundRequest') {
        sends++;
        const pid = `S${committed.length + 1}`;
        committed.push(pid);
        if (sends === 1) return firstAnswer;
        return {
          body: env(
            `<CorrespondenceLetterOutboundResponse><ProcessID>${pid}</ProcessID><ProcessTime>t</ProcessTime></CorrespondenceLetterOutboundResponse>`,
          ),
        };
      }
      if (op === 'OutboundStatusRequest')
        return {
          body: env(
            `<OutboundStatusResponse>${committed
              .map(
                (p) =>
                  `<Outbound><ProcessID>${p}</ProcessID><LetterID>${sampleLetter().id}</LetterID><ProcessStatus>Sent</ProcessStatus></Outbound>`,
              )
              .join('')}</OutboundStatusResponse>`,
          ),
        };
      return undefined;
    });
    const client = new EcmsClient({ nodeUrl: node.url, organizationId: DGA, retry: { maxRetries: 0 } });
    const store = new MemoryLetterStore();
    const outbox = new EcmsOutbox({ client, store, absenceRechecks: 0 });
    return { node, client, store, outbox, committed };
  }

  it.each([
    [
      'SOAP 1.1 soap:Server (ASMX)',
      env(
        '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; System.Data.SqlClient.SqlException: Timeout expired.</faultstring><detail/></soap:Fault>',
      ),
      'text/xml; charset=utf-8',
    ],
    [
      'SOAP 1.2 env:Receiver',
      `<env:Envelope xmlns:env="${SOAP12}"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">internal error</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
      'application/soap+xml; charset=utf-8',
    ],
  ])(
    '%s → submit_unknown, resolved through the outbound status, never sent twice',
    async (_n, body, type) => {
      const { node, client, store, outbox, committed } = await senderNode({ status: 500, body, type });
      try {
        const rec = await outbox.submit(sampleLetter());
        expect(rec).toMatchObject({ state: 'submitted', processId: 'S1' });
        expect((await store.transitions(rec.journalId)).map((t) => t.to)).toEqual([
          'submit_unknown',
          'submitted',
        ]);
        expect(committed).toEqual(['S1']);
      } finally {
        await client.close();
        await node.close();
      }
    },
  );

  it('a Client fault still fails the letter, and resend() of a failed letter looks at the outbound status before sending', async () => {
    // A node that committed the letter and still answered with its own ErrorDetail.
    const { node, client, store, outbox, committed } = await senderNode({
      body: errorDetail('E_SENDER', 'sender not allowed'),
    });
    try {
      await expect(outbox.submit(sampleLetter())).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT' });
      const [failed] = await store.list({ direction: 'outbound' });
      expect(failed?.state).toBe('failed');
      const after = await outbox.resend(failed!.journalId);
      expect(after).toMatchObject({ state: 'submitted', processId: 'S1' });
      expect(committed).toEqual(['S1']);
      expect(count(node.ops, 'OutboundStatusRequest')).toBe(1);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('resend() of a failed letter the node does not list sends it once', async () => {
    const { node, client, store, outbox, committed } = await senderNode({
      status: 500,
      body: env(
        '<soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad letter</faultstring></soap:Fault>',
      ),
    });
    try {
      await expect(outbox.submit(sampleLetter())).rejects.toMatchObject({ code: 'ERR_ECMS_FAULT' });
      committed.length = 0; // the node did not keep it
      const [failed] = await store.list({ direction: 'outbound' });
      const after = await outbox.resend(failed!.journalId);
      expect(after).toMatchObject({ state: 'submitted', processId: 'S1' });
      expect(committed).toEqual(['S1']);
    } finally {
      await client.close();
      await node.close();
    }
  });
});

describe('an empty attachment element', () => {
  const withAttachment = (element: string) =>
    docXml().replace('</ram:CorrespondenceLetter>', `${element}</ram:CorrespondenceLetter>`);

  it.each([
    ['self-closing', '<ram:AttachmentBinaryObject/>'],
    ['open and close', '<ram:AttachmentBinaryObject></ram:AttachmentBinaryObject>'],
    ['whitespace only', '<ram:AttachmentBinaryObject>\n  </ram:AttachmentBinaryObject>'],
  ])('without content and without mimeCode (%s) is skipped', (_n, element) => {
    const letter = decodeGovernmentDocument(withAttachment(element));
    expect(letter.attachments).toEqual([]);
  });

  it('with a mimeCode but no content is kept as the zero-byte file the sender declared', () => {
    const letter = decodeGovernmentDocument(
      withAttachment('<ram:AttachmentBinaryObject mimeCode="application/pdf"/>'),
    );
    expect(letter.attachments).toEqual([{ mimeCode: 'application/pdf', content: Buffer.alloc(0) }]);
  });

  it('an empty attachment element does not make the inbox refuse the letter', async () => {
    const items = [
      { pid: 'P1', xml: withAttachment('<ram:AttachmentBinaryObject/>') },
      {
        pid: 'P2',
        xml: withAttachment(
          '<ram:AttachmentBinaryObject mimeCode="application/pdf"></ram:AttachmentBinaryObject>',
        ).replace(sampleLetter().id, 'สพร 0105/2'),
      },
    ];
    const node = await queueNode(items);
    const client = receiverClient(node.url);
    const rejected: string[] = [];
    const seen: string[] = [];
    const worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      autoRegister: false,
      onLetter: ({ letter }) => {
        seen.push(letter.id);
      },
      onRejected: ({ quarantined }) => {
        rejected.push(quarantined.error.code);
      },
    });
    try {
      await worker.runOnce();
      expect(rejected).toEqual([]);
      expect(seen).toEqual([sampleLetter().id, 'สพร 0105/2']);
      expect(node.notifiers.map((b) => /<(\w+LetterNotifier)>/.exec(b)?.[1])).toEqual([
        'ReceiveLetterNotifier',
        'ReceiveLetterNotifier',
      ]);
    } finally {
      await client.close();
      await node.close();
    }
  });
});

describe('SOAP faults as real stacks write them', () => {
  async function faultOn(body: string, type = 'text/xml; charset=utf-8') {
    const node = await stubNode(() => ({ status: 500, body, type }));
    const client = receiverClient(node.url);
    try {
      await client.dequeue('P1');
      return undefined;
    } catch (err) {
      return err as Record<string, unknown>;
    } finally {
      await client.close();
      await node.close();
    }
  }

  it('a SOAP 1.2 fault keeps its code, subcode and reason', async () => {
    const err = await faultOn(
      `<env:Envelope xmlns:env="${SOAP12}" xmlns:m="urn:ecms"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>m:ProcessIdUnknown</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="th">ไม่พบ</env:Text><env:Text xml:lang="en">ProcessID unknown</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
      'application/soap+xml; charset=utf-8',
    );
    expect(err).toMatchObject({
      code: 'ERR_ECMS_FAULT',
      nodeCode: 'env:Sender',
      nodeSubcode: 'm:ProcessIdUnknown',
      nodeDescription: 'ไม่พบ',
      statusCode: 500,
      retryable: false,
    });
  });

  it.each([
    [
      'whitespace before >',
      `<Envelope xmlns="${SOAP11}"><Body><Fault ><faultcode>Client</faultcode><faultstring>Bad request</faultstring></Fault ></Body></Envelope>`,
    ],
    [
      'newline in the tag',
      `<Envelope xmlns="${SOAP11}"><Body><Fault\n><faultcode>Client</faultcode><faultstring>Bad request</faultstring></Fault\n></Body></Envelope>`,
    ],
    [
      'prefixed, own namespace',
      `<S:Envelope xmlns:S="${SOAP11}"><S:Body><ns2:Fault xmlns:ns2="${SOAP11}"><faultcode>ns2:Client</faultcode><faultstring>Bad request</faultstring></ns2:Fault></S:Body></S:Envelope>`,
    ],
  ])('a fault on HTTP 500 is the node’s typed fault (%s), not a retryable HTTP error', async (_n, body) => {
    const err = await faultOn(body);
    expect(err).toMatchObject({ code: 'ERR_ECMS_FAULT', nodeDescription: 'Bad request', retryable: false });
  });
});
