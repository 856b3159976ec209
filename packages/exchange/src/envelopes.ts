import { HttpError, type RawResponse, redactText, type ThGovError } from '@thgov/core';
import { declaredCharset, effectiveContentType } from './charset.js';
import { GdxError } from './errors.js';
import { ROUTES } from './services.js';
import { isRetryableXRoadType } from './xroad.js';

/**
 * Reads every error envelope GDX and the services behind it are known to use and turns it into one
 * GdxError. Runs on every response (also 2xx: Linkage and e-Payment report failures in 200 bodies).
 * Returning undefined leaves the response to the transport: 2xx is parsed, other statuses become
 * ERR_HTTP (retried for 408/429/5xx).
 */

type CodeMeanings = Record<string, { meaning: string; hint?: string }>;

/**
 * Known provider codes, for messages that say what to do, per envelope: a code means something only in the
 * envelope that carries it (a Linkage `{Code: 4}` is not DOPA's laser-check `[4]`).
 */
const LINKAGE_CODES: CodeMeanings = {
  '90001': {
    meaning: 'the officer (AgentID) has no DOPA session',
    hint: "The officer must log in to DOPA's GovAMI program with the smart card whose citizen ID is the AgentID.",
  },
};
/** DOPA's laser-check codes, sent as `[n]` at HTTP 500. */
const BRACKET_CODES: CodeMeanings = {
  '2': { meaning: 'the ID card was voided (for example replaced by a newer card)' },
  '4': { meaning: 'no such card, or the name, birth date or laser code do not match' },
};

/** DOPA's `[n]` as text, or as a JSON string (`"[4]"`, an endpoint that returns a string), after a BOM or spaces. */
const BRACKET = /^\s*"?\[(\d{1,6})\]/;
/** The service name of DOPA's laser-code check, whose failures are `[n]` bodies. */
const LASER_SERVICE = ROUTES.laserCode.name;
/** Statuses a gateway answers for a passing condition (timeout, throttling, an upstream down): see classifyData. */
const TEMPORARY_STATUS = new Set([408, 429, 502, 503, 504]);
/**
 * A 401/403 about the token itself: GDX's "UnauthorizedException: token not found", and the other wordings
 * of a token the gateway no longer knows ("token expired", "Invalid token", "Token has expired", "Access Token Inactive",
 * `invalid_token`, "token is revoked"), in Thai as well ("Token หมดอายุ", "ไม่พบ Token", "โทเค็นไม่ถูกต้อง").
 * Such a token is dropped and the call replayed once with a new one; a token rejected in words this misses would
 * stay cached and keep failing every call for its AgentID. A 401 that does not speak of the token (no right to
 * the data, an empty body, "ไม่พบข้อมูล") is not one.
 */
const TOKEN_REJECTED = new RegExp(
  [
    /token[\s_-]*(?:(?:has|is)[\s_-]+)?(?:not[\s_-]*found|expired|invalid|inactive|revoked|not[\s_-]*valid|unknown)/
      .source,
    /(?:invalid|expired|inactive|revoked|unknown)[\s_-]*token/.source,
    // Thai: "<token> [นี้|ของคุณ|ของท่าน] หมดอายุ / ไม่ถูกต้อง / ไม่พบ / ถูกยกเลิก / ใช้ไม่ได้ …", "ไม่พบ / ไม่มี <token>".
    /(?:token|โทเค็?น)\s*(?:(?:นี้|ของคุณ|ของท่าน)\s*)?(?:หมดอายุ|ไม่ถูกต้อง|ไม่พบ|ไม่มีอยู่|ไม่รู้จัก|ถูกยกเลิก|ใช้(?:งาน)?ไม่ได้)/
      .source,
    /(?:ไม่พบ|ไม่มี|ไม่รู้จัก)\s*(?:token|โทเค็?น)/.source,
  ].join('|'),
  'i',
);
/**
 * WSO2 API Manager's codes for a token it does not accept, in its JSON (`"code": "900901"`) or XML
 * (`<ams:code>900901</ams:code>`) fault, whose words need not speak of the token: 900901 "Invalid Credentials",
 * 900902 "Missing Credentials", 900903 "Access Token Expired", 900904 "Access Token Inactive". Its codes about
 * rights (900908 resource forbidden, 900910 scope) are not among them.
 */
