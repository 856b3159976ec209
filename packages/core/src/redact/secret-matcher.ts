/**
 * Finds any of many registered strings in a text in one pass, in any ASCII letter case, at a cost that does
 * not grow with their number or length, in a few dozen bytes per string besides its characters.
 *
 * Anchors are minimizers: every run of GRAMS consecutive windows of WINDOW characters (hashed) selects the one
 * with the smallest hash (the leftmost of equals), a choice that depends on those characters alone. A pattern is
 * indexed once, by the window one of its runs selects, with that window's offset; the scan hashes every window of
 * the text (a rolling hash), looks up each window a run selects (about one in four), and confirms a hit by a
 * comparison at the implied start. Any occurrence of a pattern holds its anchoring run, so the scan selects its
 * anchor there. The anchor is chosen where patterns differ (JWTs all begin with the same `eyJhbGciOi…` header,
 * so usually near the end), keeping buckets small. Patterns too short for a run (under WINDOW + GRAMS - 1
 * characters: rare, short secrets) go to one regular expression instead.
 *
 * The index is plain integers: a pattern is a number (`Placed`), its anchor hash, offset, flags and chain link sit
 * in typed arrays, buckets are chains from a table of heads, and a bit filter in front of the heads makes a miss a
 * few arithmetic operations. Each pattern's text is kept once, as given; it is folded while compared.
 * Texts are compared folded: ASCII letters in either case (a server that upper-cases its error page), and for
 * base64 spellings `-` `_` as `+` `/` (base64url); the windows are hashed folded both ways.
 */

/** No pattern may be shorter than this. */
export const ANCHOR = 6;
const WINDOW = 6;
/** Windows per run: a pattern needs WINDOW + GRAMS - 1 characters to be indexed (13, as with 8 strided windows). */
const GRAMS = 8;
const INDEXED_MIN = WINDOW + GRAMS - 1;

const BASE = 0x01000193;
/** BASE^(WINDOW-1) modulo 2^32: what the character leaving a rolling window weighed. */
const BASE_OUT = Array.from({ length: WINDOW - 1 }).reduce<number>((p) => Math.imul(p, BASE), 1);

/**
 * Heads: between one and two slots per indexed pattern (4 bytes each), from 4 Ki up to 4 Mi. The filter has
 * FILTER_SHIFT more bits of address (8 bits per slot: a miss passes it about one time in eight) and is read a bit
 * per window, small enough for the processor's caches. A removed pattern leaves its filter bit set (another may
 * share it) until the filter is rebuilt, once the removals since the last build outnumber the patterns.
 */
const MIN_HEAD_BITS = 12;
const MAX_HEAD_BITS = 22;
const FILTER_SHIFT = 3;
/** A bucket this full makes the next pattern look for another anchor. */
const BUCKET_TARGET = 4;
const PLACEMENT_TRIES = 16;

const EXTEND = 1;
const BASE64 = 2;
const INDEXED = 4;
const SHORT = 8;

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

/** A pattern as placed in the index: its number, kept by the owner to remove it again. */
export type Placed = number;

