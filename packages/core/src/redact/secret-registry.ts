import { ExpiryHeap } from './expiry-heap.js';
import { ANCHOR, fold, type Pattern, type Placed, SecretMatcher } from './secret-matcher.js';

/**
 * The values redaction masks wherever they appear, in three pools with their own rules:
 * - `credential`: long-lived (consumer secret, client secret, API key, key passphrase). Never evicted,
 *   reference-counted: each `registerSecret` is matched by one `unregisterSecret` (a client's `close()`).
 * - `token`: short-lived (access, refresh and id tokens, GDX tokens). Kept for their TTL, in a bounded pool.
 * - `input`: strings a caller hands in (a token to revoke, a code in a callback). Shorter TTL, their own
 *   smaller bound, and indexed by a capped prefix, so no caller can crowd out tokens or grow memory.
 * Token and input pools also share a character budget. Expired entries are swept on registration.
 */

/** How long a registered secret lives: see the pools above. */
export type SecretKind = 'credential' | 'token' | 'input';

/** How long a value registered with `registerSecret` stays masked, and as what kind of secret. */
export interface RegisterSecretOptions {
  /** Default `credential` (kept until unregistered): the safe choice for a value whose lifetime is unknown. */
  kind?: SecretKind;
  /** How long a `token` or `input` stays registered. Defaults: token 1 h, input 10 min. Renewed by registering again. */
  ttlInMs?: number;
}

/** Limits of the registry (documented in docs/security.md). */
export const SECRET_REGISTRY_LIMITS = {
  /** Shorter values are not registered: masking them would garble ordinary text. */
  minLength: ANCHOR,
  /** Characters of a value that are indexed; a longer value is masked from its prefix to the end of the token. */
  maxIndexedLength: { credential: 8192, token: 8192, input: 2048 },
  /**
   * A week of refresh tokens (digital-id registers each for its 7-day lifetime) at about 570 logins an hour.
   * An entry costs about 0.7 KB with an opaque token's characters, 1.7 KB with a 1 KB JWT's (bench/redact.bench.ts):
   * a full pool takes about 70 MB of opaque tokens or 167 MB of JWTs, where the 20,000 entries of the previous
   * index took 133 MB (6.6 KB each) or 170 MB (8.5 KB each).
   */
  maxTokens: 96_000,
  maxInputs: 1_000,
  /** Characters of all token and input patterns together: maxTokens JWT-sized tokens (1,076 each) fit. */
  maxPooledChars: 100 * 1024 * 1024,
  defaultTtlInMs: { token: 3_600_000, input: 600_000 },
  sweepIntervalInMs: 30_000,
} as const;

/** Sizes of the registry's pools and their bounds (`secretRegistryStats()`). */
export interface SecretRegistryStats {
  credentials: number;
  tokens: number;
  inputs: number;
  maxTokens: number;
  maxInputs: number;
  /** Characters indexed for token and input values (all their encoded spellings). */
  pooledChars: number;
  maxPooledChars: number;
  /**
   * Tokens and inputs evicted by the bounds while still within their TTL (since start): each is a value that
   * is no longer masked although it may still be in use. Non-zero means the bounds are too small for the load.
   */
  evictedLive: number;
}

interface Entry {
  key: string;
  /** Credential registrations not yet released: while any, the entry is pinned (in no pool). */
  holds: number;
  /** When a token or input registration runs out (0: never registered so). */
  expiresAt: number;
  /** The pool its TTL registration belongs to, if any. */
  kind: 'token' | 'input' | undefined;
  inPool: boolean;
  placed: Placed[];
  chars: number;
}

const L = SECRET_REGISTRY_LIMITS;

export class SecretRegistry {
  readonly #entries = new Map<string, Entry>();
  /** The token and input pools: the entry expiring soonest is the one to evict. */
  readonly #pools = { token: new Map<string, Entry>(), input: new Map<string, Entry>() };
  readonly #expiries = { token: new ExpiryHeap<Entry>(), input: new ExpiryHeap<Entry>() };
  readonly #matcher = new SecretMatcher();
  readonly #now: () => number;
  #pooledChars = 0;
  #nextSweepAt = 0;
  #evictedLive = 0;

