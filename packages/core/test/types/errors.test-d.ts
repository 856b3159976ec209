// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import {
  type AbortError,
  type CoreErrorCode,
  type ERROR_CODES,
  HttpError,
  isCoreError,
  isThGovError,
  type ResponseSchemaError,
  type ThGovError,
  type TimeoutError,
} from '../../src/index.js';

declare const err: unknown;

expectTypeOf<CoreErrorCode>().toEqualTypeOf<keyof typeof ERROR_CODES>();
expectTypeOf<TimeoutError['code']>().toEqualTypeOf<'ERR_TIMEOUT'>();
expectTypeOf<AbortError['code']>().toEqualTypeOf<'ERR_ABORTED'>();
expectTypeOf<ResponseSchemaError['code']>().toEqualTypeOf<'ERR_RESPONSE_SCHEMA'>();
// Subclasses in other packages narrow the base: every one is still a ThGovError and an HttpError.
expectTypeOf<TimeoutError>().toMatchTypeOf<HttpError>();
expectTypeOf<HttpError<'ERR_TLS'>>().toMatchTypeOf<ThGovError>();

if (isThGovError(err, 'ERR_TLS')) expectTypeOf(err.code).toEqualTypeOf<'ERR_TLS'>();
if (isCoreError(err, 'ERR_RETRY_BUDGET')) expectTypeOf(err.code).toEqualTypeOf<'ERR_RETRY_BUDGET'>();
if (isCoreError(err)) {
  expectTypeOf(err.code).toEqualTypeOf<CoreErrorCode>();
  // @ts-expect-error a typo is not one of core's codes
  if (err.code === 'ERR_TIMEOUTT') throw err;
}
// @ts-expect-error a typo is not one of core's codes
isCoreError(err, 'ERR_NETWROK');
// @ts-expect-error another package's code is not core's
isCoreError(err, 'ERR_GDX_AUTH');
// @ts-expect-error an error class only takes the codes it declares
new HttpError<CoreErrorCode>('ERR_GDX_AUTH', 'x');

// Issue 19: the fields transport and retry talk through are declared on the class, so renaming one side fails
// to compile. notSent and retryAfterInMs are readonly (constructor options); retryBudgetExhausted is written
// by the retry loop.
declare const thgov: ThGovError;
expectTypeOf(thgov.notSent).toEqualTypeOf<true | undefined>();
expectTypeOf(thgov.retryAfterInMs).toEqualTypeOf<number | undefined>();
expectTypeOf(thgov.retryBudgetExhausted).toEqualTypeOf<boolean | undefined>();
// @ts-expect-error notSent is set through the constructor only
thgov.notSent = true;
// @ts-expect-error retryAfterInMs is set through the constructor only
thgov.retryAfterInMs = 1;
// @ts-expect-error a misspelt field is not declared
thgov.notsent;
declare const http: HttpError<'ERR_HTTP'>;
declare const timeout: TimeoutError;
// A copy with the exchange's context keeps the class and the code union.
expectTypeOf(http.withExchange({ requestId: 'r' })).toEqualTypeOf<HttpError<'ERR_HTTP'>>();
expectTypeOf(timeout.withExchange({ statusCode: 200 })).toEqualTypeOf<TimeoutError>();
// @ts-expect-error requestId and statusCode are readonly: use withExchange()
http.requestId = 'r';
// @ts-expect-error withExchange takes the exchange's context only
http.withExchange({ requestID: 'r' });
