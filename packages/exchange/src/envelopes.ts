import { type RawResponse, redactText, type ThGovError } from '@thgov/core';
import { GdxError } from './errors.js';
import { isRetryableXRoadType } from './xroad.js';

/**
 * Reads every error envelope GDX and the services behind it are known to use and turns it into one
 * GdxError. Runs on every response (also 2xx: Linkage and e-Payment report failures in 200 bodies).
 * Returning undefined leaves the response to the transport: 2xx is parsed, other statuses become
 * ERR_HTTP (retried for 408/429/5xx).
 */

/** Known provider codes, for messages that say what to do. */
const PROVIDER_CODES: Record<string, { meaning: string; hint?: string }> = {
  '90001': {
    meaning: 'the officer (AgentID) has no DOPA session',
    hint: "The officer must log in to DOPA's GovAMI program with the smart card whose citizen ID is the AgentID.",
  },
  '2': { meaning: 'the ID card was voided (for example replaced by a newer card)' },
  '4': { meaning: 'no such card, or the name, birth date or laser code do not match' },
};

const BRACKET = /^\s*\[(\d{1,6})\]/;
/** Bodies this small are checked for an envelope even on 2xx; error envelopes are tiny. */
const SMALL_BODY = 1024;
/**
 * Cheap pre-check before decoding and parsing a small body: does it hold a string followed by a colon (an
 * object key, at any depth) that reads "code" in any letter case? Looked for in the bytes, string by string,
 * so every body whose parsed top level has such a key passes, including one written with escapes
 * (`"\u0063ode"`), and a body without one (a Linkage record) is not decoded at all.
 */
export function mayHaveCodeKey(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let start = bytes.indexOf(0x22);
  while (start >= 0) {
    let end = start + 1;
    let escaped = false;
    while (end < n && bytes[end] !== 0x22) {
      if (bytes[end] === 0x5c) {
        escaped = true;
        end++;
      }
      end++;
    }
    if (end >= n) return false;
    let next = end + 1;
    while (next < n && isJsonSpace(bytes[next] as number)) next++;
    if (bytes[next] === 0x3a && isCodeKey(bytes, start, end, escaped)) return true;
    start = bytes.indexOf(0x22, end + 1);
  }
  return false;
}

/** Whether the string token from the quote at `start` to the one at `end` reads "code", any case. */
function isCodeKey(bytes: Uint8Array, start: number, end: number, escaped: boolean): boolean {
  if (escaped) {
    // Rare: decode it as JSON does. Anything undecodable is let through (the full parse decides).
    if (end - start > 64) return false;
    try {
      const key: unknown = JSON.parse(Buffer.from(bytes.subarray(start, end + 1)).toString('utf8'));
      return typeof key !== 'string' || key.toLowerCase() === 'code';
    } catch {
      return true;
    }
  }
  // ASCII letters only, lower-cased by setting bit 0x20.
  return (
    end - start === 5 &&
    ((bytes[start + 1] as number) | 0x20) === 0x63 &&
    ((bytes[start + 2] as number) | 0x20) === 0x6f &&
    ((bytes[start + 3] as number) | 0x20) === 0x64 &&
    ((bytes[start + 4] as number) | 0x20) === 0x65
  );
}

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function lowerKeys(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.toLowerCase()] = v;
  return out;
}

function describe(code: string): { meaning: string; hint?: string } {
  return PROVIDER_CODES[code] ?? { meaning: 'see the provider documentation for this code' };
}

