import { createHash, type Hash } from 'node:crypto';
import type { RandomAccess, UploadSource } from './source.js';

/**
 * A ZIP on disk is scanned before it is sent (its directory is at its end), by reads at chosen positions; the file
 * can be rewritten between that scan and the send. Each range the scan read is kept as a SHA-256 digest, and the
 * bytes sent are held to them: a range that reads differently as it is sent, or a file of another size, stops the
 * upload before its end (its last chunk is held until every range is checked), so the catalog never receives a
 * complete request for bytes nobody scanned. Bytes no read covered were not scanned either way (a ZIP's entries
 * are what a reader of it sees); they are not checked.
 */

interface Range {
  start: number;
  end: number;
  digest: Buffer;
}

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/** Random access that remembers a digest of every range it read. */
export function recordingAccess(access: RandomAccess): RandomAccess & { ranges: Range[] } {
  const ranges: Range[] = [];
  return {
    size: access.size,
    ranges,
    async read(position, length) {
      const bytes = await access.read(position, length);
      if (bytes.length > 0)
        ranges.push({ start: position, end: position + bytes.length, digest: sha256(bytes) });
      return bytes;
    },
    close: () => access.close(),
  };
}

/** Checks a stream of bytes, chunk by chunk, against the ranges read before and the size seen then. */
class RangeCheck {
  readonly #ranges: Range[];
  readonly #size: number;
  #next = 0;
  #open: Array<{ range: Range; hash: Hash }> = [];
  #at = 0;

  constructor(ranges: readonly Range[], size: number) {
    this.#ranges = [...ranges].sort((a, b) => a.start - b.start);
    this.#size = size;
  }

  /** False as soon as a range read differently or the file grew past the size seen. */
  push(chunk: Uint8Array): boolean {
    const from = this.#at;
    const to = from + chunk.byteLength;
    this.#at = to;
    if (to > this.#size) return false;
    while (this.#next < this.#ranges.length && (this.#ranges[this.#next] as Range).start < to) {
      this.#open.push({ range: this.#ranges[this.#next++] as Range, hash: createHash('sha256') });
    }
    const still: Array<{ range: Range; hash: Hash }> = [];
    for (const o of this.#open) {
      const { start, end, digest } = o.range;
      o.hash.update(chunk.subarray(Math.max(start, from) - from, Math.min(end, to) - from));
      if (end > to) still.push(o);
      else if (!o.hash.digest().equals(digest)) return false;
    }
    this.#open = still;
    return true;
  }

  /** At the end of the bytes: the size seen, every range read and matched. */
  end(): boolean {
    return this.#at === this.#size && this.#next === this.#ranges.length && this.#open.length === 0;
  }
}

/** The source's bytes as sent, held to the ranges the scan read; `changed` is called (and throws) on a difference. */
export function pinnedTo(
  source: UploadSource,
  access: { ranges: readonly Range[]; size: number },
  changed: () => never,
): UploadSource {
  return {
    ...source,
    async *open() {
      const check = new RangeCheck(access.ranges, access.size);
      let held: Uint8Array | undefined;
      for await (const chunk of source.open()) {
        if (!check.push(chunk)) changed();
        if (held) yield held;
        held = chunk;
      }
      if (!check.end()) changed();
      if (held) yield held;
    },
  };
}
