import { expect } from 'vitest';

/** An error as thgov throws them: a stable `code`, maybe a `hint`, and whatever its class adds. */
export type CodedError = Error & { code?: string; hint?: string } & Record<string, unknown>;

/** What {@link caught} gives for a function returning `R`: a promise of the error for async functions. */
export type Caught<R> = [R] extends [never]
  ? CodedError
  : R extends PromiseLike<unknown>
    ? Promise<CodedError>
    : CodedError;

function asError(thrown: unknown): CodedError {
  expect(thrown, 'expected an Error to be thrown').toBeInstanceOf(Error);
  return thrown as CodedError;
}

/**
 * Runs `run` (or awaits a promise) and returns what it threw, failing the test when it did not throw.
 * Synchronous in, synchronous out; a promise or an async function gives a promise.
 *
 * @example
 * ```ts
 * const err = caught(() => parseThaiId('123'));
 * const rejected = await caught(client.call(input));
 * ```
 */
export function caught(run: Promise<unknown>): Promise<CodedError>;
export function caught<R>(run: () => R): Caught<R>;
export function caught(run: () => Promise<unknown>): Promise<CodedError>;
export function caught(run: Promise<unknown> | (() => unknown)): CodedError | Promise<CodedError> {
  let result: unknown;
  if (typeof run === 'function') {
    try {
      result = run();
    } catch (err) {
      return asError(err);
    }
  } else {
    result = run;
  }
  if (result instanceof Promise) {
    return result.then(
      () => expect.fail('expected the call to reject, it resolved'),
      (err: unknown) => asError(err),
    );
  }
  return expect.fail('expected the call to throw, it returned');
}

/**
 * {@link caught}, then checks the error's `code`; returns the error for further checks.
 *
 * @example
 * ```ts
 * expectCode(() => decodeLetter('<x/>'), 'ERR_ECMS_XML');
 * const err = await expectCode(client.lookup(id), 'ERR_GDX_AUTH');
 * expect(err.hint).toContain('Consumer-Key');
 * ```
 */
export function expectCode(run: Promise<unknown>, code: string): Promise<CodedError>;
export function expectCode<R>(run: () => R, code: string): Caught<R>;
export function expectCode(run: () => Promise<unknown>, code: string): Promise<CodedError>;
export function expectCode(
  run: Promise<unknown> | (() => unknown),
  code: string,
): CodedError | Promise<CodedError> {
  const check = (err: CodedError) => {
    expect(err.code, `error code (message: ${err.message})`).toBe(code);
    return err;
  };
  const got: CodedError | Promise<CodedError> = typeof run === 'function' ? caught(run) : caught(run);
  return got instanceof Promise ? got.then(check) : check(got);
}
