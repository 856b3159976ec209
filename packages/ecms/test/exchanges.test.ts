import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { captureLogger } from '@thgov/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type InboxLetterEvent,
  type LetterStore,
  MemoryLetterStore,
  sha256Hex,
} from '../src/index.js';
import { SqliteLetterStore } from '../src/sqlite.js';
import { sampleLetter } from './helpers/letters.js';

let net: EcmsNetwork;
beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 11 });
});
afterAll(async () => {
  await net.close();
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thgov-ecms-exchange-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let bookNo = 0;
const nextBook = () => `สพร 0105/${++bookNo}`;

const STORES: [string, () => LetterStore][] = [
  ['memory', () => new MemoryLetterStore()],
  [
    'sqlite',
    () => new SqliteLetterStore({ filename: join(dir, `${crypto.randomUUID()}.db`), synchronous: 'NORMAL' }),
  ],
];

describe.each(STORES)('full exchanges between two sandbox agencies (%s store)', (_name, makeStore) => {
  let a: { client: EcmsClient; store: LetterStore; outbox: EcmsOutbox; worker: EcmsInboxWorker };
  let b: { client: EcmsClient; store: LetterStore; worker: EcmsInboxWorker; letters: InboxLetterEvent[] };

  beforeEach(() => {
    const [na, nb] = net.nodes;
    const clientA = new EcmsClient({
      nodeUrl: na!.url,
      organizationId: na!.organizationId,
      retry: { maxRetries: 1, baseDelayInMs: 10 },
    });
    const clientB = new EcmsClient({
      nodeUrl: nb!.url,
      organizationId: nb!.organizationId,
      retry: { maxRetries: 1, baseDelayInMs: 10 },
    });
    const storeA = makeStore();
    const storeB = makeStore();
    const letters: InboxLetterEvent[] = [];
    a = {
      client: clientA,
      store: storeA,
      outbox: new EcmsOutbox({ client: clientA, store: storeA }),
      worker: new EcmsInboxWorker({ client: clientA, store: storeA }),
    };
    b = {
      client: clientB,
      store: storeB,
      letters,
      worker: new EcmsInboxWorker({
        client: clientB,
        store: storeB,
        autoRegister: false,
        onLetter: (e) => {
          letters.push(e);
        },
      }),
    };
  });
  afterEach(async () => {
    await Promise.all([a.client.close(), b.client.close(), a.store.close(), b.store.close()]);
  });

  it('send → receipt → registration number, with raw XML evidence', async () => {
    const letterId = nextBook();
    const sent = await a.outbox.submit(sampleLetter({ id: letterId }));
    expect(sent.state).toBe('submitted');
    expect(sent.processId).toBeTruthy();

    expect(await b.worker.runOnce()).toBe(1);
    expect(b.letters).toHaveLength(1);
    const inbound = b.letters[0]!.record;
    expect(b.letters[0]!.letter.subject).toBe(sampleLetter().subject);
    expect((await b.store.get(inbound.journalId))?.state).toBe('acknowledged');
    const registered = await b.worker.register(inbound.journalId, { register: 'central' });
    expect(registered.state).toBe('registered');
    expect(registered.acceptId).toMatch(/^\d+\/25\d\d$/);

    await a.worker.runOnce();
    const after = await a.store.get(sent.journalId);
    expect(after?.state).toBe('registered');
    expect(after?.acceptId).toBe(registered.acceptId);
    expect(after?.acceptDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const path = (await a.store.transitions(sent.journalId)).map((t) => t.to);
    expect(path).toEqual(['submitted', 'received', 'registered']);

    const evidence = await a.store.evidence(sent.journalId);
    expect(evidence.length).toBeGreaterThanOrEqual(4);
    for (const e of evidence) expect(sha256Hex(e.xml)).toBe(e.sha256);
    expect(Buffer.from(evidence.find((e) => e.direction === 'sent')!.xml).toString('utf8')).toContain(
      letterId,
    );
    expect(
      net.queue(net.nodes[1]!.organizationId).pending.filter((i) => i.letterId === letterId),
    ).toHaveLength(0);
  });

  it('reject → withdraw → resend (a corrected letter arrives as a new inbound letter)', async () => {
    const letterId = nextBook();
    const sent = await a.outbox.submit(sampleLetter({ id: letterId }));
    await b.worker.runOnce();
    const first = b.letters.at(-1)!.record;
    expect((await b.worker.reject(first.journalId)).state).toBe('rejected');
    await a.worker.runOnce();
    expect((await a.store.get(sent.journalId))?.state).toBe('rejected');

    await expect(a.outbox.resend(sent.journalId)).rejects.toMatchObject({ code: 'ERR_ECMS_STATE' });
    expect((await a.outbox.withdraw(sent.journalId)).state).toBe('withdrawn');
    const resent = await a.outbox.resend(
      sent.journalId,
      sampleLetter({ id: letterId, subject: 'ขอเชิญประชุม (แก้ไข)' }),
    );
    expect(resent.state).toBe('submitted');
    expect(resent.sendCount).toBe(2);
    expect(resent.processId).not.toBe(sent.processId);

    await b.worker.runOnce();
    const second = b.letters.at(-1)!;
    expect(second.record.journalId).not.toBe(first.journalId);
    expect(second.letter.subject).toBe('ขอเชิญประชุม (แก้ไข)');
    await a.worker.runOnce();
    expect((await a.store.get(sent.journalId))?.state).toBe('received');
    const statuses = (await a.client.outboundStatus())
      .filter((e) => e.letterId === letterId)
      .map((e) => e.processStatus);
    expect(statuses).toEqual(['Deleted', 'Received']);
  });

  it('invalid letter (wrong recipient) reaches the sender', async () => {
    const sent = await a.outbox.submit(sampleLetter({ id: nextBook() }));
    await b.worker.runOnce();
    const rec = b.letters.at(-1)!.record;
    expect((await b.worker.markInvalid(rec.journalId)).state).toBe('invalid');
    await a.worker.runOnce();
    expect((await a.store.get(sent.journalId))?.state).toBe('invalid');
    // A late receipt does not move an invalid letter backwards.
    const late = await b.client.acknowledgeReceipt({
      letterId: rec.letterId,
      correspondenceDate: rec.correspondenceDate,
      subject: rec.subject,
      senderDepartmentId: rec.senderDepartmentId,
    });
    expect(late.processId).toBeTruthy();
    await a.worker.runOnce();
    expect((await a.store.get(sent.journalId))?.state).toBe('invalid');
  });

  it('invalid registration number → corrected with a fresh number', async () => {
    const sent = await a.outbox.submit(sampleLetter({ id: nextBook() }));
    const worker = new EcmsInboxWorker({
      client: b.client,
      store: b.store,
      autoRegister: { register: 'dispute-test' },
    });
    await worker.runOnce();
    await a.worker.runOnce();
    const firstNumber = (await a.store.get(sent.journalId))?.acceptId;
    expect(firstNumber).toMatch(/^1\/25\d\d$/);

    expect((await a.outbox.disputeRegistration(sent.journalId)).state).toBe('registration_disputed');
    await worker.runOnce();
    await a.worker.runOnce();
    const corrected = await a.store.get(sent.journalId);
    expect(corrected?.state).toBe('registered');
    expect(corrected?.acceptId).toMatch(/^2\/25\d\d$/);
    expect(corrected?.acceptId).not.toBe(firstNumber);
    expect((await a.store.transitions(sent.journalId)).map((t) => t.to)).toEqual([
      'submitted',
      'received',
      'registered',
      'registration_disputed',
      'registered',
    ]);
  });

  it('outbound status lists what this organisation sent, with the node statuses', async () => {
    const letterId = nextBook();
    const sent = await a.outbox.submit(sampleLetter({ id: letterId }));
    const status = await a.client.outboundStatus();
    const mine = status.find((s) => s.processId === sent.processId);
    expect(mine).toMatchObject({
      letterId,
      processStatus: 'Sent',
      acceptDepartmentId: net.nodes[1]!.organizationId,
    });
    await b.worker.runOnce();
    expect((await a.client.outboundStatus()).find((s) => s.processId === sent.processId)?.processStatus).toBe(
      'Received',
    );
  });
});

describe('client operations', () => {
  let client: EcmsClient;
  beforeAll(() => {
    client = new EcmsClient({ nodeUrl: net.nodes[0]!.url, organizationId: net.nodes[0]!.organizationId });
  });
  afterAll(() => client.close());

  it('ministries, organisations, code lists, MIME list and time check', async () => {
    const ministries = await client.getMinistries();
    expect(ministries.find((m) => m.ministryId === '15')?.nameTh).toBe('กระทรวงมหาดไทย');
    const orgs = await client.getOrganizations();
    expect(orgs).toHaveLength(2);
    expect(orgs[1]?.nameTh).toBe('กรมการปกครอง');
    expect(orgs[1]?.ecmsUrl).toBe(net.nodes[1]!.url);
    const speed = await client.getSpeedCodes();
    expect(speed.map((s) => s.description)).toEqual(['ปกติ', 'ด่วน', 'ด่วนมาก', 'ด่วนที่สุด']);
    const book = await client.loadCodeBook();
    expect(book.secrecy.personal).toBe('5');
    expect((await client.getMimeCodes()).find((m) => m.fileExtension === 'pdf')?.contentType).toBe(
      'application/pdf',
    );
    const t = await client.timeCheck();
    expect(Math.abs(t.skewInMs)).toBeLessThan(5_000);
  });

  it('re-requests a specific item again', async () => {
    const [na, nb] = net.nodes;
    const sender = new EcmsClient({ nodeUrl: na!.url, organizationId: na!.organizationId });
    const receiver = new EcmsClient({ nodeUrl: nb!.url, organizationId: nb!.organizationId });
    const letterId = nextBook();
    await sender.sendLetter(sampleLetter({ id: letterId }));
    let item = (await receiver.fetchNext()).item;
    while (item && !(item.kind === 'letter' && item.letter.id === letterId)) {
      await receiver.dequeue(item.processId);
      item = (await receiver.fetchNext()).item;
    }
    expect(item?.kind).toBe('letter');
    await receiver.dequeue(item!.processId);
    const again = await receiver.reRequest('letter', {
      letterId,
      correspondenceDate: '2026-11-27',
      senderDepartmentId: na!.organizationId,
      acceptDepartmentId: nb!.organizationId,
    });
    expect(again.item?.processId).toBe(item!.processId);
    await receiver.dequeue(item!.processId);
    await Promise.all([sender.close(), receiver.close()]);
  });

  it('node errors are ERR_ECMS_FAULT with the node code, and errors leak no personal data', async () => {
    const err = await client.dequeue('no-such-process').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E_PROCESS_NOT_FOUND', retryable: false });
    // A letter to an organisation not on the network: typed error before anything is sent.
    const citizenId = '1101700230708';
    const letter = sampleLetter({
      subject: `คำร้องของ ${citizenId}`,
      receiver: { departmentId: '9999999999' },
    });
    const e2 = await client.sendLetter(letter).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
    // A node refusal of a letter (wrong sender organisation) carries the node code; no citizen ID leaks.
    const e3 = await client
      .sendLetter({
        ...letter,
        sender: { departmentId: net.nodes[1]!.organizationId },
        receiver: { departmentId: net.nodes[1]!.organizationId },
      })
      .catch((e: unknown) => e);
    expect(e3).toMatchObject({ code: 'ERR_ECMS_FAULT', nodeCode: 'E_SENDER' });
    for (const e of [err, e2, e3]) {
      expect(JSON.stringify(e)).not.toContain(citizenId);
      expect(inspect(e)).not.toContain(citizenId);
    }
  });

  it('logs of a failing worker and client carry no citizen ID', async () => {
    const citizenId = '1101700230708';
    const { logger, lines } = captureLogger();
    const [na, nb] = net.nodes;
    const sender = new EcmsClient({
      nodeUrl: na!.url,
      organizationId: na!.organizationId,
      logger,
      logLevel: 'debug',
    });
    const receiver = new EcmsClient({
      nodeUrl: nb!.url,
      organizationId: nb!.organizationId,
      logger,
      logLevel: 'debug',
    });
    await sender.sendLetter(sampleLetter({ id: nextBook(), subject: `คำร้องของ ${citizenId}` }));
    const store = new MemoryLetterStore();
    const worker = new EcmsInboxWorker({
      client: receiver,
      store,
      logger,
      onLetter: () => {
        throw new Error(`saraban refused letter of ${citizenId}`);
      },
    });
    const err = await worker.runOnce().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(citizenId);
    await Promise.all([sender.close(), receiver.close()]);
  });

  it('rejects unknown options and bad node URLs with typed argument errors', () => {
    expect(() => new EcmsClient({ nodeUrl: 'not a url', organizationId: '0031500001' })).toThrow(TypeError);
    expect(
      () =>
        new EcmsClient({
          nodeUrl: 'http://x',
          organizationId: '0031500001',
          timeout: 5,
        } as unknown as ConstructorParameters<typeof EcmsClient>[0]),
    ).toThrow(/timeout/);
    expect(() => new EcmsClient({ nodeUrl: 'http://x', organizationId: '12' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  });
});
