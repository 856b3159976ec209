/**
 * A min-heap of pool entries by expiry, with lazy deletion: an entry's slot stays in the heap after it left
 * its pool or was registered again (with a later expiry), and is skipped when it comes up. The heap is
 * rebuilt from the live entries when stale slots outnumber them, so it stays within twice the pool size.
 */

/** What the heap orders: anything with an expiry (the registry's entries). */
export interface Expiring {
  expiresAt: number;
}

interface Slot<T> {
  entry: T;
  expiresAt: number;
}

export class ExpiryHeap<T extends Expiring> {
  #slots: Array<Slot<T>> = [];

  push(entry: T): void {
    this.#slots.push({ entry, expiresAt: entry.expiresAt });
    this.#up(this.#slots.length - 1);
  }

  /** The live entry (per `isLive`) expiring soonest, dropping stale slots on the way; undefined when none. */
  peek(isLive: (entry: T) => boolean): T | undefined {
    for (let top = this.#slots[0]; top; top = this.#slots[0]) {
      if (isLive(top.entry) && top.entry.expiresAt === top.expiresAt) return top.entry;
      this.#pop();
    }
    return undefined;
  }

  /** Rebuilds from `live` when the heap holds more than twice as many slots. */
  compact(live: Iterable<T>, liveCount: number): void {
    if (this.#slots.length <= 2 * liveCount + 64) return;
    this.#slots = [];
    for (const entry of live) this.push(entry);
  }

  #pop(): void {
    const last = this.#slots.pop();
    if (!last || this.#slots.length === 0) return;
    this.#slots[0] = last;
    this.#down(0);
  }

  #up(i: number): void {
    const s = this.#slots;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((s[parent] as Slot<T>).expiresAt <= (s[i] as Slot<T>).expiresAt) return;
      [s[parent], s[i]] = [s[i] as Slot<T>, s[parent] as Slot<T>];
      i = parent;
    }
  }

  #down(i: number): void {
    const s = this.#slots;
    for (;;) {
      let min = i;
      for (const c of [2 * i + 1, 2 * i + 2])
        if (c < s.length && (s[c] as Slot<T>).expiresAt < (s[min] as Slot<T>).expiresAt) min = c;
      if (min === i) return;
      [s[min], s[i]] = [s[i] as Slot<T>, s[min] as Slot<T>];
      i = min;
    }
  }
}
