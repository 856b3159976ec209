import { createHmac, timingSafeEqual } from '../builtins.js';
import { invalidArgument, ThGovError } from '../errors.js';
import { registerSecret } from '../redact.js';

/**
 * A key of the audit chain: records and anchors carry `id`, so a log written across key rotations is
 * verified with a ring holding every id it uses.
 */
export interface AuditChainKey {
  /** Short name written into every record (`kid`): letters, digits, `.`, `_`, `-`; at most 64 characters. */
  id: string;
  /** At least 32 bytes; a string is used as its UTF-8 bytes (e.g. `openssl rand -base64 32`). */
  secret: string | Uint8Array;
}

/** Key ids are written into the log and printed by the verifier: a narrow alphabet keeps both safe. */
export const AUDIT_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_CHAIN_KEY_BYTES = 32;

/** Domain labels: a MAC made for one purpose never verifies for the other. */
export const RECORD_MAC_LABEL = 'thgov-audit-record/2\n';
export const ANCHOR_MAC_LABEL = 'thgov-audit-anchor/1\n';

/** The chain keys by id, validated once; the secrets stay inside this object. */
export class AuditKeyRing {
  readonly #keys = new Map<string, Buffer>();

  constructor(keys: readonly AuditChainKey[]) {
    if (!Array.isArray(keys)) throw invalidArgument('chain keys must be an array of { id, secret }');
    for (const [i, k] of keys.entries()) {
      const key = keyBytes(k, `chain key ${i}`);
      if (this.#keys.has(k.id)) throw invalidArgument(`chain key ${i}: the id is used twice`);
      this.#keys.set(k.id, key);
    }
  }

  /** The key ids this ring can verify. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** HMAC-SHA-256 (hex) of `label` + `data` under key `id`. */
  mac(id: string, label: string, data: Uint8Array | string): string {
    const key = this.#keys.get(id);
    if (!key) throw new ThGovError('ERR_AUDIT_KEY', `The chain key ring has no key with id ${id}`);
    return createHmac('sha256', key).update(label, 'utf8').update(data).digest('hex');
  }

  /** Constant-time check of a hex MAC; false for an unknown id. */
  verify(id: string, label: string, data: Uint8Array | string, macHex: string): boolean {
    if (!this.#keys.has(id)) return false;
    const expected = Buffer.from(this.mac(id, label, data), 'hex');
    const given = Buffer.from(macHex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** True when `secret` is one of the ring's keys (used to keep the subject key apart). */
  contains(secret: Uint8Array): boolean {
    for (const key of this.#keys.values()) {
      if (key.length === secret.length && timingSafeEqual(key, secret)) return true;
    }
    return false;
  }
}

function keyBytes(k: AuditChainKey, label: string): Buffer {
  if (typeof k !== 'object' || k === null) throw invalidArgument(`${label} must be { id, secret }`);
  if (typeof k.id !== 'string' || !AUDIT_KEY_ID.test(k.id))
    throw invalidArgument(`${label}: id must be 1–64 letters, digits, '.', '_' or '-'`);
  const key =
    typeof k.secret === 'string'
      ? Buffer.from(k.secret, 'utf8')
      : k.secret instanceof Uint8Array
        ? Buffer.from(k.secret)
        : undefined;
  if (!key) throw invalidArgument(`${label}: secret must be a string or a Uint8Array`);
  if (key.length < MIN_CHAIN_KEY_BYTES)
    throw invalidArgument(`${label}: secret must be at least ${MIN_CHAIN_KEY_BYTES} bytes`);
  if (typeof k.secret === 'string') registerSecret(k.secret);
  return key;
}

/** The bytes of a subject-hash secret, for the check that it is not also a chain key. */
export function secretBytes(secret: string | Uint8Array): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

/**
 * Reads chain keys written as text, one `ID:SECRET` per line or separated by commas (the format of
 * `THGOV_AUDIT_CHAIN_KEYS` and of `thgov audit verify --key-file`). Blank lines and `#` comments are
 * skipped. Errors name the entry, never the secret.
 *
 * @example
 * ```ts
 * import { parseAuditChainKeys, verifyAuditLog } from '@thgov/core';
 *
 * const keys = parseAuditChainKeys(process.env.THGOV_AUDIT_CHAIN_KEYS ?? '');
 * const result = await verifyAuditLog({ path: 'audit/gdx.jsonl' }, { keys });
 * ```
 */
export function parseAuditChainKeys(text: string): AuditChainKey[] {
  if (typeof text !== 'string') throw invalidArgument('chain keys must be given as text');
  const entries = text
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0 && !e.startsWith('#'));
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw invalidArgument(`chain key entry ${i + 1} is not ID:SECRET`);
    return { id: entry.slice(0, colon).trim(), secret: entry.slice(colon + 1).trim() };
  });
  // Validates every entry (length, id alphabet, duplicates) with the messages the sinks use.
  new AuditKeyRing(keys);
  return keys;
}
