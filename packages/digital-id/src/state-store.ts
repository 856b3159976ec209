import { invalidArgument } from '@thgov/core';
import { DigitalIdError } from './errors.js';

/** What the client keeps between `createLoginRequest` and `handleCallback`. Plain JSON: any store can hold it. */
export interface LoginState {
  /**
   * The key the login is filed under: the callback's state behind a namespace of the client that made it (its
   * issuer and client ID, hashed), so clients sharing a store never find, nor consume, each other's logins.
   * Opaque to a store, and as secret as the state it holds. Logins of releases before the namespace hold the
   * bare state; their client still finds them (see `StateStore`).
   */
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  /** `max_age` sent, in seconds, so `auth_time` is checked. */
  maxAge?: number;
  /** `acr_values` sent: the id_token `acr` must be one of them. */
  acrValues?: string[];
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
  /** Application data kept with the login (e.g. where to go after it). */
  data?: Record<string, string>;
}

/** What a state store says of a callback's state: ok (with the login), unknown, expired or already used. */
export type StateConsumeResult =
  | { status: 'ok'; record: LoginState }
  /** Never stored here (forged or tampered state, or another store). */
  | { status: 'unknown' }
  | { status: 'expired' }
  /** Stored, and already consumed once. */
  | { status: 'consumed' };

/**
 * Where login states live between the redirect to the provider and the callback. `consume` must be
 * atomic (one-time use): a second consume of the same state reports 'consumed'. Shared stores (Redis, a
 * database) are needed when several app instances serve callbacks.
 *
 * The client saves a login under `record.state` and consumes it with that same value: its own key (the
 * state behind the client's namespace), so one store can serve several clients (ThaID and DGA, or several
 * apps) and a callback misrouted to another client leaves the login alone. When its own key is unknown the
 * client also consumes the bare state, which is how logins pending at the upgrade from a release before the
 * namespace were filed; such an older login reached through another client's callback is consumed before
 * that client sees it is not its own (refused, and burnt), until those logins expire with their TTL.
 */
export interface StateStore {
  save(record: LoginState): Promise<void>;
  consume(state: string): Promise<StateConsumeResult>;
  /**
   * Forgets a pending login, leaving no trace, so its place is free at once: the client files the login
   * before pushing its authorization request (PAR) and releases it when the push fails. Optional: a store
   * without it has the login consumed instead (burnt, and remembered like any used state).
   */
  release?(state: string): Promise<void>;
}

/** Gives back the place of a login that will never complete: `release` where the store has it, else `consume`. */
export async function releaseLogin(store: StateStore, state: string): Promise<void> {
  if (store.release) await store.release(state);
  else await store.consume(state);
}

/**
 * Longest state key a store files a login under (characters): the client's keys are under 100, a callback URL
 * is at most 16 KiB. The same bound in every store, so a state that `save` accepts is one `consume` finds.
 */
const MAX_STATE_KEY_LENGTH = 32 * 1024;

/** Whether `state` is a key a store keeps: a non-empty string of at most {@link MAX_STATE_KEY_LENGTH}. */
export function isStateKey(state: unknown): state is string {
  return typeof state === 'string' && state.length > 0 && state.length <= MAX_STATE_KEY_LENGTH;
}

/** Refuses, at `save`, a state no `consume` would find (the login would be lost without a word). */
export function assertStateKey(state: unknown, store: string): void {
  if (!isStateKey(state)) {
    throw invalidArgument(
      `${store}.save: record.state must be a non-empty string of at most ${MAX_STATE_KEY_LENGTH} characters`,
    );
  }
}

/** The hint of `ERR_DIGITAL_ID_STATE_STORE_FULL`. */
const STORE_FULL_HINT =
  'Answer "try again shortly" (HTTP 503, Retry-After from retryAfterInMs). Many logins were started and not finished: rate-limit login starts per client IP, or raise MemoryStateStore maxEntries (or use a shared store) for a larger audience.';

