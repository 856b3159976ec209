import { createServer } from 'node:net';
import { loggableText } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { AbortError, HttpError, invalidArgument, ThGovError, Transport } from '../../src/index.js';

/**
 * Cause leaks: a foreign error kept as `cause` (an HTTP client's, a parser's, a driver's) carries what it
 * failed on in its own enumerable fields (`body`, `data`, `detail`), in the causes of its cause, or in the
 * `errors` of an AggregateError. Loggers copy all of those (pino's err serializer copies every enumerable
 * field, walks `cause` for messages and stacks and serializes `errors`), and redaction cannot recognise a
 * name. Nothing the caller sent or the server answered may reach a log through a cause.
 */

const NAME = 'สมชาย ใจดี';
const CID = '1-2345-67890-12-1';
const TOKEN = 'tk_9Qx7Lw2Vb8Nz4Rj6Hs1Pd3';
const SECRETS = [NAME, 'สมชาย', CID, '1234567890121', TOKEN];
const PKG = { name: '@thgov/test', version: '1.0.0' };

const everything = loggableText;

function expectClean(err: Error): void {
  const text = everything(err);
  for (const s of SECRETS) expect(text).not.toContain(s);
}

// An HTTP client's parse error that keeps the bytes it choked on (undici's HTTPParserError keeps `data`).
function parserError(): Error {
  const e = new Error('Response does not match the HTTP/1.1 protocol (Invalid header value char)');
  return Object.assign(e, {
    code: 'HPE_INVALID_HEADER_TOKEN',
    data: `x-name: ${NAME}\r\nx-pid: ${CID} ${TOKEN}`,
  });
}

describe('attack: input reaching logs through a cause', () => {
  it('the enumerable fields of a foreign cause (body, data, detail) are not kept', () => {
    const cause = Object.assign(new Error('request failed'), {
      code: 'UND_ERR_RESPONSE',
      statusCode: 400,
      body: { name: NAME, pid: CID, token: TOKEN },
      detail: `Key (name)=(${NAME}) already exists`,
    });
    const err = new ThGovError('ERR_HTTP', 'The call failed', { cause });
    expectClean(err);
    // What tells what failed stays.
    expect(err.cause).toMatchObject({ name: 'Error', code: 'UND_ERR_RESPONSE', statusCode: 400 });
    expect(JSON.stringify(err)).toContain('UND_ERR_RESPONSE');
  });

  it('a cause of a cause is sanitized too (deep chains)', () => {
    let parse: unknown;
    try {
      JSON.parse(`{"name": "${NAME}", "pid": "${CID}" ${TOKEN}`);
    } catch (e) {
      parse = e;
    }
    const middle = new Error('decode failed', { cause: parse });
    const outer = new TypeError('fetch failed', { cause: Object.assign(middle, { cause: parse }) });
    const deeper = new Error('wrapped', { cause: new Error('again', { cause: parserError() }) });
    expectClean(new ThGovError('ERR_NETWORK', 'The call failed', { cause: outer }));
    expectClean(new HttpError('ERR_NETWORK', 'The call failed', { cause: deeper }));
    const kept = new ThGovError('ERR_NETWORK', 'x', { cause: deeper }).cause as Error;
    expect(((kept.cause as Error).cause as { code?: string }).code).toBe('HPE_INVALID_HEADER_TOKEN');
  });

  it("an AggregateError's errors are sanitized", () => {
    const agg = new AggregateError(
      [parserError(), new Error('second', { cause: parserError() })],
      'all failed',
    );
    const err = new ThGovError('ERR_NETWORK', 'Every address failed', { cause: agg });
    expectClean(err);
    expect(err.cause).toBeInstanceOf(AggregateError);
    expect((err.cause as AggregateError).errors).toHaveLength(2);
  });

  it('a non-error object as the cause of a foreign cause (a response body, claims) is dropped', () => {
    const cause = new Error('unexpected response', { cause: { body: { given_name: NAME, pid: CID } } });
    expectClean(new ThGovError('ERR_HTTP', 'The call failed', { cause }));
  });

  it('invalidArgument and outOfRange sanitize their cause as ThGovError does', () => {
    expectClean(invalidArgument('cannot be sent', undefined, { cause: parserError() }));
  });

  it("an AbortError's reason (kept as a field too) is sanitized like its cause", () => {
    const reason = Object.assign(new Error('stopped'), {
      request: { body: `name=${NAME}&pid=${CID}&t=${TOKEN}` },
    });
    expectClean(new AbortError(reason));
    const plain = new DOMException('stopped', 'AbortError');
    expect(new AbortError(plain).reason).toBe(plain);
  });

  it('a cause that throws when read does not make the error throw', () => {
    const hostile = new Proxy(new Error(NAME), {
      ownKeys: () => {
        throw new Error(NAME);
      },
    });
    expectClean(new ThGovError('ERR_HTTP', 'x', { cause: hostile }));
  });

  it('a harmless cause is kept as it is (identity, class)', () => {
    const plain = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 1,
    });
    expect(new ThGovError('ERR_NETWORK', 'x', { cause: plain }).cause).toBe(plain);
  });

  it("a real response undici cannot parse: HTTPParserError's `data` (the raw bytes) does not reach a log", async () => {
    // llhttp stops at the bad character: undici keeps the bytes from there on as the error's `data`.
    const raw = `HTTP/1.1 200 OK\r\nX-Bad: \u0001 ${NAME} ${CID} ${TOKEN}\r\n\r\n`;
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(Buffer.from(raw, 'utf8')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const t = new Transport({ baseUrl: `http://127.0.0.1:${port}`, retry: false }, PKG);
    try {
      const err = (await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e)) as Error;
      expect(err).toMatchObject({ code: 'ERR_NETWORK' });
      expect((err as Error).cause).toMatchObject({ name: 'HTTPParserError' });
      expectClean(err);
    } finally {
      await t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
