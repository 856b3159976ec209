import type { Duplex, Readable } from 'node:stream';
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

/**
 * The most codings one response may stack. Each layer's output is bounded by the body limit, but every layer is
 * decoded in turn: a header naming hundreds would multiply the work (undici's fetch stops at five too).
 */
const MAX_CODINGS = 5;

/**
 * The codings to undo, last applied first; undefined for none. Throws for a coding this client cannot undo, and for
 * more than five stacked.
 */
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
  if (out.length > MAX_CODINGS) throw tooManyCodings(out.length);
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

/**
 * Undoes `codings` on a streamed body; corrupt data errors the stream with ERR_RESPONSE_PARSE, as the buffered path
 * does. The caller limits what comes out.
 */
export function decodeContentStream(body: Readable, codings: readonly Coding[]): Readable {
  const z = nodeZlib();
  const { pipeline, PassThrough, Duplex } = nodeStream();
  let failed: Coding | undefined;
  const stages = codings.map((c): Duplex => {
    const stage = Duplex.from(
      fromFirstBytes((first) =>
        c === 'gzip'
          ? z.createGunzip()
          : c === 'br'
            ? z.createBrotliDecompress()
            : hasZlibHeader(first)
              ? z.createInflate()
              : z.createInflateRaw(),
      ),
    );
    // The stage that meets bad data emits the zlib error first; `pipeline` then destroys every stream with it.
    stage.once('error', (err) => {
      if (isZlibError(err)) failed ??= c;
    });
    return stage;
  });
  // `pipeline` destroys `out` with the stage's own error before its callback runs: the error is translated as
  // `out` is destroyed, so the reader sees ERR_RESPONSE_PARSE (an upstream network error passes unchanged).
  const out = new PassThrough({
    destroy(err, cb) {
      cb(err && isZlibError(err) ? corrupt(failed ?? codings[0] ?? 'gzip', err) : err);
    },
  });
  pipeline([body, ...stages, out], () => undefined);
  return out;
}

/** A zlib or brotli decoder's error (Z_DATA_ERROR, Z_BUF_ERROR, ERR__ERROR_FORMAT_…), not a stream's or socket's. */
function isZlibError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^(?:Z_|ERR__ERROR_|ERR_BROTLI)/.test(code);
}

/**
 * A decoding stage that starts with the content's first bytes: empty content has no coding to undo (a decoder fed
 * nothing fails, and a server that compresses whatever it sends may send an empty chunked gzip). `make` picks the
 * decoder from the first two bytes (or fewer, when the content is shorter): "deflate" is zlib-wrapped (RFC 9110
 * §8.4.1.2) or raw, as some servers send it, told apart by the zlib header, where the buffered path tries one and
 * then the other.
 */
function fromFirstBytes(make: (first: Buffer) => Duplex) {
  return async function* decode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    const it = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let size = 0;
    while (size < 2) {
      const next = await it.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
    }
    if (size === 0) return;
    const first = Buffer.concat(head, size);
    async function* all(): AsyncGenerator<Buffer> {
      yield first;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    }
    const { pipeline, Readable } = nodeStream();
    yield* pipeline(Readable.from(all(), { objectMode: false }), make(first), () => undefined);
  };
}

function hasZlibHeader(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const cmf = b[0] as number;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | (b[1] as number)) % 31 === 0;
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

function tooManyCodings(count: number): HttpError {
  return new HttpError(
    'ERR_RESPONSE_PARSE',
    `The response's Content-Encoding stacks ${count} content codings; at most ${MAX_CODINGS} are undone`,
    {
      retryable: false,
      hint: 'A server compresses a body once; check what sits between this client and it.',
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
