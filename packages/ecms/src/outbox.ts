import { isThGovError, type Logger, type OperationOptions } from '@thgov/core';
import { SafeLogger, sharedTelemetry, TELEMETRY_NAMES, validateOptions, z } from '@thgov/core/internal';
import { sleep } from './backoff.js';
import type { EcmsClient } from './client.js';
import { parseLetter } from './codec/encode.js';
import { decodeGovernmentDocument } from './codec/letter.js';
import { ecmsError, isServerFault } from './errors.js';
import type { ExchangeEvidence } from './evidence.js';
import { OUTBOUND_STATE_BY_NOTIFIER, type OutboundState } from './journal.js';
import { bookNumberKey, type LetterInput, type Notifier, type OutboundStatusEntry } from './model.js';
import {
  type EvidenceRecord,
  type LeaseFence,
  type LetterLease,
  type LetterRecord,
  type LetterStore,
  newLetterRecord,
} from './store/letter-store.js';
import { defaultWorkerId } from './worker-id.js';

/** Options of `EcmsOutbox`: the client, the journal, and how ambiguous sends are resolved. */
export interface EcmsOutboxOptions {
  client: EcmsClient;
  store: LetterStore;
  logger?: Logger;
  /** Names this outbox in its leases (several replicas share one store). Default host:pid:random. */
  workerId?: string;
  /**
   * How long a letter being sent or resolved stays this outbox's before another replica may take it
   * over. Keep it longer than one send with its retries and time-outs. Default 60 000.
   */
  leaseInMs?: number;
  /**
   * "Not in the outbound status" is not proof of absence: a node's status can lag a send it has just
   * queued. Before a resend the status is looked at this many more times, `absenceRecheckDelayInMs`
   * apart. Default 2 (three looks in all). Keep `(absenceRechecks × absenceRecheckDelayInMs)` well under
   * `leaseInMs`.
   */
  absenceRechecks?: number;
  /** Wait between two looks at the outbound status for a letter not (yet) listed. Default 1 000. */
  absenceRecheckDelayInMs?: number;
  /**
   * Called when an ambiguous send cannot be attributed (`ERR_ECMS_SUBMIT_AMBIGUOUS`): the node lists the
   * book number without receiver or date, and several sends could own the entry. The letter stays
   * `submit_unknown` and is neither marked sent nor sent again; `unresolved()` lists such letters.
   */
  onUnresolved?: (event: OutboxUnresolvedEvent) => void | Promise<void>;
}

/** A send the outbox will not guess about (see `EcmsOutboxOptions.onUnresolved`). */
export interface OutboxUnresolvedEvent {
  record: LetterRecord;
  /** Entries of the outbound status that this letter or another open send could own. */
  candidateProcessIds: string[];
  /** Journal ids of the other letters that could own them (same book number, no ProcessID known). */
  rivalJournalIds: string[];
}

/** Options of `submit` and `enqueue`. */
export interface OutboxSubmitOptions {
  sign?: boolean;
  /**
   * Makes a repeated submit safe: a letter with this key already in the journal is returned as it is,
   * never sent again. Without it, a second letter with the same sender, book number, receiver and date is
   * refused (ERR_ECMS_DUPLICATE). Unique per journal, at most 200 characters.
   */
  idempotencyKey?: string;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'a function' });
const object = z.custom<object>((v) => typeof v === 'object' && v !== null, { message: 'an object' });
export const outboxOptionsSchema = z
  .object({
    client: object,
    store: object,
    logger: object.optional(),
    workerId: z.string().min(1).max(200).optional(),
    leaseInMs: z.number().int().min(100).max(3_600_000).optional(),
    absenceRechecks: z.number().int().min(0).max(20).optional(),
    absenceRecheckDelayInMs: z.number().int().min(0).max(600_000).optional(),
    onUnresolved: fn.optional(),
  })
  .strict();
const idempotencyKeySchema = z.string().min(1).max(200);

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
  // A generic Server/Receiver fault says nothing about the letter (SOAP 1.1 §4.4.1): an ASMX or JAX-WS node
  // that kept the letter and then failed answers with one. The node's own ErrorDetail, or a Client/Sender
  // fault, is its verdict on the message.
  if (isServerFault(err)) return true;
  if (isThGovError(err, 'ERR_ECMS_FAULT')) return false;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429)
    return false;
  return true;
}

