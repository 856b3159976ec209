import { ANCHOR, type Pattern, type Placed, SecretMatcher } from './secret-matcher.js';

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
  maxTokens: 20_000,
  maxInputs: 1_000,
  /** Characters of all token and input patterns together. */
  maxPooledChars: 24 * 1024 * 1024,
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
  /** Insertion order is registration order: the first entry is the one to evict. */
  readonly #pools = { token: new Map<string, Entry>(), input: new Map<string, Entry>() };
  readonly #matcher = new SecretMatcher();
  readonly #now: () => number;
  #pooledChars = 0;
  #nextSweepAt = 0;

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
      entry.placed = this.#matcher.add(spellings(key, kind, key !== value));
      entry.chars = entry.placed.reduce((n, p) => n + p.text.length, 0);
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
    };
  }

  #joinPool(entry: Entry): void {
    if (!entry.kind) return;
    entry.inPool = true;
    this.#pools[entry.kind].set(entry.key, entry);
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
    while (input.size > L.maxInputs) this.#evictOldest(input);
    while (token.size > L.maxTokens) this.#evictOldest(token);
    while (this.#pooledChars > L.maxPooledChars && input.size + token.size > 0) {
      this.#evictOldest(input.size > 0 ? input : token);
    }
  }

  #evictOldest(pool: Map<string, Entry>): void {
    const oldest = pool.values().next().value;
    if (oldest) this.#remove(oldest);
  }

  #sweep(now: number): void {
    this.#nextSweepAt = now + L.sweepIntervalInMs;
    for (const pool of [this.#pools.token, this.#pools.input]) {
      for (const entry of pool.values()) if (entry.expiresAt <= now) this.#remove(entry);
    }
  }
}

/**
 * The spellings a value travels in: as is, percent-encoded (URLs) and form-encoded (either hex case), JSON-
 * escaped (also ASCII-only) and HTML-escaped;
 * for credentials also the base64 of the value at each of the three byte alignments (HTTP Basic
 * `client_id:secret`, echoed in a page): the part of the base64 text that depends on the value only.
 */
function spellings(value: string, kind: SecretKind, truncated: boolean): Pattern[] {
  const out = new Set<string>([value]);
  // Percent escapes are case-insensitive (RFC 3986 2.1): servers that echo a value re-encoded write `%2f`.
  try {
    const pct = encodeURIComponent(value);
    out.add(pct).add(lowerHexEscapes(pct));
  } catch {
    // A lone surrogate (a value cut inside a character) has no percent-encoding.
  }
  const form = new URLSearchParams([['', value]]).toString().slice(1);
  out.add(form).add(lowerHexEscapes(form));
  const json = JSON.stringify(value).slice(1, -1);
  out.add(json);
  if (json.includes('/')) out.add(json.replaceAll('/', '\\/'));
  // ASCII-only JSON (Python's json.dumps, Jackson's ESCAPE_NON_ASCII) writes every other character as \uXXXX.
  const ascii = json.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  out.add(ascii).add(ascii.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`));
  out.add(value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));
  out.add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  if (kind === 'credential') for (const core of base64Cores(value)) out.add(core);
  return [...out].map((text) => ({ text, extend: truncated }));
}

const lowerHexEscapes = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const firstGroup = offset === 0 ? 0 : 1;
    const lastGroup = Math.floor((offset + bytes.length) / 3);
    const core = b64.slice(firstGroup * 4, lastGroup * 4);
    if (core.length >= 8) {
      cores.push(core);
      cores.push(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return cores;
}
