import { isValidThaiIdDigits } from './thai-id-checksum.js';

/**
 * Redaction: what must never leave the process in a log line, an error message or a serialized error.
 * - secret values registered by clients (consumer secret, client secret, tokens, API keys);
 * - the values of auth-like headers, query parameters and JSON fields, by name;
 * - any 13-digit number (plain or dashed) that passes the Thai citizen-ID check digit.
 */

export const REDACTED = '[REDACTED]';
export const CITIZEN_ID_MASK = '[CITIZEN-ID]';

/** Header, query-parameter and field names whose values are always secret (compared case-insensitively). */
const SENSITIVE_NAMES = new Set(
  [
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'token',
    'consumer-key',
    'consumerkey',
    'consumer-secret',
    'consumersecret',
    'consumer',
    'x-imauth-apikey',
    'x-api-key',
    'api-key',
    'apikey',
    'access_token',
    'refresh_token',
    'id_token',
    'client_secret',
    'client_assertion',
    'code',
    'code_verifier',
    'password',
    'passphrase',
    'secret',
    'private_key',
    'privatekey',
    'key',
    'pfx',
    'dpop',
    'result',
  ].map((s) => s.toLowerCase()),
);

/** Names whose values are personal data: redacted in URLs and objects, whatever their content. */
const PERSONAL_NAMES = new Set(
  [
    'citizenid',
    'citizen_id',
    'pid',
    'agentid',
    'firstname',
    'lastname',
    'given_name',
    'family_name',
    'middle_name',
    'name',
    'name_en',
    'given_name_en',
    'family_name_en',
    'bebirthdate',
    'birthdate',
    'dateofbirth',
    'lasercode',
    'x-road-userid',
  ].map((s) => s.toLowerCase()),
);

const registeredSecrets = new Set<string>();
const MAX_REGISTERED = 1024;
let secretPattern: RegExp | undefined;

/**
 * Register a secret value so it is masked wherever it appears in text. Clients call this for the
 * credentials they are given and for tokens they obtain. Values shorter than 6 characters are ignored
 * (masking them would garble ordinary text).
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < 6 || registeredSecrets.has(value)) return;
  if (registeredSecrets.size >= MAX_REGISTERED) {
    const oldest = registeredSecrets.values().next().value;
    if (oldest !== undefined) registeredSecrets.delete(oldest);
  }
  registeredSecrets.add(value);
  secretPattern = undefined;
}

/** Forget a secret (for example a token that was revoked); masking it further does no harm either. */
export function unregisterSecret(value: string): void {
  if (registeredSecrets.delete(value)) secretPattern = undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function getSecretPattern(): RegExp | undefined {
  if (registeredSecrets.size === 0) return undefined;
  if (!secretPattern) {
    // Longest first, so a secret that contains another is masked whole.
    const parts = [...registeredSecrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    secretPattern = new RegExp(parts.join('|'), 'g');
  }
  return secretPattern;
}

// A 13-digit run, optionally grouped as 1-2345-67890-12-3 (dashes or spaces), not inside a longer number.
const THAI_ID_RUN = /(?<![\d])(\d)[- ]?(\d{4})[- ]?(\d{5})[- ]?(\d{2})[- ]?(\d)(?![\d])/g;

/** Masks registered secrets, percent-encoded secrets, and valid citizen IDs in free text. */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  let out = text;
  const pattern = getSecretPattern();
  if (pattern) {
    out = out.replace(pattern, REDACTED);
    // Secrets also travel percent-encoded in URLs and form bodies.
    for (const s of registeredSecrets) {
      const enc = encodeURIComponent(s);
      if (enc !== s && out.includes(enc)) out = out.split(enc).join(REDACTED);
      // application/x-www-form-urlencoded (URLSearchParams) also encodes ! ' ( ) ~ and turns spaces into +.
      const form = new URLSearchParams([['', s]]).toString().slice(1);
      if (form !== s && form !== enc && out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  out = out.replace(THAI_ID_RUN, (match, a: string, b: string, c: string, d: string, e: string) => {
    const digits = a + b + c + d + e;
    // Juristic IDs (first digit 0) are not personal data and are useful in logs.
    return digits[0] !== '0' && isValidThaiIdDigits(digits) ? CITIZEN_ID_MASK : match;
  });
  return out;
}

export function isSensitiveName(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_NAMES.has(n) || PERSONAL_NAMES.has(n);
}

/** Headers with auth-like and personal values masked, the rest passed through `redactText`. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined> | undefined,
  extraNames: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const extra = new Set(extraNames.map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = isSensitiveName(name) || extra.has(name.toLowerCase()) ? REDACTED : redactText(v);
  }
  return out;
}

/** A URL with sensitive query values masked (and any remaining secret or citizen ID masked). */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactText(String(url));
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.username ? 'REDACTED' : '';
    parsed.password = parsed.password ? 'REDACTED' : '';
  }
  // Decoded values are checked one by one: a secret or ID re-encoded differently would slip past redactText.
  const entries = [...parsed.searchParams];
  const cleaned = entries.map(([k, v]): [string, string] => [
    k,
    isSensitiveName(k) ? REDACTED : redactText(v),
  ]);
  if (cleaned.some(([, v], i) => v !== entries[i]?.[1]))
    parsed.search = new URLSearchParams(cleaned).toString();
  return redactText(parsed.toString().replace(/%5BREDACTED%5D/g, REDACTED));
}

/** Deep copy of a value with sensitive fields masked and all strings passed through `redactText`. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSensitiveName(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}
