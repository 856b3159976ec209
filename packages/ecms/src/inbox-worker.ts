import { createHash } from 'node:crypto';
import { isThGovError, type Logger } from '@thgov/core';
import { SafeLogger, sharedTelemetry, TELEMETRY_NAMES, validateOptions, z } from '@thgov/core/internal';
import { type BackoffOptions, backoffDelay, sleep } from './backoff.js';
import type { EcmsClient } from './client.js';
import { ClockCheck } from './clock-check.js';
import { encodeGovernmentDocument } from './codec/encode.js';
import { decodeGovernmentDocument } from './codec/letter.js';
import { ecmsError, type LetterConflictReason } from './errors.js';
import type { ExchangeEvidence } from './evidence.js';
import type { InboundState } from './journal.js';
import { bookNumberKey, departmentIdSchema, type InboundItem, type Letter, type Notifier } from './model.js';
import { applyOutboundNotifier, exchangeEvidence, matchOutboundNotifier } from './outbox.js';
import { checkLetterPdf, type PdfVerifierOptions, pdfVerifierSchema } from './pdf-verification.js';
import { QuarantineKeeper } from './quarantine.js';
import { allocateRegistrationNumber, type RegistrationOptions, thaiLocalDateTime } from './registration.js';
import { signatureStatusOf } from './signature/evidence.js';
import {
  type LetterVerification,
  letterTrustShape,
  signaturePolicySchema,
  trustAnchorsSchema,
} from './signature/options.js';
import { withParsedRevocation } from './signature/trust.js';
import type { LetterTrustOptions, SignaturePolicy } from './signature/verify.js';
import {
  type EvidenceRecord,
  KEY_RELEASING_STATES,
  type LeaseFence,
  type LetterLease,
  type LetterRecord,
  type LetterStore,
  type NaturalKeyQuery,
  newLetterRecord,
  type QuarantinedItem,
} from './store/letter-store.js';
import { defaultWorkerId } from './worker-id.js';

/** What `onLetter` receives: the journal record and the decoded letter. */
export interface InboxLetterEvent {
  record: LetterRecord;
  letter: Letter;
  /**
   * Whether the letter is addressed (its receiver) to one of the worker's `departments`. False: a letter for
   * another department, which the worker neither acknowledges nor registers; the agency decides (`markInvalid`
   * for a wrong recipient, or `register` by hand).
   */
  addressedToUs: boolean;
}

/** What `onNotifier` receives: a notifier about a letter this agency sent, and its ProcessID. */
export interface InboxNotifierEvent {
  notifier: Notifier;
  processId: string;
  /** The letter it concerns (outbound for receipts/registrations/rejections, inbound for a disputed number). */
  record: LetterRecord | undefined;
  /** False when it did not advance the letter (late, repeated or unmatched): ignored by the journal. */
  changed: boolean;
}

/** A queue item the worker refused: kept in quarantine (see `LetterStore.quarantined()`), dequeued, reported. */
export interface InboxRejectedEvent {
  /** The stored evidence: raw answer, SHA-256, typed error (`code`, `reason`), signature check, letter key. */
  quarantined: QuarantinedItem;
}

/** Options of `EcmsInboxWorker`: the client, the journal, the callbacks, polling and the signature policy. */
export interface EcmsInboxWorkerOptions extends Partial<Omit<LetterTrustOptions, 'trustAnchors' | 'at'>> {
  client: EcmsClient;
  store: LetterStore;
  /**
   * Called once a letter is stored and dequeued; called again after a crash until it returns. The
   * record's `dispatched` flag is set after it returns (left alone when there is no handler, so an
   * application can use the flag as its own bookmark).
   */
  onLetter?: (event: InboxLetterEvent) => void | Promise<void>;
  /**
   * Called for every notifier fetched, once it is journalled and before it is dequeued; called again when the
   * node hands it out again before the worker recorded that the handler returned (a crash, a replica fetching it
   * meanwhile): at least once, so de-duplicate on `processId`. One that throws is logged and not called again.
   */
  onNotifier?: (event: InboxNotifierEvent) => void | Promise<void>;
  /**
   * Called for every queue item the worker refuses (undecodable, or a letter whose signature the policy
   * refuses), after it is kept as evidence, dequeued and, for a letter, answered with InvalidLetterNotifier.
   * Called again after a crash until it returns; such an item never reaches `onLetter`.
   */
  onRejected?: (event: InboxRejectedEvent) => void | Promise<void>;
  /** Send ReceiveLetterNotifier for every stored letter. Default true. */
  autoAcknowledge?: boolean;
  /** Register every letter and send AcceptLetterNotifier with the number; false = the application does it. */
  autoRegister?: RegistrationOptions | false;
  /**
   * The department codes this saraban receives for (one node may serve several departments); default the
   * client's `organizationId`. A letter addressed to another department is stored, dequeued and handed to
   * `onLetter` (`addressedToUs` false), but `autoAcknowledge` and `autoRegister` leave it alone: a saraban
   * registers only letters addressed to it. The agency decides (`markInvalid`, or `register` by hand).
   */
  departments?: string[];
  /**
   * XML-DSig policy for incoming letters, checked per item. `require`: a letter without a signature that
   * passes every check is refused (quarantined, never stored or acknowledged). `verify-if-present` (default):
   * a failing signature is stored with the failure, handed to `onLetter`, but not acknowledged or registered.
   */
  signaturePolicy?: SignaturePolicy;
  /** PEM certificates trusted to sign letters (CA certificates or the signers' own). */
  trustAnchors?: string[];
  /** Verifies the signed main letter PDF on receipt (an injected function) and stores the report as evidence. */
  pdfVerifier?: PdfVerifierOptions;
  /** Items handled per poll (bounded). Default 20. */
  batchSize?: number;
  /** Wait between polls when the queue is empty. Default 10 s. */
  pollIntervalInMs?: number;
  backoff?: BackoffOptions;
  /** Warn when the node's clock differs by more than this. Default 120 s. */
  clockSkewWarningInMs?: number;
  /**
   * A running worker checks the node's clock at start and then every this many ms (0: at start only).
   * A skew over `clockSkewWarningInMs` goes to `onClockSkew`, a check that fails to `onError` (both logged).
   * Default 900 000 (15 min).
   */
  clockCheckIntervalInMs?: number;
  onClockSkew?: (skewInMs: number) => void;
  onError?: (err: unknown) => void;
  logger?: Logger;
  /** Names this worker in its leases (several replicas share one store). Default host:pid:random. */
  workerId?: string;
  /**
   * How long a claimed letter (dispatch → acknowledge → register) stays this worker's before another
   * worker may take it over. Longer than one letter's work, including the node's time-outs. Default 60 000.
   */
  leaseInMs?: number;
  /**
   * `recover()` quarantines a letter it fails to finish this many times in a row with a definitive error
   * (an undecodable stored document, a node fault, an `onLetter` that throws): state `quarantined`, kept in
   * `quarantined()`, reported through `onRejected`, so one letter never stalls the inbox. Transient failures
   * (network, time-outs, the store) do not count. Default 3.
   */
  maxRecoverFailures?: number;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'a function' });
