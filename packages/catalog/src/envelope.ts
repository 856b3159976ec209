import { type RawResponse, redactPreview, type ThGovError } from '@thgov/core';
import { markUnprocessed, parseRetryAfter } from '@thgov/core/internal';
import { CatalogError, type CatalogErrorCode, type FieldError } from './errors.js';
import { serverFieldError } from './metadata/messages.js';

/**
 * Reads CKAN's Action API envelope (`{help, success, result}` / `{success: false, error: {__type, …}}`) and the
 * pages that stand in for it (a proxy's HTML 413, a WAF's HTML 403, a gateway's 503) and turns every failure
 * into one CatalogError. Runs on every response, 2xx included: a 200 HTML page is not a result.
 */

const SUCCESS_PREFIX =
  /^\s*\{\s*(?:"help"\s*:\s*"(?:[^"\\]|\\.){0,2000}"\s*,\s*)?"success"\s*:\s*true\s*,\s*"result"\s*:/;
const prefixOf = (body: Uint8Array) =>
  Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 2200)).toString('latin1');
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_IN_MS = 120_000;
const MAX_FIELD_ERRORS = 200;
const MAX_ERROR_DEPTH = 6;

interface Envelope {
  success?: unknown;
  result?: unknown;
  error?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function looksLikeHtml(raw: RawResponse): boolean {
  const type = raw.headers['content-type'] ?? '';
  if (/html/i.test(type)) return true;
  const head = raw.text().slice(0, 200).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<');
}

/** CKAN's `__type` → our code (and whether a retry can help). */
const CKAN_TYPES: Record<string, CatalogErrorCode> = {
  'Authorization Error': 'ERR_CATALOG_AUTH',
  'Not Found Error': 'ERR_CATALOG_NOT_FOUND',
  'Validation Error': 'ERR_CATALOG_VALIDATION',
  'Search Query Error': 'ERR_CATALOG_SEARCH',
  'Search Error': 'ERR_CATALOG_SEARCH',
  'Integrity Error': 'ERR_CATALOG_BAD_REQUEST',
  'Search Index Error': 'ERR_CATALOG_UNAVAILABLE',
  'Internal Server Error': 'ERR_CATALOG_UNAVAILABLE',
};

/** Flattens CKAN's error dict (`{name: [...], resources: [{}, {url: [...]}]}`) into field errors, bounded. */
export function flattenFieldErrors(error: Record<string, unknown>): FieldError[] {
  const out: FieldError[] = [];
  const stack: Array<[string, unknown, number]> = Object.entries(error)
    .filter(([k]) => k !== '__type' && k !== 'message')
    .map(([k, v]) => [k, v, 1]);
  while (stack.length > 0 && out.length < MAX_FIELD_ERRORS) {
    const [path, value, depth] = stack.shift() as [string, unknown, number];
    if (typeof value === 'string') out.push(serverFieldError(path, value));
    else if (depth > MAX_ERROR_DEPTH) continue;
    else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        // A list of messages belongs to the field; a list of dicts is per item (resources.1.url).
        stack.push([isObject(v) ? `${path}.${i}` : path, v, depth + 1]);
      });
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) stack.push([`${path}.${k}`, v, depth + 1]);
    }
  }
  return out;
}

function ckanMessage(error: Record<string, unknown>, fields: FieldError[]): string {
  // Redacted before the cut (an ID straddling it would keep 12 digits); the error redacts the rest again.
  if (typeof error.message === 'string') return redactPreview(error.message, 500);
  return fields
    .slice(0, 3)
    .map((f) => `${f.field}: ${f.en}`)
    .join('; ');
}

/** Validation errors that mean "someone else got there first" rather than "fix your metadata". */
function conflictOf(fields: FieldError[]): boolean {
  return (
    fields.length > 0 &&
    fields.every((f) => ['match', 'name_in_use', 'name_in_trash'].includes(f.rule) || f.field === 'match')
  );
}

