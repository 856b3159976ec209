import { randomUUID } from 'node:crypto';

/** A token the GDX emulator issued: for which consumer and AgentID, and when it was last used. */
export interface GdxTokenRecord {
  token: string;
  consumerKey: string;
  agentId: string;
  issuedAt: number;
  lastUsedAt: number;
}

/**
 * Tokens issued by /ws/auth/validate. Each is bound to one consumer and one AgentID and dies after an
 * idle period (DGA: 60 minutes when unused) and, when one is set, an absolute lifetime from issue (DGA's docs do
 * not say whether the 60 minutes are absolute). Expiry is checked lazily when a token is presented.
 */
export class GdxTokenStore {
  #tokens = new Map<string, GdxTokenRecord>();
  #idleTimeoutInMs: number;
  #maxLifetimeInMs: number | undefined;
  #now: () => number;
  /** Number of tokens issued so far (validate calls that succeeded). */
  issued = 0;

  /**
   * @param idleTimeoutInMs - A token unused this long is gone.
   * @param now - The clock (tests pass their own).
   * @param maxLifetimeInMs - A token this old is gone however often it is used; undefined = idle expiry only.
   */
  constructor(idleTimeoutInMs: number, now: () => number = Date.now, maxLifetimeInMs?: number) {
    this.#idleTimeoutInMs = idleTimeoutInMs;
    this.#now = now;
    this.#maxLifetimeInMs = maxLifetimeInMs;
  }

  get idleTimeoutInMs(): number {
    return this.#idleTimeoutInMs;
  }

  /** The absolute lifetime of a token from issue, or undefined when only the idle timeout applies. */
  get maxLifetimeInMs(): number | undefined {
    return this.#maxLifetimeInMs;
  }

  /** Change the idle timeout at run time (tests shrink it to make tokens die mid-run). */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutInMs = ms;
  }

  /** Set (or with undefined, drop) the absolute lifetime at run time; it applies to tokens already issued. */
  setMaxLifetime(ms: number | undefined): void {
    this.#maxLifetimeInMs = ms;
  }

  #alive(rec: GdxTokenRecord, now: number): boolean {
    if (now - rec.lastUsedAt > this.#idleTimeoutInMs) return false;
    return this.#maxLifetimeInMs === undefined || now - rec.issuedAt <= this.#maxLifetimeInMs;
  }

  issue(consumerKey: string, agentId: string): string {
    const token = randomUUID();
    const now = this.#now();
    this.#tokens.set(token, { token, consumerKey, agentId, issuedAt: now, lastUsedAt: now });
    this.issued++;
    return token;
  }

  /** The live record for a token presented by `consumerKey`, touching it; undefined = "token not found". */
  use(token: string, consumerKey: string): GdxTokenRecord | undefined {
    const rec = this.#tokens.get(token);
    if (!rec) return undefined;
    const now = this.#now();
    if (!this.#alive(rec, now)) {
      this.#tokens.delete(token);
      return undefined;
    }
    // A token is only good with the consumer key it was issued to.
    if (rec.consumerKey !== consumerKey) return undefined;
    rec.lastUsedAt = now;
    return rec;
  }

  /** Forget one token (the fault injector's "expired token"). */
  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  /** Expire every token, or only those bound to one AgentID. */
  expireAll(agentId?: string): number {
    let n = 0;
    for (const [t, rec] of this.#tokens) {
      if (agentId === undefined || rec.agentId === agentId) {
        this.#tokens.delete(t);
        n++;
      }
    }
    return n;
  }

  /** Live tokens (for assertions: which AgentIDs hold a token). */
  list(): GdxTokenRecord[] {
    const now = this.#now();
    return [...this.#tokens.values()].filter((r) => this.#alive(r, now)).map((r) => ({ ...r }));
  }
}
