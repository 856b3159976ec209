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
 * idle period (DGA: 60 minutes when unused). Expiry is checked lazily when a token is presented.
 */
export class GdxTokenStore {
  #tokens = new Map<string, GdxTokenRecord>();
  #idleTimeoutInMs: number;
  #now: () => number;
  /** Number of tokens issued so far (validate calls that succeeded). */
  issued = 0;

  constructor(idleTimeoutInMs: number, now: () => number = Date.now) {
    this.#idleTimeoutInMs = idleTimeoutInMs;
    this.#now = now;
  }

  get idleTimeoutInMs(): number {
    return this.#idleTimeoutInMs;
  }

  /** Change the idle timeout at run time (tests shrink it to make tokens die mid-run). */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutInMs = ms;
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
    if (now - rec.lastUsedAt > this.#idleTimeoutInMs) {
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
    return [...this.#tokens.values()]
      .filter((r) => now - r.lastUsedAt <= this.#idleTimeoutInMs)
      .map((r) => ({ ...r }));
  }
}