function fromEnvelope(raw: RawResponse, action: string, error: Record<string, unknown>): CatalogError {
  const ckanType = typeof error.__type === 'string' ? error.__type : 'Unknown Error';
  let code = CKAN_TYPES[ckanType] ?? 'ERR_CATALOG_PROTOCOL';
  const fieldErrors = code === 'ERR_CATALOG_VALIDATION' ? flattenFieldErrors(error) : [];
  if (code === 'ERR_CATALOG_VALIDATION' && conflictOf(fieldErrors)) code = 'ERR_CATALOG_CONFLICT';
  // CKAN's own upload limit answers as a validation error of the `upload` field.
  if (code === 'ERR_CATALOG_VALIDATION' && fieldErrors.some((f) => f.rule === 'too_large'))
    code = 'ERR_CATALOG_TOO_LARGE';
  const detail = ckanMessage(error, fieldErrors);
  return new CatalogError(code, `${action}: ${ckanType}${detail ? ` — ${detail}` : ''}`, {
    ...raw.errorOptions(),
    action,
    ckanType,
    fieldErrors,
    ...retryOptions(raw),
    hint: HINTS[code],
  });
}

const HINTS: Partial<Record<CatalogErrorCode, string>> = {
  ERR_CATALOG_AUTH:
    'Send a valid API token (Authorization: <token>, no "Bearer"); check that its user is editor or admin of the organization.',
  ERR_CATALOG_WAF:
    'A firewall in front of the catalog blocked the request; ask the catalog operator to allow this client (quote the request ID).',
  ERR_CATALOG_TOO_LARGE:
    'The upload passed a size limit; ask the catalog operator for the limit (ckan.max_resource_size, the proxy body limit) or split the file.',
  ERR_CATALOG_RATE_LIMITED: 'Lower politeness.requestsPerSecond or maxConcurrency for bulk work.',
};

const CSRF_HINT =
  "The catalog's CSRF protection (CKAN ≥ 2.10, ckanext-security) exempts only calls it sees as token-authenticated: send apiToken in the header the catalog reads (Authorization, or apiTokenHeader for a custom apitoken_header_name), without a session cookie.";
const REDIRECT_HINT =
  'Set baseUrl to the address the catalog redirects to (often https:// instead of http://, or another host or path): redirects are not followed, so the API token never goes anywhere else.';
/** Flask-WTF's and ckanext-security's refusals ("The CSRF token is missing.", "The referrer does not match the host."). */
const CSRF_PAGE = /csrf|referrer (?:header is missing|does not match)/i;

/** Where a redirect points, without its query (a signed object-storage URL carries its signature there). */
function redirectTarget(raw: RawResponse): string {
  const location = raw.headers.location;
  if (typeof location !== 'string' || location === '') return 'an address it did not give';
  try {
    const u = new URL(location, raw.request.url || undefined);
    return redactPreview(`${u.origin}${u.pathname}`, 300);
  } catch {
    return 'an address that is not a URL';
  }
}

/** Whether the status may pass on a retry, and the delay the catalog asked for (Retry-After) when it may. */
function retryOptions(raw: RawResponse): { retryable: boolean; retryAfterInMs: number | undefined } {
  const retryable = RETRYABLE.has(raw.statusCode);
  const retryAfterInMs = retryable
    ? parseRetryAfter(raw.headers['retry-after'], MAX_RETRY_AFTER_IN_MS)
    : undefined;
  return { retryable, retryAfterInMs };
}

function plain(raw: RawResponse, action: string, code: CatalogErrorCode, message: string): CatalogError {
  return new CatalogError(code, `${action}: ${message}`, {
    ...raw.errorOptions(),
    action,
    ...retryOptions(raw),
    hint: HINTS[code],
  });
}

