import { invalidArgument } from '../errors.js';

/**
 * The bytes a detached JWS signs (RFC 7797 unencoded payload). One field per line, in a fixed order,
 * so a signature binds the direction, the request line, the body digest and the request id together:
 * a request signature cannot pass as a response signature, and a response cannot be replayed for
 * another request.
 */
export const SIGNATURE_HEADER = 'x-jws-signature';
/** The header that carries the body's SHA-256 digest (RFC 9530), covered by message signatures. */
export const CONTENT_DIGEST_HEADER = 'content-digest';
/** The header that carries each call's request ID (sent, logged and covered by message signatures). */
export const REQUEST_ID_HEADER = 'x-request-id';
const VERSION_LINE = 'thgov-http-signature/1';

export interface CanonicalFields {
  direction: 'request' | 'response';
  method: string;
  target: string;
  /** Only for responses. */
  status?: number;
  contentDigest: string;
  requestId: string;
}

const METHOD = /^[A-Z][A-Z0-9_-]{0,31}$/;
// Origin-form request target: no spaces, no control characters (a newline would forge a field).
const TARGET = /^\/[\x21-\x7e]*$/;
const REQUEST_ID = /^[\x21-\x7e]{1,256}$/;
const MAX_TARGET_LENGTH = 8192;

export function normalizeMethod(method: unknown): string {
  if (typeof method !== 'string') throw invalidArgument('method must be a string');
  const m = method.toUpperCase();
  if (!METHOD.test(m)) throw invalidArgument('method is not a valid HTTP method token');
  return m;
}

/** Path and query as they travel on the request line; a full URL is reduced to its path and query. */
export function normalizeTarget(target: unknown): string {
  if (typeof target !== 'string') throw invalidArgument('target must be a string (path and query)');
  let t = target;
  if (/^https?:\/\//i.test(t)) {
    try {
      const u = new URL(t);
      t = u.pathname + u.search;
    } catch {
      throw invalidArgument('target is not a valid URL or path');
    }
  }
  return originForm(t);
}

function originForm(t: string): string {
  if (t.length > MAX_TARGET_LENGTH || !TARGET.test(t)) {
    throw invalidArgument(
      'target must be an origin-form path (starting with /) without spaces or control characters',
    );
  }
  return t;
}

// Absolute form (RFC 9112 §3.2.2) as a proxy sends it: scheme and authority, then the path and query as they travelled.
const ABSOLUTE_FORM = /^https?:\/\/([^/?]*)/i;
// An authority as it may stand in a request line: visible ASCII without user info, a fragment or a backslash.
const RECEIVED_AUTHORITY = /^[\x21-\x7e]{1,300}$/;

/**
 * A request target as a server received it, for verification: origin-form as it is, absolute form reduced to its
 * path and query LITERALLY. Nothing is resolved or decoded (no dot-segments, percent-encoding, backslashes or white
 * space), unlike the URL parser, so the signature is checked against the target the application then routes.
 */
export function normalizeReceivedTarget(target: unknown): string {
  if (typeof target !== 'string') throw invalidArgument('target must be a string (path and query)');
  const m = target.length <= MAX_TARGET_LENGTH ? ABSOLUTE_FORM.exec(target) : null;
  if (!m) return originForm(target);
  const authority = m[1] as string;
  if (!RECEIVED_AUTHORITY.test(authority) || /[@#\\]/.test(authority)) {
    throw invalidArgument('An absolute-form target must have a plain authority (no user info or backslash)');
  }
  const rest = target.slice(m[0].length);
  return originForm(rest.startsWith('/') ? rest : `/${rest}`);
}

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

export function normalizeRequestId(value: unknown): string {
  if (!isValidRequestId(value)) {
    throw invalidArgument('requestId must be 1–256 visible ASCII characters');
  }
  return value;
}

export function normalizeStatus(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    throw invalidArgument('status must be an HTTP status code (100–599)');
  }
  return value;
}

// A bare authority (RFC 3986 §3.2): no scheme, path, query, fragment, user info, backslash or white space.
const BARE_AUTHORITY = /^[^\s/?#@\\]{1,300}$/;
const HTTP_URL = /^https?:\/\//i;

/**
 * The authority a request is addressed to, as RFC 9421 spells `@authority`: the host lower-cased (a Thai or other
 * international name in its ASCII "xn--" form, IPv6 in brackets), then `:port` unless it is a default port. Given
 * as `host[:port]` or an http(s) URL (reduced to its authority). A bare authority has no scheme, so 80 and 443 both
 * count as default, whatever the scheme: `api.example.go.th:443` is `api.example.go.th`.
 */
export function normalizeAuthority(value: unknown): string {
  const bad = () =>
    invalidArgument('An authority must be host[:port] or an http(s) URL (no path, user info or spaces)');
  if (typeof value !== 'string') throw bad();
  let url: URL;
  try {
    if (HTTP_URL.test(value)) url = new URL(value);
    else if (BARE_AUTHORITY.test(value)) url = new URL(`http://${value}`);
    else throw bad();
  } catch {
    throw bad();
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') throw bad();
  return url.host.replace(/:(?:80|443)$/, '');
}

/** The authority of a target given as a full http(s) URL; undefined for an origin-form target. */
export function authorityOfTarget(target: unknown): string | undefined {
  return typeof target === 'string' && HTTP_URL.test(target) ? normalizeAuthority(target) : undefined;
}

export function canonicalSigningInput(f: CanonicalFields): Uint8Array {
  const lines = [VERSION_LINE, `direction: ${f.direction}`, `method: ${f.method}`, `target: ${f.target}`];
  if (f.direction === 'response') lines.push(`status: ${f.status}`);
  lines.push(`${CONTENT_DIGEST_HEADER}: ${f.contentDigest}`, `${REQUEST_ID_HEADER}: ${f.requestId}`);
  return Buffer.from(lines.join('\n'), 'utf8');
}
