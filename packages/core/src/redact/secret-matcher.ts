/**
 * Finds any of many registered strings in a text in one pass, in any ASCII letter case, at a cost that does
 * not grow with their number or length. A pattern is indexed by STRIDE consecutive windows of WINDOW
 * characters (hashed), so that any occurrence of it in a text has one of those windows ending at a multiple
 * of STRIDE: the scan hashes only one window per STRIDE characters, and a hash that hits a bucket is
 * confirmed by a comparison at the implied start. The windows sit where patterns differ (JWTs all begin with the same
 * `eyJhbGciOi…` header, so usually at the end), keeping buckets small; a byte filter in front of the
 * buckets makes a miss a few arithmetic operations. Patterns too short for STRIDE windows (under
 * WINDOW + STRIDE - 1 characters: rare, short secrets) go to one regular expression instead.
 * Texts are compared folded: ASCII letters in either case (a server that upper-cases its error page), and for
 * base64 spellings `-` `_` as `+` `/` (base64url); the windows are hashed folded both ways.
 */

/** No pattern may be shorter than this. */
export const ANCHOR = 6;
const WINDOW = 6;
const STRIDE = 8;
const INDEXED_MIN = WINDOW + STRIDE - 1;

const BASE = 0x01000193;
/**
 * The filter starts small (64 Ki slots) and doubles while it holds more than one window per 8 slots, up to 8 Mi
 * slots: a miss must stay a few arithmetic operations with every pattern's spellings indexed (10,000 tokens with
 * their base64 spellings are 320,000 windows: 4 Mi slots), and a process with a few secrets keeps a small one.
 * A byte per slot counts its windows (for removal); the scan reads a bit per slot, which keeps the part it reads
 * small enough for the processor's caches (512 KiB at 4 Mi slots).
 */
const MIN_FILTER_BITS = 16;
const MAX_FILTER_BITS = 23;
const FILTER_LOAD_SHIFT = 3;
const SATURATED = 255;
/** A bucket this full makes the next pattern look for other windows. */
const BUCKET_TARGET = 4;
const PLACEMENT_TRIES = 16;

/** A string to find, in any ASCII letter case. */
export interface Pattern {
  text: string;
  /** A value indexed by its prefix only: the match runs on over token characters. */
  extend: boolean;
  /**
   * A base64 spelling of (part of) a value: base64url matches too, and the match covers the whole base64 run
   * around it, both ways (the rest of the value's encoding, its padding).
   */
  base64?: boolean;
  /** How far a match may reach when longer than `text` (a base64 run): what a preview must read past its cut. */
  reach?: number;
}

/** A pattern as placed in the index (kept by the owner to remove it again). */
export interface Placed {
  readonly text: string;
  readonly extend: boolean;
  readonly base64: boolean;
  /** `text` folded as it is compared (see `fold`). */
  readonly folded: string;
  /** Window ends in `text` (STRIDE consecutive offsets) and their hashes; empty for a short pattern. */
  readonly ends: number[];
  readonly hashes: number[];
}

interface Entry {
  pattern: Placed;
  /** Offset in the pattern just after this window. */
  end: number;
}

