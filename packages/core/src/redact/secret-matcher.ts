/**
 * Finds any of many registered strings in a text in one pass, at a cost that does not grow with their
 * number or length. Each pattern is indexed by one window of ANCHOR characters (a rolling hash), chosen
 * so that no bucket fills up: JWTs all start with the same `eyJhbGciOi…` header, so the anchor sits where
 * patterns differ, usually at the end. A scan hashes every window of the text once; a hash that hits a
 * bucket is confirmed with `startsWith` at the implied start. A byte filter in front of the buckets keeps
 * the common case (no hit) to a few arithmetic operations per character.
 */

/** Length of the indexed window; no pattern may be shorter. */
export const ANCHOR = 6;

const BASE = 0x01000193;
const BASE_POW = (() => {
  let p = 1;
  for (let i = 1; i < ANCHOR; i++) p = Math.imul(p, BASE);
  return p;
})();
const FILTER_BITS = 20;
const FILTER_MASK = (1 << FILTER_BITS) - 1;
const SATURATED = 255;
/** A bucket this full makes the next pattern look for another window. */
const BUCKET_TARGET = 4;
const PLACEMENT_TRIES = 16;

/** A string to find; `extend` marks a value indexed by its prefix only: the match runs on over token characters. */
export interface Pattern {
  text: string;
  extend: boolean;
}

/** A pattern as placed in the index (kept by the owner to remove it again). */
export interface Placed {
  readonly text: string;
  readonly extend: boolean;
  readonly hash: number;
  /** Offset in `text` just after the anchor window. */
  readonly anchorEnd: number;
}

function windowHash(s: string, end: number): number {
  let h = 0;
  for (let j = end - ANCHOR; j < end; j++) h = (Math.imul(h, BASE) + s.charCodeAt(j)) | 0;
  return h;
}

function slot(h: number): number {
  return (h ^ (h >>> FILTER_BITS)) & FILTER_MASK;
}

/** Characters a token, a key or their percent/base64 encodings are made of. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x3d ||
    c === 0x25
  );
}

export class SecretMatcher {
  readonly #buckets = new Map<number, Placed[]>();
  #filter: Uint8Array | undefined;
  #patterns = 0;
  #chars = 0;
  #longest = 0;

  /** Number of indexed patterns. */
  get size(): number {
    return this.#patterns;
  }

  /** Characters held by indexed patterns (memory, roughly). */
  get chars(): number {
    return this.#chars;
  }

  /** Longest pattern ever indexed: how far past a cut a match may reach. */
  get longest(): number {
    return this.#longest;
  }

  add(patterns: readonly Pattern[]): Placed[] {
    this.#filter ??= new Uint8Array(1 << FILTER_BITS);
    const placed: Placed[] = [];
    for (const p of patterns) {
      if (p.text.length < ANCHOR) continue;
      const { hash, anchorEnd } = this.#place(p.text);
      const item: Placed = { text: p.text, extend: p.extend, hash, anchorEnd };
      const bucket = this.#buckets.get(hash);
      if (bucket) bucket.push(item);
      else this.#buckets.set(hash, [item]);
      const i = slot(hash);
      if ((this.#filter[i] as number) < SATURATED) this.#filter[i] = (this.#filter[i] as number) + 1;
      this.#patterns++;
      this.#chars += p.text.length;
      if (p.text.length > this.#longest) this.#longest = p.text.length;
      placed.push(item);
    }
    return placed;
  }

  remove(placed: readonly Placed[]): void {
    const filter = this.#filter;
    for (const item of placed) {
      const bucket = this.#buckets.get(item.hash);
      const at = bucket ? bucket.indexOf(item) : -1;
      if (!bucket || at < 0) continue;
      bucket.splice(at, 1);
      if (bucket.length === 0) this.#buckets.delete(item.hash);
      const i = slot(item.hash);
      // A saturated counter no longer knows its count: it stays set (a few extra bucket lookups).
      if (filter && (filter[i] as number) < SATURATED) filter[i] = (filter[i] as number) - 1;
      this.#patterns--;
      this.#chars -= item.text.length;
    }
  }

  /** Appends the spans `[start, end)` of every occurrence of every pattern in `text`. */
  find(text: string, spans: Array<[number, number]>): void {
    const n = text.length;
    const filter = this.#filter;
    if (this.#patterns === 0 || !filter || n < ANCHOR) return;
    let h = windowHash(text, ANCHOR);
    for (let end = ANCHOR; ; end++) {
      if (filter[slot(h)] !== 0) {
        const bucket = this.#buckets.get(h);
        if (bucket) for (const p of bucket) this.#confirm(text, end, p, spans);
      }
      if (end >= n) break;
      h =
        (Math.imul(h - Math.imul(text.charCodeAt(end - ANCHOR), BASE_POW), BASE) + text.charCodeAt(end)) | 0;
    }
  }

  #confirm(text: string, end: number, p: Placed, spans: Array<[number, number]>): void {
    const start = end - p.anchorEnd;
    if (start < 0 || !text.startsWith(p.text, start)) return;
    let stop = start + p.text.length;
    if (p.extend) while (stop < text.length && isTokenChar(text.charCodeAt(stop))) stop++;
    spans.push([start, stop]);
  }

  /** The window (by its end) whose bucket is emptiest among the last ones of the pattern. */
  #place(text: string): { hash: number; anchorEnd: number } {
    let best = { hash: windowHash(text, text.length), anchorEnd: text.length };
    let bestSize = Number.POSITIVE_INFINITY;
    for (let t = 0, end = text.length; t < PLACEMENT_TRIES && end >= ANCHOR; t++, end -= ANCHOR) {
      const hash = windowHash(text, end);
      const size = this.#buckets.get(hash)?.length ?? 0;
      if (size < bestSize) {
        best = { hash, anchorEnd: end };
        bestSize = size;
      }
      if (size < BUCKET_TARGET) break;
    }
    return best;
  }
}
