import { registerSecret } from '@thgov/core';

const REGISTRATION_MARGIN_IN_MS = 5 * 60_000;
/**
 * A token in use is registered again at most this often (not on every call: each registration moves it in
 * the registry's pools). Its registration then outlives GDX's idle expiry after the last use by at least
 * the margin less this, four minutes.
 */
const RENEW_REGISTRATION_EVERY_IN_MS = 60_000;

interface Entry {
  token: string;
  lastUsedAt: number;
  /** When its redaction registration was last renewed (`Date.now()`, the registry's clock). */
  registeredAt: number;
}

export interface TokenCacheOptions {
  /** GDX's idle lifetime of a token. */
  idleTimeoutInMs: number;
  /** Re-validate when a token has been idle this close to its expiry. */
  refreshMarginInMs: number;
  /** Most AgentIDs kept (least recently used are dropped). */
  maxEntries: number;
  now?: () => number;
}

/**
 * GDX tokens per AgentID: cached, refreshed before GDX's idle expiry, and obtained single-flight
 * (any number of concurrent calls for one AgentID share one validate). A token is bound to its AgentID
 * on the GDX side, so entries are never shared between AgentIDs.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #fetch: (agentId: string, requestId: string) => Promise<string>;
  readonly #o: Required<TokenCacheOptions>;
  /**
   * The AgentID whose entry is known to be the most recent in `#entries` (or undefined): using it again needs
   * no move (a Map's delete and set on every call cost more than the rest of `fresh`).
   */
  #mostRecent: string | undefined;
  /** Validate calls started (each one may take several HTTP attempts). */
  validations = 0;

  constructor(fetch: (agentId: string, requestId: string) => Promise<string>, options: TokenCacheOptions) {
    this.#fetch = fetch;
    this.#o = { now: Date.now, ...options };
  }

  /**
   * A usable token for `agentId`; marks it used (GDX's idle clock restarts on every call). A validate that
   * has to run carries `requestId` (the call that needed it). The shared validate is not tied to one
   * caller's signal: each caller races it against its own (core's `raceSignal`).
   *
   * A token idle into the refresh margin is still alive on GDX's side: when its early re-validate fails (the
   * validate endpoint down, a 200 without a token), the callers waiting on it get that token rather than
   * the error, as long as it is still the cached one and still inside GDX's idle lifetime.
   */
  async get(agentId: string, requestId: string): Promise<string> {
    const e = this.#entries.get(agentId);
    const now = this.#o.now();
    if (e && this.#fresh(e, now)) return this.#use(agentId, e, now);
    const p = this.#validate(agentId, requestId);
    if (!e || !this.#alive(e, now)) return p;
    return p.catch((err: unknown) => {
      const later = this.#o.now();
      if (this.#entries.get(agentId) !== e || !this.#alive(e, later)) throw err;
      return this.#use(agentId, e, later);
    });
  }

  /**
   * `get`'s common case without its promise: the cached token for `agentId` when it is not yet idle into
   * the refresh margin (marked used, as by `get`); undefined when `get` has to run.
   */
  fresh(agentId: string): string | undefined {
    const e = this.#entries.get(agentId);
    if (!e) return undefined;
    const now = this.#o.now();
    return this.#fresh(e, now) ? this.#use(agentId, e, now) : undefined;
  }

  /** Whether `e`'s token is used without a validate at `now`: not yet idle into the refresh margin. */
  #fresh(e: Entry, now: number): boolean {
    return now - e.lastUsedAt < this.#o.idleTimeoutInMs - this.#o.refreshMarginInMs;
  }

  /** Whether GDX still knows `e`'s token at `now` (used within its idle lifetime). */
  #alive(e: Entry, now: number): boolean {
    return now - e.lastUsedAt < this.#o.idleTimeoutInMs;
  }

  /**
   * Hands out `e`'s token: marks it used, moves it to the most recent end of the cache (`#store` evicts from
   * the other end: the least recently used entry, not the least recently validated one), and renews its
   * redaction registration when due.
   */
  #use(agentId: string, e: Entry, now: number): string {
    e.lastUsedAt = now;
    if (this.#mostRecent !== agentId) {
      this.#entries.delete(agentId);
      this.#entries.set(agentId, e);
      this.#mostRecent = agentId;
    }
    // The registry's clock is Date.now: one reading serves both when the cache's clock is that same function.
    const wallNow = this.#o.now === Date.now ? now : Date.now();
    // Also renewed when the wall clock went back: never left to lapse by a clock step.
    const sinceRenewal = wallNow - e.registeredAt;
    if (sinceRenewal >= RENEW_REGISTRATION_EVERY_IN_MS || sinceRenewal < 0) {
      this.#keepRegistered(e.token);
      e.registeredAt = wallNow;
    }
    return e.token;
  }

  /** The single-flight validate for `agentId`: started here, or the one already in flight. */
  #validate(agentId: string, requestId: string): Promise<string> {
    let p = this.#inflight.get(agentId);
    if (!p) {
      this.validations++;
      p = this.#fetch(agentId, requestId)
        .then((token) => {
          this.#keepRegistered(token);
          this.#store(agentId, token);
          return token;
        })
        .finally(() => this.#inflight.delete(agentId));
      this.#inflight.set(agentId, p);
    }
    return p;
  }

  // Masked for as long as GDX may still accept it: its idle lifetime from now, plus a margin (uses renew
  // the registration, see RENEW_REGISTRATION_EVERY_IN_MS).
  #keepRegistered(token: string): void {
    registerSecret(token, { kind: 'token', ttlInMs: this.#o.idleTimeoutInMs + REGISTRATION_MARGIN_IN_MS });
  }

  /** Drops `token` for `agentId` if it is still the cached one (concurrent failures re-validate once). */
  invalidate(agentId: string, token: string): void {
    const e = this.#entries.get(agentId);
    // The token stays registered until its TTL runs out: a dead token in a late log line is still a leak.
    if (e?.token === token) this.#entries.delete(agentId);
  }

  /** Forgets every token (each stays registered for redaction until its TTL runs out). */
  clear(): void {
    this.#entries.clear();
    this.#mostRecent = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(agentId: string, token: string): void {
    this.#entries.delete(agentId);
    this.#entries.set(agentId, { token, lastUsedAt: this.#o.now(), registeredAt: Date.now() });
    this.#mostRecent = agentId;
    if (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.invalidate(oldest, this.#entries.get(oldest)?.token ?? '');
    }
  }
}
