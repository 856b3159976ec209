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
