// Attack class: poison items (queue jamming). One inbound item that cannot be decoded made fetchNext throw
// before the item was dequeued; the worker backed off and fetched it again for ever, and no letter behind it
// was ever delivered. A sender (or a broken saraban client) could stop a receiving agency's inbox at will.
// Each poison item below sits between good letters in the sandbox node's queue and goes through the real
// inbox worker: kept as evidence (raw answer, SHA-256, typed error), dequeued, answered with
// InvalidLetterNotifier where it is a letter, reported through onRejected; the good letters all arrive.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EcmsNetwork, startEcmsNetwork, startSoapRelay } from '@thgov/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxRejectedEvent,
  type LetterStore,
  MemoryLetterStore,
} from '../../src/index.js';
import { SqliteLetterStore } from '../../src/sqlite.js';
import { standardChain } from '../helpers/certs.js';
import { DGA, DOPA, sampleLetter } from '../helpers/letters.js';

let net: EcmsNetwork;
let sender: EcmsClient;
let receiver: EcmsClient;
let senderOrg: string;
let receiverOrg: string;

beforeEach(async () => {
  net = await startEcmsNetwork({ seed: 11 });
  const [a, b] = net.nodes;
  senderOrg = a!.organizationId;
  receiverOrg = b!.organizationId;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: senderOrg });
  receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: receiverOrg, retry: { maxRetries: 0 } });
});

afterEach(async () => {
  await sender.close();
  await receiver.close();
  await net.close();
});

/** A letter item as a peer's hand-built XML would put it in the queue; `patch` breaks one thing. */
function rawLetter(id: string, patch: (xml: string) => string = (x) => x): string {
  const xml = `<rsm:GovernmentDocument xmlns:rsm="urn:th:gov:egif:data:standard:GovernmentDocument:1.0" xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1"><ram:CorrespondenceLetter ID="Letter"><ram:ID>${id}</ram:ID><ram:CorrespondenceDate>2026-11-20</ram:CorrespondenceDate><ram:Subject>แจ้งผลการประชุม</ram:Subject><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DOPA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty><ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQKJeLjz9M=</ram:MainLetterBinaryObject></ram:CorrespondenceLetter></rsm:GovernmentDocument>`;
  return patch(xml);
}

const POISON: [name: string, xml: string, code: string][] = [
  [
    'bad base64',
    rawLetter('P 1', (x) => x.replace('JVBERi0xLjQKJeLjz9M=', 'not*base64!')),
    'ERR_ECMS_BASE64',
  ],
  [
    'missing required field',
    rawLetter('P 2', (x) => x.replace(/<ram:Subject>[^<]*<\/ram:Subject>/, '')),
    'ERR_ECMS_MESSAGE',
  ],
  ['bad date', rawLetter('P 3', (x) => x.replace('2026-11-20', '2026-02-30')), 'ERR_ECMS_MESSAGE'],
  ['NUL character in a field', rawLetter('P 4', (x) => x.replace('แจ้งผล', 'แจ้ง\u0000ผล')), 'ERR_ECMS_XML'],
  [
    'character reference outside Unicode',
    rawLetter('P 5', (x) => x.replace('แจ้งผล', '&#9999999;')),
    'ERR_ECMS_XML',
  ],
  ['double-escaped reference outside Unicode', rawLetter('P 6 &amp;#x110000;'), 'ERR_ECMS_XML'],
  ['surrogate character reference', rawLetter('P 7', (x) => x.replace('แจ้งผล', '&#xD800;')), 'ERR_ECMS_XML'],
  [
    'unknown MIME type',
    rawLetter('P 8', (x) => x.replace('application/pdf', 'application/x-msdownload')),
    'ERR_ECMS_MIME',
  ],
  [
    'more elements than the hostile-XML limit',
    rawLetter('P 9', (x) =>
      x.replace('</ram:CorrespondenceLetter>', `${'<x/>'.repeat(20_001)}</ram:CorrespondenceLetter>`),
    ),
    'ERR_ECMS_XML_HOSTILE',
  ],
];

