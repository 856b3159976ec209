import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOrganizationListResponse, decodeTimeCheckResponse } from '../src/codec.js';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type InboxLetterEvent,
  type InboxNotifierEvent,
  MemoryLetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

const soap = (body: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

describe('directory and clock answers without Get…Response / TimeCheckResponse wrappers', () => {
  it('decodes OrganizationList entries straight in the Body (prefix-agnostic)', () => {
    const orgs = decodeOrganizationListResponse(
      soap(
        '<e:OrganizationList xmlns:e="urn:x"><e:En-Name>A</e:En-Name><e:Th-Name>ก</e:Th-Name><e:ECMS-URL>http://127.0.0.1:1/x</e:ECMS-URL><e:OrganizationID>0031500001</e:OrganizationID></e:OrganizationList>' +
          '<OrganizationList><En-Name>B</En-Name><Th-Name>ข</Th-Name><ECMS-URL>http://127.0.0.1:2/x</ECMS-URL><OrganizationID>1500300001</OrganizationID></OrganizationList>',
      ),
    );
    expect(orgs.map((o) => o.organizationId)).toEqual(['0031500001', '1500300001']);
    expect(orgs[1]?.ecmsUrl).toBe('http://127.0.0.1:2/x');
  });

  it('decodes a bare ECMSTime (Thailand local time without offset)', () => {
    const d = decodeTimeCheckResponse(
      soap('<ns:ECMSTime xmlns:ns="urn:x">2026-11-27T10:00:00</ns:ECMSTime>'),
    );
    expect(d.toISOString()).toBe('2026-11-27T03:00:00.000Z');
  });

  it('still refuses an answer that is neither form', () => {
    expect(() =>
      decodeTimeCheckResponse(soap('<Something><ECMSTime>2026-11-27T10:00:00</ECMSTime></Something>')),
    ).toThrow(expect.objectContaining({ code: 'ERR_ECMS_XML' }));
    expect(() => decodeOrganizationListResponse(soap('<GetMinistryOrganizationListResponse/>'))).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_XML' }),
    );
  });

  describe('against sandbox nodes with answerStyle "unwrapped"', () => {
    let net: EcmsNetwork;
    let client: EcmsClient;
    beforeAll(async () => {
      net = await startEcmsNetwork({ seed: 5, answerStyle: 'unwrapped' });
      const a = net.nodes[0]!;
      client = new EcmsClient({
        nodeUrl: a.url,
        organizationId: a.organizationId,
        retry: { maxRetries: 0 },
      });
    });
    afterAll(async () => {
      await client?.close();
      await net?.close();
    });

    it('sends a letter end to end: the receiver node URL is resolved from the unwrapped list', async () => {
      const b = net.nodes[1]!;
      const sent = await client.sendLetter(sampleLetter({ id: 'สพร 0105/901' }));
      expect(sent.processId).toBeTruthy();
      // The request went to the receiver's node found in the directory, and the letter is queued there.
      expect(Buffer.from(sent.exchange.requestXml).toString('utf8')).toContain(b.url);
      expect(net.queue(b.organizationId).pending.map((i) => i.letterId)).toEqual(['สพร 0105/901']);
      expect(net.counters(net.nodes[0]!.organizationId).organizations).toBe(1);
    });

    it('reads ministries and the clock from unwrapped answers', async () => {
      expect((await client.getMinistries()).length).toBeGreaterThan(0);
      const t = await client.timeCheck();
      expect(Number.isFinite(t.skewInMs)).toBe(true);
      expect(Math.abs(t.skewInMs)).toBeLessThan(10 * 60_000);
    });
  });
});

describe('against sandbox nodes with dateStyle "buddhist" (27/11/2569 as agencies write it)', () => {
  let net: EcmsNetwork;
  let a: EcmsClient;
  let b: EcmsClient;
  beforeAll(async () => {
    net = await startEcmsNetwork({ seed: 6, dateStyle: 'buddhist' });
    const [na, nb] = net.nodes;
    a = new EcmsClient({ nodeUrl: na!.url, organizationId: na!.organizationId, retry: { maxRetries: 0 } });
    b = new EcmsClient({ nodeUrl: nb!.url, organizationId: nb!.organizationId, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await net?.close();
  });

  it('fetchNext returns the letter with Gregorian dates and the written text beside them', async () => {
    await a.sendLetter(
      sampleLetter({ id: 'สพร 0105/903', correspondenceDate: '2026-11-27', sendDate: '2026-11-27T10:15:00' }),
    );
    const { item } = await b.fetchNext();
    expect(item?.kind).toBe('letter');
    if (item?.kind !== 'letter') return;
    expect(item.letter.correspondenceDate).toBe('2026-11-27');
    expect(item.letter.sendDate).toBe('2026-11-27T10:15:00');
    expect(item.letter.dateText).toEqual({
      correspondenceDate: '27/11/2569',
      sendDate: '27/11/2569 10:15:00',
    });
    await b.dequeue(item.processId);
  });

  it('a letter and its receipt decode to Gregorian dates, the written text kept beside them', async () => {
    const storeA = new MemoryLetterStore();
    const storeB = new MemoryLetterStore();
    const letters: InboxLetterEvent[] = [];
    const notifiers: InboxNotifierEvent[] = [];
    const outbox = new EcmsOutbox({ client: a, store: storeA });
    const workerA = new EcmsInboxWorker({
      client: a,
      store: storeA,
      onNotifier: (e) => void notifiers.push(e),
    });
    const workerB = new EcmsInboxWorker({
      client: b,
      store: storeB,
      autoRegister: false,
      onLetter: (e) => void letters.push(e),
    });
    const sent = await outbox.submit(
      sampleLetter({ id: 'สพร 0105/902', correspondenceDate: '2026-11-27', sendDate: '2026-11-27T10:15:00' }),
    );
    // What the receiving node delivers is written day first, in the Buddhist era.
    const queued = net.queue(b.organizationId).pending[0]!;
    expect(queued.correspondenceDate).toBe('2026-11-27');

    expect(await workerB.runOnce()).toBe(1);
    expect(letters).toHaveLength(1);
    const letter = letters[0]!.letter;
    expect(letter.correspondenceDate).toBe('2026-11-27');
    expect(letter.sendDate).toBe('2026-11-27T10:15:00');
    expect(letter.references[0]?.correspondenceDate).toBe('2026-10-01');
    // The worker journals a normalised document; the text as the node wrote it stays in the received evidence.
    const received = (await storeB.evidence(letters[0]!.record.journalId)).find(
      (e) => e.direction === 'received',
    );
    expect(Buffer.from(received!.xml).toString('utf8')).toContain('>27/11/2569<');

    // The receipt comes back through a node that writes BE dates too, and still matches the sent letter.
    await workerA.runOnce();
    const receipt = notifiers.find((n) => n.notifier.kind === 'receive');
    expect(receipt?.notifier.correspondenceDate).toBe('2026-11-27');
    expect(receipt?.notifier.dateText?.correspondenceDate).toBe('27/11/2569');
    expect(receipt?.changed).toBe(true);
    expect((await storeA.get(sent.journalId))?.state).toBe('received');
    await Promise.all([storeA.close(), storeB.close()]);
  });
});
