import { findCitizenIds } from './redact/citizen-id.js';
import { maskEmails, maskPhoneNumbers } from './redact/contact.js';
import { findEncodedCitizenIds } from './redact/encoded.js';
import { maskLaserCodes } from './redact/laser-code.js';
import { isSensitiveName, isSensitiveParam } from './redact/names.js';
import { maskPersonNames, NAME_MASK } from './redact/person-names.js';
import {
  type RegisterSecretOptions,
  SecretRegistry,
  type SecretRegistryStats,
} from './redact/secret-registry.js';

/**
 * Redaction: what must never leave the process in a log line, an error message or a serialized error.
 * - secret values registered by clients (consumer secret, client secret, tokens, API keys), in the
 *   spellings they travel in (percent-, form-, JSON-, HTML-encoded);
 * - any JSON Web Token (a bearer credential whose payload carries personal data), registered or not;
 * - the values of auth-like and personal headers, query parameters, form and JSON fields, by name;
 * - any 13-digit citizen ID with a valid check digit, in any spelling (Thai or full-width digits, any
 *   separator, percent-, JSON- or HTML-encoded); telephone numbers and ID-card laser codes read by the same
 *   reader of digit forms (redact/digit-runs.ts), e-mail addresses and personal names;
 * - the keys of objects too (`redactValue`, the logger): a result keyed by citizen ID is masked as its values are.
 */

export const REDACTED = '[REDACTED]';
/** What a citizen ID is replaced with in logs, errors and telemetry. */
export const CITIZEN_ID_MASK = '[CITIZEN-ID]';

export type { RegisterSecretOptions, SecretRegistryStats };
export { isSensitiveName, isSensitiveParam, NAME_MASK };

const registry = new SecretRegistry();

/**
 * Registers a secret value so it is masked wherever it appears in text. `kind` says how long it lives:
 * a `credential` (the default) until a matching `unregisterSecret`, a `token` or an `input` for `ttlInMs`.
 * Values shorter than 6 characters are ignored (masking them would garble ordinary text).
 *
 * @example
 * ```ts
 * registerSecret(options.consumerSecret);                                // kept until unregistered
 * registerSecret(accessToken, { kind: 'token', ttlInMs: expiresIn * 1000 + 60_000 });
 * registerSecret(tokenToRevoke, { kind: 'input' });                      // caller-supplied, capped
 * ```
 */
export function registerSecret(value: string | undefined | null, options?: RegisterSecretOptions): void {
  registry.register(value, options);
}

/**
 * Releases one registration of a credential (a client's `close()`: a value registered twice stays masked
 * until released twice), or forgets a token or input at once (for example a revoked token).
 */
export function unregisterSecret(value: string): void {
  registry.unregister(value);
}

/**
 * Registers `values` (as held credentials) while `fn` runs and releases them afterwards: for values that
 * matter only during one operation, such as an authorization code and its PKCE verifier.
 *
 * @example
 * ```ts
 * const identity = await withSecrets([code, codeVerifier], () => exchangeCode(code, codeVerifier));
 * ```
 */
export async function withSecrets<T>(
  values: ReadonlyArray<string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const held = values.filter((v): v is string => typeof v === 'string');
  for (const v of held) registry.register(v, { kind: 'credential' });
  try {
    return await fn();
  } finally {
    for (const v of held) registry.unregister(v);
  }
}

/**
 * Sizes of the secret registry and its bounds, for metrics and tests.
 *
 * @example
 * ```ts
 * const { tokens, maxTokens } = secretRegistryStats();
 * ```
 */
export function secretRegistryStats(): SecretRegistryStats {
  return registry.stats();
}