/** ASCII letters in lower case; with FOLD_BASE64 also base64url's `-` `_` as `+` `/`. */
const FOLD_CASE = new Uint8Array(128).map((_, c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
const FOLD_BASE64 = FOLD_CASE.map((c) => (c === 0x2d ? 0x2b : c === 0x5f ? 0x2f : c));

const foldWith = (table: Uint8Array, c: number): number => (c < 128 ? (table[c] as number) : c);
const hashChar = (c: number): number => (c < 128 ? (FOLD_BASE64[c] as number) : c);

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

/** A window's rolling hash spread over all bits (lowbias32): the order minimizers are chosen by. */
function mix(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}

/** The key of the window starting at `start`, as the scan's rolling hash computes it. */
function windowKey(s: string, start: number): number {
  let h = 0;
  for (let j = start; j < start + WINDOW; j++) h = (Math.imul(h, BASE) + hashChar(s.charCodeAt(j))) | 0;
  return mix(h);
}

/** The window a run of GRAMS windows starting at `run` selects: its offset and key (the leftmost smallest). */
function minimizer(s: string, run: number): [number, number] {
  let at = run;
  let key = windowKey(s, run);
  for (let j = run + 1; j < run + GRAMS; j++) {
    const k = windowKey(s, j);
    if (k < key) {
      at = j;
      key = k;
    }
  }
  return [at, key];
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

/** Typed-array columns of the pattern records, by pattern number (grown by doubling). */
class Records {
  texts: string[] = [];
  flags = new Uint8Array(64);
  key = new Int32Array(64);
  /** Offset in the text of the anchor window. */
  offset = new Int32Array(64);
  /** The next pattern (number + 1) in the same head's chain, or in the free list; 0 ends it. */
  next = new Int32Array(64);
  /** The previous pattern (number + 1) in the chain, 0 at its head: removal is constant-time in a crowded bucket. */
  prev = new Int32Array(64);
  #free = 0;
  #used = 0;

  allocate(text: string, flags: number): number {
    let id: number;
    if (this.#free !== 0) {
      id = this.#free - 1;
      this.#free = this.next[id] as number;
      this.texts[id] = text;
    } else {
      id = this.#used++;
      if (id === this.flags.length) this.#grow();
      this.texts.push(text);
    }
    this.flags[id] = flags;
    this.next[id] = 0;
    return id;
  }

  release(id: number): void {
    this.texts[id] = '';
    this.flags[id] = 0;
    this.next[id] = this.#free;
    this.#free = id + 1;
  }

  /** Pattern numbers ever handed out (live or free). */
  get used(): number {
    return this.#used;
  }

  #grow(): void {
    const n = this.flags.length * 2;
    const grown = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.flags = grown(this.flags, (k) => new Uint8Array(k));
    this.key = grown(this.key, (k) => new Int32Array(k));
    this.offset = grown(this.offset, (k) => new Int32Array(k));
    this.next = grown(this.next, (k) => new Int32Array(k));
    this.prev = grown(this.prev, (k) => new Int32Array(k));
  }
}

export class SecretMatcher {
  readonly #r = new Records();
  #heads = new Int32Array(1 << MIN_HEAD_BITS);
  #headBits = MIN_HEAD_BITS;
  /** One bit per filter slot: set while a pattern may be anchored there. */
  #present = new Int32Array((1 << (MIN_HEAD_BITS + FILTER_SHIFT)) >>> 5);
  #indexed = 0;
  /** Indexed patterns removed since the filter was built. */
  #stale = 0;
  readonly #short = new Set<number>();
  #shortPattern: RegExp | undefined;
  /** Short patterns by their text folded for base64: what a regular-expression match was. */
  #shortByText: Map<string, number[]> | undefined;
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
      const flags = (p.extend ? EXTEND : 0) | (p.base64 === true ? BASE64 : 0);
      const id =
        p.text.length < INDEXED_MIN ? this.#addShort(p.text, flags) : this.#addIndexed(p.text, flags);
      this.#patterns++;
      this.#chars += p.text.length;
      this.#longest = Math.max(this.#longest, p.text.length, p.reach ?? 0);
      placed.push(id);
    }
    return placed;
  }

  remove(placed: readonly Placed[]): void {
    const r = this.#r;
    for (const id of placed) {
      const flags = r.flags[id] ?? 0;
      if (flags & SHORT) {
        this.#short.delete(id);
        this.#shortPattern = undefined;
        this.#shortByText = undefined;
      } else if (flags & INDEXED) {
        this.#unlink(id);
      } else {
        continue;
      }
      this.#patterns--;
      this.#chars -= (r.texts[id] as string).length;
      r.release(id);
    }
  }

  /** Appends the spans `[start, end)` of every occurrence of every pattern in `text`. */
  find(text: string, spans: Array<[number, number]>): void {
    if (this.#patterns === 0) return;
    if (this.#short.size > 0) this.#findShort(text, spans);
    if (this.#indexed > 0 && text.length >= INDEXED_MIN) this.#scan(text, spans);
  }

  /** Rolls a hash over every window, keeps the run's minimum, and looks up each window a run selects. */
  #scan(text: string, spans: Array<[number, number]>): void {
    const present = this.#present;
    const filterBits = this.#headBits + FILTER_SHIFT;
    const keys = new Int32Array(GRAMS);
    // The folded characters of the window, so the one leaving is not read and folded again.
    const chars = new Int32Array(WINDOW);
    const last = text.length - WINDOW;
    let h = 0;
    for (let j = 0; j < WINDOW - 1; j++) {
      const c = hashChar(text.charCodeAt(j));
      chars[j] = c;
      h = (Math.imul(h, BASE) + c) | 0;
    }
    // The first GRAMS - 1 windows only fill the run: none is looked up before a run is whole.
    let minAt = 0;
    let minKey = 0;
    let looked = -1;
    for (let j = 0; j <= last; j++) {
      const c = hashChar(text.charCodeAt(j + WINDOW - 1));
      chars[(j + WINDOW - 1) % WINDOW] = c;
      h = (Math.imul(h, BASE) + c) | 0;
      const key = mix(h);
      // The character that leaves before the next window is added.
      h = (h - Math.imul(chars[j % WINDOW] as number, BASE_OUT)) | 0;
      keys[j & (GRAMS - 1)] = key;
      const run = j - GRAMS + 1;
      if (j === 0 || key < minKey) {
        minAt = j;
        minKey = key;
      } else if (minAt < run) {
        // The minimum left the run: the leftmost smallest of the run again.
        minAt = run;
        minKey = keys[run & (GRAMS - 1)] as number;
        for (let i = run + 1; i <= j; i++) {
          const k = keys[i & (GRAMS - 1)] as number;
          if (k < minKey) {
            minAt = i;
            minKey = k;
          }
        }
      }
      if (run < 0 || minAt === looked) continue;
      looked = minAt;
      const at = slot(minKey, filterBits);
      if (((present[at >>> 5] as number) & (1 << (at & 31))) === 0) continue;
      this.#lookup(text, minAt, minKey, spans);
    }
  }

  #lookup(text: string, at: number, key: number, spans: Array<[number, number]>): void {
    const r = this.#r;
    for (
      let id = (this.#heads[slot(key, this.#headBits)] as number) - 1;
      id >= 0;
      id = (r.next[id] as number) - 1
    ) {
      if (r.key[id] !== key) continue;
      const start = at - (r.offset[id] as number);
      if (start >= 0 && matchesAt(text, start, r.texts[id] as string, r.flags[id] as number))
        pushSpan(text, start, start + (r.texts[id] as string).length, r.flags[id] as number, spans);
    }
  }

  #addIndexed(text: string, flags: number): number {
    const id = this.#r.allocate(text, flags | INDEXED);
    const [offset, key] = this.#place(text);
    this.#r.offset[id] = offset;
    this.#r.key[id] = key;
    this.#indexed++;
    if (this.#indexed > this.#heads.length && this.#headBits < MAX_HEAD_BITS) {
      this.#headBits++;
      this.#rebuild();
    } else {
      this.#link(id);
    }
    return id;
  }

  #link(id: number): void {
    const key = this.#r.key[id] as number;
    const s = slot(key, this.#headBits);
    const head = this.#heads[s] as number;
    this.#r.next[id] = head;
    this.#r.prev[id] = 0;
    if (head !== 0) this.#r.prev[head - 1] = id + 1;
    this.#heads[s] = id + 1;
    const at = slot(key, this.#headBits + FILTER_SHIFT);
    this.#present[at >>> 5] = (this.#present[at >>> 5] as number) | (1 << (at & 31));
  }

  #unlink(id: number): void {
    const r = this.#r;
    const prev = r.prev[id] as number;
    const next = r.next[id] as number;
    if (prev === 0) this.#heads[slot(r.key[id] as number, this.#headBits)] = next;
    else r.next[prev - 1] = next;
    if (next !== 0) r.prev[next - 1] = prev;
    r.flags[id] = (r.flags[id] as number) & ~INDEXED;
    this.#indexed--;
    // A bit another pattern may share stays set; rebuilt once stale bits could be most of them.
    if (++this.#stale > this.#indexed + 1024) this.#rebuild();
  }

  /** Heads and filter built again from the records (after growing, or when the filter went stale). */
  #rebuild(): void {
    this.#heads = new Int32Array(1 << this.#headBits);
    this.#present = new Int32Array((1 << (this.#headBits + FILTER_SHIFT)) >>> 5);
    this.#stale = 0;
    const r = this.#r;
    for (let id = 0; id < r.used; id++) if ((r.flags[id] as number) & INDEXED) this.#link(id);
  }

  /** Entries in the bucket of `key` (up to BUCKET_TARGET: enough to know it is crowded). */
  #bucketSize(key: number): number {
    const r = this.#r;
    let n = 0;
    for (
      let id = (this.#heads[slot(key, this.#headBits)] as number) - 1;
      id >= 0;
      id = (r.next[id] as number) - 1
    )
      if (r.key[id] === key && ++n >= BUCKET_TARGET) break;
    return n;
  }

  /** The anchor: the minimizer of a run near the end of the pattern, where buckets are emptiest. */
  #place(text: string): [number, number] {
    let best: [number, number] | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (let t = 0, run = text.length - INDEXED_MIN; t < PLACEMENT_TRIES && run >= 0; t++, run -= GRAMS) {
      const candidate = minimizer(text, run);
      const size = this.#bucketSize(candidate[1]);
      if (size < bestSize) {
        best = candidate;
        bestSize = size;
      }
      if (size < BUCKET_TARGET) break;
    }
    return best as [number, number];
  }

  #addShort(text: string, flags: number): number {
    const id = this.#r.allocate(text, flags | SHORT);
    this.#short.add(id);
    this.#shortPattern = undefined;
    this.#shortByText = undefined;
    return id;
  }

  #findShort(text: string, spans: Array<[number, number]>): void {
    const r = this.#r;
    if (!this.#shortPattern || !this.#shortByText) {
      // Longest first, so a short secret inside a longer one does not win the alternation.
      const sorted = [...this.#short].sort(
        (a, b) => (r.texts[b] as string).length - (r.texts[a] as string).length,
      );
      this.#shortPattern = new RegExp(
        sorted.map((id) => shortSource(r.texts[id] as string, r.flags[id] as number)).join('|'),
        'gi',
      );
      this.#shortByText = new Map();
      for (const id of sorted) {
        const key = fold(r.texts[id] as string, true);
        const list = this.#shortByText.get(key);
        if (list) list.push(id);
        else this.#shortByText.set(key, [id]);
      }
    }
    const re = this.#shortPattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const end = m.index + m[0].length;
      const id = this.#shortByText
        .get(fold(m[0], true))
        ?.find((p) => matchesAt(text, m.index, r.texts[p] as string, r.flags[p] as number));
      if (id !== undefined) pushSpan(text, m.index, end, r.flags[id] as number, spans);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
}

