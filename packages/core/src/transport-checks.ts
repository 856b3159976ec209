import { invalidArgument } from './errors.js';

/** Characters a request target may not hold raw: controls, space, non-ASCII, a fragment, a backslash. */
const PATH_UNSENDABLE = /[^\x21-\x7e]|[#\\]/;
/** A `.` or `..` segment, raw or percent-encoded: a server or proxy normalising it answers for another path. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|\?|$)/i;

/**
 * Refuses a request path the transport would not send as it is (every request goes through it): a control, space,
 * non-ASCII, `#` or backslash, or a `.`/`..` segment raw or percent-encoded. A client taking a path from its caller
 * calls it up front, before any token exchange.
 *
 * @example
 * ```ts
 * checkRequestPath(`/dataset/${encodeURIComponent(name)}`); // ERR_INVALID_ARG for "/dataset/.."
 * ```
 */
export function checkRequestPath(path: string): void {
  if (PATH_UNSENDABLE.test(path)) {
    throw invalidArgument(
      'Request path holds a character that must be percent-encoded (a control, space, non-ASCII, "#" or "\\"): encode each segment with encodeURIComponent',
    );
  }
  const q = path.indexOf('?');
  if (DOT_SEGMENT.test(q === -1 ? path : path.slice(0, q + 1))) {
    throw invalidArgument(
      'Request path holds a "." or ".." segment (also percent-encoded): it could reach another path',
    );
  }
}

export const LONE_SURROGATE = 'a lone UTF-16 surrogate (it would be sent as U+FFFD, changing the data)';
const NUL_CHAR = 'U+0000 (NUL), which the platform cannot store';
/** A JSON escape for NUL or a (lone: a pair is written raw) surrogate, not itself escaped by a backslash. */
const BAD_JSON_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

export const isWellFormed = (s: string): boolean =>
  (s as string & { isWellFormed(): boolean }).isWellFormed();

/** What in `s` cannot be sent as the caller wrote it, or undefined. */
export function unsendable(s: string): string | undefined {
  if (!isWellFormed(s)) return LONE_SURROGATE;
  if (s.includes('\u0000')) return NUL_CHAR;
  return undefined;
}

/** A field name for a message: shortened, and JSON-quoted so a control character shows as an escape. */
export function fieldName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/**
 * Refuses a JSON body that holds NUL or a lone surrogate (serialised as `\u0000`, `\ud800`: PostgreSQL-backed
 * platforms refuse the first, and a lone surrogate is stored as U+FFFD or refused). One scan of the text; only
 * when it finds one is the value walked, to name the field (never its value). The transport applies it to every
 * `{ json }` body; a client that serialises JSON itself (a `{ raw }` body) calls it on its text.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(records);
 * checkJsonText(text, records, 'records'); // ERR_INVALID_ARG "records.3.name holds a lone UTF-16 surrogate …"
 * ```
 */
export function checkJsonText(text: string, value: unknown, label: string): void {
  if (!text.includes('\\u') || !BAD_JSON_ESCAPE.test(text)) return;
  const found = findUnsendable(value, label, 0);
  throw invalidArgument(
    found
      ? `${found.path} holds ${found.what}; the value is not quoted`
      : `${label} holds U+0000 or ${LONE_SURROGATE}; the value is not quoted`,
  );
}

function findUnsendable(
  value: unknown,
  path: string,
  depth: number,
): { path: string; what: string } | undefined {
  if (typeof value === 'string') {
    const what = unsendable(value);
    return what ? { path, what } : undefined;
  }
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsendable(value[i], `${path}.${i}`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    const what = unsendable(key);
    if (what) return { path: `a key under ${path}`, what };
    const hit = findUnsendable(inner, `${path}.${key}`, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}
