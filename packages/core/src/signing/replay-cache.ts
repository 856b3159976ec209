import { outOfRange } from '../errors.js';

/**
 * Remembers which signed messages were already accepted. A shared store (Redis, a database) can
 * implement this for a server that runs on several machines.
 */
export interface ReplayCache {
  /**
   * Records `id` until `expiresAtMs`, exclusive: the entry is live while `nowMs < expiresAtMs` (the
   * verifier passes one past the last millisecond at which the message could be accepted, so a shared
   * store with a PX/TTL expiry keeps it exactly long enough). Returns false when `id` is already recorded
   * and still live: the message is a replay. A throw or a rejection (the store is down) refuses the message with
   * ERR_JWS_INVALID, the store's error kept as its cause.
   */
  remember(id: string, expiresAtMs: number, nowMs: number): boolean | Promise<boolean>;
}

/** Options of `MemoryReplayCache`: how many signature IDs it holds and for how long. */
export interface MemoryReplayCacheOptions {
  /** Upper bound on remembered ids (default 100 000, about 10 MB). */
  maxEntries?: number;
}

/**
 * In-process replay cache with a TTL per entry and a size bound. When full, the oldest entry is
 * dropped: memory stays bounded under a flood, at the price of a replay window for messages older
 * than the newest `maxEntries` (keep `maxEntries` above the peak message rate × the skew window).
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw outOfRange('maxEntries must be a positive integer');
    this.#maxEntries = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  remember(id: string, expiresAtMs: number, nowMs: number): boolean {
    const existing = this.#entries.get(id);
    if (existing !== undefined && existing > nowMs) return false;
    if (existing !== undefined) this.#entries.delete(id);
    this.#sweep(nowMs);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(id, expiresAtMs);
    return true;
  }

  // Entries go in roughly by time, so expired ones sit at the front; stop at the first live one.
  #sweep(nowMs: number): void {
    let scanned = 0;
    for (const [id, expiresAt] of this.#entries) {
      if (expiresAt > nowMs || ++scanned > 64) break;
      this.#entries.delete(id);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
