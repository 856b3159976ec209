import { randomBytes } from 'node:crypto';

/** Limits of a `SessionStore`. */
export interface SessionStoreOptions {
  /**
   * Most sessions kept at once (default 10,000). When full, a new login evicts the session used least recently:
   * memory stays bounded whatever arrives, and the users pushed out simply log in again.
   */
  maxSessions?: number;
  /** Idle lifetime of a session (default 30 minutes); each use extends it. */
  ttlInMs?: number;
  /** How often expired sessions are removed (default every minute), on a timer that does not keep the process up. */
  sweepIntervalInMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry<T> {
  data: T;
  expiresAt: number;
}

/**
 * Server-side sessions in process memory, bounded: at most `maxSessions`, least recently used evicted first, idle
 * ones swept on a timer rather than scanned on every request (a scan per request makes every request slower as
 * sessions pile up). A `Map` keeps insertion order, so "least recently used" is its first key once each use
 * re-inserts the entry. Deployments with several replicas put the same rules on a shared store (Redis, a database).
 *
 * @example
 * ```ts
 * const store = new SessionStore({ maxSessions: 50_000 });
 * const id = store.create({ loginState: 'x' });
 * store.get(id); // { loginState: 'x' }
 * ```
 */
export class SessionStore<T = unknown> {
  readonly maxSessions: number;
  readonly ttlInMs: number;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;

  constructor(options: SessionStoreOptions = {}) {
    this.maxSessions = positive(options.maxSessions ?? 10_000, 'maxSessions');
    this.ttlInMs = positive(options.ttlInMs ?? 30 * 60_000, 'ttlInMs');
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(
      () => this.sweep(),
      positive(options.sweepIntervalInMs ?? 60_000, 'sweepIntervalInMs'),
    );
    this.#timer.unref();
  }

  /** Sessions held now (expired ones included until the next sweep). */
  get size(): number {
    return this.#entries.size;
  }

  /** A new session with a fresh random ID (256 bits); the least recently used one goes when the store is full. */
  create(data: T): string {
    while (this.#entries.size >= this.maxSessions) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    this.#entries.set(id, { data, expiresAt: this.#now() + this.ttlInMs });
    return id;
  }

  /** The session's data, or undefined when unknown or expired; a hit counts as use (later expiry, evicted last). */
  get(id: string): T | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAt <= this.#now()) return undefined;
    entry.expiresAt = this.#now() + this.ttlInMs;
    this.#entries.set(id, entry);
    return entry.data;
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  /** Removes expired sessions (the timer calls this). */
  sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }

  /** Stops the sweep timer (the sessions are dropped with the store). */
  close(): void {
    clearInterval(this.#timer);
    this.#entries.clear();
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
