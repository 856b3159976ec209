import { ecmsError } from '../errors.js';
import { bookNumberKey } from '../model.js';
import {
  type ClaimInput,
  type EvidenceRecord,
  type LeaseFence,
  type LetterLease,
  type LetterPatch,
  type LetterRecord,
  type LetterStore,
  type NaturalKeyQuery,
  naturalKey,
  type QuarantinedItem,
  type QuarantinePatch,
  type TransitionInput,
  type TransitionRecord,
  waitsForAgency,
} from './letter-store.js';
import { leaseLost, letterNotFound, quarantinedNotFound } from './rows.js';
import {
  checkProcessKey,
  isProcessKey,
  isStorableText,
  storableLetter,
  storablePatch,
  storableQuarantine,
  storableQuarantinePatch,
  storableTransition,
} from './storable.js';

/** In-process store for tests and short-lived tools; everything is lost when the process ends. */
export class MemoryLetterStore implements LetterStore {
  readonly #letters = new Map<string, LetterRecord>();
  readonly #evidence: EvidenceRecord[] = [];
  readonly #transitions: TransitionRecord[] = [];
  readonly #processed = new Map<string, string | undefined>();
  readonly #counters = new Map<string, number>();
  readonly #leases = new Map<string, LetterLease>();
  /** Token of each letter's last claim, kept after release (claim order: least recently claimed first). */
  readonly #lastTokens = new Map<string, number>();
  #lastToken = 0;
  readonly #quarantine = new Map<string, QuarantinedItem>();
  #closed = false;

  #check(): void {
    if (this.#closed) throw ecmsError('ERR_ECMS_STORE', 'The letter store is closed');
  }

  async insert(
    given: LetterRecord,
    extra: { evidence?: Omit<EvidenceRecord, 'journalId'>[]; processedId?: string } = {},
  ): Promise<void> {
    this.#check();
    // What PostgreSQL cannot store is refused or made storable here too: the journals agree.
    const record = storableLetter(given, extra);
    if (this.#letters.has(record.journalId)) throw ecmsError('ERR_ECMS_STORE', 'Duplicate journal id');
    if (extra.processedId && this.#processed.has(extra.processedId))
      throw ecmsError('ERR_ECMS_DUPLICATE', 'The queue item was already recorded');
    const key = naturalKey(record);
    for (const r of this.#letters.values()) {
      if (key !== undefined && naturalKey(r) === key)
        throw ecmsError('ERR_ECMS_DUPLICATE', 'This letter is already in the journal (same natural key)');
      if (record.idempotencyKey !== undefined && r.idempotencyKey === record.idempotencyKey)
        throw ecmsError('ERR_ECMS_DUPLICATE', 'A letter with this idempotency key is already in the journal');
    }
    this.#letters.set(record.journalId, { ...record });
    for (const e of extra.evidence ?? []) this.#evidence.push({ ...e, journalId: record.journalId });
    if (extra.processedId) this.#processed.set(extra.processedId, record.journalId);
  }

  async transition(change: TransitionInput): Promise<LetterRecord | undefined> {
    this.#check();
    const input = storableTransition(change);
    const cur = this.#letters.get(input.journalId);
    if (!cur) throw letterNotFound();
    this.#fence(cur.journalId, input.fence);
    if (!input.from.includes(cur.state)) return undefined;
    const next: LetterRecord = { ...cur, ...(input.patch ?? {}), state: input.to, updatedAt: new Date() };
    this.#letters.set(cur.journalId, next);
    this.#transitions.push({
      journalId: cur.journalId,
      from: cur.state,
      to: input.to,
      at: next.updatedAt,
      note: input.note,
    });
    for (const e of input.evidence ?? []) this.#evidence.push({ ...e, journalId: cur.journalId });
    if (input.processedId) this.#processed.set(input.processedId, cur.journalId);
    return input.withDocument === false ? { ...next, document: undefined } : { ...next };
  }

  async update(journalId: string, patch: LetterPatch, options: { fence?: LeaseFence } = {}): Promise<void> {
    this.#check();
    const cur = this.#letters.get(journalId);
    if (!cur) throw letterNotFound();
    const storable = storablePatch(patch);
    this.#fence(journalId, options.fence);
    this.#letters.set(journalId, { ...cur, ...storable, updatedAt: new Date() });
  }

  async get(journalId: string): Promise<LetterRecord | undefined> {
    this.#check();
    const r = this.#letters.get(journalId);
    return r ? { ...r } : undefined;
  }