  // Read through the global each time, so a test clock (or a changed Date) is seen.
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  register(value: unknown, options: RegisterSecretOptions = {}): void {
    if (typeof value !== 'string' || value.length < L.minLength) return;
    const kind = options.kind ?? 'credential';
    const cap = L.maxIndexedLength[kind] ?? L.maxIndexedLength.input;
    const key = value.length > cap ? value.slice(0, cap) : value;
    const now = this.#now();
    // Also when the clock went back (NTP step, a test clock): the next sweep would otherwise wait that long.
    if (now >= this.#nextSweepAt || now < this.#nextSweepAt - L.sweepIntervalInMs) this.#sweep(now);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { key, holds: 0, expiresAt: 0, kind: undefined, inPool: false, placed: [], chars: 0 };
      const patterns = spellings(key, key !== value);
      entry.placed = this.#matcher.add(patterns);
      entry.chars = patterns.reduce((n, p) => n + (p.text.length >= ANCHOR ? p.text.length : 0), 0);
      this.#entries.set(key, entry);
    }
    if (kind === 'credential') {
      entry.holds++;
      this.#leavePool(entry);
      return;
    }
    const ttl = options.ttlInMs ?? L.defaultTtlInMs[kind];
    entry.expiresAt = Math.max(entry.expiresAt, now + Math.max(0, ttl));
    // Leave and join again: the entry moves to the young end of its pool (and maybe to another pool).
    this.#leavePool(entry);
    // A value seen as a token is not demoted to an input (which has the shorter bound).
    entry.kind = entry.kind === 'token' ? 'token' : kind;
    if (entry.holds > 0) return;
    this.#joinPool(entry);
    this.#enforceBounds();
  }

  /**
   * Releases one credential registration (the value stays while other holds, or a token TTL, remain), or
   * forgets a token or input at once.
   */
  unregister(value: unknown): void {
    if (typeof value !== 'string') return;
    for (const cap of [Number.POSITIVE_INFINITY, L.maxIndexedLength.token, L.maxIndexedLength.input]) {
      const entry = this.#entries.get(value.length > cap ? value.slice(0, cap) : value);
      if (!entry) continue;
      if (entry.holds > 1) {
        entry.holds--;
        return;
      }
      const wasHeld = entry.holds === 1;
      entry.holds = 0;
      if (wasHeld && entry.kind && entry.expiresAt > this.#now()) {
        this.#joinPool(entry);
        this.#enforceBounds();
      } else {
        this.#remove(entry);
      }
      return;
    }
  }

  find(text: string, spans: Array<[number, number]>): void {
    this.#matcher.find(text, spans);
  }

  /** How far past a cut a registered value may reach (redact-before-truncate margin). */
  get longestPattern(): number {
    return this.#matcher.longest;
  }

  stats(): SecretRegistryStats {
    let credentials = 0;
    for (const e of this.#entries.values()) if (e.holds > 0) credentials++;
    return {
      credentials,
      tokens: this.#pools.token.size,
      inputs: this.#pools.input.size,
      maxTokens: L.maxTokens,
      maxInputs: L.maxInputs,
      pooledChars: this.#pooledChars,
      maxPooledChars: L.maxPooledChars,
      evictedLive: this.#evictedLive,
    };
  }

  #joinPool(entry: Entry): void {
    if (!entry.kind) return;
    entry.inPool = true;
    this.#pools[entry.kind].set(entry.key, entry);
    this.#expiries[entry.kind].push(entry);
    this.#expiries[entry.kind].compact(this.#pools[entry.kind].values(), this.#pools[entry.kind].size);
    this.#pooledChars += entry.chars;
  }