/** ASCII letters in lower case; with FOLD_BASE64 also base64url's `-` `_` as `+` `/`. */
const FOLD_CASE = new Uint8Array(128).map((_, c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
const FOLD_BASE64 = FOLD_CASE.map((c) => (c === 0x2d ? 0x2b : c === 0x5f ? 0x2f : c));

const foldWith = (table: Uint8Array, c: number): number => (c < 128 ? (table[c] as number) : c);

/** `text` folded as a pattern of its kind is compared: two spellings that fold alike are one pattern. */
export function fold(text: string, base64: boolean): string {
  let out: string;
  if (ASCII.test(text)) {
    out = text.toLowerCase();
  } else {
    // toLowerCase() of other letters may change their number (İ): fold ASCII ones only.
    out = text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return base64 ? out.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/')) : out;
}

const ASCII = /^[\0-\x7f]*$/;

/** Windows are hashed folded both ways, so every pattern is found whatever its kind. */
function windowHash(s: string, end: number): number {
  let h = 0;
  for (let j = end - WINDOW; j < end; j++) {
    const c = s.charCodeAt(j);
    h = (Math.imul(h, BASE) + (c < 128 ? (FOLD_BASE64[c] as number) : c)) | 0;
  }
  return h;
}

/** True when `text` at `start` equals the pattern, folded as the pattern is. */
function matchesAt(text: string, start: number, p: Placed): boolean {
  const f = p.folded;
  if (start + f.length > text.length) return false;
  const table = p.base64 ? FOLD_BASE64 : FOLD_CASE;
  for (let i = 0; i < f.length; i++) {
    if (foldWith(table, text.charCodeAt(start + i)) !== f.charCodeAt(i)) return false;
  }
  return true;
}

/** Characters of base64 and base64url text (padding apart). */
function isBase64Char(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x2d ||
    c === 0x5f
  );
}

function slot(h: number, bits: number): number {
  return (h ^ (h >>> bits)) & ((1 << bits) - 1);
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
  /** Short patterns by their text folded for base64: what a regular-expression match was. */
  #shortByText: Map<string, Placed[]> | undefined;
  #filter: Uint8Array | undefined;
  /** One bit per slot of `#filter`: set while its count is not 0. */
  #present: Int32Array | undefined;
  #filterBits = MIN_FILTER_BITS;
  /** Windows in the buckets. */
  #windows = 0;
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
      this.#longest = Math.max(this.#longest, p.text.length, p.reach ?? 0);
      placed.push(item);
    }
    return placed;
  }

  remove(placed: readonly Placed[]): void {
    for (const item of placed) {
      if (item.ends.length === 0) {
        if (!this.#short.delete(item)) continue;
        this.#shortPattern = undefined;
        this.#shortByText = undefined;
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
    const present = this.#present;
    if (!present) return;
    const n = text.length;
    const bits = this.#filterBits;
    const mask = (1 << bits) - 1;
    for (let end = STRIDE; end <= n; end += STRIDE) {
      const h = windowHash(text, end);
      const at = (h ^ (h >>> bits)) & mask;
      if (((present[at >>> 5] as number) & (1 << (at & 31))) === 0) continue;
      const bucket = this.#buckets.get(h);
      if (bucket) for (const e of bucket) this.#confirm(text, end - e.end, e.pattern, spans);
    }
  }

  #confirm(text: string, start: number, p: Placed, spans: Array<[number, number]>): void {
    if (start < 0 || !matchesAt(text, start, p)) return;
    pushSpan(text, start, start + p.text.length, p, spans);
  }

  #addIndexed(p: Pattern): Placed {
    this.#filter ??= new Uint8Array(1 << this.#filterBits);
    this.#present ??= new Int32Array(this.#filter.length >>> 5);
    const last = this.#place(p.text);
    const ends = Array.from({ length: STRIDE }, (_, i) => last - i);
    const base64 = p.base64 === true;
    const item: Placed = {
      text: p.text,
      extend: p.extend,
      base64,
      folded: fold(p.text, base64),
      ends,
      hashes: ends.map((e) => windowHash(p.text, e)),
    };
    for (let i = 0; i < STRIDE; i++) {
      const hash = item.hashes[i] as number;
      const entry: Entry = { pattern: item, end: ends[i] as number };
      const bucket = this.#buckets.get(hash);
      if (bucket) bucket.push(entry);
      else this.#buckets.set(hash, [entry]);
      const at = slot(hash, this.#filterBits);
      if ((this.#filter[at] as number) < SATURATED) this.#filter[at] = (this.#filter[at] as number) + 1;
      this.#present[at >>> 5] = (this.#present[at >>> 5] as number) | (1 << (at & 31));
    }
    this.#windows += STRIDE;
    if (this.#windows > this.#filter.length >> FILTER_LOAD_SHIFT && this.#filterBits < MAX_FILTER_BITS)
      this.#growFilter();
    return item;
  }

  /** A filter twice the size, counted again from the buckets (which also clears saturated counters). */
  #growFilter(): void {
    this.#filterBits++;
    const bits = this.#filterBits;
    const filter = new Uint8Array(1 << bits);
    const present = new Int32Array(filter.length >>> 5);
    for (const [hash, bucket] of this.#buckets) {
      const at = slot(hash, bits);
      filter[at] = Math.min(SATURATED, (filter[at] as number) + bucket.length);
      present[at >>> 5] = (present[at >>> 5] as number) | (1 << (at & 31));
    }
    this.#filter = filter;
    this.#present = present;
  }

  #removeIndexed(item: Placed): boolean {
    let found = false;
    for (let i = 0; i < item.hashes.length; i++) {
      const hash = item.hashes[i] as number;
      const bucket = this.#buckets.get(hash);
      const at = bucket ? bucket.findIndex((e) => e.pattern === item && e.end === item.ends[i]) : -1;
      if (!bucket || at < 0) continue;
      found = true;
      this.#windows--;
      bucket.splice(at, 1);
      if (bucket.length === 0) this.#buckets.delete(hash);
      const filter = this.#filter;
      const present = this.#present;
      const s = slot(hash, this.#filterBits);
      // A saturated counter no longer knows its count: it stays set (a few extra bucket lookups).
      if (filter && present && (filter[s] as number) < SATURATED) {
        filter[s] = (filter[s] as number) - 1;
        if (filter[s] === 0) present[s >>> 5] = (present[s >>> 5] as number) & ~(1 << (s & 31));
      }
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
    const base64 = p.base64 === true;
    const item: Placed = {
      text: p.text,
      extend: p.extend,
      base64,
      folded: fold(p.text, base64),
      ends: [],
      hashes: [],
    };
    this.#short.add(item);
    this.#shortPattern = undefined;
    this.#shortByText = undefined;
    return item;
  }

  #findShort(text: string, spans: Array<[number, number]>): void {
    if (!this.#shortPattern || !this.#shortByText) {
      // Longest first, so a short secret inside a longer one does not win the alternation.
      const sorted = [...this.#short].sort((a, b) => b.text.length - a.text.length);
      this.#shortPattern = new RegExp(sorted.map(shortSource).join('|'), 'gi');
      this.#shortByText = new Map();
      for (const p of sorted) {
        const key = fold(p.text, true);
        const list = this.#shortByText.get(key);
        if (list) list.push(p);
        else this.#shortByText.set(key, [p]);
      }
    }
    const re = this.#shortPattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const end = m.index + m[0].length;
      const placed = this.#shortByText.get(fold(m[0], true))?.find((p) => matchesAt(text, m.index, p));
      if (placed) pushSpan(text, m.index, end, placed, spans);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
}

/** The regular-expression source of a short pattern: its text, with base64url's characters for a base64 one. */
function shortSource(p: Placed): string {
  let out = '';
  for (const ch of p.text) {
    if (p.base64 && (ch === '+' || ch === '-')) out += '[+\\-]';
    else if (p.base64 && (ch === '/' || ch === '_')) out += '[/_]';
    else out += ch.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  }
  return out;
}

/** Records the span of a match at [start, stop), widened as its pattern says (see `Pattern`). */
function pushSpan(
  text: string,
  start: number,
  stop: number,
  p: Placed,
  spans: Array<[number, number]>,
): void {
  let from = start;
  let to = stop;
  if (p.base64) {
    while (from > 0 && isBase64Char(text.charCodeAt(from - 1))) from--;
    while (to < text.length && isBase64Char(text.charCodeAt(to))) to++;
    for (let pad = 0; pad < 2 && text.charCodeAt(to) === 0x3d; pad++) to++;
  } else if (p.extend) {
    while (to < text.length && isTokenChar(text.charCodeAt(to))) to++;
  }
  spans.push([from, to]);
}