const WSO2_TOKEN_REJECTED = /(?:"code"\s*:\s*"?\s*|<(?:[\w.-]+:)?code>\s*)90090[1-4](?!\d)/i;
/** A Linkage error envelope has at most this many top-level keys (`Code`, `Message` and a few extras). */
const ENVELOPE_MAX_KEYS = 4;

/**
 * Cheap structural pre-check before decoding and parsing a body for a Linkage `{Code, Message}` envelope: is
 * it (after a UTF-8 BOM and JSON whitespace) an object with at most four members at its top level, among them
 * a "code" and a "message" key in any letter case? Looked at in the bytes, tracking nesting, so a key written
 * with escapes (`"\u0063ode"`) counts and a "code" below the top level does not. Neither size nor leading
 * whitespace hides an envelope, and a record is never decoded here: the scan allocates nothing and stops as
 * soon as four members cannot hold both keys (by the third member of a Linkage record). Members are counted
 * as written: an object that repeats a name is not interoperable JSON (RFC 8259 §4), and one with five
 * members is no envelope. For valid JSON without repeated names the answer is exact.
 */
export function mayBeLinkageEnvelope(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = jsonStart(bytes);
  if (bytes[i] !== 0x7b) return false;
  let depth = 0;
  let members = 0;
  let code = false;
  let message = false;
  for (; i < n; i++) {
    const b = bytes[i] as number;
    if (b === 0x22) {
      const start = i;
      let escaped = false;
      // To the closing quote (a plain loop: indexOf costs more per call than a short string's bytes).
      for (i++; i < n; i++) {
        const c = bytes[i] as number;
        if (c === 0x22) break;
        if (c === 0x5c) {
          escaped = true;
          i++;
        }
      }
      if (i >= n) return false;
      if (depth !== 1) continue;
      let next = i + 1;
      while (next < n && isJsonSpace(bytes[next] as number)) next++;
      if (bytes[next] !== 0x3a) continue;
      members++;
      const key = keyName(bytes, start, i, escaped);
      if (key === 'code') code = true;
      else if (key === 'message') message = true;
      // No room left among four members for the key(s) still missing.
      if (members + (code ? 0 : 1) + (message ? 0 : 1) > ENVELOPE_MAX_KEYS) return false;
      i = next;
    } else if (b === 0x7b || b === 0x5b) {
      depth++;
    } else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
      break;
    }
  }
  return code && message;
}

/** Where the JSON text starts: past a UTF-8 BOM and JSON whitespace. */
function jsonStart(bytes: Uint8Array): number {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && isJsonSpace(bytes[i] as number)) i++;
  return i;
}

/**
 * The string token from the quote at `start` to the one at `end`, lower-cased, when it reads "code" or
 * "message" in any case; otherwise ''. No other Unicode letter lower-cases to an ASCII one of these, so an
 * unescaped key is compared byte by byte (bit 0x20 set lower-cases an ASCII letter). `escaped`: the token
 * holds a backslash (the caller's scan saw it, so the bytes are not searched again).
 */
function keyName(bytes: Uint8Array, start: number, end: number, escaped: boolean): string {
  const len = end - start - 1;
  if (len < 4) return '';
  if (escaped) {
    // Rare: written with escapes; decode it as JSON does ("message" spelled out in \u escapes is 44 bytes).
    if (len > 64) return '';
    try {
      const key: unknown = JSON.parse(Buffer.from(bytes.subarray(start, end + 1)).toString('utf8'));
      return typeof key === 'string' ? key.toLowerCase() : '';
    } catch {
      return '';
    }
  }
  const word = len === 4 ? 'code' : len === 7 ? 'message' : undefined;
  if (word === undefined) return '';
  for (let k = 0; k < len; k++) {
    if (((bytes[start + 1 + k] as number) | 0x20) !== word.charCodeAt(k)) return '';
  }
  return word;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** WHATWG's name for TIS-620 (with Microsoft's few additions): the charset of legacy Thai systems. */
