import { createHash, timingSafeEqual } from '../builtins.js';
import { invalidArgument } from '../errors.js';

/**
 * RFC 9530 `Content-Digest`. The header is a structured-field dictionary (`sha-256=:<base64>:`,
 * possibly with several algorithms); we produce sha-256 and accept sha-256 and sha-512.
 */

const MAX_HEADER_LENGTH = 4096;
const KNOWN: Record<string, 'sha256' | 'sha512'> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

function toBytes(body: Uint8Array | string, what: string): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw invalidArgument(`${what} must be a string or a Uint8Array`);
}

function digestBase64(algorithm: 'sha256' | 'sha512', body: Uint8Array): string {
  return createHash(algorithm).update(body).digest('base64');
}

/** `sha-256=:<base64>:` for the exact bytes of `body` (a string is hashed as UTF-8). */
export function computeContentDigest(body: Uint8Array | string): string {
  return `sha-256=:${digestBase64('sha256', toBytes(body, 'body'))}:`;
}

/** The members of a Content-Digest dictionary, or undefined when the value is not well formed. */
function parseDigestDictionary(header: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const rawMember of header.split(',')) {
    const member = rawMember.trim();
    // Parameters (`;foo=bar`) are allowed by RFC 8941 and carry nothing we use.
    const m = /^([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/]*={0,2}):(?:;.*)?$/.exec(member);
    if (!m) return undefined;
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/**
 * True when `header` carries at least one digest algorithm we know (sha-256, sha-512) and every known
 * one matches `body`. Malformed, empty or oversized headers give false, never an exception.
 */
export function verifyContentDigest(header: string | null | undefined, body: Uint8Array | string): boolean {
  const bytes = toBytes(body, 'body');
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return false;
  const members = parseDigestDictionary(header);
  if (!members) return false;
  let checked = 0;
  for (const [name, value] of members) {
    const algorithm = KNOWN[name];
    if (!algorithm) continue;
    const expected = Buffer.from(digestBase64(algorithm, bytes), 'base64');
    const given = Buffer.from(value, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    checked++;
  }
  return checked > 0;
}