const object = z.custom<object>((v) => typeof v === 'object' && v !== null, { message: 'an object' });
const { trustAnchors: _anchors, at: _at, ...trustShape } = letterTrustShape;

export const inboxWorkerOptionsSchema = z
  .object({
    ...trustShape,
    client: object,
    store: object,
    onLetter: fn.optional(),
    onNotifier: fn.optional(),
    onRejected: fn.optional(),
    autoAcknowledge: z.boolean().optional(),
    autoRegister: z.union([z.literal(false), object]).optional(),
    departments: z.array(departmentIdSchema).min(1).optional(),
    signaturePolicy: signaturePolicySchema.optional(),
    trustAnchors: trustAnchorsSchema.optional(),
    pdfVerifier: pdfVerifierSchema.optional(),
    batchSize: z.number().optional(),
    pollIntervalInMs: z.number().int().nonnegative().optional(),
    backoff: object.optional(),
    clockSkewWarningInMs: z.number().nonnegative().optional(),
    clockCheckIntervalInMs: z.number().int().min(0).max(2_147_483_647).optional(),
    onClockSkew: fn.optional(),
    onError: fn.optional(),
    logger: object.optional(),
    workerId: z.string().min(1).max(200).optional(),
    leaseInMs: z.number().int().min(100).max(3_600_000).optional(),
    maxRecoverFailures: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

const TRUST_KEYS = [
  'signaturePolicy',
  'trustAnchors',
  'signerPolicy',
  'extendedKeyUsages',
  'maxChainLength',
  'dangerouslyAllowWeakAlgorithms',
  'revocation',
  'certificateValidator',
] as const;

/**
 * The worker's signature options when it has any; otherwise the client's `letterVerification`; otherwise
 * `verify-if-present` without anchors (a present signature is checked and, trusting nobody, flagged).
 */
function workerVerification(
  o: EcmsInboxWorkerOptions,
  fromClient: LetterVerification | undefined,
): LetterVerification {
  if (!TRUST_KEYS.some((k) => o[k] !== undefined) && fromClient) return fromClient;
  return {
    policy: o.signaturePolicy ?? 'verify-if-present',
    trustAnchors: o.trustAnchors ?? [],
    ...(o.signerPolicy ? { signerPolicy: o.signerPolicy } : {}),
    ...(o.extendedKeyUsages ? { extendedKeyUsages: o.extendedKeyUsages } : {}),
    ...(o.maxChainLength ? { maxChainLength: o.maxChainLength } : {}),
    ...(o.dangerouslyAllowWeakAlgorithms ? { dangerouslyAllowWeakAlgorithms: true } : {}),
    ...(o.revocation ? { revocation: o.revocation } : {}),
    ...(o.certificateValidator ? { certificateValidator: o.certificateValidator } : {}),
  };
}

/**
 * Pulls the agency's own queue: fetch → persist (one transaction, with the raw XML and the ProcessID
 * marked processed) → dequeue → dispatch → acknowledge → register. Because persistence commits before
 * the dequeue, a crash at any point loses nothing; redelivered items are recognised by ProcessID and by
 * the letter's natural key, and unfinished steps are completed on the next run.
 *
 * @example
 * ```ts
 * const worker = new EcmsInboxWorker({
 *   client,
 *   store,
 *   autoRegister: { register: 'central' },
 *   signaturePolicy: 'require',
 *   trustAnchors: [caPem],
 *   onLetter: async ({ record, letter }) => {
 *     // file it in the saraban system
 *   },
 * });
 * await worker.start();
 * // on shutdown: finishes the item in hand
 * await worker.stop();
 * ```
 */
export class EcmsInboxWorker {
  readonly #o: EcmsInboxWorkerOptions;
  readonly #client: EcmsClient;
  readonly #store: LetterStore;
  readonly #log: SafeLogger;
  readonly #owner: string;
  readonly #leaseInMs: number;
  readonly #verify: LetterVerification;
  readonly #quarantine: QuarantineKeeper;
  /** The departments whose letters are acknowledged and registered automatically (`departments`). */
  readonly #departments: ReadonlySet<string>;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #errors = 0;
  #clock: ClockCheck | undefined;
  /**
   * Dequeues the node refused for items already recorded, by ProcessID: the node's refusal and the letter
   * concerned. Either another replica dequeued the item (it is gone) or the node could not delete it (it is
   * still queued); only the next fetch tells, and until then the letter stays `stored`.
   */
  readonly #refused = new Map<string, { refusal: unknown; journalId: string | undefined }>();
  /** ProcessIDs the node confirmed dequeued during the current `runOnce`: one fetched again was not deleted. */
  #dequeuedThisRun = new Set<string>();

  constructor(options: EcmsInboxWorkerOptions) {
    validateOptions(inboxWorkerOptionsSchema, options, 'EcmsInboxWorker options');
    if (
      options.batchSize !== undefined &&
      (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 1000)
    ) {
      throw ecmsError('ERR_ECMS_MESSAGE', 'batchSize must be an integer from 1 to 1000');
    }
    this.#o = options;
    this.#client = options.client;
    this.#store = options.store;
    this.#log = new SafeLogger(options.logger);
    this.#owner = options.workerId ?? defaultWorkerId();
    this.#leaseInMs = options.leaseInMs ?? 60_000;
    this.#verify = withParsedRevocation(workerVerification(options, options.client.letterVerification));
    this.#departments = new Set(options.departments ?? [options.client.organizationId]);
    this.#quarantine = new QuarantineKeeper({
      client: this.#client,
      store: this.#store,
      log: this.#log,
      onRejected: options.onRejected,
    });
  }

  get running(): boolean {
    return this.#loop !== undefined;
  }

  /** Starts polling; resolves once the first clock check is done. */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stop = new AbortController();
    this.#clock = new ClockCheck({
      timeCheck: () => this.#client.timeCheck(),
      log: this.#log,
      intervalInMs: this.#o.clockCheckIntervalInMs,
      warningInMs: this.#o.clockSkewWarningInMs,
      onSkew: this.#o.onClockSkew,
      onFailure: this.#o.onError,
    });
    await this.#clock.start();
    const signal = this.#stop.signal;
    this.#loop = (async () => {
      while (!signal.aborted) {
        let handled = 0;
        try {
          handled = await this.runOnce({ abortSignal: signal });
          this.#errors = 0;
        } catch (err) {
          if (signal.aborted) break;
          this.#errors++;
          this.#log.warn('e-CMS inbox poll failed; backing off', {
            code: isThGovError(err) ? err.code : 'ERR_UNKNOWN',
            consecutiveErrors: this.#errors,
          });
          try {
            this.#o.onError?.(err);
          } catch {
            // A failing error hook must not stop the worker.
          }
          await sleep(backoffDelay(this.#errors, this.#o.backoff), signal);
          continue;
        }
        if (handled < (this.#o.batchSize ?? 20)) await sleep(this.#o.pollIntervalInMs ?? 10_000, signal);
      }
    })();
  }

  /** Graceful stop: the item in hand is finished (persisted and dequeued), then polling ends. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#clock?.stop();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Compares the node's clock with ours and warns on a large skew (dates on registrations depend on it). */
  async checkClock(): Promise<number> {
    const { skewInMs } = await this.#client.timeCheck();
    if (Math.abs(skewInMs) > (this.#o.clockSkewWarningInMs ?? 120_000)) {
      this.#log.warn('The e-CMS node clock differs from the local clock', { skewInMs: Math.round(skewInMs) });
      this.#o.onClockSkew?.(skewInMs);
    }
    return skewInMs;
  }

  /** Completes unfinished work, then handles up to `batchSize` queue items. Returns the number of items fetched. */
  async runOnce(options: { abortSignal?: AbortSignal } = {}): Promise<number> {
    this.#dequeuedThisRun = new Set();
    await this.recover();
    const batch = this.#o.batchSize ?? 20;
    let handled = 0;
    while (handled < batch && !options.abortSignal?.aborted) {
      const { item, exchange } = await this.#client.fetchNext({ verify: this.#verify });
      await this.#settleRefused(item?.processId);
      if (!item) break;
      if (
        this.#dequeuedThisRun.has(item.processId) &&
        (item.kind !== 'letter' || (await this.#recordedLetter(item)) !== 'none')
      ) {
        // The node acknowledged the dequeue and still hands the item out: handling it again would loop. (Another
        // letter under the same ProcessID is a reuse, handled below.)
        throw ecmsError(
          'ERR_ECMS_STATE',
          `The e-CMS node returned ProcessID ${item.processId.slice(0, 128)} again after dequeuing it; the queue does not advance`,
        );
      }
      handled++;
      recordQueueLag(item.processTime);
      if (await this.#store.isProcessed(item.processId)) {
        // Persisted before, dequeue lost (crash or timeout): finish the dequeue only. Unless the node reused the
        // ProcessID for another letter: that one is new, and is never dequeued before it is stored.
        const recorded = item.kind === 'letter' ? await this.#recordedLetter(item) : null;
        if (recorded !== 'none') {
          if (item.kind === 'notifier') await this.#handOverAgain(item);
          await this.#dequeue(item.processId, recorded);
          continue;
        }
        this.#log.warn('e-CMS node reused a ProcessID for another letter; storing it as a new item', {
          processId: item.processId,
        });
        await this.#handleLetter(item as Extract<InboundItem, { kind: 'letter' }>, exchange, true);
        continue;
      }
      if (item.kind === 'letter') await this.#handleLetter(item, exchange);
      else if (item.kind === 'notifier') await this.#handleNotifier(item, exchange);
      else {
        // Kept first (evidence and ProcessID in one transaction), then dequeued, then answered and reported.
        const kept = await this.#quarantine.keep(item, exchange);
        await this.#dequeue(item.processId, null);
        await this.#quarantine.settle(kept);
      }
    }
    return handled;
  }

  /**
   * A letter fetched under a ProcessID already processed: the journal's letter when it is this very letter (its
   * natural key, subject and document as stored) — a lost dequeue — or `'none'` when no recorded letter is (the
   * node reused the ProcessID). A copy recorded under another ProcessID counts unless it was rejected or declared
   * invalid (then this is the sender's resend).
   */
  async #recordedLetter(item: Extract<InboundItem, { kind: 'letter' }>): Promise<LetterRecord | 'none'> {
    const document = this.#storedDocument(item.letter);
    const same = (r: LetterRecord) =>
      r.direction === 'inbound' && sameLetter(r, item.letter) && sameDocument(r, document);
    const byProcessId = await this.#store.findByProcessId(item.processId);
    if (byProcessId && same(byProcessId)) return byProcessId;
    const byKey = await this.#store.findByNaturalKey(naturalKeyQuery(item.letter));
    return (
      byKey.find(
        (r) => same(r) && (r.processId === item.processId || !KEY_RELEASING_STATES.includes(r.state)),
      ) ?? 'none'
    );
  }

  /** The letter as the journal keeps it: re-encoded from what was read, its book number as the sender wrote it. */
  #storedDocument(letter: Letter): Buffer {
    return encodeGovernmentDocument(letter, {
      allowTopSecret: true,
      codes: this.#client.codes,
      allowedMimeTypes: [letter.mainLetter.mimeCode, ...letter.attachments.map((a) => a.mimeCode)],
      received: true,
    });
  }

  /** The journalled letter that holds this letter's natural key (not rejected or invalid), if any. */
  async #keyHolder(letter: Letter): Promise<LetterRecord | undefined> {
    return (await this.#store.findByNaturalKey(naturalKeyQuery(letter))).find(
      (r) =>
        !KEY_RELEASING_STATES.includes(r.state) && r.receiverDepartmentId === letter.receiver.departmentId,
    );
  }

  /**
   * A letter fetched while `holder` holds its natural key. The same letter (subject, document as stored,
   * signature check) is a duplicate: recorded as processed under the holder, dequeued. Another letter is kept
   * in quarantine with the raw answer (ERR_ECMS_LETTER_CONFLICT, `reason`: what differs), dequeued and
   * reported through `onRejected`: never dropped, never journalled beside the holder.
   */
  async #sameKey(
    item: Extract<InboundItem, { kind: 'letter' }>,
    exchange: ExchangeEvidence,
    holder: LetterRecord,
    document: Buffer,
  ): Promise<void> {
    const reason = conflictReason(holder, item, document);
    if (!reason) {
      await this.#store.markProcessed(item.processId, holder.journalId);
      this.#log.info('duplicate e-CMS letter ignored', { journalId: holder.journalId });
      await this.#dequeue(item.processId, null);
      return;
    }
    const kept = await this.#quarantine.keepConflict(item, exchange, {
      holder,
      reason,
      documentSha256: createHash('sha256').update(document).digest('hex'),
    });
    // Kept (here or by another replica): a dequeue the node refuses is settled like a recorded item's.
    await this.#dequeue(item.processId, null, true);
    if (kept) await this.#quarantine.settle(kept);
  }

  /**
   * After a fetch: a refused dequeue whose item the node hands out again stands — its refusal is thrown (the
   * worker backs off; the letter stays `stored`). Refused items that did not come back are gone (another
   * replica dequeued them): their letters move on to `dequeued`.
   */
  async #settleRefused(next: string | undefined): Promise<void> {
    if (this.#refused.size === 0) return;
    const stands = next === undefined ? undefined : this.#refused.get(next);
    if (stands) {
      // Forgotten here so that the next poll tries the dequeue again (recover() for a letter, the
      // processed-item path for anything else) before it can stand again.
      this.#refused.delete(next as string);
      throw stands.refusal;
    }
    for (const [processId, { journalId }] of [...this.#refused]) {
      this.#refused.delete(processId);
      if (!journalId) continue;
      const moved = await this.#store.transition({
        journalId,
        from: ['stored'],
        to: 'dequeued',
        note: 'dequeued (the node refused the delete and no longer queues the item)',
      });
      if (moved) await this.#advance(journalId);
    }
  }

  /** `reusedProcessId`: the node handed out this letter under a ProcessID an earlier item had. */
  async #handleLetter(
    item: Extract<InboundItem, { kind: 'letter' }>,
    exchange: ExchangeEvidence,
    reusedProcessId = false,
  ): Promise<void> {
    const { letter } = item;
    const document = this.#storedDocument(letter);
    // Another copy under another ProcessID: a duplicate or a conflicting letter, unless the earlier copy was
    // rejected or declared invalid (then this is the sender's resend after a withdraw).
    const holder = await this.#keyHolder(letter);
    if (holder) return this.#sameKey(item, exchange, holder, document);
    const pdf = this.#o.pdfVerifier
      ? await checkLetterPdf(letter, this.#o.pdfVerifier, item.processId)
      : undefined;
    const record = newLetterRecord({
      direction: 'inbound',
      state: 'stored',
      letterId: letter.id,
      correspondenceDate: letter.correspondenceDate,
      subject: letter.subject,
      senderDepartmentId: letter.sender.departmentId,
      receiverDepartmentId: letter.receiver.departmentId,
      processId: item.processId,
      document,
      signatureStatus: pdf?.failedStatus ?? signatureStatusOf(item.verification),
      signature: item.verification,
    });
    // A reused ProcessID is processed already: the letter's own marker still lets one replica only insert it.
    const processedId = reusedProcessId ? reusedMarker(item.processId, record) : item.processId;
    const inserted = await this.#store
      .insert(record, {
        evidence: [
          {
            processId: item.processId,
            operation: exchange.operation,
            direction: 'received',
            xml: exchange.responseXml,
            sha256: exchange.responseSha256,
            at: exchange.at,
          },
          ...(pdf ? [pdf.evidence] : []),
        ],
        processedId,
      })
      .then(
        () => true,
        (err: unknown) => {
          if (isThGovError(err, 'ERR_ECMS_DUPLICATE')) return false;
          throw err;
        },
      );
    if (!inserted) {
      // Another replica recorded this very item first (only the dequeue is left), or another copy of the letter,
      // fetched by another replica under its own ProcessID, took the natural key meanwhile.
      const taken = (await this.#store.isProcessed(processedId)) ? undefined : await this.#keyHolder(letter);
      if (taken) await this.#sameKey(item, exchange, taken, document);
      else await this.#dequeue(item.processId, null);
      return;
    }
    // Claimed before the dequeue, so another replica's recover() does not pick the new letter up meanwhile.
    const lease = await this.#store.claimOne(record.journalId, this.#owner, this.#leaseInMs);
    try {
      const dequeued = await this.#dequeue(item.processId, record);
      if (lease) await this.#advance(record.journalId, lease, dequeued);
    } finally {
      if (lease) await this.#store.release(lease).catch(() => undefined);
    }
  }

  async #handleNotifier(item: Extract<InboundItem, { kind: 'notifier' }>, exchange: ExchangeEvidence) {
    const { notifier } = item;
    const evidence = [
      {
        processId: item.processId,
        operation: exchange.operation,
        direction: 'received' as const,
        xml: exchange.responseXml,
        sha256: exchange.responseSha256,
        at: exchange.at,
      },
    ];
    let result: { record: LetterRecord | undefined; changed: boolean };
    if (notifier.kind === 'invalid_accept_id') {
      result = await this.#applyDispute(notifier, item.processId, evidence);
    } else {
      result = await applyOutboundNotifier(this.#store, notifier, item.processId, evidence);
    }
    // Handed over before the dequeue: a dequeue whose answer is lost (the node deleted the item) or a crash
    // before it leaves the notifier with the application, or queued and handed over again when it comes back.
    await this.#handOver(notifier, item.processId, result);
    await this.#dequeue(item.processId, null);
    if (result.record && notifier.kind === 'invalid_accept_id' && result.changed)
      await this.#advance(result.record.journalId);
  }

  /**
   * Calls `onNotifier`, then records that it returned (or threw: logged, not called again) under the item's
   * handed-over marker. Without a handler nothing is recorded.
   */
  async #handOver(
    notifier: Notifier,
    processId: string,
    result: { record: LetterRecord | undefined; changed: boolean },
  ): Promise<void> {
    if (!this.#o.onNotifier) return;
    try {
      await this.#o.onNotifier({ notifier, processId, record: result.record, changed: result.changed });
    } catch (err) {
      this.#log.warn('onNotifier failed', { code: isThGovError(err) ? err.code : 'ERR_UNKNOWN' });
    }
    await this.#store.markProcessed(handedMarker(processId));
  }

  /**
   * A notifier fetched again after it was journalled: handed over unless `onNotifier` already had it (the
   * worker stopped between the journal and the handler). The letter and whether the notifier advanced it are
   * read back from the journal: the letter it matches, and the evidence recorded under its ProcessID.
   */
  async #handOverAgain(item: Extract<InboundItem, { kind: 'notifier' }>): Promise<void> {
    const { notifier, processId } = item;
    if (!this.#o.onNotifier || (await this.#store.isProcessed(handedMarker(processId)))) return;
    const record =
      notifier.kind === 'invalid_accept_id'
        ? await this.#disputedLetter(notifier)
        : (await matchOutboundNotifier(this.#store, notifier)).record;
    const changed =
      record !== undefined &&
      (await this.#store.evidence(record.journalId)).some(
        (e) => e.processId === processId && e.direction === 'received',
      );
    await this.#handOver(notifier, processId, { record, changed });
  }

  /**
   * The registration a sender disputes. By the natural key when the node names the sender department; a node
   * that queues the notifier as the sender wrote it (LetterID, AcceptID, CorrespondenceDate, Subject) names it
   * by book number, date and the disputed registration number, which must fit exactly one letter (never a guess).
   * Either way a dispute that names a number applies only to the letter registered under it: a dispute sent
   * twice (the sender's first attempt timed out) names, the second time, a number the letter no longer has, and
   * must not renumber it again.
   */
  async #disputedLetter(notifier: Notifier): Promise<LetterRecord | undefined> {
    if (notifier.senderDepartmentId) {
      const candidates = await this.#store.findByNaturalKey({
        direction: 'inbound',
        letterId: notifier.letterId,
        correspondenceDate: notifier.correspondenceDate,
        counterpartDepartmentId: notifier.senderDepartmentId,
      });
      return candidates.filter((r) => !notifier.acceptId || r.acceptId === notifier.acceptId).at(-1);
    }
    const fits = (await this.#store.findByBookNumber('inbound', notifier.letterId)).filter(
      (r) =>
        r.correspondenceDate === notifier.correspondenceDate &&
        notifier.acceptId !== undefined &&
        r.acceptId === notifier.acceptId,
    );
    return fits.length === 1 ? fits[0] : undefined;
  }

  async #applyDispute(notifier: Notifier, processId: string, evidence: Omit<EvidenceRecord, 'journalId'>[]) {
    const record = await this.#disputedLetter(notifier);
    if (!record) {
      await this.#store.markProcessed(processId);
      return { record: undefined, changed: false };
    }
    const updated = await this.#store.transition({
      journalId: record.journalId,
      from: ['registered'],
      to: 'registration_disputed',
      evidence,
      processedId: processId,
      note: `registration number ${notifier.acceptId ?? ''} disputed by the sender`,
    });
    if (!updated) await this.#store.markProcessed(processId, record.journalId);
    return { record: updated ?? record, changed: updated !== undefined };
  }

  /**
   * Dequeues the item at the node, then moves its letter from stored to dequeued. `letter`: the item's letter
   * (saves looking it up), `null` when the item has none to move (a notifier, a refused item, a duplicate).
   * `kept`: the item is recorded though its ProcessID is not processed (a conflicting letter, kept under its own
   * marker). Returns the letter when this call moved it.
   *
   * A node fault for an item already recorded is not taken as done: another replica may have dequeued it
   * (gone), or the node could not delete it (still queued). The letter stays `stored` and the next fetch
   * decides (`#settleRefused`): the same ProcessID again raises the refusal, another item confirms it gone.
   */
  async #dequeue(
    processId: string,
    letter?: LetterRecord | null,
    kept = false,
  ): Promise<LetterRecord | undefined> {
    try {
      await this.#client.dequeue(processId);
    } catch (err) {
      if (
        !isThGovError(err, 'ERR_ECMS_FAULT') ||
        !(letter || kept || (await this.#store.isProcessed(processId)))
      )
        throw err;
      const journalId =
        letter === undefined ? (await this.#store.findByProcessId(processId))?.journalId : letter?.journalId;
      this.#refused.set(processId, { refusal: err, journalId });
      this.#log.warn('e-CMS node refused a dequeue; the item is kept until the node no longer queues it', {
        code: err.code,
      });
      return undefined;
    }
    this.#refused.delete(processId);
    this.#dequeuedThisRun.add(processId);
    const r = letter === undefined ? await this.#store.findByProcessId(processId) : letter;
    if (r?.direction !== 'inbound' || r.state !== 'stored') return undefined;
    return this.#store.transition({
      journalId: r.journalId,
      from: ['stored'],
      to: 'dequeued',
      note: 'dequeued',
    });
  }

  /**
   * Moves one inbound letter through dispatch → acknowledge → register under a lease, so that of several
   * replicas exactly one works on it; a letter another worker holds is left to that worker.
   */
  async #advance(journalId: string, held?: LetterLease, read?: LetterRecord): Promise<void> {
    const lease = held ?? (await this.#store.claimOne(journalId, this.#owner, this.#leaseInMs));
    if (!lease) return;
    try {
      await this.#advanceLeased(journalId, lease, held ? read : undefined);
    } finally {
      if (!held) await this.#store.release(lease).catch(() => undefined);
    }
  }

  /** `read`: the letter as the store returned it after the lease was taken (saves one read). */
  async #advanceLeased(journalId: string, fence: LeaseFence, read?: LetterRecord): Promise<void> {
    let r = read?.journalId === journalId ? read : await this.#store.get(journalId);
    if (!r) return;
    if (r.state === 'stored') return; // not dequeued yet: recover() dequeues first
    const addressedToUs = this.#departments.has(r.receiverDepartmentId);
    if (!r.dispatched && !addressedToUs) {
      this.#log.warn('e-CMS letter addressed to another department; not acknowledged or registered', {
        journalId,
        receiverDepartmentId: r.receiverDepartmentId,
      });
    }
    if (!r.dispatched && this.#o.onLetter) {
      if (!r.document) throw ecmsError('ERR_ECMS_STORE', 'Stored letter without its document');
      await this.#o.onLetter({
        record: r,
        letter: decodeGovernmentDocument(r.document, { codes: this.#client.codes }),
        addressedToUs,
      });
      // Fenced: it throws if the lease was lost meanwhile. Otherwise no other worker changed the letter, and
      // the copy here is the letter with this flag set. (A sender's dispute, which needs no lease, that lands
      // meanwhile is left to recover(), which takes disputed letters up again.)
      await this.#store.update(journalId, { dispatched: true }, { fence });
      r = { ...r, dispatched: true };
    }
    // A letter whose signature failed is stored and handed to onLetter, but neither acknowledged nor
    // registered automatically: the agency decides (markInvalid, reject, or register by hand).
    if (r.signatureStatus?.startsWith('failed')) return;
    // Nor is a letter addressed to another department: a saraban registers only letters addressed to it.
    if (!addressedToUs) return;
    const notifierBase = {
      letterId: r.letterId,
      correspondenceDate: r.correspondenceDate,
      subject: r.subject,
      senderDepartmentId: r.senderDepartmentId,
    };
    // `current`: the record as the store returned it from the last write, when that write changed it (a
    // transition returns the updated row); the registration below then needs no read of its own.
    let current: LetterRecord | undefined;
    if (r.state === 'dequeued' && (this.#o.autoAcknowledge ?? true)) {
      const res = await this.#client.acknowledgeReceipt(notifierBase);
      current = await this.#store.transition({
        journalId,
        from: ['dequeued'],
        to: 'acknowledged',
        evidence: exchangeEvidence(res.exchange, res.processId),
        note: 'receipt acknowledged',
        fence,
        // What follows (the registration) needs the letter's fields, not its document.
        withDocument: false,
      });
      r = current ?? r;
    }
    const reg = this.#o.autoRegister;
    if (
      reg &&
      (r.state === 'acknowledged' ||
        r.state === 'registration_disputed' ||
        (r.state === 'dequeued' && this.#o.autoAcknowledge === false))
    ) {
      await this.#register(journalId, reg, fence, current, false);
    }
  }

  /**
   * Gives a stored letter its registration number and sends AcceptLetterNotifier. Safe to repeat: the
   * number is allocated once per letter (a disputed number is replaced by a new one, never reused).
   */
  async register(journalId: string, options: RegistrationOptions = {}): Promise<LetterRecord> {
    const lease = await this.#store.claimOne(journalId, this.#owner, this.#leaseInMs);
    if (!lease)
      throw ecmsError('ERR_ECMS_LEASE_LOST', 'Another worker is working on this letter; try again later');
    try {
      return await this.#register(journalId, options, lease);
    } finally {
      await this.#store.release(lease).catch(() => undefined);
    }
  }

  /** `withDocument`: whether the record returned carries the document (`register()` returns it to its caller). */
  async #register(
    journalId: string,
    options: RegistrationOptions,
    fence: LeaseFence,
    current?: LetterRecord,
    withDocument = true,
  ): Promise<LetterRecord> {
    const r = current ?? (await this.#store.get(journalId));
    if (r?.direction !== 'inbound') throw ecmsError('ERR_ECMS_NOT_FOUND', 'No such inbound letter');
    if (r.state === 'registered') return r;
    const allowed: InboundState[] = ['dequeued', 'acknowledged', 'registration_disputed'];
    if (!allowed.includes(r.state as InboundState)) {
      throw ecmsError('ERR_ECMS_STATE', `An inbound letter in state ${r.state} cannot be registered`);
    }
    const renew =
      r.state === 'registration_disputed' &&
      r.acceptId !== undefined &&
      r.registrationNumber !== undefined &&
      (await this.#renewNeeded(r));
    const { acceptId } = await allocateRegistrationNumber(this.#store, journalId, {
      ...options,
      renew,
      fence,
      current: r,
    });
    const res = await this.#client.acceptLetter({
      letterId: r.letterId,
      correspondenceDate: r.correspondenceDate,
      subject: r.subject,
      senderDepartmentId: r.senderDepartmentId,
      acceptId,
    });
    return (
      (await this.#store.transition({
        journalId,
        from: allowed,
        to: 'registered',
        patch: { acceptId, acceptDate: res.acceptDate ?? thaiLocalDateTime(new Date()) },
        evidence: exchangeEvidence(res.exchange, res.processId),
        note: `registered as ${acceptId}`,
        fence,
        withDocument,
      })) ?? ((await this.#store.get(journalId)) as LetterRecord)
    );
  }

  /** Rejects a received letter (RejectLetterNotifier); the sender may withdraw and resend it. */
  reject(journalId: string): Promise<LetterRecord> {
    return this.#refuse(journalId, 'reject');
  }

  /** Declares a received letter wrong or misaddressed (InvalidLetterNotifier). */
  markInvalid(journalId: string): Promise<LetterRecord> {
    return this.#refuse(journalId, 'invalid');
  }

  async #refuse(journalId: string, kind: 'reject' | 'invalid'): Promise<LetterRecord> {
    const r = await this.#store.get(journalId);
    if (r?.direction !== 'inbound') throw ecmsError('ERR_ECMS_NOT_FOUND', 'No such inbound letter');
    const to = kind === 'reject' ? 'rejected' : 'invalid';
    if (r.state === to) return r;
    const allowed: InboundState[] = ['dequeued', 'acknowledged'];
    if (!allowed.includes(r.state as InboundState)) {
      throw ecmsError('ERR_ECMS_STATE', `An inbound letter in state ${r.state} cannot be marked ${to}`);
    }
    const input = {
      letterId: r.letterId,
      correspondenceDate: r.correspondenceDate,
      subject: r.subject,
      senderDepartmentId: r.senderDepartmentId,
    };
    const res =
      kind === 'reject'
        ? await this.#client.rejectLetter(input)
        : await this.#client.reportInvalidLetter(input);
    return (
      (await this.#store.transition({
        journalId,
        from: allowed,
        to,
        evidence: exchangeEvidence(res.exchange, res.processId),
        note: kind,
      })) ?? ((await this.#store.get(journalId)) as LetterRecord)
    );
  }

  /** A disputed letter needs a fresh number only if its current number is the disputed one (not yet renewed). */
  async #renewNeeded(r: LetterRecord): Promise<boolean> {
    const transitions = await this.#store.transitions(r.journalId);
    const lastDispute = transitions.filter((t) => t.to === 'registration_disputed').at(-1);
    return lastDispute?.note?.includes(` ${r.acceptId} `) ?? true;
  }

  /**
   * Finishes what a crash (of this or another replica) interrupted: stored → dequeue, then
   * dispatch/acknowledge/register; refused items still owed an InvalidLetterNotifier or an `onRejected`
   * call get them. Claims up to `batchSize` letters no other worker holds (one transaction, `SKIP LOCKED`
   * on PostgreSQL), least recently claimed first, so a letter that stays pending never blocks the others;
   * the next poll claims the next ones. Letters that wait for the agency (another department's, a failed
   * signature, or not acknowledged automatically, once dispatched) are not claimed: nothing is left to do for
   * them until the agency decides, and a backlog of them would be read, and warned about, at every poll.
   */
  async recover(): Promise<void> {
    await this.#quarantine.settleAll();
    const states: InboundState[] = ['stored', 'dequeued'];
    if (this.#o.autoRegister) states.push('acknowledged', 'registration_disputed');
    const leases = await this.#store.claim({
      direction: 'inbound',
      states,
      owner: this.#owner,
      leaseInMs: this.#leaseInMs,
      limit: this.#o.batchSize ?? 20,
      waiting: {
        dispatch: this.#o.onLetter !== undefined,
        departments: [...this.#departments],
        acknowledges: (this.#o.autoAcknowledge ?? true) || Boolean(this.#o.autoRegister),
      },
    });
    for (const lease of leases) {
      try {
        await this.#recoverOne(lease);
      } catch (err) {
        // One letter that cannot be finished must not stall the inbox: count it, quarantine it at the
        // limit, and go on with the others (and with fetching).
        await this.#recoverFailed(lease, err).catch((failure: unknown) => {
          // Counting failed too (the store is away, the lease was taken over): the next poll tries again.
          this.#log.warn('e-CMS recover failure could not be recorded', {
            journalId: lease.journalId,
            code: isThGovError(failure) ? failure.code : 'ERR_UNKNOWN',
          });
        });
      } finally {
        await this.#store.release(lease).catch(() => undefined);
      }
    }
  }

  async #recoverFailed(lease: LetterLease, err: unknown): Promise<void> {
    const code = isThGovError(err) ? String(err.code) : 'ERR_UNKNOWN';
    this.#report(err);
    // Another replica took the letter over: it is theirs now.
    if (isThGovError(err, 'ERR_ECMS_LEASE_LOST')) return;
    // The node or the store is away: not the letter's fault; it is tried again at the next poll.
    if (
      (isThGovError(err) && err.retryable) ||
      code === 'ERR_POSTGRES' ||
      code === 'ERR_ECMS_STORE' ||
      code === 'ERR_TIMEOUT'
    ) {
      this.#log.warn('e-CMS letter could not be recovered yet', { journalId: lease.journalId, code });
      return;
    }
    const r = await this.#store.get(lease.journalId);
    if (!r) return;
    const failures = r.recoverFailures + 1;
    const max = this.#o.maxRecoverFailures ?? 3;
    if (failures < max) {
      await this.#store.update(
        lease.journalId,
        { recoverFailures: failures, lastError: code },
        { fence: lease },
      );
      this.#log.warn('e-CMS letter could not be recovered', { journalId: lease.journalId, code, failures });
      return;
    }
    const kept = await this.#quarantine.keepRecord(r, err, failures);
    await this.#store.transition({
      journalId: r.journalId,
      from: ['stored', 'dequeued', 'acknowledged', 'registration_disputed'],
      to: 'quarantined',
      patch: { recoverFailures: failures, lastError: code },
      note: `quarantined after ${failures} failed recoveries (${code}); quarantine ${kept.id}`,
      fence: lease,
    });
    await this.#quarantine.settle(kept);
  }

  #report(err: unknown): void {
    try {
      this.#o.onError?.(err);
    } catch {
      // A failing error hook must not stop the worker.
    }
  }

  async #recoverOne(lease: LetterLease): Promise<void> {
    const r = await this.#store.get(lease.journalId);
    if (!r) return;
    // A node fault (the item dequeued before the crash, or the node refusing) leaves the letter stored until
    // the next fetch shows whether the node still queues it (`#settleRefused`).
    if (r.state === 'stored' && r.processId) await this.#dequeue(r.processId, r);
    await this.#advance(r.journalId, lease);
    const after = await this.#store.get(r.journalId);
    if (after && after.recoverFailures > 0)
      await this.#store.update(r.journalId, { recoverFailures: 0 }, { fence: lease });
  }
}

