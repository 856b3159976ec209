import { isThGovError, type Logger, type OperationOptions, SafeLogger } from '@thgov/core';
import type { EcmsClient } from './client.js';
import { decodeGovernmentDocument } from './codec/letter.js';
import { ecmsError } from './errors.js';
import type { ExchangeEvidence } from './evidence.js';
import { OUTBOUND_STATE_BY_NOTIFIER, type OutboundState } from './journal.js';
import type { LetterInput, Notifier } from './model.js';
import {
  type EvidenceRecord,
  type LetterRecord,
  type LetterStore,
  newLetterRecord,
} from './store/letter-store.js';

export interface EcmsOutboxOptions {
  client: EcmsClient;
  store: LetterStore;
  logger?: Logger;
}

/** Evidence rows for one exchange (request sent, response received). */
export function exchangeEvidence(
  e: ExchangeEvidence,
  processId: string | undefined,
): Omit<EvidenceRecord, 'journalId'>[] {
  return [
    {
      processId,
      operation: e.operation,
      direction: 'sent',
      xml: e.requestXml,
      sha256: e.requestSha256,
      at: e.at,
    },
    {
      processId,
      operation: e.operation,
      direction: 'received',
      xml: e.responseXml,
      sha256: e.responseSha256,
      at: e.at,
    },
  ];
}

/** A failure after which the node may or may not have queued the letter. */
function isAmbiguous(err: unknown): boolean {
  if (isThGovError(err, 'ERR_ECMS_FAULT')) return false;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429)
    return false;
  return true;
}

const PRE_SEND: readonly OutboundState[] = ['submitting', 'submit_unknown'];

/**
 * Durable sending. A letter is journalled before it is sent; a send that fails ambiguously (timeout,
 * reset, unreadable answer) becomes `submit_unknown` and is resolved through OutboundStatusRequest —
 * found → submitted with the node's ProcessID, absent → sent again. Never a blind duplicate.
 */
export class EcmsOutbox {
  readonly #client: EcmsClient;
  readonly #store: LetterStore;
  readonly #log: SafeLogger;

  constructor(options: EcmsOutboxOptions) {
    this.#client = options.client;
    this.#store = options.store;
    this.#log = new SafeLogger(options.logger);
  }

  /** Journals the letter (encoded, and signed when the client signs) and sends it. */
  async submit(
    letter: LetterInput,
    options: OperationOptions & { sign?: boolean } = {},
  ): Promise<LetterRecord> {
    const document = this.#client.encodeLetter(letter, { sign: options.sign });
    const record = newLetterRecord({
      direction: 'outbound',
      state: 'submitting',
      letterId: letter.id,
      correspondenceDate: letter.correspondenceDate,
      subject: letter.subject,
      senderDepartmentId: letter.sender.departmentId,
      receiverDepartmentId: letter.receiver.departmentId,
      document,
    });
    await this.#store.insert(record);
    return this.#send(record, options);
  }