/** Options of `MemoryStateStore`: how many pending logins it keeps and how long it remembers used states. */
export interface MemoryStateStoreOptions {
  /**
   * Most states kept at once. To file a new login past it, used states go first, then pending logins already
   * expired; when every place holds a login still pending, the new one is refused with
   * `ERR_DIGITAL_ID_STATE_STORE_FULL` (retryable) and no pending login is dropped. Default 10 000.
   */
  maxEntries?: number;
  /** How long a consumed or expired state is remembered to tell replays from forgeries. Default 30 min. */
  tombstoneInMs?: number;
}

/** In-process StateStore with TTL and one-time consume. Fine for a single app instance. */
export class MemoryStateStore implements StateStore {
  /** Pending logins, oldest first. */
  readonly #live = new Map<string, LoginState>();
  /** Used states, remembered until the epoch ms given, oldest use first. */
  readonly #used = new Map<string, number>();
  readonly #max: number;
  readonly #tombstoneInMs: number;
  #lastSweep = 0;
  #lastFullScan = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#tombstoneInMs = options.tombstoneInMs ?? 30 * 60_000;
  }

  async save(record: LoginState): Promise<void> {
    assertStateKey(record?.state, 'MemoryStateStore');
    this.#sweep();
    this.#used.delete(record.state);
    if (!this.#live.has(record.state)) this.#makeRoom();
    this.#live.set(record.state, structuredClone(record));
  }

  /**
   * A place for one more login, or a refusal. Used states go first (forgetting one only turns a replay's
   * answer from "consumed" into "unknown", refused all the same), then expired logins (they cannot complete).
   * A login still pending is never dropped for a new one: starting a login costs an attacker one request, and
   * dropping the oldest would let a flood of starts fail every citizen still on the provider's page, after the
   * QR scan. The new start is refused instead (the application answers "try again shortly").
   */
  #makeRoom(): void {
    while (this.size >= this.#max && this.#used.size > 0) {
      this.#used.delete(this.#used.keys().next().value as string);
    }
    if (this.size < this.#max) return;
    this.#dropExpired(Date.now());
    if (this.size < this.#max) return;
    // A place frees when any pending login completes, surely when the oldest expires: no later than that,
    // and capped as the provider's Retry-After is (30 s), since completions usually come first.
    const oldest = this.#live.values().next().value;
    const retryAfterInMs = Math.min(30_000, Math.max(1000, (oldest?.expiresAt ?? 0) - Date.now()));
    throw new DigitalIdError(
      'ERR_DIGITAL_ID_STATE_STORE_FULL',
      `The state store holds ${this.#max} pending logins (maxEntries): the login was not started`,
      { retryable: true, retryAfterInMs, hint: STORE_FULL_HINT },
    );
  }

  /**
   * Drops the expired pending logins, at most one full pass a second (a flood at capacity must not cost a pass
   * per refused start); the expired ones at the old end go on every call.
   */
  #dropExpired(now: number): void {
    for (const [key, record] of this.#live) {
      if (record.expiresAt > now) break;
      this.#live.delete(key);
    }
    if (this.size < this.#max || now - this.#lastFullScan < 1000) return;
    this.#lastFullScan = now;
    for (const [key, record] of this.#live) if (record.expiresAt <= now) this.#live.delete(key);
  }

  async consume(state: string): Promise<StateConsumeResult> {
    if (!isStateKey(state)) return { status: 'unknown' };
    const now = Date.now();
    const until = this.#used.get(state);
    if (until !== undefined) {
      if (until > now) return { status: 'consumed' };
      this.#used.delete(state);
      return { status: 'unknown' };
    }
    const record = this.#live.get(state);
    if (!record) return { status: 'unknown' };
    this.#live.delete(state);
    this.#used.set(state, now + this.#tombstoneInMs);
    if (record.expiresAt <= now) return { status: 'expired' };
    return { status: 'ok', record };
  }

  async release(state: string): Promise<void> {
    if (isStateKey(state)) this.#live.delete(state);
  }

  /** Number of entries held (live and remembered). */
  get size(): number {
    return this.#live.size + this.#used.size;
  }

  /** At most once a second: a full pass per save would make saving quadratic in the number of states. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const [key, record] of this.#live) {
      if (record.expiresAt + this.#tombstoneInMs <= now) this.#live.delete(key);
    }
    for (const [key, until] of this.#used) if (until <= now) this.#used.delete(key);
  }
}