  #leavePool(entry: Entry): void {
    if (!entry.inPool || !entry.kind) return;
    this.#pools[entry.kind].delete(entry.key);
    this.#pooledChars -= entry.chars;
    entry.inPool = false;
  }

  #remove(entry: Entry): void {
    this.#leavePool(entry);
    this.#entries.delete(entry.key);
    this.#matcher.remove(entry.placed);
  }

  // Inputs go first: they are what a caller (or an attacker) controls.
  #enforceBounds(): void {
    const { token, input } = this.#pools;
    while (input.size > L.maxInputs) this.#evictSoonest('input');
    while (token.size > L.maxTokens) this.#evictSoonest('token');
    while (this.#pooledChars > L.maxPooledChars && input.size + token.size > 0) {
      this.#evictSoonest(input.size > 0 ? 'input' : 'token');
    }
  }

  /**
   * Evicts the entry that expires soonest, an expired one first (not the oldest registration: a token
   * registered early with a long TTL is still in use when 20 000 short-lived ones come after it). Pools
   * hold no credentials (a held entry leaves its pool), so none is ever evicted. A live one is counted.
   */
  #evictSoonest(kind: 'token' | 'input'): void {
    const pool = this.#pools[kind];
    const soonest =
      this.#expiries[kind].peek((e) => e.inPool && pool.get(e.key) === e) ?? pool.values().next().value;
    if (!soonest) return;
    if (soonest.expiresAt > this.#now()) this.#evictedLive++;
    this.#remove(soonest);
  }

  #sweep(now: number): void {
    this.#nextSweepAt = now + L.sweepIntervalInMs;
    for (const pool of [this.#pools.token, this.#pools.input]) {
      for (const entry of pool.values()) if (entry.expiresAt <= now) this.#remove(entry);
    }
  }
}

/**
 * The spellings a value travels in: as is, percent-encoded (URLs) and form-encoded (see `textSpellings`),
 * JSON- and HTML-escaped, each matched in any ASCII letter case (spellings differing only in case are one
 * pattern); and base64 (or base64url, padded or not) of the value at each of the three byte alignments (echoed
 * by itself, or inside HTTP Basic `client_id:secret` or a base64 blob): of its last BASE64_TAIL_BYTES bytes only,
 * the part of the base64 text that depends on them alone. A match there is widened to the whole base64 run, so the
 * encoding of the rest of the value goes with it, and a long token costs a few short patterns, not three copies.
 */
function spellings(value: string, truncated: boolean): Pattern[] {
  const out: Pattern[] = [];
  const seen = new Set<string>();
  for (const text of textSpellings(value)) {
    const key = fold(text, false);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text, extend: truncated });
  }
  const bytes = Buffer.from(value, 'utf8');
  // A whole run of the value's base64 (at any alignment, padded): how far past a preview's cut a match reaches.
  const reach = Math.ceil((bytes.length + 2) / 3) * 4;
  for (const core of base64Cores(bytes.subarray(Math.max(0, bytes.length - BASE64_TAIL_BYTES)))) {
    const key = fold(core, true);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text: core, extend: false, base64: true, reach });
  }
  return out;
}

/** Bytes at the end of a value whose base64 is indexed: 32 base64 characters, distinctive enough to mask on. */
const BASE64_TAIL_BYTES = 24;

/**
 * The text spellings of a value, as the common encoders write it (shared with `maskerFor`, which masks a
 * call's `sensitiveValues`). At most 34, and a plain token (letters, digits, `.-_`) has one.
 * - percent and form encoding, hex in upper and lower case, and every mix of the two when at most
 *   MAX_CASE_MIXED escapes hold a hex letter (a server re-encoding a value writes `%2b` next to `%2F`);
 * - JSON: as `JSON.stringify` writes it, `\/`, ASCII-only `\uXXXX` (Python, Jackson), Go's `\u0026`
 *   `\u003c` `\u003e`, .NET's (`+ & < > ' "` too), and every special character (`+ / & < > ' " =`,
 *   non-ASCII) as `\u00xx`;
 * - HTML: decimal and named references of `& < > " '`, Go html/template (`&#43;` `&#34;` `&#39;`),
 *   and every character but letters, digits and `,.-_ ` as a decimal or hex reference (OWASP ESAPI).
 */
