import {
  decodeGovernmentDocument,
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type Letter,
  type LetterInput,
  type LetterRecord,
  type Notifier,
} from '@thgov/ecms';
import { SqliteLetterStore } from '@thgov/ecms/sqlite';
import type { BridgeConfig } from './config.js';

/**
 * What the agency's own saraban system (สารบรรณอิเล็กทรอนิกส์) provides to the bridge. The bridge calls
 * these after the letter is safely journalled, so a slow or failing saraban never loses a letter: a call
 * that throws is repeated on the next poll.
 */
export interface SarabanSystem {
  /** A letter arrived and was registered: file it in the register (ทะเบียนหนังสือรับ). */
  fileIncoming(input: {
    letter: Letter;
    registrationNumber: string;
    journalId: string;
  }): void | Promise<void>;
  /** An outgoing letter moved on (received, registered with the receiver's number, rejected…). */
  outgoingChanged?(input: {
    journalId: string;
    state: string;
    acceptId: string | undefined;
    notifier: Notifier;
  }): void | Promise<void>;
}

export interface SarabanBridge {
  /** Journals the letter in the outbox and sends it; an ambiguous send is resolved, never duplicated. */
  send(letter: LetterInput): Promise<LetterRecord>;
  /** After a rejection: withdraw and send the corrected letter under the same journal entry. */
  resendCorrected(journalId: string, corrected: LetterInput): Promise<LetterRecord>;
  status(journalId: string): Promise<LetterRecord | undefined>;
  /** One poll of the inbox (tests, cron jobs); `start()` polls continuously. */
  pollOnce(): Promise<number>;
  start(): Promise<void>;
  /** Graceful: finishes the item in hand, then closes the node connection and the journal. */
  stop(): Promise<void>;
}

export async function createSarabanBridge(
  config: BridgeConfig,
  saraban: SarabanSystem,
): Promise<SarabanBridge> {
  const client = new EcmsClient({
    nodeUrl: config.nodeUrl,
    organizationId: config.organizationId,
    appName: 'saraban-bridge/1.0',
  });
  const store = new SqliteLetterStore({ filename: config.dbPath });
  // Codes differ between nodes ("1" vs "001"): read them from the node once.
  await client.loadCodeBook();
  const outbox = new EcmsOutbox({ client, store });
  const worker = new EcmsInboxWorker({
    client,
    store,
    autoAcknowledge: true,
    autoRegister: { register: config.register },
    pollIntervalInMs: config.pollIntervalInMs,
    onNotifier: async ({ notifier, record, changed }) => {
      if (record && changed && record.direction === 'outbound') {
        await saraban.outgoingChanged?.({
          journalId: record.journalId,
          state: record.state,
          acceptId: record.acceptId,
          notifier,
        });
      }
    },
  });

  const fileRegistered = async () => {
    // Registered letters not yet filed in the saraban: the `dispatched` flag is the bridge's bookmark.
    for (const r of await store.list({ direction: 'inbound', states: ['registered'] })) {
      if (r.dispatched || !r.document || !r.acceptId) continue;
      await saraban.fileIncoming({
        letter: decodeGovernmentDocument(r.document, { codes: client.codes }),
        registrationNumber: r.acceptId,
        journalId: r.journalId,
      });
      await store.update(r.journalId, { dispatched: true });
    }
  };

  // Ambiguous sends left by a previous run are settled before anything new goes out.
  await outbox.resolvePending().catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  return {
    send: (letter) => outbox.submit(letter),
    async resendCorrected(journalId, corrected) {
      await outbox.withdraw(journalId);
      return outbox.resend(journalId, corrected);
    },
    status: (journalId) => store.get(journalId),
    async pollOnce() {
      const n = await worker.runOnce();
      await fileRegistered();
      return n;
    },
    async start() {
      await worker.start();
      timer = setInterval(() => void fileRegistered().catch(() => undefined), config.pollIntervalInMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await worker.stop();
      await client.close();
      await store.close();
    },
  };
}