  async #send(record: LetterRecord, options: OperationOptions): Promise<LetterRecord> {
    if (!record.document) throw ecmsError('ERR_ECMS_STORE', 'The journalled letter has no document');
    const sendCount = record.sendCount + 1;
    await this.#store.update(record.journalId, { sendCount });
    let to: string;
    try {
      to = await this.#client.nodeUrlOf(record.receiverDepartmentId, options);
    } catch (err) {
      return this.#fail(record, err);
    }
    try {
      const res = await this.#client.sendGovernmentDocument(record.document, { ...options, to });
      const updated = await this.#store.transition({
        journalId: record.journalId,
        from: PRE_SEND,
        to: 'submitted',
        patch: { processId: res.processId, lastError: undefined },
        evidence: exchangeEvidence(res.exchange, res.processId),
        processedId: res.processId,
        note: `sent (attempt ${sendCount})`,
      });
      return updated ?? (await this.#get(record.journalId));
    } catch (err) {
      if (!isAmbiguous(err)) return this.#fail(record, err);
      const code = isThGovError(err) ? err.code : 'ERR_UNKNOWN';
      this.#log.warn('e-CMS send outcome unknown; resolving through outbound status', {
        journalId: record.journalId,
        code,
      });
      await this.#store.transition({
        journalId: record.journalId,
        from: ['submitting'],
        to: 'submit_unknown',
        patch: { lastError: code },
        note: code,
      });
      try {
        // One look at the outbound status; a resend (if the node does not have it) is left to resolve().
        return await this.#resolve(record.journalId, options, false);
      } catch (resolveErr) {
        this.#log.warn('could not resolve an ambiguous send yet', {
          journalId: record.journalId,
          code: isThGovError(resolveErr) ? resolveErr.code : 'ERR_UNKNOWN',
        });
        return this.#get(record.journalId);
      }
    }
  }

  async #fail(record: LetterRecord, err: unknown): Promise<LetterRecord> {
    const code = isThGovError(err) ? err.code : 'ERR_UNKNOWN';
    await this.#store.transition({
      journalId: record.journalId,
      from: PRE_SEND,
      to: 'failed',
      patch: { lastError: code },
      note: code,
    });
    throw err;
  }

  async #get(journalId: string): Promise<LetterRecord> {
    const r = await this.#store.get(journalId);
    if (!r) throw ecmsError('ERR_ECMS_NOT_FOUND', 'No such letter in the journal');
    return r;
  }

  /**
   * Resolves a letter in `submit_unknown` (or left in `submitting` by a crash): looks for it in the
   * node's outbound status (same book number, date and receiver, a ProcessID no earlier send claimed).
   * Found → submitted. Not found → the node never queued it, so it is sent again.
   */
  resolve(journalId: string, options: OperationOptions = {}): Promise<LetterRecord> {
    return this.#resolve(journalId, options, true);
  }

  async #resolve(journalId: string, options: OperationOptions, resend: boolean): Promise<LetterRecord> {
    const record = await this.#get(journalId);
    if (record.state !== 'submit_unknown' && record.state !== 'submitting') return record;
    const entries = await this.#client.outboundStatus(options);
    for (const e of entries) {
      if (e.letterId !== record.letterId) continue;
      if (e.correspondenceDate && e.correspondenceDate !== record.correspondenceDate) continue;
      if (e.acceptDepartmentId && e.acceptDepartmentId !== record.receiverDepartmentId) continue;
      if (await this.#store.isProcessed(e.processId)) continue;
      const updated = await this.#store.transition({
        journalId,
        from: PRE_SEND,
        to: 'submitted',
        patch: { processId: e.processId, lastError: undefined },
        processedId: e.processId,
        note: `resolved through outbound status (${e.processStatus})`,
      });
      this.#log.info('ambiguous e-CMS send resolved: the node has it', { journalId });
      return updated ?? (await this.#get(journalId));
    }
    if (!resend) return record;
    const again = await this.#store.transition({
      journalId,
      from: PRE_SEND,
      to: 'submitting',
      note: 'not in outbound status: sending again',
    });
    return this.#send(again ?? record, options);
  }

  /** Resolves every ambiguous or interrupted send (call at start-up and now and then). */
  async resolvePending(options: OperationOptions = {}): Promise<LetterRecord[]> {
    const pending = await this.#store.list({ direction: 'outbound', states: PRE_SEND });
    const out: LetterRecord[] = [];
    for (const r of pending) out.push(await this.resolve(r.journalId, options));
    return out;
  }

  /** After a reject or invalid notifier: withdraws the letter at the node (CorrespondenceDeleteGovernmentDocumentRequest). */
  async withdraw(journalId: string, options: OperationOptions = {}): Promise<LetterRecord> {
    const r = await this.#get(journalId);
    if (r.state === 'withdrawn') return r;
    if (r.state !== 'rejected' && r.state !== 'invalid') {
      throw ecmsError(
        'ERR_ECMS_STATE',
        `A letter in state ${r.state} cannot be withdrawn (only after reject or invalid)`,
      );
    }
    const res = await this.#client.withdraw(
      {
        letterId: r.letterId,
        correspondenceDate: r.correspondenceDate,
        senderDepartmentId: r.senderDepartmentId,
        acceptDepartmentId: r.receiverDepartmentId,
      },
      options,
    );
    return (
      (await this.#store.transition({
        journalId,
        from: ['rejected', 'invalid'],
        to: 'withdrawn',
        evidence: exchangeEvidence(res.exchange, res.processId),
        note: 'withdrawn',
      })) ?? this.#get(journalId)
    );
  }

  /** Sends a withdrawn (or failed) letter again, optionally corrected; the journal id stays the same. */
  async resend(
    journalId: string,
    corrected?: LetterInput,
    options: OperationOptions & { sign?: boolean } = {},
  ): Promise<LetterRecord> {
    const r = await this.#get(journalId);
    if (r.state !== 'withdrawn' && r.state !== 'failed') {
      throw ecmsError('ERR_ECMS_STATE', `A letter in state ${r.state} cannot be resent (withdraw it first)`);
    }
    const patch = corrected ? { document: this.#client.encodeLetter(corrected, { sign: options.sign }) } : {};
    const next = await this.#store.transition({
      journalId,
      from: ['withdrawn', 'failed'],
      to: 'submitting',
      patch,
      note: corrected ? 'resend (corrected)' : 'resend',
    });
    return this.#send(next ?? r, options);
  }

  /** The sender disputes the registration number the receiver gave (InvalidAcceptIDNotifier). */
  async disputeRegistration(journalId: string, options: OperationOptions = {}): Promise<LetterRecord> {
    const r = await this.#get(journalId);
    if (r.state !== 'registered' || !r.acceptId) {
      throw ecmsError('ERR_ECMS_STATE', `A letter in state ${r.state} has no registration number to dispute`);
    }
    const res = await this.#client.reportInvalidAcceptId(
      {
        letterId: r.letterId,
        correspondenceDate: r.correspondenceDate,
        subject: r.subject,
        acceptId: r.acceptId,
        acceptDepartmentId: r.receiverDepartmentId,
      },
      options,
    );
    return (
      (await this.#store.transition({
        journalId,
        from: ['registered'],
        to: 'registration_disputed',
        evidence: exchangeEvidence(res.exchange, res.processId),
        note: `registration number ${r.acceptId} disputed`,
      })) ?? this.#get(journalId)
    );
  }

  /** The letter as journalled (decoded from the stored document). */
  async letter(journalId: string) {
    const r = await this.#get(journalId);
    if (!r.document) throw ecmsError('ERR_ECMS_STORE', 'The journalled letter has no document');
    return decodeGovernmentDocument(r.document);
  }
}