export function textSpellings(value: string): Set<string> {
  const out = new Set<string>([value]);
  // Letters, digits and `.-_` are written as they are by every encoder below (most tokens): one spelling.
  if (PLAIN.test(value)) return out;
  try {
    for (const v of caseMixes(encodeURIComponent(value))) out.add(v);
  } catch {
    // A lone surrogate (a value cut inside a character) has no percent-encoding.
  }
  for (const v of caseMixes(new URLSearchParams([['', value]]).toString().slice(1))) out.add(v);
  addJsonSpellings(out, value);
  addHtmlSpellings(out, value);
  return out;
}

const PLAIN = /^[A-Za-z0-9._-]*$/;
const MAX_CASE_MIXED = 3;

/** `encoded` with its percent escapes in upper and lower case, and in every mix when there are few. */
function caseMixes(encoded: string): string[] {
  const lettered = [...encoded.matchAll(/%[0-9A-F]{2}/g)].filter((m) => /[A-F]/.test(m[0]));
  if (lettered.length === 0) return [encoded];
  if (lettered.length > MAX_CASE_MIXED) return [encoded, lowerHexEscapes(encoded)];
  const out: string[] = [];
  for (let mask = 0; mask < 1 << lettered.length; mask++) {
    const chars = [...encoded];
    lettered.forEach((m, k) => {
      if (mask & (1 << k))
        for (let j = 1; j < 3; j++)
          chars[(m.index as number) + j] = chars[(m.index as number) + j]?.toLowerCase() as string;
    });
    out.push(chars.join(''));
  }
  return out;
}

const u4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const upperU = (s: string) => s.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`);
const JSON_SPECIAL = /[^ -~]|[+/&<>'"=]/g;
const DOTNET_SPECIAL = /[^ -~]|[+&<>'"`]/g;

function addJsonSpellings(out: Set<string>, value: string): void {
  const json = JSON.stringify(value).slice(1, -1);
  out.add(json);
  if (json.includes('/')) out.add(json.replaceAll('/', '\\/'));
  // ASCII-only JSON (Python's json.dumps, Jackson's ESCAPE_NON_ASCII) writes every other character as \uXXXX.
  const ascii = json.replace(/[^ -~]/g, u4);
  out.add(ascii).add(upperU(ascii));
  // Go's encoding/json escapes `&`, `<` and `>` for HTML safety.
  out.add(ascii.replace(/[&<>]/g, u4));
  const escaped = value.replace(/\\/g, '\\\\');
  // .NET's System.Text.Json (JavaScriptEncoder.Default) also escapes `+` and the quotes, not `/` or `=`.
  const dotnet = escaped.replace(DOTNET_SPECIAL, u4);
  out.add(dotnet).add(upperU(dotnet));
  const all = escaped.replace(JSON_SPECIAL, u4);
  out.add(all).add(upperU(all));
}

const GO_HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  '+': '&#43;',
};
const NAMED: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const HTML_ALL = /[^A-Za-z0-9,.\-_ ]/gu;
const cp = (c: string) => c.codePointAt(0) as number;

function addHtmlSpellings(out: Set<string>, value: string): void {
  out.add(value.replace(/[&<>"']/g, (c) => `&#${cp(c)};`));
  out.add(value.replace(/[&<>"']/g, (c) => `&#x${cp(c).toString(16)};`));
  out.add(value.replace(/[&<>"]/g, (c) => NAMED[c] as string));
  out.add(value.replace(/[&<>"']/g, (c) => NAMED[c] as string));
  out.add(value.replace(/[&<>"'+]/g, (c) => GO_HTML[c] as string));
  const hex = value.replace(HTML_ALL, (c) => `&#x${cp(c).toString(16)};`);
  out.add(hex).add(hex.replace(/&#x([0-9a-f]+);/g, (_m, h: string) => `&#x${h.toUpperCase()};`));
  out.add(value.replace(HTML_ALL, (c) => `&#${cp(c)};`));
}

const lowerHexEscapes = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/** For each byte alignment, the base64 characters that depend on `bytes` alone (at least 8 of them). */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const firstGroup = offset === 0 ? 0 : 1;
    const lastGroup = Math.floor((offset + bytes.length) / 3);
    const core = b64.slice(firstGroup * 4, lastGroup * 4);
    if (core.length >= 8) cores.push(core);
  }
  return cores;
}
