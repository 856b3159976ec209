import { Transform, type TransformCallback } from 'node:stream';
import { HttpError, type HttpErrorOptions } from '@thgov/core';

/**
 * JSON whose numbers may not fit a double. PostgreSQL keeps every digit of an int8 or a numeric, and CKAN's
 * datastore_search writes them as bare number tokens (9007199254740993, 12345678901234567890.123), which
 * JSON.parse silently rounds. Here a number token a double does not hold exactly becomes a string of its digits
 * as written (as Google APIs send int64): a copy or a refresh writes back the value the catalog holds.
 */

/**
 * Zeros a canonical decimal may spell out: PostgreSQL's numeric holds up to 131072 digits before the point
 * and 16383 after it, so a value past these matches no stored one and keeps its exponent (`1e999999999` would
 * otherwise be spelled out as a gigabyte of zeros from 11 characters of a hostile record).
 */
const MAX_SPELLED_ZEROS = 131_072 + 16_383;

/** A decimal's canonical text ("007.50" and 7.5 are "7.5"), or undefined when it is not a plain decimal. */
export function canonicalDecimal(v: unknown): string | undefined {
  const raw = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : undefined) : String(v).trim();
  if (raw === undefined) return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(raw);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  // The significant digits, and where the point stands among them. Zeros are stripped by index: a
  // `/0+$/` rescans a run of zeros from each of them (quadratic on "0.000…0001").
  const all = `${m[2]}${m[3] ?? ''}`;
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 0x30) first++;
  let last = all.length;
  while (last > first && all.charCodeAt(last - 1) === 0x30) last--;
  if (first === last) return '0';
  const digits = all.slice(first, last);
  const point = (m[2]?.length ?? 0) + Number(m[4] ?? 0) - first;
  const sign = m[1] === '-' ? '-' : '';
  const zeros = point < 0 ? -point : point - digits.length;
  if (!(zeros <= MAX_SPELLED_ZEROS)) return `${sign}${digits}e${point - digits.length}`;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}${body}`;
}

/** A run a number token a double may not hold must have: 16 digits or points, or an exponent. */
const MAYBE_INEXACT = /\d[\d.]{15}|\d[eE]/;
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Whether the double JSON.parse makes of a number token is the very value the token spells. */
function exactAsDouble(token: string): boolean {
  // Up to 15 significant digits a double always holds (and a short token cannot overflow).
  if (token.length <= 15 && !/[eE]/.test(token)) return true;
  const n = Number(token);
  return Number.isFinite(n) && canonicalDecimal(n) === canonicalDecimal(token);
}

/** The end of the JSON string opening at `from` (a quote): the index past its closing quote. */
function stringEnd(text: string, from: number): number {
  let q = text.indexOf('"', from + 1);
  while (q !== -1) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}

/** The text with every number token a double does not hold exactly put in quotes; one pass, linear. */
export function quoteInexactNumbers(text: string): string {
  if (!MAYBE_INEXACT.test(text)) return text;
  const out: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) {
      i++;
      continue;
    }
    NUMBER_TOKEN.lastIndex = i;
    const token = NUMBER_TOKEN.exec(text)?.[0];
    if (token === undefined) {
      i++;
      continue;
    }
    if (!exactAsDouble(token)) {
      out.push(text.slice(copied, i), '"', token, '"');
      copied = i + token.length;
    }
    i += token.length;
  }
  if (copied === 0) return text;
  out.push(text.slice(copied));
  return out.join('');
}

/** Parses JSON text keeping every digit of its numbers (see above); not JSON is ERR_RESPONSE_PARSE. */
export function parseExactJson(text: string, errorOptions: () => HttpErrorOptions): unknown {
  if (text === '') return undefined;
  try {
    // A byte-order mark before the JSON is skipped (RFC 8259 §8.1), as core's JSON reading does.
    return JSON.parse(quoteInexactNumbers(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch (cause) {
    throw new HttpError('ERR_RESPONSE_PARSE', 'The response body is not valid JSON', {
      ...errorOptions(),
      cause,
    });
  }
}

/** A number token longer than this is not held to be judged: it is quoted as it streams (no double holds it). */
const MAX_HELD_TOKEN = 200_000;
const QUOTE = Buffer.from('"');

/** A byte of a JSON number token: digits, sign, point, exponent. */
function isNumberByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45;
}

/**
 * {@link quoteInexactNumbers} over a byte stream of JSON, in bounded memory: a number token a double does not
 * hold exactly comes out as a string of its digits, everything else byte for byte. Works on UTF-8 bytes directly
 * (quotes, backslashes and digits are ASCII, and no byte of a multi-byte character is), whatever the chunking.
 */
export class ExactNumberStream extends Transform {
  #inString = false;
  #escaped = false;
  /** The number token read so far, when one is open and held. */
  #token: string | undefined;
  /** A token too long to hold: its opening quote is out, its bytes pass through. */
  #streaming = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    let copied = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.#token !== undefined || this.#streaming) {
        if (isNumberByte(b)) {
          if (this.#token !== undefined) this.#token += String.fromCharCode(b);
          if (this.#token !== undefined && this.#token.length > MAX_HELD_TOKEN) {
            out.push(QUOTE, Buffer.from(this.#token, 'latin1'));
            this.#token = undefined;
            this.#streaming = true;
            copied = i + 1;
          }
          continue;
        }
        if (this.#streaming) out.push(chunk.subarray(copied, i));
        out.push(this.#endToken());
        copied = i;
      }
      if (this.#inString) this.#readString(b);
      else if (b === 0x22) this.#inString = true;
      else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
        out.push(chunk.subarray(copied, i));
        this.#token = String.fromCharCode(b);
        copied = i + 1;
      }
    }
    if (this.#token === undefined) out.push(chunk.subarray(copied));
    done(null, Buffer.concat(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#token !== undefined || this.#streaming ? this.#endToken() : undefined);
  }

  #readString(b: number): void {
    if (this.#escaped) this.#escaped = false;
    else if (b === 0x5c) this.#escaped = true;
    else if (b === 0x22) this.#inString = false;
  }

  /** The held token as it goes out (quoted when a double would change it), or the streamed one's closing quote. */
  #endToken(): Buffer {
    const token = this.#token;
    this.#token = undefined;
    if (token === undefined) {
      this.#streaming = false;
      return QUOTE;
    }
    return Buffer.from(exactAsDouble(token) ? token : `"${token}"`, 'latin1');
  }
}