/** The natural-key query of a received letter (book numbers compare by `bookNumberKey` in the store). */
function naturalKeyQuery(letter: Letter): NaturalKeyQuery {
  return {
    direction: 'inbound',
    letterId: letter.id,
    correspondenceDate: letter.correspondenceDate,
    counterpartDepartmentId: letter.sender.departmentId,
  };
}

/** The journalled letter has this letter's key, subject and receiving department. */
function sameLetter(r: LetterRecord, letter: Letter): boolean {
  return (
    bookNumberKey(r.letterId) === bookNumberKey(letter.id) &&
    r.correspondenceDate === letter.correspondenceDate &&
    r.subject === letter.subject &&
    r.senderDepartmentId === letter.sender.departmentId &&
    r.receiverDepartmentId === letter.receiver.departmentId
  );
}

/** The journalled letter's document is, byte for byte, the one this letter is stored as. */
function sameDocument(r: LetterRecord, document: Buffer): boolean {
  return r.document !== undefined && document.equals(r.document);
}

/**
 * What makes a letter fetched under a natural key `holder` holds another letter: its subject, its document as
 * stored (book number as written, parties, references, files…), or its signature check (one copy signed and
 * valid, the other unsigned or failing). Undefined: the same letter.
 */
function conflictReason(
  holder: LetterRecord,
  item: Extract<InboundItem, { kind: 'letter' }>,
  document: Buffer,
): LetterConflictReason | undefined {
  if (holder.subject !== item.letter.subject) return 'subject';
  if (!sameDocument(holder, document)) return 'document';
  if (signatureStatusOf(holder.signature) !== signatureStatusOf(item.verification)) return 'signature';
  return undefined;
}