const PRE_SEND: readonly OutboundState[] = ['submitting', 'submit_unknown'];
/** What `runOnce` picks up: journalled but not sent, or a send whose outcome is not known. */
const UNSENT: readonly OutboundState[] = ['draft', ...PRE_SEND];

/**
 * Durable sending. A letter is journalled before it is sent; a send that fails ambiguously (timeout,
 * reset, unreadable answer) becomes `submit_unknown` and is resolved through OutboundStatusRequest —
 * found → submitted with the node's ProcessID, absent → sent again. Never a blind duplicate.
 *
 * @example
 * ```ts
 * const outbox = new EcmsOutbox({ client, store });
 * await outbox.resolvePending(); // at start-up: settles sends a crash or a timeout left open
 * const record = await outbox.submit(letter, { idempotencyKey: sarabanDocumentId });
 * ```
 */
export class EcmsOutbox {
  readonly #client: EcmsClient;
  readonly #store: LetterStore;
  readonly #log: SafeLogger;
  readonly #owner: string;
  readonly #leaseInMs: number;
  readonly #rechecks: number;
  readonly #recheckDelayInMs: number;
  readonly #onUnresolved: EcmsOutboxOptions['onUnresolved'];

  constructor(options: EcmsOutboxOptions) {
    validateOptions(outboxOptionsSchema, options, 'EcmsOutbox options');
    this.#client = options.client;
    this.#store = options.store;
    this.#log = new SafeLogger(options.logger);
    this.#owner = options.workerId ?? defaultWorkerId();
    this.#leaseInMs = options.leaseInMs ?? 60_000;
    this.#rechecks = options.absenceRechecks ?? 2;
    this.#recheckDelayInMs = options.absenceRecheckDelayInMs ?? 1_000;
    this.#onUnresolved = options.onUnresolved;
  }