  async findByProcessId(processId: string): Promise<LetterRecord | undefined> {
    this.#check();
    if (!isStorableText(processId)) return undefined;
    for (const r of this.#letters.values()) if (r.processId === processId) return { ...r };
    return undefined;
  }

  async findByNaturalKey(q: NaturalKeyQuery): Promise<LetterRecord[]> {
    this.#check();
    if (![q.letterId, q.correspondenceDate, q.counterpartDepartmentId].every(isStorableText)) return [];
    const book = bookNumberKey(q.letterId);
    return [...this.#letters.values()]
      .filter(
        (r) =>
          r.direction === q.direction &&
          bookNumberKey(r.letterId) === book &&
          r.correspondenceDate === q.correspondenceDate &&
          (q.direction === 'outbound' ? r.receiverDepartmentId : r.senderDepartmentId) ===
            q.counterpartDepartmentId,
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((r) => ({ ...r }));
  }

  async findByBookNumber(direction: 'outbound' | 'inbound', letterId: string): Promise<LetterRecord[]> {
    this.#check();
    if (!isStorableText(letterId)) return [];
    const book = bookNumberKey(letterId);
    return [...this.#letters.values()]
      .filter((r) => r.direction === direction && bookNumberKey(r.letterId) === book)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((r) => ({ ...r }));
  }

  async list(
    filter: { direction?: 'outbound' | 'inbound'; states?: readonly string[] } = {},
  ): Promise<LetterRecord[]> {
    this.#check();
    return [...this.#letters.values()]
      .filter(
        (r) =>
          (!filter.direction || r.direction === filter.direction) &&
          (!filter.states || filter.states.includes(r.state)),
      )
      .map((r) => ({ ...r }));
  }

  async addEvidence(evidence: EvidenceRecord): Promise<void> {
    this.#check();
    this.#evidence.push({ ...evidence });
  }

  async evidence(journalId: string): Promise<EvidenceRecord[]> {
    this.#check();
    return this.#evidence.filter((e) => e.journalId === journalId);
  }

  async transitions(journalId: string): Promise<TransitionRecord[]> {
    this.#check();
    return this.#transitions.filter((t) => t.journalId === journalId);
  }

  async quarantine(item: QuarantinedItem): Promise<void> {
    this.#check();
    const stored = storableQuarantine(item);
    if (this.#quarantine.has(item.id)) throw ecmsError('ERR_ECMS_STORE', 'Duplicate quarantine id');
    this.#quarantine.set(item.id, stored);
    this.#processed.set(item.processId, undefined);
  }

  async quarantined(filter: { settled?: boolean } = {}): Promise<QuarantinedItem[]> {
    this.#check();
    return [...this.#quarantine.values()]
      .filter((q) => filter.settled === undefined || q.settled === filter.settled)
      .map((q) => ({ ...q }));
  }

  async updateQuarantined(id: string, patch: QuarantinePatch): Promise<void> {
    this.#check();
    const cur = this.#quarantine.get(id);
    if (!cur) throw quarantinedNotFound();
    this.#quarantine.set(id, { ...cur, ...storableQuarantinePatch(patch) });
  }

  async markProcessed(processId: string, journalId?: string): Promise<void> {
    this.#check();
    checkProcessKey(processId);
    this.#processed.set(processId, journalId);
  }

  async isProcessed(processId: string): Promise<boolean> {
    this.#check();
    return isProcessKey(processId) && this.#processed.has(processId);
  }

  async allocateRegistrationNumber(input: {
    journalId: string;
    register: string;
    year: number;
    renew?: boolean;
    fence?: LeaseFence;
  }): Promise<number> {
    this.#check();
    const cur = this.#letters.get(input.journalId);
    if (!cur) throw letterNotFound();
    this.#fence(input.journalId, input.fence);
    if (cur.registrationNumber !== undefined && !input.renew) return cur.registrationNumber;
    const key = `${input.register}\u0000${input.year}`;
    const n = (this.#counters.get(key) ?? 0) + 1;
    this.#counters.set(key, n);
    this.#letters.set(input.journalId, {
      ...cur,
      register: input.register,
      registrationYear: input.year,
      registrationNumber: n,
      updatedAt: new Date(),
    });
    return n;
  }

  /** A fenced change is allowed only while its token is the letter's latest claim. */
  #fence(journalId: string, fence: LeaseFence | undefined): void {
    if (!fence) return;
    if (this.#leases.get(journalId)?.token !== fence.token) throw leaseLost();
  }

  #take(journalId: string, owner: string, leaseInMs: number, now: number): LetterLease | undefined {
    const held = this.#leases.get(journalId);
    if (held && held.owner !== owner && held.expiresAt.getTime() > now) return undefined;
    const lease = { journalId, owner, token: ++this.#lastToken, expiresAt: new Date(now + leaseInMs) };
    this.#leases.set(journalId, lease);
    return { ...lease };
  }

  async claim(input: ClaimInput): Promise<LetterLease[]> {
    this.#check();
    const now = Date.now();
    const lastToken = (id: string) => this.#leases.get(id)?.token ?? this.#lastTokens.get(id) ?? 0;
    const candidates = [...this.#letters.values()]
      .filter((r) => r.direction === input.direction && input.states.includes(r.state))
      .filter((r) => !input.waiting || !waitsForAgency(r, input.waiting))
      .sort((a, b) => lastToken(a.journalId) - lastToken(b.journalId));
    const out: LetterLease[] = [];
    for (const r of candidates) {
      if (out.length >= input.limit) break;
      const lease = this.#take(r.journalId, input.owner, input.leaseInMs, now);
      if (lease) out.push(lease);
    }
    return out;
  }

  async claimOne(journalId: string, owner: string, leaseInMs: number): Promise<LetterLease | undefined> {
    this.#check();
    if (!this.#letters.has(journalId)) throw letterNotFound();
    return this.#take(journalId, owner, leaseInMs, Date.now());
  }

  async release(lease: LetterLease): Promise<void> {
    this.#check();
    if (this.#leases.get(lease.journalId)?.token === lease.token) {
      this.#lastTokens.set(lease.journalId, lease.token);
      this.#leases.delete(lease.journalId);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
