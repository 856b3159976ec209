import { createHash, randomUUID } from 'node:crypto';
import { isThGovError, redactPreview } from '@thgov/core';
import { type SafeLogger, sharedTelemetry, TELEMETRY_NAMES } from '@thgov/core/internal';
import type { EcmsClient } from './client.js';
import { EcmsSignatureError, LETTER_CONFLICT_REASONS, type LetterConflictReason } from './errors.js';
import type { ExchangeEvidence } from './evidence.js';
import type { InboundItem, PoisonItem } from './model.js';
import type { LetterRecord, LetterStore, QuarantinedItem } from './store/letter-store.js';
import { sameName } from './xml/tree.js';

export interface QuarantineKeeperOptions {
  client: EcmsClient;
  store: LetterStore;
  log: SafeLogger;
  onRejected?: (event: { quarantined: QuarantinedItem }) => void | Promise<void>;
}

/** An e-CMS error is the node's or the message's final word; anything else (network, timeout) may pass. */
function definitive(err: unknown): boolean {
  return isThGovError(err) && String(err.code).startsWith('ERR_ECMS_');
}

/**
 * What the inbox does with a poison item, in crash-safe steps: keep it (raw answer, SHA-256, typed error,
 * ProcessID marked processed — one transaction), then (after the caller dequeues) tell the sender with
 * InvalidLetterNotifier where the item is a letter whose key can be read, then report it through
 * `onRejected`. Each step is recorded, so a crash repeats only the steps not yet done.
 */
export class QuarantineKeeper {
  readonly #o: QuarantineKeeperOptions;

  constructor(options: QuarantineKeeperOptions) {
    this.#o = options;
  }

