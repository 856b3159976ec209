import type { Readable, Transform } from 'node:stream';
import { nodeStream, nodeZlib } from './builtins.js';
import { HttpError } from './errors.js';

/**
 * Content codings of a response (RFC 9110 §8.4): what the transport asks for, and how a body so coded is undone.
 * undici's `request` hands the bytes over as sent, so a gateway that compresses (many do, whatever was asked) would
 * otherwise give the JSON parser gzip. Decoding is bounded by the same limit as the body: a small compressed body
 * cannot expand past `maxResponseBytes` (a decompression bomb stops there).
 */

/** Sent unless the caller sets its own Accept-Encoding. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

type Coding = 'gzip' | 'deflate' | 'br';

/** The codings to undo, last applied first; undefined for none. Throws for a coding this client cannot undo. */
export function codingsOf(header: string | undefined): Coding[] | undefined {
  if (header === undefined) return undefined;
  const out: Coding[] = [];
  for (const raw of header.split(',')) {
    const c = raw.trim().toLowerCase();
    if (c === '' || c === 'identity') continue;
    if (c === 'gzip' || c === 'x-gzip') out.push('gzip');
    else if (c === 'deflate' || c === 'br') out.push(c);
    else throw unsupported(c);
  }
  return out.length === 0 ? undefined : out.reverse();
}

/** Undoes `codings` on a whole body, producing at most `limit` bytes. */
export async function decodeContent(
  body: Uint8Array,
  codings: readonly Coding[],
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  let out = body;
  for (const coding of codings) out = await decodeOne(out, coding, limit, tooLarge);
  return out;
}

function decodeOne(
  body: Uint8Array,
  coding: Coding,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const z = nodeZlib();
  const options = { maxOutputLength: Math.max(1, limit) };
  const run = (fn: typeof z.gunzip): Promise<Uint8Array> =>
    new Promise((resolve, reject) => fn(body, options, (err, out) => (err ? reject(err) : resolve(out))));
  const attempt =
    coding === 'gzip'
      ? run(z.gunzip)
      : coding === 'br'
        ? run(z.brotliDecompress as unknown as typeof z.gunzip)
        : // "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2); some servers send it raw, as browsers accept.
          run(z.inflate).catch((err: NodeJS.ErrnoException) =>
            err.code === 'Z_DATA_ERROR' ? run(z.inflateRaw) : Promise.reject(err),
          );
  return attempt.catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge();
    throw corrupt(coding, err);
  });
}

/** Undoes `codings` on a streamed body; errors the stream on corrupt data. The caller limits what comes out. */
export function decodeContentStream(body: Readable, codings: readonly Coding[]): Readable {
  const z = nodeZlib();
  const stages: Transform[] = codings.map((c) =>
    c === 'gzip' ? z.createGunzip() : c === 'br' ? z.createBrotliDecompress() : z.createInflate(),
  );
  const { pipeline, PassThrough } = nodeStream();
  const out = new PassThrough();
  pipeline([body, ...stages, out], (err) => {
    if (!err || out.destroyed) return;
    const zlibError = String((err as NodeJS.ErrnoException).code ?? '').startsWith('Z_');
    out.destroy(zlibError ? corrupt(codings[0] ?? 'gzip', err) : err);
  });
  return out;
}

function unsupported(coding: string): HttpError {
  return new HttpError(
    'ERR_RESPONSE_PARSE',
    `The response's Content-Encoding "${coding.slice(0, 40)}" is not supported`,
    {
      retryable: false,
      hint: `Ask the server for one of: ${ACCEPT_ENCODING}, or identity.`,
    },
  );
}

function corrupt(coding: string, cause: unknown): HttpError {
  return new HttpError(
    'ERR_RESPONSE_PARSE',
    `The response body is not valid ${coding} data (Content-Encoding)`,
    {
      retryable: false,
      cause,
    },
  );
}