const THAI_LEGACY = new TextDecoder('windows-874');
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/**
 * An envelope's text, decoded so that a provider's Thai message reads as Thai: as the Content-Type's charset
 * says; but a body that is not UTF-8 while it declares UTF-8 or nothing comes from a legacy Thai system (DGA asks
 * for UTF-8; not every provider behind GDX complies, and proxies add `charset=utf-8` to whatever passes), so it
 * is read as TIS-620 instead of as U+FFFD and stray Latin letters. Only envelopes (error messages) are read so:
 * a record is decoded strictly, and one that is not UTF-8 without saying so is refused (ERR_RESPONSE_PARSE).
 */
function envelopeText(raw: RawResponse): string {
  const declared = raw.headers['content-type'];
  if (effectiveContentType(raw.body, declared) !== declared) {
    // UTF-8 under a single-byte label, or after a BOM: read as UTF-8 (see effectiveContentType).
    return Buffer.from(raw.body.subarray(jsonStart(raw.body))).toString('utf8');
  }
  const text = raw.text();
  if (!text.includes('\uFFFD')) return text;
  const charset = declaredCharset(declared);
  if (charset !== undefined && !UTF8_LABELS.has(charset)) return text;
  const bytes = raw.body.subarray(jsonStart(raw.body));
  try {
    STRICT_UTF8.decode(bytes);
    return text;
  } catch {
    return THAI_LEGACY.decode(bytes);
  }
}

/** The envelope's JSON (see envelopeText), or undefined when it is not JSON. */
function envelopeJson(raw: RawResponse): unknown {
  const text = envelopeText(raw);
  if (text === raw.text()) return raw.json();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const MAX_PROVIDER_TEXT = 200;

/**
 * A provider's own message for an error's text: one line (controls and line breaks as spaces, so a message
 * cannot forge log lines), at most 200 characters, IDs and names redacted; undefined when there is none.
 */
function providerText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const line = value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .trim()
    .slice(0, MAX_PROVIDER_TEXT);
  return line === '' ? undefined : redactText(line);
}

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * The object's own keys lower-cased, into a null-prototype object: a field read from it is always the
 * provider's own key, never something inherited (`body.constructor`, or a prototype a `"__proto__"` key set).
 * A `"__proto__"` key itself is dropped, as `keyRenamer` (loose-keys.ts) and zod's looseObject drop it: no
 * envelope field is spelled that way, and every reader of provider JSON in this package treats it alike.
 * (On a null-prototype object the assignment would create a plain own property; dropping it keeps the key
 * count of the Linkage rule the same as what a result would show.)
 */
function lowerKeys(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(value)) {
    const key = k.toLowerCase();
    if (key === '__proto__') continue;
    out[key] = (value as Record<string, unknown>)[k];
  }
  return out;
}

function describe(codes: CodeMeanings, code: string): { meaning: string; hint?: string } {
  // Own keys only: a provider's code "constructor" or "__proto__" must not find Object.prototype's.
  return (
    (Object.hasOwn(codes, code) ? codes[code] : undefined) ?? {
      meaning: 'see the provider documentation for this code',
    }
  );
}

type GdxErrorOptions = ConstructorParameters<typeof GdxError>[2];

/**
 * An answer carrying the `X-Road-Error` header. The header is the Security Server's own verdict and decides: a
 * body (maybe the provider's, maybe not JSON) whose type disagrees only makes the error less retryable, never
 * more. A Security Server answers every Server.* fault with 500 and every Client.* fault with 400: the type, not
 * the status, says whether trying again can help (see RETRYABLE_XROAD_TYPES); a 502/503/504 from something in
 * front of the Security Server stays retryable unless a type is a Client.* fault.
 */