  /**
   * Journals a new outbound letter. A letter already journalled (same natural key, or the same
   * `idempotencyKey`) is detected by the store's unique index, atomically: with the same key the journalled
   * letter is returned (`existing`), otherwise ERR_ECMS_DUPLICATE.
   */
  async #journal(
    letter: LetterInput,
    state: 'draft' | 'submitting',
    options: OutboxSubmitOptions,
  ): Promise<{ record: LetterRecord; existing: boolean }> {
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : validateOptions(idempotencyKeySchema, options.idempotencyKey, 'idempotencyKey');
    // Journalled as it is sent: the book number normalised (`normalizeBookNumber`), the subject trimmed.
    const sent = parseLetter(letter);
    const record = newLetterRecord({
      direction: 'outbound',
      state,
      letterId: sent.id,
      correspondenceDate: sent.correspondenceDate,
      subject: sent.subject,
      senderDepartmentId: sent.sender.departmentId,
      receiverDepartmentId: sent.receiver.departmentId,
      document: this.#client.encodeLetter(letter, { sign: options.sign }),
      idempotencyKey: key,
    });
    try {
      await this.#store.insert(record);
      return { record, existing: false };
    } catch (err) {
      if (!isThGovError(err, 'ERR_ECMS_DUPLICATE')) throw err;
      const same = (
        await this.#store.findByNaturalKey({
          direction: 'outbound',
          letterId: record.letterId,
          correspondenceDate: record.correspondenceDate,
          counterpartDepartmentId: record.receiverDepartmentId,
        })
      ).find((r) => r.senderDepartmentId === record.senderDepartmentId);
      if (key !== undefined && same?.idempotencyKey === key) {
        this.#log.info('e-CMS letter submitted again with its idempotency key: not sent twice', {
          journalId: same.journalId,
        });
        return { record: same, existing: true };
      }
      throw ecmsError(
        'ERR_ECMS_DUPLICATE',
        same
          ? `This letter is already in the journal (${same.journalId}, state ${same.state}): not sent twice; use resend() to send it again`
          : 'This idempotency key already belongs to another letter in the journal',
        { cause: err },
      );
    }
  }

  /** Runs `fn` under a lease on the letter; undefined when another replica holds it. */
  async #leased<T>(journalId: string, fn: (fence: LeaseFence) => Promise<T>): Promise<T | undefined> {
    const lease = await this.#store.claimOne(journalId, this.#owner, this.#leaseInMs);
    if (!lease) return undefined;
    return this.#withLease(lease, fn);
  }

  async #withLease<T>(lease: LetterLease, fn: (fence: LeaseFence) => Promise<T>): Promise<T> {
    try {
      return await fn(lease);
    } finally {
      await this.#store.release(lease).catch(() => undefined);
    }
  }

  /**
   * Journals a letter for sending without sending it (`draft`): the application's transaction ends here,
   * and whichever outbox replica runs `runOnce` next sends it.
   */
  async enqueue(letter: LetterInput, options: OutboxSubmitOptions = {}): Promise<LetterRecord> {
    return (await this.#journal(letter, 'draft', options)).record;
  }

  /**
   * Claims up to `limit` letters that are journalled but not known to be sent (drafts, interrupted or
   * ambiguous sends; another replica's after its lease expired), sends or resolves each, and returns them.
   * A letter another replica holds is left to it.
   */
  async runOnce(options: OperationOptions & { limit?: number } = {}): Promise<LetterRecord[]> {
    const leases = await this.#store.claim({
      direction: 'outbound',
      states: UNSENT,
      owner: this.#owner,
      leaseInMs: this.#leaseInMs,
      limit: options.limit ?? 20,
    });
    const out: LetterRecord[] = [];
    for (const lease of leases) {
      out.push(
        await this.#withLease(lease, async (fence) => {
          const r = await this.#get(lease.journalId);
          if (r.state !== 'draft') return this.#resolve(r.journalId, options, true, fence);
          const next = await this.#store.transition({
            journalId: r.journalId,
            from: ['draft'],
            to: 'submitting',
            note: 'send',
            fence,
          });
          return next ? this.#send(next, options, fence) : this.#get(r.journalId);
        }),
      );
    }
    return out;
  }

  /**
   * Journals the letter (encoded, and signed when the client signs) and sends it. The same letter submitted
   * twice is sent once: see `idempotencyKey`.
   */
  async submit(
    letter: LetterInput,
    options: OperationOptions & OutboxSubmitOptions = {},
  ): Promise<LetterRecord> {
    const { idempotencyKey, sign, ...operation } = options;
    const journalled = await this.#journal(letter, 'submitting', { sign, idempotencyKey });
    if (journalled.existing) return journalled.record;
    const { record } = journalled;
    // Just inserted: no other replica can hold it yet.
    return (await this.#leased(record.journalId, (fence) => this.#send(record, operation, fence))) ?? record;
  }

  /** One send, counted by the state it ended in (`thgov.ecms.outbox.sends`). */
  async #send(record: LetterRecord, options: OperationOptions, fence: LeaseFence): Promise<LetterRecord> {
    const count = (state: string) =>
      sharedTelemetry('@thgov/ecms').count(
        TELEMETRY_NAMES.outboxSends,
        { 'thgov.state': state },
        1,
        'e-CMS outbox sends, by the state each send ended in',
      );
    try {
      const sent = await this.#sendOnce(record, options, fence);
      count(sent.state);
      return sent;
    } catch (err) {
      count(isThGovError(err, 'ERR_ECMS_LEASE_LOST') ? 'lease_lost' : 'failed');
      throw err;
    }
  }

  async #sendOnce(record: LetterRecord, options: OperationOptions, fence: LeaseFence): Promise<LetterRecord> {
    if (!record.document) throw ecmsError('ERR_ECMS_STORE', 'The journalled letter has no document');
    const sendCount = record.sendCount + 1;
    await this.#store.update(record.journalId, { sendCount }, { fence });
    let to: string;
    try {
      to = await this.#client.nodeUrlOf(record.receiverDepartmentId, options);
    } catch (err) {
      return this.#fail(record, err, fence);
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
        fence,
      });
      return updated ?? (await this.#get(record.journalId));
    } catch (err) {
      if (isThGovError(err, 'ERR_ECMS_LEASE_LOST')) throw err;
      if (!isAmbiguous(err)) return this.#fail(record, err, fence);
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
        fence,
        withDocument: false,
      });
      try {
        // One look at the outbound status; a resend (if the node does not have it) is left to resolve().
        return await this.#resolve(record.journalId, options, false, fence);
      } catch (resolveErr) {
        this.#log.warn('could not resolve an ambiguous send yet', {
          journalId: record.journalId,
          code: isThGovError(resolveErr) ? resolveErr.code : 'ERR_UNKNOWN',
        });
        return this.#get(record.journalId);
      }
    }
  }

  async #fail(record: LetterRecord, err: unknown, fence: LeaseFence): Promise<LetterRecord> {
    const code = isThGovError(err) ? err.code : 'ERR_UNKNOWN';
    await this.#store.transition({
      journalId: record.journalId,
      from: PRE_SEND,
      to: 'failed',
      patch: { lastError: code },
      note: code,
      fence,
      withDocument: false,
    });
    throw err;
  }

  async #get(journalId: string): Promise<LetterRecord> {
    const r = await this.#store.get(journalId);
    if (!r) throw ecmsError('ERR_ECMS_NOT_FOUND', 'No such letter in the journal');
    return r;
  }

  /**
   * Resolves a letter in `submit_unknown` (or left in `submitting` by a crash) through the node's outbound
   * status. An entry with the same book number, receiver and date that no earlier send claimed → submitted.
   * Entries without receiver or date (as nodes may list them) are taken only when no other send of ours
   * could own them; otherwise the letter stays `submit_unknown` (ERR_ECMS_SUBMIT_AMBIGUOUS, `onUnresolved`).
   * Not listed → looked for again `absenceRechecks` times (the status can lag), then sent again.
   */
  async resolve(journalId: string, options: OperationOptions = {}): Promise<LetterRecord> {
    return (
      (await this.#leased(journalId, (fence) => this.#resolve(journalId, options, true, fence))) ??
      this.#get(journalId)
    );
  }

  /** Letters whose ambiguous send cannot be attributed without a human (ERR_ECMS_SUBMIT_AMBIGUOUS). */
  async unresolved(): Promise<LetterRecord[]> {
    return (await this.#store.list({ direction: 'outbound', states: ['submit_unknown'] })).filter(
      (r) => r.lastError === 'ERR_ECMS_SUBMIT_AMBIGUOUS',
    );
  }

  /**
   * A person's decision on a send the outbox would not guess about (`unresolved()`): `arrived: true` marks
   * it submitted (with the node's ProcessID when known, so no other send claims that entry); `arrived:
   * false` sends it again now. Only for a letter still in `submit_unknown` or `submitting`.
   */
  async settleUnresolved(
    journalId: string,
    decision: { arrived: true; processId?: string } | { arrived: false },
    options: OperationOptions = {},
  ): Promise<LetterRecord> {
    const done = await this.#leased(journalId, async (fence) => {
      const r = await this.#get(journalId);
      if (!PRE_SEND.includes(r.state as OutboundState))
        throw ecmsError('ERR_ECMS_STATE', `A letter in state ${r.state} has no unknown send to settle`);
      if (decision.arrived) {
        return (
          (await this.#store.transition({
            journalId,
            from: PRE_SEND,
            to: 'submitted',
            patch: { processId: decision.processId, lastError: undefined },
            ...(decision.processId ? { processedId: decision.processId } : {}),
            note: 'settled by hand: arrived',
            fence,
          })) ?? (await this.#get(journalId))
        );
      }
      const again = await this.#store.transition({
        journalId,
        from: PRE_SEND,
        to: 'submitting',
        patch: { lastError: undefined },
        note: 'settled by hand: not arrived, sending again',
        fence,
      });
      return again ? this.#send(again, options, fence) : this.#get(journalId);
    });
    if (!done)
      throw ecmsError('ERR_ECMS_LEASE_LOST', 'Another replica is working on this letter; try again later');
    return done;
  }

  async #resolve(
    journalId: string,
    options: OperationOptions,
    resend: boolean,
    fence: LeaseFence,
  ): Promise<LetterRecord> {
    const looks = resend ? 1 + this.#rechecks : 1;
    for (let look = 0; look < looks; look++) {
      if (look > 0) {
        await sleep(this.#recheckDelayInMs, options.abortSignal);
        if (options.abortSignal?.aborted) return this.#get(journalId);
      }
      const record = await this.#get(journalId);
      if (!PRE_SEND.includes(record.state as OutboundState)) return record;
      const found = await this.#lookUp(record, options);
      if (found.kind === 'match') {
        const updated = await this.#store.transition({
          journalId,
          from: PRE_SEND,
          to: 'submitted',
          patch: { processId: found.entry.processId, lastError: undefined },
          processedId: found.entry.processId,
          note: `resolved through outbound status (${found.entry.processStatus})`,
          fence,
        });
        this.#log.info('ambiguous e-CMS send resolved: the node has it', { journalId });
        return updated ?? (await this.#get(journalId));
      }
      if (found.kind === 'ambiguous') return this.#ambiguous(record, found, fence);
    }
    const record = await this.#get(journalId);
    if (!resend || !PRE_SEND.includes(record.state as OutboundState)) return record;
    const again = await this.#store.transition({
      journalId,
      from: PRE_SEND,
      to: 'submitting',
      note: `not in outbound status after ${looks} looks: sending again`,
      fence,
    });
    // Moved on meanwhile (a receiver's notifier proved it arrived): nothing to resend.
    if (!again) return this.#get(journalId);
    return this.#send(again, options, fence);
  }

  /**
   * Looks for one letter in the node's outbound status. The status entries of the reference carry only
   * ProcessID, LetterID and ProcessStatus; a node may add CorrespondenceDate and AcceptDepartment.
   */
  async #lookUp(
    record: LetterRecord,
    options: OperationOptions,
  ): Promise<
    | { kind: 'match'; entry: OutboundStatusEntry }
    | { kind: 'absent' }
    | { kind: 'ambiguous'; entries: OutboundStatusEntry[]; rivals: LetterRecord[] }
  > {
    const entries = await this.#client.outboundStatus(options);
    const fits = (e: OutboundStatusEntry, r: LetterRecord) =>
      bookNumberKey(e.letterId) === bookNumberKey(r.letterId) &&
      (!e.correspondenceDate || e.correspondenceDate.slice(0, 10) === r.correspondenceDate.slice(0, 10)) &&
      (!e.acceptDepartmentId || e.acceptDepartmentId === r.receiverDepartmentId);
    const open: OutboundStatusEntry[] = [];
    for (const e of entries) {
      if (fits(e, record) && !(await this.#store.isProcessed(e.processId))) open.push(e);
    }
    const exact = open.find((e) => e.correspondenceDate && e.acceptDepartmentId);
    if (exact) return { kind: 'match', entry: exact };
    if (open.length === 0) return { kind: 'absent' };
    // Entries that do not say where or when: any send of ours with this book number whose ProcessID is not
    // known could own them — a circular letter's other copies, the same number in another BE year.
    const rivals = (await this.#store.findByBookNumber('outbound', record.letterId)).filter(
      (r) =>
        r.journalId !== record.journalId &&
        (PRE_SEND.includes(r.state as OutboundState) || (r.sendCount > 0 && r.processId === undefined)) &&
        open.some((e) => fits(e, r)),
    );
    const only = open[0];
    if (open.length === 1 && only && rivals.length === 0) return { kind: 'match', entry: only };
    return { kind: 'ambiguous', entries: open, rivals };
  }

  async #ambiguous(
    record: LetterRecord,
    found: { entries: OutboundStatusEntry[]; rivals: LetterRecord[] },
    fence: LeaseFence,
  ): Promise<LetterRecord> {
    const code = 'ERR_ECMS_SUBMIT_AMBIGUOUS';
    // Reported once; later looks that find the same ambiguity change nothing.
    if (record.lastError === code && record.state === 'submit_unknown') return record;
    const updated =
      (await this.#store.transition({
        journalId: record.journalId,
        from: PRE_SEND,
        to: 'submit_unknown',
        patch: { lastError: code },
        note: `${code}: ${found.entries.length} outbound status entries without receiver or date could be this letter's or ${found.rivals.length} other send(s)`,
        fence,
      })) ?? (await this.#get(record.journalId));
    this.#log.warn('ambiguous e-CMS send left for a human: the outbound status cannot tell the sends apart', {
      journalId: record.journalId,
      code,
      candidates: found.entries.length,
      rivals: found.rivals.length,
    });
    try {
      await this.#onUnresolved?.({
        record: updated,
        candidateProcessIds: found.entries.map((e) => e.processId),
        rivalJournalIds: found.rivals.map((r) => r.journalId),
      });
    } catch (err) {
      this.#log.warn('onUnresolved failed', { code: isThGovError(err) ? err.code : 'ERR_UNKNOWN' });
    }
    return updated;
  }

  /**
   * Resolves every ambiguous or interrupted send (call at start-up and now and then); letters another
   * replica holds are left to it.
   */
  async resolvePending(options: OperationOptions = {}): Promise<LetterRecord[]> {
    const pending = await this.#store.list({ direction: 'outbound', states: PRE_SEND });
    const out: LetterRecord[] = [];
    for (const r of pending) {
      const done = await this.#leased(r.journalId, (fence) =>
        this.#resolve(r.journalId, options, true, fence),
      );
      if (done) out.push(done);
    }
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
    const sent = await this.#leased(journalId, async (fence) => {
      const next = await this.#store.transition({
        journalId,
        from: ['withdrawn', 'failed'],
        to: 'submitting',
        patch,
        note: corrected ? 'resend (corrected)' : 'resend',
        fence,
      });
      // A failed send may still have reached the node (a fault answered after it kept the letter): look at the
      // outbound status first, as for an ambiguous send, and send only when the node does not list it. A
      // withdrawn letter was taken back at the node, so it is sent again directly.
      if (next && r.state === 'failed' && r.sendCount > 0)
        return this.#resolve(journalId, options, true, fence);
      return this.#send(next ?? r, options, fence);
    });
    if (!sent)
      throw ecmsError('ERR_ECMS_LEASE_LOST', 'Another replica is working on this letter; try again later');
    return sent;
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
 * The outbound letter a notifier is about (matched by the natural key: book number, date, receiving
 * department), without changing anything. `ambiguous`: the notifier names no receiving department and the
 * book number and date went to several (a circular letter): it cannot be matched to one copy, never to a guess.
 */
