interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the audit sinks: appends wait here while one batch is being written, then go out
 * together (up to `maxBatch` per write), so many concurrent appends cost one write + sync (file) or one
 * transaction (PostgreSQL) instead of one each. Each append settles with its batch.
 */
export class GroupCommitQueue<T> {
  readonly #waiting: Waiting<T>[] = [];
  readonly #maxBatch: number;
  readonly #write: (batch: T[]) => Promise<void>;
  /** An error that stops the queue for good (a sink that must not extend the chain blindly). */
  readonly #stopped: () => unknown;
  #draining: Promise<void> | undefined;

  constructor(options: { maxBatch: number; write: (batch: T[]) => Promise<void>; stopped?: () => unknown }) {
    this.#maxBatch = options.maxBatch;
    this.#write = options.write;
    this.#stopped = options.stopped ?? (() => undefined);
  }

  push(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#kick();
    });
  }

  /** Resolves once every append pushed so far has settled. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #kick(): void {
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#waiting.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const stopped = this.#stopped();
      if (stopped !== undefined) {
        for (const w of this.#waiting.splice(0)) w.reject(stopped);
        return;
      }
      const batch = this.#waiting.splice(0, this.#maxBatch);
      try {
        await this.#write(batch.map((w) => w.item));
      } catch (err) {
        for (const w of batch) w.reject(err);
        continue;
      }
      for (const w of batch) w.resolve();
    }
  }
}