function inject(xml: string): string {
  return net.injectItem(receiverOrg, {
    xml,
    letterId: 'P',
    correspondenceDate: '2026-11-20',
    senderDepartmentId: DGA,
  });
}

function worker(store: LetterStore, rejected: InboxRejectedEvent[], extra: Record<string, unknown> = {}) {
  return new EcmsInboxWorker({
    client: receiver,
    store,
    batchSize: 50,
    onRejected: (e) => {
      rejected.push(e);
    },
    ...extra,
  });
}

describe('poison items between good letters, through the inbox worker', () => {
  it('every poison item is kept, dequeued and reported; every good letter arrives', async () => {
    await sender.sendLetter(sampleLetter({ id: 'สพร 1/1' }));
    const poisonIds = POISON.map(([, xml]) => inject(xml));
    const badNotifier = `<ReceiveLetterNotifier><LetterID>X</LetterID><CorrespondenceDate>not a date</CorrespondenceDate><Subject>s</Subject></ReceiveLetterNotifier>`;
    poisonIds.push(net.injectItem(receiverOrg, { xml: badNotifier, kind: 'receive' }));
    await sender.sendLetter(sampleLetter({ id: 'สพร 1/2' }));

    const store = new MemoryLetterStore();
    const rejected: InboxRejectedEvent[] = [];
    const handled = await worker(store, rejected).runOnce();

    expect(handled).toBe(POISON.length + 3);
    expect(net.queue(receiverOrg).pending).toEqual([]);
    const letters = await store.list({ direction: 'inbound' });
    expect(letters.map((l) => [l.letterId, l.state])).toEqual([
      ['สพร 1/1', 'acknowledged'],
      ['สพร 1/2', 'acknowledged'],
    ]);
    const kept = await store.quarantined();
    expect(kept.map((q) => q.processId)).toEqual(poisonIds);
    expect(kept.map((q) => q.error.code)).toEqual([...POISON.map(([, , code]) => code), 'ERR_ECMS_MESSAGE']);
    for (const q of kept) {
      // Evidence: the answer byte for byte, with its digest.
      expect(q.sha256).toBe(createHash('sha256').update(q.xml).digest('hex'));
      expect(Buffer.from(q.xml).toString('utf8')).toContain(`<ProcessID>${q.processId}</ProcessID>`);
      expect(q.settled).toBe(true);
      expect(await store.isProcessed(q.processId)).toBe(true);
    }
    expect(kept.at(-1)?.element).toBe('ReceiveLetterNotifier');
    expect(rejected.map((r) => r.quarantined.processId)).toEqual(poisonIds);
    // A second pass finds nothing: the queue is not jammed and nothing is redone.
    expect(await worker(store, rejected).runOnce()).toBe(0);
    expect(rejected).toHaveLength(poisonIds.length);
  });

  it('a letter refused in transit is answered with InvalidLetterNotifier, which reaches the sender', async () => {
    const relay = await startSoapRelay({
      target: net.node(receiverOrg).url,
      rewriteResponse: (xml, ctx) =>
        ctx.requestElement === 'CorrespondenceLetterInboundRequest'
          ? xml.replace(/(<ram:MainLetterBinaryObject[^>]*>)[^<]+/, '$1@@not base64@@')
          : xml,
    });
    const viaRelay = new EcmsClient({
      nodeUrl: relay.url,
      organizationId: receiverOrg,
      retry: { maxRetries: 0 },
    });
    try {
      await sender.sendLetter(sampleLetter({ id: 'สพร 4/1' }));
      const store = new MemoryLetterStore();
      const rejected: InboxRejectedEvent[] = [];
      await new EcmsInboxWorker({
        client: viaRelay,
        store,
        onRejected: (e) => void rejected.push(e),
      }).runOnce();
      const [q] = await store.quarantined();
      expect(q?.error.code).toBe('ERR_ECMS_BASE64');
      expect(q?.letterKey).toMatchObject({ letterId: 'สพร 4/1', senderDepartmentId: senderOrg });
      expect(q?.note).toBe('InvalidLetterNotifier sent');
      expect(net.outbound(senderOrg).find((o) => o.letterId === 'สพร 4/1')?.status).toBe('Invalid');
      expect(net.queue(senderOrg).pending.map((i) => i.kind)).toEqual(['invalid']);
    } finally {
      await viaRelay.close();
      await relay.close();
    }
  });

  it('a letter whose signature fails under require is a poison item too, not a stored letter', async () => {
    const { root, signer, ca } = standardChain();
    const signing = new EcmsClient({
      nodeUrl: net.node(senderOrg).url,
      organizationId: senderOrg,
      signingKey: { privateKey: signer.key.privatePem, certificate: signer.pem + ca.pem },
    });
    try {
      await signing.sendLetter(sampleLetter({ id: 'สพร 5/1' }));
      // Tampered on the way: the subject no longer matches the digest.
      const item = net.queue(receiverOrg).pending[0];
      const tampered = item?.xml.replace('ขอเชิญประชุม', 'ขอยกเลิกประชุม') ?? '';
      inject(tampered);
      await signing.sendLetter(sampleLetter({ id: 'สพร 5/2' }));
      const store = new MemoryLetterStore();
      const rejected: InboxRejectedEvent[] = [];
      await worker(store, rejected, { signaturePolicy: 'require', trustAnchors: [root.pem] }).runOnce();
      expect((await store.list({ direction: 'inbound' })).map((l) => l.letterId)).toEqual([
        'สพร 5/1',
        'สพร 5/2',
      ]);
      const [q] = await store.quarantined();
      expect(q?.error).toMatchObject({ code: 'ERR_ECMS_SIGNATURE', reason: 'digest-mismatch' });
      expect(q?.signature?.signer?.fingerprint256).toBe(signer.x509.fingerprint256);
    } finally {
      await signing.close();
    }
  });

  it('onRejected that fails is retried by recover(); the item is dequeued meanwhile', async () => {
    inject(POISON[0]![1]);
    const store = new MemoryLetterStore();
    let calls = 0;
    const w = new EcmsInboxWorker({
      client: receiver,
      store,
      onRejected: () => {
        calls++;
        if (calls === 1) throw new Error('saraban system down');
      },
    });
    await w.runOnce();
    expect(net.queue(receiverOrg).pending).toEqual([]);
    expect((await store.quarantined({ settled: false })).length).toBe(1);
    await w.recover();
    expect(calls).toBe(2);
    expect(await store.quarantined({ settled: false })).toEqual([]);
  });

  it('re-requesting a poison item gives it back as poison, not as an exception', async () => {
    inject(rawLetter('P 10', (x) => x.replace('2026-11-20', 'yesterday')));
    const again = await receiver.reRequest('letter', {
      letterId: 'P',
      correspondenceDate: '2026-11-20',
      senderDepartmentId: DGA,
      acceptDepartmentId: receiverOrg,
    });
    expect(again.item?.kind).toBe('poison');
  });

  it('the SQLite journal keeps quarantined items across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thgov-ecms-poison-'));
    try {
      const filename = join(dir, 'journal.db');
      inject(POISON[1]![1]);
      const first = new SqliteLetterStore({ filename, synchronous: 'NORMAL' });
      await worker(first, []).runOnce();
      await first.close();
      const reopened = new SqliteLetterStore({ filename });
      const [q] = await reopened.quarantined();
      expect(q).toMatchObject({
        error: { code: 'ERR_ECMS_MESSAGE' },
        settled: true,
        element: 'GovernmentDocument',
      });
      expect(q?.sha256).toBe(
        createHash('sha256')
          .update(q?.xml ?? new Uint8Array())
          .digest('hex'),
      );
      expect(await reopened.isProcessed(q?.processId ?? '')).toBe(true);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
