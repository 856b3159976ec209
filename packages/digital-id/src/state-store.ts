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
}

/** Options of `MemoryStateStore`: how many pending logins it keeps and how long it remembers used states. */
export interface MemoryStateStoreOptions {
  /** Most states kept at once; the oldest are dropped beyond it. Default 10 000. */
  maxEntries?: number;
  /** How long a consumed or expired state is remembered to tell replays from forgeries. Default 30 min. */
  tombstoneInMs?: number;
}

type Slot = { kind: 'live'; record: LoginState } | { kind: 'consumed'; until: number };

/** In-process StateStore with TTL and one-time consume. Fine for a single app instance. */
export class MemoryStateStore implements StateStore {
  readonly #slots = new Map<string, Slot>();
  readonly #max: number;
  readonly #tombstoneInMs: number;
  #lastSweep = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#tombstoneInMs = options.tombstoneInMs ?? 30 * 60_000;
  }

  async save(record: LoginState): Promise<void> {
    this.#sweep();
    this.#slots.set(record.state, { kind: 'live', record: structuredClone(record) });
    while (this.#slots.size > this.#max) {
      const oldest = this.#slots.keys().next().value;
      if (oldest === undefined) break;
      this.#slots.delete(oldest);
    }
  }

  async consume(state: string): Promise<StateConsumeResult> {
    const slot = this.#slots.get(state);
    if (!slot) return { status: 'unknown' };
    const now = Date.now();
    if (slot.kind === 'consumed') {
      if (slot.until <= now) {
        this.#slots.delete(state);
        return { status: 'unknown' };
      }
      return { status: 'consumed' };
    }
    this.#slots.set(state, { kind: 'consumed', until: now + this.#tombstoneInMs });
    if (slot.record.expiresAt <= now) return { status: 'expired' };
    return { status: 'ok', record: slot.record };
  }

  /** Number of entries held (live and remembered). */
  get size(): number {
    return this.#slots.size;
  }

  /** At most once a second: a full pass per save would make saving quadratic in the number of states. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const [key, slot] of this.#slots) {
      const until = slot.kind === 'live' ? slot.record.expiresAt + this.#tombstoneInMs : slot.until;
      if (until <= now) this.#slots.delete(key);
    }
  }
}
