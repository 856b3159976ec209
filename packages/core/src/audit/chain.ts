import { createHash } from 'node:crypto';
import type { AuditRecord, AuditRecordBody } from './record.js';

/**
 * The hash chain of the audit log. Each line is one JSON object ending with `,"hash":"<hex>"}`:
 * `hash` covers the line's bytes without that member, `prevHash` is the SHA-256 of the previous
 * line's exact bytes. Hashing bytes (not re-serialized JSON) means even an edit that keeps the JSON
 * equivalent (spacing, key order, escapes) is found.
 */
export const GENESIS_HASH = '0'.repeat(64);
/** `,"hash":"` + 64 hex digits + `"}` */
const HASH_SUFFIX_LENGTH = 9 + 64 + 2;
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface EncodedLine {
  /** The line without its newline. */
  line: string;
  /** SHA-256 of the line's bytes: the next record's prevHash. */
  lineHash: string;
}

export function encodeRecord(body: AuditRecordBody, seq: number, prevHash: string): EncodedLine {
  const unsigned = JSON.stringify({ seq, ...body, prevHash });
  const hash = sha256Hex(unsigned);
  const line = `${unsigned.slice(0, -1)},"hash":"${hash}"}`;
  return { line, lineHash: sha256Hex(line) };
}

export type DecodedLine =
  | { ok: true; record: AuditRecord; lineHash: string }
  | { ok: false; kind: 'malformed' | 'edited'; seq: number | undefined; lineHash: string; message: string };

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses one line (bytes without the newline) and checks its own hash. */
export function decodeLine(bytes: Uint8Array): DecodedLine {
  const lineHash = sha256Hex(bytes);
  const text = Buffer.from(bytes).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'malformed', seq: undefined, lineHash, message: 'the line is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      kind: 'malformed',
      seq: undefined,
      lineHash,
      message: 'the line is not a JSON object',
    };
  }
  const r = value as Record<string, unknown>;
  const seq = typeof r.seq === 'number' && Number.isSafeInteger(r.seq) && r.seq >= 1 ? r.seq : undefined;
  if (
    seq === undefined ||
    typeof r.prevHash !== 'string' ||
    !HEX64.test(r.prevHash) ||
    typeof r.ts !== 'string' ||
    typeof r.who !== 'string' ||
    typeof r.service !== 'string' ||
    (r.status !== 'ok' && r.status !== 'error')
  ) {
    return {
      ok: false,
      kind: 'malformed',
      seq,
      lineHash,
      message: 'the record is missing audit fields or has invalid ones',
    };
  }
  const m = HASH_SUFFIX.exec(text);
  if (!m || r.hash !== m[1]) {
    return {
      ok: false,
      kind: 'malformed',
      seq,
      lineHash,
      message: 'the line does not end with its hash member',
    };
  }
  const unsigned = Buffer.concat([
    Buffer.from(bytes).subarray(0, bytes.length - HASH_SUFFIX_LENGTH),
    Buffer.from('}'),
  ]);
  if (sha256Hex(unsigned) !== m[1]) {
    return { ok: false, kind: 'edited', seq, lineHash, message: 'the record does not match its own hash' };
  }
  return { ok: true, record: r as unknown as AuditRecord, lineHash };
}
