/**
 * Finds any of many registered strings in a text in one pass, at a cost that does not grow with their
 * number or length. A pattern is indexed by STRIDE consecutive windows of WINDOW characters (hashed), so
 * that any occurrence of it in a text has one of those windows ending at a multiple of STRIDE: the scan
 * hashes only one window per STRIDE characters, and a hash that hits a bucket is confirmed with
 * `startsWith` at the implied start. The windows sit where patterns differ (JWTs all begin with the same
 * `eyJhbGciOi…` header, so usually at the end), keeping buckets small; a byte filter in front of the
 * buckets makes a miss a few arithmetic operations. Patterns too short for STRIDE windows (under
 * WINDOW + STRIDE - 1 characters: rare, short secrets) go to one regular expression instead.
 */

/** No pattern may be shorter than this. */
export const ANCHOR = 6;
const WINDOW = 6;
const STRIDE = 8;
const INDEXED_MIN = WINDOW + STRIDE - 1;

const BASE = 0x01000193;
const FILTER_BITS = 20;
const FILTER_MASK = (1 << FILTER_BITS) - 1;
const SATURATED = 255;
/** A bucket this full makes the next pattern look for other windows. */
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
  /** Window ends in `text` (STRIDE consecutive offsets) and their hashes; empty for a short pattern. */
  readonly ends: number[];
  readonly hashes: number[];
}

interface Entry {
  pattern: Placed;
  /** Offset in the pattern just after this window. */
  end: number;
}

function windowHash(s: string, end: number): number {
  let h = 0;
  for (let j = end - WINDOW; j < end; j++) h = (Math.imul(h, BASE) + s.charCodeAt(j)) | 0;
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
  readonly #buckets = new Map<number, Entry[]>();
  readonly #short = new Set<Placed>();
  #shortPattern: RegExp | undefined;
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
    const placed: Placed[] = [];
    for (const p of patterns) {
      if (p.text.length < ANCHOR) continue;
      const item = p.text.length < INDEXED_MIN ? this.#addShort(p) : this.#addIndexed(p);
      this.#patterns++;
      this.#chars += p.text.length;
      if (p.text.length > this.#longest) this.#longest = p.text.length;
      placed.push(item);
    }
    return placed;
  }

  remove(placed: readonly Placed[]): void {
    for (const item of placed) {
      if (item.ends.length === 0) {
        if (!this.#short.delete(item)) continue;
        this.#shortPattern = undefined;
      } else if (!this.#removeIndexed(item)) {
        continue;
      }
      this.#patterns--;
      this.#chars -= item.text.length;
    }
  }

  /** Appends the spans `[start, end)` of every occurrence of every pattern in `text`. */
  find(text: string, spans: Array<[number, number]>): void {
    if (this.#patterns === 0) return;
    if (this.#short.size > 0) this.#findShort(text, spans);
    const filter = this.#filter;
    if (!filter) return;
    const n = text.length;
    for (let end = STRIDE; end <= n; end += STRIDE) {
      const h = windowHash(text, end);
      if (filter[slot(h)] === 0) continue;
      const bucket = this.#buckets.get(h);
      if (bucket) for (const e of bucket) this.#confirm(text, end - e.end, e.pattern, spans);
    }
  }

  #confirm(text: string, start: number, p: Placed, spans: Array<[number, number]>): void {
    if (start < 0 || !text.startsWith(p.text, start)) return;
    let stop = start + p.text.length;
    if (p.extend) while (stop < text.length && isTokenChar(text.charCodeAt(stop))) stop++;
    spans.push([start, stop]);
  }

  #addIndexed(p: Pattern): Placed {
    this.#filter ??= new Uint8Array(1 << FILTER_BITS);
    const last = this.#place(p.text);
    const ends = Array.from({ length: STRIDE }, (_, i) => last - i);
    const item: Placed = {
      text: p.text,
      extend: p.extend,
      ends,
      hashes: ends.map((e) => windowHash(p.text, e)),
    };
    for (let i = 0; i < STRIDE; i++) {
      const hash = item.hashes[i] as number;
      const entry: Entry = { pattern: item, end: ends[i] as number };
      const bucket = this.#buckets.get(hash);
      if (bucket) bucket.push(entry);
      else this.#buckets.set(hash, [entry]);
      const at = slot(hash);
      if ((this.#filter[at] as number) < SATURATED) this.#filter[at] = (this.#filter[at] as number) + 1;
    }
    return item;
  }

  #removeIndexed(item: Placed): boolean {
    let found = false;
    for (let i = 0; i < item.hashes.length; i++) {
      const hash = item.hashes[i] as number;
      const bucket = this.#buckets.get(hash);
      const at = bucket ? bucket.findIndex((e) => e.pattern === item && e.end === item.ends[i]) : -1;
      if (!bucket || at < 0) continue;
      found = true;
      bucket.splice(at, 1);
      if (bucket.length === 0) this.#buckets.delete(hash);
      const filter = this.#filter;
      const s = slot(hash);
      // A saturated counter no longer knows its count: it stays set (a few extra bucket lookups).
      if (filter && (filter[s] as number) < SATURATED) filter[s] = (filter[s] as number) - 1;
    }
    return found;
  }

  /** The end of the last of the STRIDE windows: near the end of the pattern, where buckets are emptiest. */
  #place(text: string): number {
    let best = text.length;
    let bestSize = Number.POSITIVE_INFINITY;
    for (let t = 0, last = text.length; t < PLACEMENT_TRIES && last >= INDEXED_MIN; t++, last -= STRIDE) {
      let size = 0;
      for (let i = 0; i < STRIDE; i++)
        size = Math.max(size, this.#buckets.get(windowHash(text, last - i))?.length ?? 0);
      if (size < bestSize) {
        best = last;
        bestSize = size;
      }
      if (size < BUCKET_TARGET) break;
    }
    return best;
  }

  #addShort(p: Pattern): Placed {
    const item: Placed = { text: p.text, extend: p.extend, ends: [], hashes: [] };
    this.#short.add(item);
    this.#shortPattern = undefined;
    return item;
  }

  #findShort(text: string, spans: Array<[number, number]>): void {
    if (!this.#shortPattern) {
      // Longest first, so a short secret inside a longer one does not win the alternation.
      const sorted = [...this.#short].sort((a, b) => b.text.length - a.text.length);
      this.#shortPattern = new RegExp(
        sorted.map((p) => p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
        'g',
      );
    }
    const re = this.#shortPattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      spans.push([m.index, m.index + m[0].length]);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
}