/** Failures that are not a CKAN envelope: a proxy, a firewall, a gateway or something else entirely. */
function fromStatus(raw: RawResponse, action: string): CatalogError {
  const s = raw.statusCode;
  if (s === 413)
    return plain(raw, action, 'ERR_CATALOG_TOO_LARGE', 'the request body is too large (HTTP 413)');
  if ((s === 400 || s === 403) && looksLikeHtml(raw) && CSRF_PAGE.test(raw.text().slice(0, 8000))) {
    return new CatalogError(
      'ERR_CATALOG_AUTH',
      `${action}: the catalog's CSRF protection refused the call (HTML ${s}): it did not take it as token-authenticated`,
      { ...raw.errorOptions(), action, ...retryOptions(raw), hint: CSRF_HINT },
    );
  }
  if (s >= 300 && s < 400)
    return new CatalogError(
      'ERR_CATALOG_PROTOCOL',
      `${action}: the catalog redirects (HTTP ${s}) to ${redirectTarget(raw)}`,
      { ...raw.errorOptions(), action, ...retryOptions(raw), hint: REDIRECT_HINT },
    );
  if (s === 403 && looksLikeHtml(raw)) {
    return plain(raw, action, 'ERR_CATALOG_WAF', 'a web application firewall blocked the request (HTML 403)');
  }
  if (s === 401 || s === 403) return plain(raw, action, 'ERR_CATALOG_AUTH', `access denied (HTTP ${s})`);
  if (s === 429) return plain(raw, action, 'ERR_CATALOG_RATE_LIMITED', 'too many requests (HTTP 429)');
  // CKAN's own 409s (Validation Error, Search Error) carry an envelope and never get here: a 409 without one,
  // or a 499, is the throttle in front of the catalog that bulk writes run into (reported at 409/499 under
  // bursts). It passes like a 429: retried when the call may be repeated, with the delay it asks for.
  if (s === 409 || s === 499) {
    // Refused before CKAN saw it: a create stays `retryable` (core leaves a marked refusal so).
    return markUnprocessed(
      new CatalogError(
        'ERR_CATALOG_RATE_LIMITED',
        `${action}: throttled (HTTP ${s} without a CKAN envelope)`,
        {
          ...raw.errorOptions(),
          action,
          retryable: true,
          retryAfterInMs: parseRetryAfter(raw.headers['retry-after'], MAX_RETRY_AFTER_IN_MS),
          hint: HINTS.ERR_CATALOG_RATE_LIMITED,
        },
      ),
    );
  }
  if (s === 408 || s >= 500)
    return plain(raw, action, 'ERR_CATALOG_UNAVAILABLE', `the catalog is unavailable (HTTP ${s})`);
  const body = raw.json();
  if (s === 400 && typeof body === 'string')
    return plain(raw, action, 'ERR_CATALOG_BAD_REQUEST', redactPreview(body, 300));
  if (s === 404)
    return plain(
      raw,
      action,
      'ERR_CATALOG_PROTOCOL',
      'no Action API at this address (HTTP 404 without an envelope)',
    );
  return plain(raw, action, 'ERR_CATALOG_PROTOCOL', `unexpected answer (HTTP ${s})`);
}

/**
 * The `classify` hook for Action API calls. Returns undefined for a proper success envelope (the transport
 * then parses it) and a CatalogError for everything else.
 */
export function classifyAction(raw: RawResponse, action: string): ThGovError | undefined {
  // CKAN writes `help` then `success` first: a success is recognised without parsing a large result twice.
  if (raw.statusCode >= 200 && raw.statusCode < 300 && SUCCESS_PREFIX.test(prefixOf(raw.body)))
    return undefined;
  const body = raw.json() as Envelope | string | undefined;
  if (isObject(body) && body.success === false) {
    if (isObject(body.error)) return fromEnvelope(raw, action, body.error);
    return plain(raw, action, 'ERR_CATALOG_PROTOCOL', 'success: false without an error object');
  }
  const ok = raw.statusCode >= 200 && raw.statusCode < 300;
  if (ok && isObject(body) && body.success === true && 'result' in body) return undefined;
  if (ok) return plain(raw, action, 'ERR_CATALOG_PROTOCOL', 'the answer is not a CKAN Action API envelope');
  return fromStatus(raw, action);
}

/** The `classify` hook for plain HTTP endpoints of the catalog (DCAT, DataStore dump, the harvester). */
export function classifyPlain(raw: RawResponse, action: string): ThGovError | undefined {
  if (raw.statusCode >= 200 && raw.statusCode < 300) return undefined;
  const body = raw.json();
  if (isObject(body) && body.success === false && isObject(body.error))
    return fromEnvelope(raw, action, body.error);
  if (raw.statusCode === 404) return plain(raw, action, 'ERR_CATALOG_NOT_FOUND', 'not found (HTTP 404)');
  return fromStatus(raw, action);
}