  async keep(item: PoisonItem, exchange: ExchangeEvidence): Promise<QuarantinedItem> {
    countPoison('fetch');
    const isLetter = sameName(item.element, 'GovernmentDocument');
    const q: QuarantinedItem = {
      id: randomUUID(),
      processId: item.processId,
      operation: exchange.operation,
      element: item.element,
      xml: exchange.responseXml,
      sha256: exchange.responseSha256,
      at: exchange.at,
      error: {
        code: String(item.error.code),
        message: redactPreview(item.error.message, 500),
        ...(item.error instanceof EcmsSignatureError ? { reason: item.error.reason } : {}),
      },
      signature: item.verification,
      letterKey: item.letterKey,
      notified: !(isLetter && item.letterKey),
      settled: false,
      note: undefined,
    };
    await this.#o.store.quarantine(q);
    this.#o.log.warn('e-CMS queue item refused and kept as evidence', {
      errorCode: q.error.code,
      reason: q.error.reason,
      element: q.element,
      quarantineId: q.id,
    });
    return q;
  }

  /**
   * Keeps a letter that conflicts with the journalled letter holding its natural key (ERR_ECMS_LETTER_CONFLICT):
   * the whole answer and its SHA-256, the letter's key, which journalled letter it conflicts with. Its processed
   * marker and id come from the ProcessID and the document's SHA-256, so an item fetched again, or by two
   * replicas at once, is kept once: undefined when it was kept before. No InvalidLetterNotifier: which copy is
   * genuine is the records office's call, and the notifier would name the journalled letter's key too.
   */
  async keepConflict(
    item: Extract<InboundItem, { kind: 'letter' }>,
    exchange: ExchangeEvidence,
    conflict: { holder: LetterRecord; reason: LetterConflictReason; documentSha256: string },
  ): Promise<QuarantinedItem | undefined> {
    const marker = `${item.processId}#conflict:${conflict.documentSha256.slice(0, 32)}`;
    if (await this.#o.store.isProcessed(marker)) return undefined;
    const { letter } = item;
    const q: QuarantinedItem = {
      id: uuidFrom(marker),
      processId: marker,
      operation: exchange.operation,
      element: 'GovernmentDocument',
      xml: exchange.responseXml,
      sha256: exchange.responseSha256,
      at: exchange.at,
      error: {
        code: 'ERR_ECMS_LETTER_CONFLICT',
        message: `Another letter (journal ${conflict.holder.journalId}) holds this book number, date, sender and receiver; this one differs: ${LETTER_CONFLICT_REASONS[conflict.reason]}`,
        reason: conflict.reason,
      },
      signature: item.verification,
      letterKey: {
        letterId: letter.id,
        correspondenceDate: letter.correspondenceDate,
        subject: letter.subject,
        senderDepartmentId: letter.sender.departmentId,
      },
      notified: true,
      settled: false,
      note: `conflicts with journal ${conflict.holder.journalId} (state ${conflict.holder.state}); no InvalidLetterNotifier sent`,
    };
    try {
      await this.#o.store.quarantine(q);
    } catch (err) {
      // Another replica kept the same item first (same id): nothing is left to do here.
      if (await this.#o.store.isProcessed(marker).catch(() => false)) return undefined;
      throw err;
    }
    countPoison('fetch');
    this.#o.log.warn(
      'e-CMS letter conflicts with a journalled letter under its book number; kept as evidence',
      {
        errorCode: q.error.code,
        reason: conflict.reason,
        journalId: conflict.holder.journalId,
        quarantineId: q.id,
      },
    );
    return q;
  }

  /**
   * Keeps a journalled inbound letter that `recover()` cannot finish (its stored document, SHA-256 and the
   * typed error) as a quarantined item. No InvalidLetterNotifier: the letter itself may be sound (the
   * failure may be the application's `onLetter`), so the agency decides. Idempotent per letter: a crash
   * after this step finds the item again instead of keeping a second one.
   */
  async keepRecord(record: LetterRecord, err: unknown, failures: number): Promise<QuarantinedItem> {
    countPoison('recover');
    const processId = record.processId ?? `journal:${record.journalId}`;
    const existing = (await this.#o.store.quarantined()).find(
      (q) => q.operation === 'recover' && q.processId === processId,
    );
    if (existing) return existing;
    const xml = record.document ?? new Uint8Array();
    const code = isThGovError(err) ? String(err.code) : 'ERR_UNKNOWN';
    const message = err instanceof Error ? err.message : String(err);
    const q: QuarantinedItem = {
      id: randomUUID(),
      processId,
      operation: 'recover',
      element: 'GovernmentDocument',
      xml,
      sha256: createHash('sha256').update(xml).digest('hex'),
      at: new Date(),
      error: { code, message: redactPreview(message, 500) },
      signature: record.signature,
      letterKey: undefined,
      notified: true,
      settled: false,
      note: `journal ${record.journalId}: recover() failed ${failures} time(s) in state ${record.state}`,
    };
    await this.#o.store.quarantine(q);
    this.#o.log.warn('e-CMS letter recover() cannot finish kept in quarantine', {
      errorCode: code,
      journalId: record.journalId,
      quarantineId: q.id,
    });
    return q;
  }

  /** Sends what is still owed for one refused item; leaves it unsettled when a step must be retried. */
  async settle(q: QuarantinedItem): Promise<void> {
    let current = q;
    if (!current.notified && current.letterKey) {
      const note = await this.#notify(current.letterKey);
      if (note === undefined) return;
      current = { ...current, notified: true, note };
      await this.#o.store.updateQuarantined(q.id, { notified: true, note });
    }
    try {
      await this.#o.onRejected?.({ quarantined: current });
    } catch (err) {
      this.#o.log.warn('onRejected failed; it runs again at the next recover()', {
        errorCode: isThGovError(err) ? err.code : 'ERR_UNKNOWN',
        quarantineId: q.id,
      });
      return;
    }
    await this.#o.store.updateQuarantined(q.id, { settled: true });
  }

  /** InvalidLetterNotifier to the sender; the note to record, or undefined to try again later. */
  async #notify(key: NonNullable<QuarantinedItem['letterKey']>): Promise<string | undefined> {
    try {
      await this.#o.client.reportInvalidLetter(key);
      return 'InvalidLetterNotifier sent';
    } catch (err) {
      const code = isThGovError(err) ? String(err.code) : 'ERR_UNKNOWN';
      if (definitive(err)) return `InvalidLetterNotifier not accepted (${code})`;
      this.#o.log.warn('InvalidLetterNotifier could not be sent; retried at the next recover()', {
        errorCode: code,
      });
      return undefined;
    }
  }

  /** Settles every refused item with work left (after a crash, or a notifier that could not be sent). */
  async settleAll(): Promise<void> {
    for (const q of await this.#o.store.quarantined({ settled: false })) await this.settle(q);
  }
}

/** A UUID-shaped id derived from `text` (the same text, the same id). */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `thgov.ecms.inbox.poison_items`: a queue item (`fetch`) or a journalled letter (`recover`) quarantined. */
function countPoison(source: 'fetch' | 'recover'): void {
  sharedTelemetry('@thgov/ecms').count(
    TELEMETRY_NAMES.inboxPoisonItems,
    { 'thgov.source': source },
    1,
    'e-CMS inbox items quarantined as poison',
  );
}