/** True when `text` at `start` equals `pattern`, both folded as the pattern's kind is. */
function matchesAt(text: string, start: number, pattern: string, flags: number): boolean {
  if (start + pattern.length > text.length) return false;
  const table = flags & BASE64 ? FOLD_BASE64 : FOLD_CASE;
  for (let i = 0; i < pattern.length; i++) {
    if (foldWith(table, text.charCodeAt(start + i)) !== foldWith(table, pattern.charCodeAt(i))) return false;
  }
  return true;
}

/** The regular-expression source of a short pattern: its text, with base64url's characters for a base64 one. */
function shortSource(text: string, flags: number): string {
  let out = '';
  const base64 = (flags & BASE64) !== 0;
  for (const ch of text) {
    if (base64 && (ch === '+' || ch === '-')) out += '[+\\-]';
    else if (base64 && (ch === '/' || ch === '_')) out += '[/_]';
    else out += ch.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  }
  return out;
}

/** Records the span of a match at [start, stop), widened as its pattern says (see `Pattern`). */
function pushSpan(
  text: string,
  start: number,
  stop: number,
  flags: number,
  spans: Array<[number, number]>,
): void {
  let from = start;
  let to = stop;
  if (flags & BASE64) {
    while (from > 0 && isBase64Char(text.charCodeAt(from - 1))) from--;
    while (to < text.length && isBase64Char(text.charCodeAt(to))) to++;
    for (let pad = 0; pad < 2 && text.charCodeAt(to) === 0x3d; pad++) to++;
  } else if (flags & EXTEND) {
    while (to < text.length && isTokenChar(text.charCodeAt(to))) to++;
  }
  spans.push([from, to]);
}