/**
 * The processed marker of a letter handed out under a reused ProcessID: the ProcessID and the letter's natural
 * key, so two replicas fetching it compute the same marker and only one inserts it.
 */
function reusedMarker(processId: string, record: LetterRecord): string {
  const key = JSON.stringify([
    record.letterId,
    record.correspondenceDate,
    record.subject,
    record.senderDepartmentId,
    record.receiverDepartmentId,
  ]);
  return `${processId}#reused:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** The processed marker recording that `onNotifier` had the notifier queued under this ProcessID. */
function handedMarker(processId: string): string {
  return `${processId}#handed`;
}

/**
 * `thgov.ecms.inbox.queue_lag`: seconds from the node queuing an item (its ProcessTime; Thai local time when
 * the text names no zone) to a worker taking it. A ProcessTime that cannot be read records nothing.
 */
function recordQueueLag(processTime: string | undefined): void {
  const telemetry = sharedTelemetry('@thgov/ecms');
  if (!telemetry.enabled || typeof processTime !== 'string' || processTime.length > 64) return;
  const text = processTime.trim().replace(' ', 'T');
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}+07:00`;
  const at = Date.parse(zoned);
  if (!Number.isFinite(at)) return;
  telemetry.record(
    TELEMETRY_NAMES.inboxQueueLag,
    Math.max(0, (Date.now() - at) / 1000),
    undefined,
    's',
    'Age of an e-CMS inbox item when a worker takes it',
  );
}
