import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  ERROR_CODES,
  HttpError,
  invalidArgument,
  isAbortError,
  isCoreError,
  isHttpError,
  isThGovError,
  isTimeoutError,
  outOfRange,
  ResponseSchemaError,
  ThGovError,
  TimeoutError,
} from '../src/errors.js';
import { completeThaiId } from '../src/identifiers.js';
import { registerSecret, unregisterSecret } from '../src/redact.js';

const CITIZEN = completeThaiId('110370012345');
const SECRET = 'consumer-secret-Zq81xx';
registerSecret(SECRET);
afterAll(() => unregisterSecret(SECRET));

/** Everything a log line could show of an error. */
const everything = (e: unknown) =>
  `${(e as Error).message}\n${JSON.stringify(e)}\n${inspect(e, { depth: 10 })}\n${String(e)}`;

describe('error codes', () => {
  it('lists stable ERR_ codes with a description each', () => {
    const entries = Object.entries(ERROR_CODES);
    expect(entries.length).toBeGreaterThan(10);
    for (const [code, meaning] of entries) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
    for (const code of [
      'ERR_HTTP',
      'ERR_TIMEOUT',
      'ERR_JWS_INVALID',
      'ERR_JWS_REPLAY',
      'ERR_AUDIT_CHAIN',
      'ERR_AUDIT_IO',
      'ERR_THAI_ID',
      'ERR_BE_DATE',
      'ERR_LASER_CODE',
    ]) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
  });

  it('each class carries its code, name and retryability', () => {
    const base = new ThGovError('ERR_NETWORK', 'reset', { retryable: true, hint: 'check the proxy' });
    expect(base).toMatchObject({
      name: 'ThGovError',
      code: 'ERR_NETWORK',
      retryable: true,
      hint: 'check the proxy',
    });
    expect(base).toBeInstanceOf(Error);
    const http = new HttpError('ERR_HTTP', 'HTTP 503', { statusCode: 503, requestId: 'r1', retryable: true });
    expect(http).toMatchObject({ name: 'HttpError', statusCode: 503, requestId: 'r1', retryable: true });
    const timeout = new TimeoutError('headers', 1000);
    expect(timeout).toMatchObject({
      name: 'TimeoutError',
      code: 'ERR_TIMEOUT',
      phase: 'headers',
      timeoutInMs: 1000,
      retryable: true,
    });
    expect(new TimeoutError('total', 5).retryable).toBe(false);
    const abort = new AbortError('stop');
    expect(abort).toMatchObject({
      name: 'AbortError',
      code: 'ERR_ABORTED',
      reason: 'stop',
      retryable: false,
    });
    const schema = new ResponseSchemaError([
      { path: ['a', 0], message: 'Expected string', code: 'invalid_type' },
    ]);
    expect(schema.code).toBe('ERR_RESPONSE_SCHEMA');
    expect(schema.message).toContain('a.0');
  });

  it('argument errors are TypeError/RangeError with a code', () => {
    const t = invalidArgument('bad option');
    expect(t).toBeInstanceOf(TypeError);
    expect(t.code).toBe('ERR_INVALID_ARG');
    expect(invalidArgument('bad id', 'ERR_THAI_ID').code).toBe('ERR_THAI_ID');
    const r = outOfRange('too big');
    expect(r).toBeInstanceOf(RangeError);
    expect(r.code).toBe('ERR_INVALID_ARG');
    expect(invalidArgument(`bad ${CITIZEN} ${SECRET}`).message).not.toMatch(
      new RegExp(`${CITIZEN}|${SECRET}`),
    );
  });
});

