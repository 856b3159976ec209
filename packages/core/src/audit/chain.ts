import { createHash } from '../builtins.js';
import { AUDIT_KEY_ID, type AuditKeyRing, RECORD_MAC_LABEL } from './keys.js';
import type { AuditRecord, AuditRecordBody } from './record.js';

/**
 * The chain of the audit log, independent of where lines are stored (a file today, a table later).
 *
 * Each line is one JSON object. Format 2 (what the sinks write) starts with `"v":2,"seq":N,"kid":"…"` and
 * ends with `,"mac":"<hex>"}`: `mac` is HMAC-SHA-256 under the chain key `kid` of the line's bytes without
 * that member, and `prevHash` is the SHA-256 of the previous line's exact bytes. Without the chain key
 * nobody can write a line that verifies, so an edit followed by recomputing the rest is found.
 * Format 1 (no `v`, ends with `,"hash":"<hex>"}`, a plain SHA-256) is still read, as legacy.
 * Hashing bytes (not re-serialized JSON) means even an edit that keeps the JSON equivalent is found.
 */
export const GENESIS_HASH = '0'.repeat(64);
/** `,"hash":"` or `,"mac":"` + 64 hex digits + `"}` */
const LEGACY_SUFFIX_LENGTH = 9 + 64 + 2;
const KEYED_SUFFIX_LENGTH = 8 + 64 + 2;
const LEGACY_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;
const KEYED_SUFFIX = /,"mac":"([0-9a-f]{64})"\}$/;
/** The format the sinks write. */
export const RECORD_VERSION = 2;

/** SHA-256 (hex) of bytes or UTF-8 text. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface EncodedLine {
  /** The line without its newline. */
  line: string;
  /** SHA-256 of the line's bytes: the next record's prevHash. */
  lineHash: string;
}

/**
 * The anchor format a writer keeps, written into each of its records (`"anchorFormat":3`, under the MAC): a log whose
 * records say so and that has no format-3 anchor lost it. Readers that do not know the member ignore it.
 */
export const ANCHOR_FORMAT = 3;

/**
 * A format-2 line for `body` at `seq`, linked to `prevHash`, authenticated with chain key `kid`; `anchored`: the
 * writer keeps a format-3 anchor of the log (the file and memory sinks), which the line then says.
 */
export function encodeRecord(
  body: AuditRecordBody,
  seq: number,
  prevHash: string,
  ring: AuditKeyRing,
  kid: string,
  anchored = false,
): EncodedLine {
  const marker = anchored ? { anchorFormat: ANCHOR_FORMAT } : {};
  const unsigned = JSON.stringify({ v: RECORD_VERSION, seq, kid, ...marker, ...body, prevHash });
  const mac = ring.mac(kid, RECORD_MAC_LABEL, unsigned);
  const line = `${unsigned.slice(0, -1)},"mac":"${mac}"}`;
  return { line, lineHash: sha256Hex(line) };
}

/** A format-1 (unkeyed) line: only for reading old logs and for tests that play an attacker. */
export function encodeLegacyRecord(body: AuditRecordBody, seq: number, prevHash: string): EncodedLine {
  const unsigned = JSON.stringify({ seq, ...body, prevHash });
  const line = `${unsigned.slice(0, -1)},"hash":"${sha256Hex(unsigned)}"}`;
  return { line, lineHash: sha256Hex(line) };
}

export type DecodedLine =
  | {
      ok: true;
      record: AuditRecord;
      lineHash: string;
      /** Format 2. */
      keyed: boolean;
      /** The MAC was checked and matches (false for legacy lines and for keys the ring lacks). */
      authenticated: boolean;
    }
  | { ok: false; kind: 'malformed' | 'edited'; seq: number | undefined; lineHash: string; message: string };

const HEX64 = /^[0-9a-f]{64}$/;
type Failure = Extract<DecodedLine, { ok: false }>;

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the line is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'the line is not a JSON object';
  return value as Record<string, unknown>;
}

function hasAuditFields(r: Record<string, unknown>): boolean {
  return (
    typeof r.prevHash === 'string' &&
    HEX64.test(r.prevHash) &&
    typeof r.ts === 'string' &&
    typeof r.who === 'string' &&
    typeof r.service === 'string' &&
    (r.status === 'ok' || r.status === 'error')
  );
}

/** The line's bytes with the trailing hash/mac member cut off, as they were hashed or MACed. */
function unsignedBytes(bytes: Uint8Array, suffixLength: number): Buffer {
  return Buffer.concat([Buffer.from(bytes).subarray(0, bytes.length - suffixLength), Buffer.from('}')]);
}

/**
 * Parses one line (bytes without the newline) and checks its own hash or MAC. A keyed line whose key
 * the ring lacks (or with no ring) is returned with `authenticated: false`: its links can still be
 * checked, its content cannot.
 */
export function decodeLine(bytes: Uint8Array, ring?: AuditKeyRing): DecodedLine {
  const lineHash = sha256Hex(bytes);
  const text = Buffer.from(bytes).toString('utf8');
  const r = parseObject(text);
  const fail = (kind: Failure['kind'], seq: number | undefined, message: string): Failure => ({
    ok: false,
    kind,
    seq,
    lineHash,
    message,
  });
  if (typeof r === 'string') return fail('malformed', undefined, r);
  const seq = typeof r.seq === 'number' && Number.isSafeInteger(r.seq) && r.seq >= 1 ? r.seq : undefined;
  if (seq === undefined || !hasAuditFields(r))
    return fail('malformed', seq, 'the record is missing audit fields or has invalid ones');
  if (r.v === undefined) {
    const m = LEGACY_SUFFIX.exec(text);
    if (!m || r.hash !== m[1] || 'mac' in r || 'kid' in r)
      return fail('malformed', seq, 'the line does not end with its hash member');
    if (sha256Hex(unsignedBytes(bytes, LEGACY_SUFFIX_LENGTH)) !== m[1])
      return fail('edited', seq, 'the record does not match its own hash');
    return { ok: true, record: r as unknown as AuditRecord, lineHash, keyed: false, authenticated: false };
  }
  if (r.v !== RECORD_VERSION) return fail('malformed', seq, 'the record has an unsupported format version');
  const m = KEYED_SUFFIX.exec(text);
  if (!m || r.mac !== m[1] || 'hash' in r)
    return fail('malformed', seq, 'the line does not end with its mac member');
  if (typeof r.kid !== 'string' || !AUDIT_KEY_ID.test(r.kid))
    return fail('malformed', seq, 'the record has no valid key id');
  if (!ring?.has(r.kid)) {
    return { ok: true, record: r as unknown as AuditRecord, lineHash, keyed: true, authenticated: false };
  }
  if (!ring.verify(r.kid, RECORD_MAC_LABEL, unsignedBytes(bytes, KEYED_SUFFIX_LENGTH), m[1] as string))
    return fail('edited', seq, `the record does not match its MAC under chain key ${r.kid}`);
  return { ok: true, record: r as unknown as AuditRecord, lineHash, keyed: true, authenticated: true };
}
