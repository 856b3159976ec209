// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import { type EXCHANGE_ERROR_CODES, type ExchangeErrorCode, GdxError, isGdxError } from '../../src/index.js';

declare const err: unknown;

// Derived from the code object, so a code added there is part of the union without touching this file.
expectTypeOf<ExchangeErrorCode>().toEqualTypeOf<keyof typeof EXCHANGE_ERROR_CODES>();
expectTypeOf<GdxError['code']>().toEqualTypeOf<ExchangeErrorCode>();

if (isGdxError(err, 'ERR_GDX_BUSINESS')) {
  expectTypeOf(err.code).toEqualTypeOf<'ERR_GDX_BUSINESS'>();
  expectTypeOf(err.providerCode).toEqualTypeOf<string | undefined>();
}
if (isGdxError(err)) {
  expectTypeOf(err).toEqualTypeOf<GdxError & { readonly code: ExchangeErrorCode }>();
  // @ts-expect-error a typo is not an exchange code
  if (err.code === 'ERR_GDX_AUHT') throw err;
}
// @ts-expect-error a typo is not an exchange code
isGdxError(err, 'ERR_GDX_AUHT');
// @ts-expect-error a transport code is not a GdxError's (use isThGovError or isHttpError for those)
isGdxError(err, 'ERR_TIMEOUT');
// @ts-expect-error the constructor takes exchange codes only
new GdxError('ERR_HTTP', 'x', { envelope: 'status' });