describe('redaction of errors', () => {
  it('message, hint, toJSON and util.inspect never show a secret or a citizen ID', () => {
    const err = new HttpError('ERR_HTTP', `failed for ${CITIZEN} with ${SECRET}`, {
      statusCode: 400,
      requestId: 'r-2',
      hint: `the secret ${SECRET} was refused`,
      request: {
        method: 'POST',
        url: 'https://x/a',
        headers: { authorization: `Bearer ${SECRET}`, 'x-note': CITIZEN },
      },
      response: { statusCode: 400, headers: {}, body: `{"pid":"${CITIZEN}"}`, truncated: false },
      cause: new Error(`inner ${SECRET} ${CITIZEN}`),
    });
    const text = everything(err);
    expect(text).not.toContain(CITIZEN);
    expect(text).not.toContain(SECRET);
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'HttpError',
      code: 'ERR_HTTP',
      statusCode: 400,
      requestId: 'r-2',
      retryable: false,
    });
    expect(json.cause).toMatchObject({ name: 'Error' });
    expect(inspect(err)).toContain('ERR_HTTP');
  });

  it('serializes a nested thgov cause and a Node error cause without throwing', () => {
    const inner = new ThGovError('ERR_NETWORK', `socket closed ${CITIZEN}`);
    const outer = new ThGovError('ERR_HTTP', 'outer', { cause: inner });
    expect(JSON.parse(JSON.stringify(outer)).cause).toMatchObject({ code: 'ERR_NETWORK' });
    const nodeError = Object.assign(new TypeError(`Invalid URL ${SECRET}`), { code: 'ERR_INVALID_URL' });
    const wrapped = new ThGovError('ERR_INVALID_CONFIG', 'bad baseUrl', { cause: nodeError });
    const json = JSON.parse(JSON.stringify(wrapped)) as { cause: Record<string, unknown> };
    expect(json.cause).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_URL' });
    expect(everything(wrapped)).not.toContain(SECRET);
    // A look-alike from another copy without toJSON must not break serialization either.
    const lookAlike = Object.assign(new Error('x'), { name: 'HttpError', code: 'ERR_HTTP' });
    expect(() => JSON.stringify(new ThGovError('ERR_HTTP', 'y', { cause: lookAlike }))).not.toThrow();
  });
});

describe('type guards across package copies', () => {
  // What a second installed copy of @thgov/core would define: its own class, the same registered brand.
  class OtherCopyError extends Error {
    readonly code: string;
    constructor(code: string, message: string) {
      super(message);
      this.name = 'ThGovError';
      this.code = code;
      Object.defineProperty(this, Symbol.for('thgov.error'), { value: true });
    }
  }

  it('recognizes own errors, with and without a code argument', () => {
    const e = new HttpError('ERR_HTTP', 'x', { statusCode: 500, requestId: 'r' });
    expect(isThGovError(e)).toBe(true);
    expect(isThGovError(e, 'ERR_HTTP')).toBe(true);
    expect(isThGovError(e, 'ERR_TIMEOUT')).toBe(false);
    expect(isHttpError(e)).toBe(true);
    expect(isHttpError(new ThGovError('ERR_NETWORK', 'x'))).toBe(false);
    expect(isTimeoutError(new TimeoutError('connect', 1))).toBe(true);
    expect(isAbortError(new AbortError())).toBe(true);
    expect(isAbortError(e)).toBe(false);
  });

  it('recognizes an error from a second ThGovError class (another copy)', () => {
    const e = new OtherCopyError('ERR_GDX_AUTH', 'token refused');
    expect(e instanceof ThGovError).toBe(false);
    expect(isThGovError(e)).toBe(true);
    expect(isThGovError(e, 'ERR_GDX_AUTH')).toBe(true);
    expect(isThGovError(e, 'ERR_HTTP')).toBe(false);
  });

  it('recognizes a plain Error that carries a thgov name and code (brand lost, e.g. structured clone)', () => {
    const e = Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ERR_TIMEOUT' });
    expect(isThGovError(e)).toBe(true);
    expect(isTimeoutError(e)).toBe(true);
  });

  it("isCoreError accepts core's codes only, from any copy, and narrows to the code asked for", () => {
    const tls = new HttpError('ERR_TLS', 'x');
    expect(isCoreError(tls)).toBe(true);
    expect(isCoreError(tls, 'ERR_TLS')).toBe(true);
    expect(isCoreError(tls, 'ERR_HTTP')).toBe(false);
    expect(isCoreError(new OtherCopyError('ERR_TIMEOUT', 'x'), 'ERR_TIMEOUT')).toBe(true);
    // Another package's code on the shared base class is a thgov error, but not one of core's.
    expect(isThGovError(new ThGovError('ERR_GDX_AUTH', 'x'))).toBe(true);
    expect(isCoreError(new ThGovError('ERR_GDX_AUTH', 'x'))).toBe(false);
    expect(isCoreError(Object.assign(new RangeError('x'), { code: 'ERR_INVALID_ARG' }))).toBe(false);
    // A code that only looks like a key of the code object through the prototype chain is not one.
    expect(isCoreError(new ThGovError('toString', 'x'))).toBe(false);
  });

  it('does not mistake Node errors, plain objects or primitives for thgov errors', () => {
    let nodeError: unknown;
    try {
      new URL('not a url');
    } catch (e) {
      nodeError = e;
    }
    expect((nodeError as { code?: string }).code).toBe('ERR_INVALID_URL');
    expect(isThGovError(nodeError)).toBe(false);
    expect(isThGovError(Object.assign(new RangeError('x'), { code: 'ERR_OUT_OF_RANGE' }))).toBe(false);
    expect(isThGovError({ name: 'ThGovError', code: 'ERR_HTTP', message: 'x' })).toBe(false);
    expect(isThGovError(Object.assign(new Error('x'), { name: 'ThGovError', code: 42 }))).toBe(false);
    for (const v of [null, undefined, 'ERR_HTTP', 42, {}]) expect(isThGovError(v)).toBe(false);
  });
});

