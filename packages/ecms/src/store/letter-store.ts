import type { Direction, LetterState } from '../journal.js';
import { bookNumberKey, type PoisonLetterKey } from '../model.js';
import type { SignatureEvidence } from '../signature/evidence.js';

/** One letter in the journal (either direction). */
export interface LetterRecord {
  /** Journal id (UUID), stable across resends. */
  journalId: string;
  direction: Direction;
  state: LetterState;
  /** Book number (ที่). */
  letterId: string;
  correspondenceDate: string;
  subject: string;
  senderDepartmentId: string;
  receiverDepartmentId: string;
  /** The node's ProcessID of the latest send (outbound) or of the delivery (inbound). */
  processId: string | undefined;
  /** Registration number (เลขทะเบียนรับ): given by the receiver. */
  acceptId: string | undefined;
  acceptDate: string | undefined;
  /** Inbound: the register and year the registration number was allocated in. */
  register: string | undefined;
  registrationYear: number | undefined;
  registrationNumber: number | undefined;
  /** The serialized GovernmentDocument (signed when signed): what was sent or received. */
  document: Uint8Array | undefined;
  /** Times the letter was (re)submitted. */
  sendCount: number;
  /** Inbound: whether `onLetter` ran for it. */
  dispatched: boolean;
  /** Signature check of an inbound letter: `valid`, `absent`, `ignored` or `failed:<code>`. */
  signatureStatus: string | undefined;
  /** The signature check in full: who signed (subject, issuer, serial, fingerprint, usages), algorithms, chain. */
  signature: SignatureEvidence | undefined;
  lastError: string | undefined;
  /**
   * Outbound: the caller's idempotency key (`submit`/`enqueue` option), unique in the journal. The letter's
   * natural key (sender, book number, receiver, date: `naturalKey`) is unique as well, among outbound letters
   * and among inbound letters that are neither rejected nor invalid.
   */
  idempotencyKey: string | undefined;
  /** Inbound: definitive failures of `recover()` on this letter in a row (quarantined at the limit). */
  recoverFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Raw XML exchanged with the node, kept with its SHA-256 as evidence of a letter's history. */
export interface EvidenceRecord {
  journalId: string | undefined;
  processId: string | undefined;
  operation: string;
  /** sent = request we sent, received = response or item we got. */
  direction: 'sent' | 'received';
  xml: Uint8Array;
  sha256: string;
  at: Date;
}

/** One state change in a letter's history. */
export interface TransitionRecord {
  journalId: string;
  from: LetterState;
  to: LetterState;
  at: Date;
  note: string | undefined;
}

/** Fields a transition may set along with the state. */
export type LetterPatch = Partial<
  Pick<
    LetterRecord,
    | 'processId'
    | 'acceptId'
    | 'acceptDate'
    | 'sendCount'
    | 'dispatched'
    | 'signatureStatus'
    | 'lastError'
    | 'document'
    | 'recoverFailures'
  >
>;

/** A compare-and-set state change of a letter: from which states, to which, with evidence and a lease fence. */
export interface TransitionInput {
  journalId: string;
  /** The transition happens only if the letter is in one of these states (compare-and-set). */
  from: readonly LetterState[];
  to: LetterState;
  patch?: LetterPatch;
  note?: string;
  evidence?: Omit<EvidenceRecord, 'journalId'>[];
  /** Marks a queue item as processed in the same transaction (dedupe on ProcessID). */
  processedId?: string;
  /** Refuse the change (ERR_ECMS_LEASE_LOST) unless this lease still owns the letter. */
  fence?: LeaseFence;
  /**
   * `false`: the record returned leaves `document` out. The document is the letter's whole XML (megabytes
   * when it carries PDFs), and a caller that only needs the new state then does not pay to read it back:
   * on PostgreSQL, reading back a 10 MB document takes about 0.3 s (0.13 s of it the client's CPU). Default:
   * included.
   */
  withDocument?: boolean;
}

/**
 * A worker's claim on one letter. Every claim gets a new, larger `token`; a change made with an older
 * token is refused, so a worker that was paused past its lease cannot overwrite the new owner's work.
 */
export interface LetterLease {
  journalId: string;
  owner: string;
  /** Fencing token: strictly increasing across the store. */
  token: number;
  expiresAt: Date;
}

/** What a fenced change carries: the token of the lease it was made under. */
export type LeaseFence = Pick<LetterLease, 'token'>;

/** What `LetterStore.claim` takes: which letters (direction, states), for whom, and for how long. */
export interface ClaimInput {
  direction: Direction;
  states: readonly LetterState[];
  /** Who claims (shown to operators; any stable worker id). */
  owner: string;
  leaseInMs: number;
  /**
   * At most this many letters: never-claimed letters first (oldest first), then the least recently claimed,
   * so letters that stay pending (a failed signature waiting for a human) never starve the others.
   */
  limit: number;
  /**
   * Inbound: leave out the letters that wait for the agency (`WaitingLetters`), so that a backlog of them is
   * not claimed again at every poll. Absent: every letter in `states` (a store that ignores it still works;
   * its worker only claims such letters again and finds nothing to do).
   */
  waiting?: WaitingLetters;
}

/**
 * The inbound letters an inbox worker has taken as far as it goes on its own, which wait for the agency
 * (`markInvalid`, `reject`, `register` by hand): those in `dequeued`, `acknowledged` or
 * `registration_disputed` that need no dispatch (`dispatched`, or `dispatch` false) and are addressed to none
 * of `departments`, or whose signature check failed, or (in `dequeued`) that the worker neither acknowledges
 * nor registers (`acknowledges` false).
 */
export interface WaitingLetters {
  /** Whether the worker hands letters to `onLetter` (an undispatched letter then still has work). */
  dispatch: boolean;
  /** The departments whose letters the worker acknowledges and registers. */
  departments: readonly string[];
  /** Whether the worker acknowledges or registers `dequeued` letters on its own. */
  acknowledges: boolean;
}

/** The states in which a letter may wait for the agency (`WaitingLetters`). */
export const WAITING_STATES: readonly LetterState[] = ['dequeued', 'acknowledged', 'registration_disputed'];

/** Whether the letter waits for the agency (`WaitingLetters`): what the stores' `claim` leaves out. */
export function waitsForAgency(
  r: Pick<LetterRecord, 'state' | 'dispatched' | 'receiverDepartmentId' | 'signatureStatus'>,
  waiting: WaitingLetters,
): boolean {
  if (!WAITING_STATES.includes(r.state) || (waiting.dispatch && !r.dispatched)) return false;
  return (
    !waiting.departments.includes(r.receiverDepartmentId) ||
    (r.signatureStatus ?? '').startsWith('failed') ||
    (r.state === 'dequeued' && !waiting.acknowledges)
  );
}

/**
 * A queue item the inbox refused (poison): undecodable, or refused by the signature policy. It never becomes
 * a letter of the journal; what arrived is kept as received evidence with the reason.
 */
export interface QuarantinedItem {
  /** Quarantine id (UUID). */
  id: string;
  processId: string;
  /** The exchange it came in (`fetchNext`, `reRequest`). */
  operation: string;
  /** Local name of the item element, when it could be read. */
  element: string | undefined;
  /** The whole answer as received, byte for byte, and its SHA-256. */
  xml: Uint8Array;
  sha256: string;
  at: Date;
  /** The typed error: code, message and, for a refused signature, the machine-readable reason. */
  error: { code: string; message: string; reason?: string };
  signature: SignatureEvidence | undefined;
  /** The letter's key when readable (where the InvalidLetterNotifier went). */
  letterKey: PoisonLetterKey | undefined;
  /** The InvalidLetterNotifier was answered by the node, or none applies. */
  notified: boolean;
  /** `onRejected` has run: nothing is left to do. */
  settled: boolean;
  note: string | undefined;
}

/** What may change on a quarantined item: notified, settled and a note. */
export type QuarantinePatch = Partial<Pick<QuarantinedItem, 'notified' | 'settled' | 'note'>>;

/**
 * Finds letters by their natural key: direction, LetterID (compared by `bookNumberKey`: spacing, format
 * characters and Thai digits aside), correspondence date and the other department.
 */
export interface NaturalKeyQuery {
  direction: Direction;
  letterId: string;
  correspondenceDate: string;
  /** The other party: the receiver for outbound, the sender for inbound. */
  counterpartDepartmentId: string;
}

/**
 * Persistence of the journal. Every method is atomic; `insert` and `transition` also record evidence
 * and the processed ProcessID in the same transaction, which is what makes persist → commit → dequeue
 * crash-safe. `insert` with a `processedId` that is already processed writes nothing and throws
 * ERR_ECMS_DUPLICATE (two workers fetched the same item); so does `insert` of a letter whose natural key
 * (`naturalKey`: direction, sender, book number, receiver, correspondence date; an inbound letter's only while
 * it is neither rejected nor invalid) or `idempotencyKey` another letter holds — checked atomically (a unique
 * index), never check-then-insert. `findByNaturalKey` and `findByBookNumber` compare book numbers by
 * `bookNumberKey` too. Implementations: `MemoryLetterStore`,
 * `SqliteLetterStore` (`@thgov/ecms/sqlite`), `PostgresLetterStore` (`@thgov/ecms/postgres`, several
 * replicas); the contract suite in test/store-contract.test.ts runs against all three.
 */
export interface LetterStore {
  insert(
    record: LetterRecord,
    extra?: { evidence?: Omit<EvidenceRecord, 'journalId'>[]; processedId?: string },
  ): Promise<void>;
  /** Returns the updated record, or `undefined` when the letter was not in one of `from` (nothing changed). */
  transition(input: TransitionInput): Promise<LetterRecord | undefined>;
  /** Updates fields without changing the state (refused with ERR_ECMS_LEASE_LOST when `fence` is stale). */
  update(journalId: string, patch: LetterPatch, options?: { fence?: LeaseFence }): Promise<void>;
  get(journalId: string): Promise<LetterRecord | undefined>;
  findByProcessId(processId: string): Promise<LetterRecord | undefined>;
  findByNaturalKey(query: NaturalKeyQuery): Promise<LetterRecord[]>;
  /**
   * Every letter of one direction with this book number, any date and party, oldest first: the copies of a
   * circular letter, the same number in other BE years (what an outbound status entry without receiver or
   * date could belong to).
   */
  findByBookNumber(direction: Direction, letterId: string): Promise<LetterRecord[]>;
  list(filter?: { direction?: Direction; states?: readonly LetterState[] }): Promise<LetterRecord[]>;
  addEvidence(evidence: EvidenceRecord): Promise<void>;
  evidence(journalId: string): Promise<EvidenceRecord[]>;
  transitions(journalId: string): Promise<TransitionRecord[]>;
  /** Keeps a refused queue item and marks its ProcessID processed, in one transaction. */
  quarantine(item: QuarantinedItem): Promise<void>;
  /** Refused items, oldest first; `settled: false` gives those with work left (notifier, `onRejected`). */
  quarantined(filter?: { settled?: boolean }): Promise<QuarantinedItem[]>;
  updateQuarantined(id: string, patch: QuarantinePatch): Promise<void>;
  /** Records that a queue item was handled (for items that change no letter, e.g. an unmatched notifier). */
  markProcessed(processId: string, journalId?: string): Promise<void>;
  isProcessed(processId: string): Promise<boolean>;
  /**
   * Running registration number per register and year. Idempotent per letter: a letter that already has
   * a number keeps it, unless `renew` (a disputed number is replaced, never reused).
   */
  allocateRegistrationNumber(input: {
    journalId: string;
    register: string;
    year: number;
    renew?: boolean;
    fence?: LeaseFence;
  }): Promise<number>;
  /**
   * Claims letters that need work and that no live lease holds (free, expired, or already `owner`'s),
   * skipping those another worker is on: each worker of several replicas gets different letters.
   */
  claim(input: ClaimInput): Promise<LetterLease[]>;
  /** Claims one letter by id; undefined when another owner's lease on it is still live. */
  claimOne(journalId: string, owner: string, leaseInMs: number): Promise<LetterLease | undefined>;
  /** Gives a lease up early (only while its token is current). */
  release(lease: LetterLease): Promise<void>;
  close(): Promise<void>;
}

/** A new journal record with its defaults (used by `LetterStore` implementations and tests). */
export function newLetterRecord(
  fields: Pick<
    LetterRecord,
    | 'direction'
    | 'state'
    | 'letterId'
    | 'correspondenceDate'
    | 'subject'
    | 'senderDepartmentId'
    | 'receiverDepartmentId'
  > &
    Partial<LetterRecord>,
): LetterRecord {
  const now = new Date();
  return {
    journalId: crypto.randomUUID(),
    processId: undefined,
    acceptId: undefined,
    acceptDate: undefined,
    register: undefined,
    registrationYear: undefined,
    registrationNumber: undefined,
    document: undefined,
    sendCount: 0,
    dispatched: false,
    signatureStatus: undefined,
    signature: undefined,
    lastError: undefined,
    idempotencyKey: undefined,
    recoverFailures: 0,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** Inbound states that give the natural key up: the sender may send the letter again (a new letter). */
export const KEY_RELEASING_STATES: readonly LetterState[] = ['rejected', 'invalid'];

/**
 * The natural key a letter holds in the journal, unique among the letters that hold one: direction, sender,
 * book number (compared by `bookNumberKey`: spacing, format characters and Thai digits aside), receiver and
 * correspondence date (a book number is reused across BE years, so the date belongs to it). Every outbound
 * letter holds its key; an inbound letter holds it until it is rejected or declared invalid (then the sender's
 * resend is a new inbound letter with the same key). Undefined for a letter that holds none.
 */
export function naturalKey(
  r: Pick<
    LetterRecord,
    'direction' | 'state' | 'letterId' | 'senderDepartmentId' | 'receiverDepartmentId' | 'correspondenceDate'
  >,
): string | undefined {
  if (r.direction === 'inbound' && KEY_RELEASING_STATES.includes(r.state)) return undefined;
  return JSON.stringify([
    r.direction,
    r.senderDepartmentId,
    bookNumberKey(r.letterId),
    r.receiverDepartmentId,
    r.correspondenceDate,
  ]);
}

/**
 * The outbound part of `naturalKey`, as the `outbound_key` column of the SQL stores keeps it: sender, book
 * number (`bookNumberKey`), receiver and correspondence date. Undefined for inbound letters.
 */
export function outboundKey(r: LetterRecord): string | undefined {
  if (r.direction !== 'outbound') return undefined;
  return JSON.stringify([
    r.senderDepartmentId,
    bookNumberKey(r.letterId),
    r.receiverDepartmentId,
    r.correspondenceDate,
  ]);
}
