import { AbortError, registerSecret } from '@thgov/core';

interface Entry {
  token: string;
  lastUsedAt: number;
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
  readonly #fetch: (agentId: string) => Promise<string>;
  readonly #o: Required<TokenCacheOptions>;
  /** Validate calls started (each one may take several HTTP attempts). */
  validations = 0;

  constructor(fetch: (agentId: string) => Promise<string>, options: TokenCacheOptions) {
    this.#fetch = fetch;
    this.#o = { now: Date.now, ...options };
  }

  /** A usable token for `agentId`; marks it used (GDX's idle clock restarts on every call). */
  async get(agentId: string, signal?: AbortSignal): Promise<string> {
    const e = this.#entries.get(agentId);
    const now = this.#o.now();
    if (e && now - e.lastUsedAt < this.#o.idleTimeoutInMs - this.#o.refreshMarginInMs) {
      e.lastUsedAt = now;
      return e.token;
    }
    let p = this.#inflight.get(agentId);
    if (!p) {
      this.validations++;
      // The shared validate is not tied to one caller's signal: an impatient caller must not fail the others.
      p = this.#fetch(agentId)
        .then((token) => {
          registerSecret(token);
          this.#store(agentId, token);
          return token;
        })
        .finally(() => this.#inflight.delete(agentId));
      this.#inflight.set(agentId, p);
    }
    return signal ? raceAbort(p, signal) : p;
  }

  /** Drops `token` for `agentId` if it is still the cached one (concurrent failures re-validate once). */
  invalidate(agentId: string, token: string): void {
    const e = this.#entries.get(agentId);
    // Tokens stay registered with the redactor: a dead token in an old log line is still a credential leak.
    if (e?.token === token) this.#entries.delete(agentId);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(agentId: string, token: string): void {
    this.#entries.delete(agentId);
    this.#entries.set(agentId, { token, lastUsedAt: this.#o.now() });
    if (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.invalidate(oldest, this.#entries.get(oldest)?.token ?? '');
    }
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