export async function matchOutboundNotifier(
  store: LetterStore,
  notifier: Notifier,
): Promise<{ record: LetterRecord | undefined; ambiguous: boolean }> {
  if (notifier.acceptDepartmentId) {
    const candidates = await store.findByNaturalKey({
      direction: 'outbound',
      letterId: notifier.letterId,
      correspondenceDate: notifier.correspondenceDate,
      counterpartDepartmentId: notifier.acceptDepartmentId,
    });
    return { record: candidates.at(-1), ambiguous: false };
  }
  const candidates = (await store.findByBookNumber('outbound', notifier.letterId)).filter(
    (r) => r.correspondenceDate === notifier.correspondenceDate,
  );
  // A circular letter: kept as evidence by the caller (its `onNotifier` sees it unmatched), never applied.
  if (new Set(candidates.map((r) => r.receiverDepartmentId)).size > 1)
    return { record: undefined, ambiguous: true };
  return { record: candidates.at(-1), ambiguous: false };
}

/**
 * The states a notifier moves an outbound letter on from. A registration settles a dispute only with another
 * number: the disputed one again is the receiver's earlier AcceptLetterNotifier delivered late or sent twice (its
 * first answer was lost), and the letter waits for the new number.
 */
function advancingStates(to: OutboundState, record: LetterRecord, notifier: Notifier): OutboundState[] {
  if (to === 'received') return ['submitting', 'submit_unknown', 'submitted'];
  const before: OutboundState[] = ['submitting', 'submit_unknown', 'submitted', 'received'];
  if (to !== 'registered') return before;
  const sameNumber = record.state === 'registration_disputed' && record.acceptId === notifier.acceptId;
  return sameNumber ? before : [...before, 'registration_disputed'];
}

/**
 * Applies a notifier about one of our outbound letters (matched by the natural key: book number, date,
 * receiving department). A notifier that does not advance the state is ignored. Returns the letter, or
 * undefined when no letter matches — or when the notifier names no receiving department and the book
 * number went to several (a circular letter): then it is kept as evidence and not applied.
 */
export async function applyOutboundNotifier(
  store: LetterStore,
  notifier: Notifier,
  processId: string,
  evidence: Omit<EvidenceRecord, 'journalId'>[],
): Promise<{ record: LetterRecord | undefined; changed: boolean }> {
  const to = OUTBOUND_STATE_BY_NOTIFIER[notifier.kind];
  const { record, ambiguous } = await matchOutboundNotifier(store, notifier);
  if (ambiguous) {
    for (const e of evidence) await store.addEvidence({ ...e, journalId: undefined });
    await store.markProcessed(processId);
    return { record: undefined, changed: false };
  }
  if (!record || !to) {
    await store.markProcessed(processId, record?.journalId);
    return { record, changed: false };
  }
  const from = advancingStates(to, record, notifier);
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