function xroadError(
  raw: RawResponse,
  header: string,
  base: (o: Partial<GdxErrorOptions>) => GdxErrorOptions,
) {
  const status = raw.statusCode;
  const body = lowerKeys(envelopeJson(raw));
  const type = redactText(header.trim().slice(0, 200));
  const bodyType = typeof body?.type === 'string' ? body.type : undefined;
  const message = typeof body?.message === 'string' ? redactText(body.message) : 'X-Road error';
  const detail = typeof body?.detail === 'string' ? redactText(body.detail.slice(0, 500)) : undefined;
  const denied = /AccessDenied/i.test(type);
  return new GdxError(denied ? 'ERR_GDX_FORBIDDEN' : 'ERR_GDX_XROAD', `X-Road error ${type}: ${message}`, {
    ...base({ envelope: 'xroad', xroadType: type, xroadDetail: detail }),
    retryable: isRetryableXRoadType(type)
      ? bodyType === undefined || isRetryableXRoadType(bodyType)
      : !type.startsWith('Client.') &&
        !bodyType?.startsWith('Client.') &&
        (status === 502 || status === 503 || status === 504),
  });
}

/** GDX's "token not found / expired": the client drops the token, validates again and replays the call once. */
function tokenRejectedError(base: (o: Partial<GdxErrorOptions>) => GdxErrorOptions): GdxError {
  return new GdxError('ERR_GDX_AUTH', 'GDX did not accept the token (token not found or expired)', {
    ...base({ envelope: 'gateway', tokenRejected: true }),
    retryable: false,
  });
}

/** A gateway's error message is short: a longer body is a record (and is not searched for words). */
const REJECTION_MAX_BYTES = 2048;
/** Where a gateway's JSON error says what went wrong (lower-cased keys; `fault`/`error` may be an object). */
const MESSAGE_KEYS = ['message', 'error', 'error_description', 'description', 'detail', 'fault'] as const;

/**
 * Whether a body that is not a 401/403 says the token was rejected, as gateways that answer errors with 200 do:
 * a short text (or HTML) page, a JSON string, or (`objects`) a small JSON error object (at most five members)
 * whose message says so. Not a record (too long, too many members), not a documented Linkage code (it keeps its
 * meaning), and never an object in answer to an e-Payment call (`objects` false) nor one shaped like its envelope
 * (`errorCode`/`data`): its "token" may be a payment token, and a create must not be repeated on a guess.
 */
function saysTokenRejected(raw: RawResponse, objects: boolean): boolean {
  if (raw.body.length > REJECTION_MAX_BYTES || !mentionsToken(raw.body)) return false;
  const value = envelopeJson(raw);
  if (value === undefined) return TOKEN_REJECTED.test(envelopeText(raw));
  if (typeof value === 'string') return TOKEN_REJECTED.test(value);
  if (!objects) return false;
  const body = lowerKeys(value);
  if (!body || Object.keys(body).length > ENVELOPE_MAX_KEYS + 1) return false;
  if ('errorcode' in body || 'data' in body) return false;
  if ('code' in body && Object.hasOwn(LINKAGE_CODES, scalarText(body.code))) return false;
  return MESSAGE_KEYS.some((key) => {
    const v = body[key];
    if (typeof v === 'string') return TOKEN_REJECTED.test(v);
    const inner = lowerKeys(v);
    return (
      inner !== undefined &&
      [inner.message, inner.description].some((m) => typeof m === 'string' && TOKEN_REJECTED.test(m))
    );
  });
}

/** "โท", the start of the Thai word for token (โทเค็น, โทเคน), in UTF-8 and in TIS-620. */
const THAI_TOKEN_UTF8 = Buffer.from('โท', 'utf8');
const THAI_TOKEN_TIS620 = Buffer.from([0xe2, 0xb7]);