// `"name": "value"` in JSON text, also single-quoted (`'name': 'value'`, a Python dict or a JS literal).
const QUOTED_PAIR = /(["'])([A-Za-z][\w.-]{0,63})\1(\s*:\s*)(["'])((?:(?!\4)[^\\]|\\.)*)\4/g;
// `{name: "value"}` (a JS object literal): the bare name must follow `{` or `,`.
const BARE_PAIR = /([{,][ \t]*)([A-Za-z_$][\w$]{0,63})([ \t]*:[ \t]*)(["'])((?:(?!\4)[^\\\r\n]|\\.)*)\4/g;
// `\"name\":\"value\"`: JSON inside a JSON string (an upstream error embedding another one's body).
const ESCAPED_PAIR = /\\"([A-Za-z][\w.-]{0,63})\\"(\s*:\s*)\\"((?:[^"\\]|\\[^"])*)\\"/g;
// `</name>`, read where a closing tag starts (XML: SOAP faults, X-Road).
const CLOSE_TAG = /<\/((?:[A-Za-z][\w.-]{0,31}:)?([A-Za-z][\w.-]{0,63}))\s*>/y;
// `Name: value` header lines (a request or response echoed in a page or a log).
const HEADER_LINE = /(^|[\r\n])([A-Za-z][\w-]{0,63}):([ \t]*)([^\r\n]+)/g;

const isMask = (value: string) => value === REDACTED || value === CITIZEN_ID_MASK;

function maskQuoted(text: string): string {
  let out = text;
  // Single quotes only as a pair's (`'name': …`): an apostrophe in prose costs no regex.
  if (out.includes('"') || out.includes("':") || out.includes("' :")) {
    out = out.replace(QUOTED_PAIR, (m, q: string, name: string, colon: string, vq: string, value: string) =>
      !isMask(value) && isSensitiveName(name) ? `${q}${name}${q}${colon}${vq}${REDACTED}${vq}` : m,
    );
    if (out.includes('{'))
      out = out.replace(
        BARE_PAIR,
        (m, lead: string, name: string, colon: string, vq: string, value: string) =>
          !isMask(value) && isSensitiveName(name) ? `${lead}${name}${colon}${vq}${REDACTED}${vq}` : m,
      );
    if (out.includes('\\"'))
      out = out.replace(ESCAPED_PAIR, (m, name: string, colon: string, value: string) =>
        !isMask(value) && isSensitiveName(name) ? `\\"${name}\\"${colon}\\"${REDACTED}\\"` : m,
      );
  }
  return out;
}

// Verdicts on tag names seen (an HTML page repeats a few dozen): a map lookup instead of normalizing each.
const tagVerdicts = new Map<string, boolean>();
function sensitiveTag(name: string): boolean {
  let verdict = tagVerdicts.get(name);
  if (verdict === undefined) {
    verdict = isSensitiveName(name);
    if (tagVerdicts.size < 512) tagVerdicts.set(name, verdict);
  }
  return verdict;
}

/**
 * `<name attr="…">value</name>` with a sensitive name gets its text masked. Walks from one `</` to the next
 * and looks at the tag name first: an HTML page costs a name check per closing tag.
 */
function maskXml(text: string): string {
  let out = '';
  let copied = 0;
  for (let close = text.indexOf('</'); close >= 0; close = text.indexOf('</', close + 2)) {
    CLOSE_TAG.lastIndex = close;
    const m = CLOSE_TAG.exec(text);
    if (!m || !sensitiveTag(m[2] as string)) continue;
    const tag = m[1] as string;
    // A text-only element: the nearest `<` before the closing tag opens it.
    const open = text.lastIndexOf('<', close - 1);
    if (open < copied || !text.startsWith(tag, open + 1)) continue;
    const next = text.charCodeAt(open + 1 + tag.length);
    if (next !== 0x3e && next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d) continue;
    const gt = text.indexOf('>', open);
    const value = text.slice(gt + 1, close);
    if (gt < 0 || gt >= close || value.trim() === '' || isMask(value)) continue;
    out += `${text.slice(copied, gt + 1)}${REDACTED}`;
    copied = close;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function maskPairs(text: string): string {
  let out = text.includes('=') ? maskParams(text) : text;
  out = maskQuoted(out);
  if (out.includes('</')) out = maskXml(out);
  if (out.includes(':')) {
    out = out.replace(HEADER_LINE, (m, lead: string, name: string, space: string, value: string) =>
      value !== REDACTED && isSensitiveName(name) ? `${lead}${name}:${space}${REDACTED}` : m,
    );
  }
  return out;
}

const isNameChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x5f ||
  c === 0x2d ||
  c === 0x2e;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
// Where a `name=value` value stops: `&`, `;`, `#`, quotes, angle brackets, white space.
const isValueEnd = (c: number) =>
  c === 0x26 || c === 0x3b || c === 0x23 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c <= 0x20;

/**
 * `name=value` pairs (query strings, form bodies, cookies, `ConsumerSecret=…` echoed in a page) with a
 * sensitive name get their value masked. Walks from one `=` to the next: plain text costs nothing.
 */
function maskParams(text: string): string {
  let out = '';
  let copied = 0;
  // Where the value read last ended: every `=` before it has its value end there too (`=` ends no value).
  // Scanning afresh from each `=` was quadratic on `a=a=a=…` (a hostile body hung redaction).
  let valueEnd = 0;
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    let start = eq;
    while (start > 0 && eq - start < 64 && isNameChar(text.charCodeAt(start - 1))) start--;
    // The name must start the token: `xtoken=` is not `token=`, `%3Dtoken=` is no name at all.
    if (start === eq || !isLetter(text.charCodeAt(start))) continue;
    if (start > 0 && (isNameChar(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === 0x25))
      continue;
    if (valueEnd <= eq) {
      valueEnd = eq + 1;
      while (valueEnd < text.length && !isValueEnd(text.charCodeAt(valueEnd))) valueEnd++;
    }
    const end = valueEnd;
    if (end === eq + 1 || start < copied) continue;
    const isMasked = end - eq - 1 === REDACTED.length && text.startsWith(REDACTED, eq + 1);
    if (isMasked || !isSensitiveParam(text.slice(start, eq))) continue;
    out += `${text.slice(copied, eq + 1)}${REDACTED}`;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Replaces the spans (in any order, possibly overlapping) with `mask`. */
function maskSpans(text: string, spans: Array<[number, number]>, mask: string): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    if (start >= at) out += text.slice(at, start) + mask;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * A JSON Web Token (RFC 7519; JWS compact: JSON header, JSON payload, signature), wherever it stands, or one cut in its
 * payload at the end of the text (a preview's reach). Both JSON parts start `eyJ` (`{"`). It must not follow a
 * base64url character, so a long run is read from one start only.
 */
const JWT = /(?<![\w-])eyJ[\w-]{2,}\.eyJ[\w-]*(?:\.[\w-]*|$)/g;

/**
 * Adds the span of every JWT in `text` to `spans`. A JWT is a bearer credential and its payload, only base64url, holds
 * personal data (an id_token's `pid`, `sub`, names): masked whether or not it is registered, since a registered token
 * leaves the registry after its TTL (or is evicted under load) and a server may echo one this process never saw.
 */
function findJwts(text: string, spans: Array<[number, number]>): void {
  if (!text.includes('eyJ')) return;
  for (const m of text.matchAll(JWT)) spans.push([m.index, m.index + m[0].length]);
}

/** Masks registered secrets, JWTs, sensitive name/value pairs, and citizen IDs in free text. */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  const secrets: Array<[number, number]> = [];
  registry.find(text, secrets);
  findJwts(text, secrets);
  const out = maskPairs(maskSpans(text, secrets, REDACTED));
  const ids = findCitizenIds(out);
  for (const span of findEncodedCitizenIds(out)) ids.push(span);
  return maskPersonNames(maskPhoneNumbers(maskLaserCodes(maskEmails(maskSpans(out, ids, CITIZEN_ID_MASK)))));
}

// Room past a cut for the longest spelling of a citizen ID (13 digits of up to 9 characters, separators).
const CITIZEN_ID_REACH = 512;

/**
 * The first `maxChars` characters of `text`, redacted BEFORE the cut: a citizen ID or a secret that
 * straddles the cut is masked whole instead of leaving its first digits (12 digits and the check digit
 * give back the 13th).
 *
 * @example
 * ```ts
 * const preview = redactPreview(responseText, 2048);
 * ```
 */
export function redactPreview(text: string, maxChars: number): string {
  if (typeof text !== 'string') return text;
  const reach = maxChars + Math.max(registry.longestPattern, 256) + CITIZEN_ID_REACH;
  const redacted = redactText(text.length > reach ? text.slice(0, reach) : text);
  return redacted.length > maxChars ? redacted.slice(0, maxChars) : redacted;
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
    isSensitiveParam(k) ? REDACTED : redactText(v),
  ]);
  if (cleaned.some(([, v], i) => v !== entries[i]?.[1]))
    parsed.search = new URLSearchParams(cleaned).toString();
  return redactText(
    parsed
      .toString()
      .replace(/%5BREDACTED%5D/g, REDACTED)
      .replace(/%5BCITIZEN-ID%5D/g, CITIZEN_ID_MASK),
  );
}

/** Deep copy of a value with sensitive fields masked and all strings passed through `redactText`. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  const name = keyNamer();
  for (const [k, v] of Object.entries(value)) {
    const masked = isSensitiveName(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1);
    setEntry(out, name(k, out), masked);
  }
  return out;
}

/**
 * Writes `out[key] = value` as an own data property, `__proto__` too (a key JSON.parse makes an own one): assigned,
 * it would set the copy's prototype instead, and the entry would be lost from the line written.
 */
export function setEntry(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * Names an object's keys as they may be written: each passed through `redactText` (a batch result keyed by citizen
 * ID, a map keyed by token), and, when masked, kept apart from the keys already written that masked alike
 * (`[CITIZEN-ID]`, `[CITIZEN-ID] (2)`), so no entry is lost. One namer per copied object: it counts per mask, so
 * 20,000 IDs as keys take linear time, not a search through every earlier suffix.
 */
export function keyNamer(): (key: string, taken: Readonly<Record<string, unknown>>) => string {
  const next = new Map<string, number>();
  return (key, taken) => {
    const masked = redactText(key);
    if (masked === key) return key;
    let n = next.get(masked) ?? 1;
    let out = n === 1 ? masked : `${masked} (${n})`;
    while (Object.hasOwn(taken, out)) out = `${masked} (${++n})`;
    next.set(masked, n + 1);
    return out;
  };
}