describe('declared error fields (issue 19)', () => {
  it('notSent and retryAfterInMs come from the constructor and are own keys only when set', () => {
    const sent = new HttpError('ERR_NETWORK', 'reset', { retryable: true });
    expect(sent.notSent).toBeUndefined();
    expect(sent.retryAfterInMs).toBeUndefined();
    expect(Object.keys(sent.toJSON())).not.toContain('notSent');
    expect(Object.keys(sent.toJSON())).not.toContain('retryAfterInMs');
    const notSent = new HttpError('ERR_NETWORK', 'refused', { notSent: true, retryAfterInMs: 250 });
    expect(notSent.notSent).toBe(true);
    expect(notSent.retryAfterInMs).toBe(250);
    expect(notSent.toJSON()).toMatchObject({ notSent: true, retryAfterInMs: 250 });
    expect(new ThGovError('ERR_HTTP', 'x', { notSent: false }).notSent).toBeUndefined();
  });

  it('withExchange copies an error with the request context and leaves the original as it was', () => {
    const cause = new Error('inner');
    const original = new HttpError('ERR_RESPONSE_TOO_LARGE', 'too big', {
      cause,
      retryable: false,
      hint: 'raise the limit',
      notSent: true,
    });
    const copy = original.withExchange({ requestId: 'req-1', statusCode: 200, attempt: 2 });
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(HttpError);
    expect(isThGovError(copy, 'ERR_RESPONSE_TOO_LARGE')).toBe(true);
    expect(copy).toMatchObject({
      message: 'too big',
      requestId: 'req-1',
      statusCode: 200,
      attempt: 2,
      retryable: false,
      hint: 'raise the limit',
      notSent: true,
    });
    expect(copy.cause).toBe(cause);
    expect(original.requestId).toBeUndefined();
    expect(original.statusCode).toBeUndefined();
  });

  it('a TimeoutError copy stays a TimeoutError with its phase and limit', () => {
    const t = new TimeoutError('throughput', 5000, { hint: 'slow' });
    const copy = t.withExchange({ requestId: 'req-2', statusCode: 200, attempt: 1 });
    expect(copy).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(copy)).toBe(true);
    expect(copy).toMatchObject({ phase: 'throughput', timeoutInMs: 5000, requestId: 'req-2', hint: 'slow' });
    expect(copy.message).toBe(t.message);
    expect(copy.retryable).toBe(true);
  });

  it('invalidArgument and outOfRange carry their code and cause as declared fields', () => {
    const cause = new Error('circular');
    const e = invalidArgument('cannot be sent as JSON', undefined, { cause });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.code).toBe('ERR_INVALID_ARG');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('TypeError');
    const r = outOfRange('too big', 'ERR_BE_DATE');
    expect(r).toBeInstanceOf(RangeError);
    expect(r.code).toBe('ERR_BE_DATE');
    expect(r.cause).toBeUndefined();
  });
});