/**
 * Applies a notifier about one of our outbound letters (matched by the natural key: book number, date,
 * receiving department). A notifier that does not advance the state is ignored. Returns the letter, or
 * undefined when no letter matches.
 */
export async function applyOutboundNotifier(
  store: LetterStore,
  notifier: Notifier,
  processId: string,
  evidence: Omit<EvidenceRecord, 'journalId'>[],
): Promise<{ record: LetterRecord | undefined; changed: boolean }> {
  const to = OUTBOUND_STATE_BY_NOTIFIER[notifier.kind];
  let candidates: LetterRecord[];
  if (notifier.acceptDepartmentId) {
    candidates = await store.findByNaturalKey({
      direction: 'outbound',
      letterId: notifier.letterId,
      correspondenceDate: notifier.correspondenceDate,
      counterpartDepartmentId: notifier.acceptDepartmentId,
    });
  } else {
    candidates = (await store.list({ direction: 'outbound' })).filter(
      (r) => r.letterId === notifier.letterId && r.correspondenceDate === notifier.correspondenceDate,
    );
  }
  const record = candidates.at(-1);
  if (!record || !to) {
    await store.markProcessed(processId, record?.journalId);
    return { record, changed: false };
  }
  const from: OutboundState[] =
    to === 'received'
      ? ['submitting', 'submit_unknown', 'submitted']
      : to === 'registered'
        ? ['submitting', 'submit_unknown', 'submitted', 'received', 'registration_disputed']
        : ['submitting', 'submit_unknown', 'submitted', 'received'];
  const patch = to === 'registered' ? { acceptId: notifier.acceptId, acceptDate: notifier.acceptDate } : {};
  const updated = await store.transition({
    journalId: record.journalId,
    from,
    to,
    patch,
    evidence,
    processedId: processId,
    note: `${notifier.kind} notifier`,
  });
  if (!updated) {
    // Not an advance (late or repeated notifier): ignored, but remembered as handled.
    await store.markProcessed(processId, record.journalId);
    return { record, changed: false };
  }
  return { record: updated, changed: true };
}