/**
 * Whether the bytes hold the word "token" in any ASCII letter case, or the start of its Thai spelling: a cheap
 * scan that spares every ordinary answer (a record never says it) the decoding and parsing of the
 * token-rejection check.
 */
export function mentionsToken(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The word's middle letter, in either case, found natively (an ordinary record holds few k's), then its
  // neighbours compared (bit 0x20 set lower-cases an ASCII letter; no other byte lands on these).
  return (
    hasWordAroundK(b, 0x6b) ||
    hasWordAroundK(b, 0x4b) ||
    b.includes(THAI_TOKEN_UTF8) ||
    b.includes(THAI_TOKEN_TIS620)
  );
}

/** Whether some byte `k` (one case of "k") in `b` stands as the middle letter of "token" in any letter case. */
function hasWordAroundK(b: Buffer, k: number): boolean {
  for (let i = b.indexOf(k, 2); i !== -1 && i + 2 < b.length; i = b.indexOf(k, i + 1)) {
    if (
      ((b[i - 2] as number) | 0x20) === 0x74 &&
      ((b[i - 1] as number) | 0x20) === 0x6f &&
      ((b[i + 1] as number) | 0x20) === 0x65 &&
      ((b[i + 2] as number) | 0x20) === 0x6e
    )
      return true;
  }
  return false;
}

/** GDX's envelopes on a data call (see classifyGdx). */
export function classifyData(raw: RawResponse, service: string): ThGovError | undefined {
  return classifyGdx(raw, service, false);
}

/**
 * Every envelope but e-Payment's: X-Road, the gateway's 401/403 and token rejections, 404, DOPA's `[n]`, Linkage
 * `{Code, Message}`. `payment`: the call reads an e-Payment envelope (see saysTokenRejected).
 */
function classifyGdx(raw: RawResponse, service: string, payment: boolean): ThGovError | undefined {
  const status = raw.statusCode;
  const base = (extra: Partial<GdxErrorOptions>) =>
    ({ ...raw.errorOptions(), service, ...extra }) as GdxErrorOptions;

  const xroadType = raw.headers['x-road-error'];
  if (xroadType) return xroadError(raw, xroadType, base);

  if (status === 401 || status === 403) {
    // Decoded as an envelope: a Thai gateway's TIS-620 "โทเค็นหมดอายุ" must read as Thai to be recognised.
    const text = envelopeText(raw);
    const head = text.slice(0, 4096);
    if (TOKEN_REJECTED.test(head) || WSO2_TOKEN_REJECTED.test(head)) return tokenRejectedError(base);
    if (/consumer not found/i.test(text)) {
      return new GdxError('ERR_GDX_AUTH', 'GDX does not know this Consumer-Key (consumer not found)', {
        ...base({ envelope: 'gateway' }),
        hint: 'Check consumerKey: it is the Consumer-Key DGA e-mailed for this environment.',
      });
    }
    if (saysNoMatchingResource(raw)) return routeMissError(raw, service);
    return new GdxError('ERR_GDX_FORBIDDEN', `No right to the data of ${service} (HTTP ${status})`, {
      ...base({ envelope: text.trim() ? 'gateway' : 'status' }),
      hint: "The data owner's permission for this consumer (or this AgentID) is missing; ask DGA.",
    });
  }
  // DOPA's `[n]` says more than the status it comes with: a voided card (`[2]`) at 404 is no "not found", and a
  // `[4]` at 400 no server failure. On the laser check (whose result is an object) also at 200.
  const bracketed = status >= 400 || (status < 300 && service === LASER_SERVICE);
  if (bracketed && !TEMPORARY_STATUS.has(status)) {
    const bracket = bracketError(raw, service, base);
    if (bracket) return bracket;
  }
  if (status === 404) {
    // The gateway's own page: no provider was reached, so this says nothing about the data.
    if (isGatewayRouteMiss(raw)) return routeMissError(raw, service);
    // A provider code other than the status's echo ("90001", "Office not found") is the provider's verdict.
    const linkage = linkageError(raw, service, base);
    if (linkage && !/^0*404$/.test(linkage.providerCode ?? '')) return linkage;
    return new GdxError(
      'ERR_GDX_NOT_FOUND',
      `${service}: no such data (HTTP 404)`,
      base({ envelope: 'status' }),
    );
  }
  // A gateway that answers its errors with 200 (or 400/500): a short message about the token is the 401's.
  if (!TEMPORARY_STATUS.has(status) && saysTokenRejected(raw, !payment)) return tokenRejectedError(base);
  // A `{code, message}` body on a temporary status is the gateway's own (WSO2 throttling: `{"code":"900800",
  // "message":"Message throttled out", …}`, a back end that timed out), not the provider's verdict on the
  // request: it is left to the transport, which makes it ERR_HTTP, retryable, with the Retry-After delay.
  if (!TEMPORARY_STATUS.has(status)) return linkageError(raw, service, base);
  return undefined;
}