export function classifyData(raw: RawResponse, service: string): ThGovError | undefined {
  const status = raw.statusCode;
  const base = (extra: Partial<ConstructorParameters<typeof GdxError>[2]>) =>
    ({ ...raw.errorOptions(), service, ...extra }) as ConstructorParameters<typeof GdxError>[2];

  const xroadType = raw.headers['x-road-error'];
  if (xroadType) {
    const body = lowerKeys(raw.json());
    const type = typeof body?.type === 'string' ? body.type : xroadType;
    const message = typeof body?.message === 'string' ? redactText(body.message) : 'X-Road error';
    const detail = typeof body?.detail === 'string' ? redactText(body.detail.slice(0, 500)) : undefined;
    const denied = /AccessDenied/i.test(type);
    // A Security Server answers every Server.* fault with 500 and every Client.* fault with 400: the type,
    // not the status, says whether trying again can help (see RETRYABLE_XROAD_TYPES); a 502/503/504 from
    // something in front of the Security Server stays retryable unless its type is a Client.* fault.
    return new GdxError(denied ? 'ERR_GDX_FORBIDDEN' : 'ERR_GDX_XROAD', `X-Road error ${type}: ${message}`, {
      ...base({ envelope: 'xroad', xroadType: type, xroadDetail: detail }),
      retryable:
        isRetryableXRoadType(type) ||
        (!type.startsWith('Client.') && (status === 502 || status === 503 || status === 504)),
    });
  }

  if (status === 401 || status === 403) {
    const text = raw.text();
    if (/token not found/i.test(text)) {
      return new GdxError('ERR_GDX_AUTH', 'GDX did not accept the token (token not found)', {
        ...base({ envelope: 'gateway', tokenRejected: true }),
        retryable: false,
      });
    }
    if (/consumer not found/i.test(text)) {
      return new GdxError('ERR_GDX_AUTH', 'GDX does not know this Consumer-Key (consumer not found)', {
        ...base({ envelope: 'gateway' }),
        hint: 'Check consumerKey: it is the Consumer-Key DGA e-mailed for this environment.',
      });
    }
    return new GdxError('ERR_GDX_FORBIDDEN', `No right to the data of ${service} (HTTP ${status})`, {
      ...base({ envelope: text.trim() ? 'gateway' : 'status' }),
      hint: "The data owner's permission for this consumer (or this AgentID) is missing; ask DGA.",
    });
  }
  if (status === 404) {
    return new GdxError(
      'ERR_GDX_NOT_FOUND',
      `${service}: no such data (HTTP 404)`,
      base({ envelope: 'status' }),
    );
  }
  if (status === 500) {
    const m = BRACKET.exec(raw.text());
    if (m?.[1]) {
      const d = describe(m[1]);
      return new GdxError('ERR_GDX_BUSINESS', `${service} failed with code [${m[1]}]: ${d.meaning}`, {
        ...base({ envelope: 'bracket', providerCode: m[1] }),
        hint: d.hint,
      });
    }
  }
  if (
    raw.body.byteLength > 0 &&
    raw.body.byteLength <= SMALL_BODY &&
    raw.body[0] === 0x7b &&
    mayHaveCodeKey(raw.body)
  ) {
    const body = lowerKeys(raw.json());
    if (body && 'code' in body && 'message' in body && Object.keys(body).length <= 4) {
      const code = String(body.code);
      if (code !== '0' && code !== '00000' && code !== '200') {
        const d = describe(code);
        return new GdxError('ERR_GDX_BUSINESS', `${service} failed with Linkage code ${code}: ${d.meaning}`, {
          ...base({ envelope: 'linkage', providerCode: code }),
          hint: d.hint,
        });
      }
    }
  }
  return undefined;
}

/** e-Payment envelope `{status, errorCode, message, data}`: status 0 is success. Any body size. */
export function classifyPayment(raw: RawResponse, service: string): ThGovError | undefined {
  const first = classifyData(raw, service);
  if (first) return first;
  if (raw.statusCode < 200 || raw.statusCode >= 300) return undefined;
  const body = lowerKeys(raw.json());
  if (body && 'status' in body && 'errorcode' in body && Number(body.status) !== 0) {
    const code = String(body.errorcode ?? body.status);
    const message = typeof body.message === 'string' ? body.message : 'payment error';
    return new GdxError('ERR_GDX_BUSINESS', `${service} failed with code ${code}: ${message}`, {
      ...raw.errorOptions(),
      service,
      envelope: 'payment',
      providerCode: code,
    });
  }
  return undefined;
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
  if (status >= 200 && status < 300 && readToken(raw.json()) === undefined) {
    return new GdxError('ERR_GDX_AUTH', 'GDX answered validate without a token', {
      ...raw.errorOptions(),
      service: 'gdx.validate',
      envelope: 'gateway',
      retryable: true,
    });
  }
  return undefined;
}

/** `{"Result": token}` or `{"result": token}` (DGA's pages show both). */
export function readToken(body: unknown): string | undefined {
  const b = lowerKeys(body);
  const t = b?.result;
  return typeof t === 'string' && t.length > 0 && t.length <= 4096 ? t : undefined;
}