/** WSO2 API Manager's own fault codes (`9009xx`: authentication, resource matching, throttling). */
const WSO2_CODE = /^90\d{4}$/;
/** WSO2's "No matching resource found" (code 900906), in its JSON or XML fault or as text. */
const NO_MATCHING_RESOURCE =
  /no matching resource|(?:"code"\s*:\s*"?\s*|<(?:[\w.-]+:)?code>\s*)900906(?!\d)/i;

/**
 * Whether a 404 is the gateway's page for a path it routes to no service, rather than a provider's "no such
 * data": an HTML or XML page (WSO2's `<am:fault>`; the providers answer JSON, `[n]` or nothing), WSO2's "No
 * matching resource found", or WSO2's JSON fault (a `9009xx` code, or type "Status report"). A plain "Not
 * Found" or an empty body stays the provider's.
 */
function isGatewayRouteMiss(raw: RawResponse): boolean {
  if (raw.body[jsonStart(raw.body)] === 0x3c || saysNoMatchingResource(raw)) return true;
  if (raw.body.length > REJECTION_MAX_BYTES) return false;
  const body = lowerKeys(envelopeJson(raw));
  if (!body || Object.keys(body).length > ENVELOPE_MAX_KEYS) return false;
  return WSO2_CODE.test(scalarText(body.code)) || /^status report$/i.test(scalarText(body.type));
}

/** A short body with WSO2's "No matching resource found" (which older versions send at HTTP 403). */
function saysNoMatchingResource(raw: RawResponse): boolean {
  return raw.body.length <= REJECTION_MAX_BYTES && NO_MATCHING_RESOURCE.test(envelopeText(raw));
}

/** A route miss (see isGatewayRouteMiss): the configuration is wrong, so trying again cannot help. */
function routeMissError(raw: RawResponse, service: string): HttpError {
  return new HttpError(
    'ERR_HTTP',
    `${service}: the gateway has no service at this path (HTTP ${raw.statusCode} with its own error page, not the provider's answer)`,
    {
      ...raw.errorOptions(),
      retryable: false,
      hint: 'This is not "no such data" nor a missing right: check baseUrl, pathPrefixes (or the call\'s pathPrefix) and the path against the service\'s catalog entry.',
    },
  );
}

/** DOPA's `[n]` body (see BRACKET) as ERR_GDX_BUSINESS with providerCode n; undefined for any other body. */
function bracketError(
  raw: RawResponse,
  service: string,
  base: (o: Partial<GdxErrorOptions>) => GdxErrorOptions,
): GdxError | undefined {
  const text = envelopeText(raw);
  const m = BRACKET.exec(text);
  if (!m?.[1]) return undefined;
  const d = describe(BRACKET_CODES, m[1]);
  // DOPA's words after the code tell its `[4]`s apart (laser code wrong, or name / birth date wrong).
  const said = providerText(text.slice(m[0].length).replace(/"\s*$/, ''));
  const words = said === undefined ? '' : ` (${said})`;
  return new GdxError('ERR_GDX_BUSINESS', `${service} failed with code [${m[1]}]${words}: ${d.meaning}`, {
    ...base({ envelope: 'bracket', providerCode: m[1] }),
    hint: d.hint,
  });
}

/** A Linkage `{Code, Message}` envelope with a failure code as ERR_GDX_BUSINESS; undefined for any other body. */
function linkageError(
  raw: RawResponse,
  service: string,
  base: (o: Partial<GdxErrorOptions>) => GdxErrorOptions,
): GdxError | undefined {
  if (!mayBeLinkageEnvelope(raw.body)) return undefined;
  const body = lowerKeys(envelopeJson(raw));
  if (!body || !('code' in body) || !('message' in body) || Object.keys(body).length > ENVELOPE_MAX_KEYS)
    return undefined;
  const code = scalarText(body.code).slice(0, 64);
  if (code === '0' || code === '00000' || code === '200') return undefined;
  const d = describe(LINKAGE_CODES, code);
  const said = providerText(body.message);
  const words = said === undefined ? '' : ` (${said})`;
  return new GdxError(
    'ERR_GDX_BUSINESS',
    `${service} failed with Linkage code ${code}${words}: ${d.meaning}`,
    {
      ...base({ envelope: 'linkage', providerCode: code }),
      hint: d.hint,
    },
  );
}

/**
 * e-Payment envelope `{status, errorCode, message, data}` (any body size, any key case): status 0 is success.
 * Read strictly: only the number 0 or the string "0" is success; any other status ("", null, "00", 1, …), or
 * an errorCode without a status, is a failure, ERR_GDX_BUSINESS (never retried: a create or void must not be
 * repeated blindly; the caller checks the payment's status first), whatever the HTTP status, with the
 * errorCode (else the status) as providerCode. A body with neither key is no envelope. On a temporary status
 * (408/429/502/503/504) the answer is left to the transport, as for the Linkage envelope: ERR_HTTP, retryable
 * with its Retry-After, and a POST is repeated only when it carries an idempotency key.
 */
export function classifyPayment(raw: RawResponse, service: string): ThGovError | undefined {
  const first = classifyGdx(raw, service, true);
  if (first) return first;
  if (TEMPORARY_STATUS.has(raw.statusCode)) return undefined;
  const body = lowerKeys(envelopeJson(raw));
  if (!body) return undefined;
  const status = body.status;
  const errorCode = codeText(body.errorcode);
  if (!('status' in body) && errorCode === undefined) return undefined;
  if (status === 0 || status === '0') return undefined;
  const code = errorCode ?? codeText(status);
  const message = typeof body.message === 'string' ? redactText(body.message.slice(0, 300)) : 'payment error';
  // Without a code, the status is "", null, a boolean or not a scalar: say which, briefly.
  const what = code !== undefined ? `code ${code}` : `status ${status === '' ? '""' : scalarText(status)}`;
  return new GdxError('ERR_GDX_BUSINESS', `${service} failed with ${what}: ${message}`, {
    ...raw.errorOptions(),
    service,
    envelope: 'payment',
    providerCode: code,
    retryable: false,
  });
}

/**
 * A JSON value as text without calling anything of its own: `String()` of an object calls its `toString`,
 * and a provider's `{"toString": 1}` would make that throw.
 */
function scalarText(value: unknown): string {
  return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
}

/** A provider code as text: a non-empty string (at most 64 characters) or a finite number; else undefined. */
function codeText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : redactText(t.slice(0, 64));
}

/**
 * /ws/auth/validate: 403 unknown key and 401 bad secret are final; a 200 without a token is retried
 * (DGA's own advice is to call validate again until a token comes back), bounded by the retry policy.
 */
export function classifyValidate(raw: RawResponse): ThGovError | undefined {
  const status = raw.statusCode;
  if (status === 403 || status === 401) {
    const consumer = /consumer not found/i.test(raw.text());
    return new GdxError(
      'ERR_GDX_AUTH',
      consumer
        ? 'GDX does not know this Consumer-Key (consumer not found)'
        : `GDX refused to issue a token (HTTP ${status})`,
      {
        ...raw.errorOptions(),
        service: 'gdx.validate',
        envelope: 'gateway',
        hint: consumer
          ? 'Check consumerKey: it is the Consumer-Key DGA e-mailed for this environment.'
          : 'Check consumerSecret and that the AgentID is allowed for this consumer.',
      },
    );
  }
  if (status >= 200 && status < 300 && readValidateToken(raw.body) === undefined) {
    // A refusal written as `{Code, Message}` in a 200: say the code (still retried, boundedly: DGA's advice).
    const body = lowerKeys(envelopeJson(raw));
    const code = body && 'code' in body ? codeText(body.code) : undefined;
    if (body && code !== undefined) {
      const message =
        typeof body.message === 'string' ? redactText(body.message.slice(0, 300)) : 'no message';
      return new GdxError('ERR_GDX_AUTH', `GDX refused to issue a token (code ${code}: ${message})`, {
        ...raw.errorOptions(),
        service: 'gdx.validate',
        envelope: 'gateway',
        providerCode: code,
        retryable: true,
        hint: 'Check consumerSecret and that the AgentID is allowed for this consumer.',
      });
    }
    return new GdxError('ERR_GDX_AUTH', 'GDX answered validate without a token', {
      ...raw.errorOptions(),
      service: 'gdx.validate',
      envelope: 'gateway',
      retryable: true,
    });
  }
  return undefined;
}

/**
 * What a token may be: it travels as the `Token` header, so visible ASCII only (no space, CR/LF or other
 * control, no non-ASCII), 8 to 4096 characters. GDX issues UUID-like tokens; anything else (whitespace,
 * one character, a header-injecting CRLF) is treated as no token, so it is neither cached nor sent.
 */
const TOKEN_SHAPE = /^[\x21-\x7e]{8,4096}$/;

/**
 * `{"Result": token}` or `{"result": token}` (DGA's pages show both); undefined unless token-shaped. Whitespace
 * around the token (a gateway that copies it from a line of text) is not part of it: HTTP would drop it from
 * the `Token` header anyway.
 */
export function readToken(body: unknown): string | undefined {
  const b = lowerKeys(body);
  const t = typeof b?.result === 'string' ? b.result.trim() : undefined;
  return t !== undefined && TOKEN_SHAPE.test(t) ? t : undefined;
}

/**
 * A token as it travels bare: a JSON string, or a text/plain body, of UUID / base64-like characters only (no
 * "<", "{", quote or space) with at least one digit, so an HTML page, an error sentence or a bare word
 * ("Unauthorized") is never taken for one.
 */
const BARE_TOKEN = /^(?=[^0-9]{0,4096}[0-9])[A-Za-z0-9._~+/=-]{8,4096}$/;

/**
 * The token in a validate answer: `{"Result": token}` (any key case), or a bare token, as a JSON string
 * (`"uuid"`) or as text (`uuid`, text/plain), after a UTF-8 BOM and surrounding whitespace.
 */
export function readValidateToken(bytes: Uint8Array): string | undefined {
  if (bytes.length > 16_384) return undefined;
  const text = Buffer.from(bytes.subarray(jsonStart(bytes)))
    .toString('utf8')
    .trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return BARE_TOKEN.test(text) ? text : undefined;
  }
  if (typeof value === 'string') {
    const t = value.trim();
    return BARE_TOKEN.test(t) ? t : undefined;
  }
  // A digits-only bare token parses as a number: the text itself is the token.
  if (typeof value === 'number') return BARE_TOKEN.test(text) ? text : undefined;
  return readToken(value);
}
