// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import {
  type DIGITAL_ID_ERROR_CODES,
  DigitalIdError,
  type DigitalIdErrorCode,
  type DigitalIdTransportErrorCode,
  isDigitalIdError,
} from '../../src/index.js';

declare const err: unknown;

expectTypeOf<DigitalIdErrorCode>().toEqualTypeOf<keyof typeof DIGITAL_ID_ERROR_CODES>();
expectTypeOf<DigitalIdError['code']>().toEqualTypeOf<DigitalIdErrorCode | DigitalIdTransportErrorCode>();

if (isDigitalIdError(err, 'ERR_DIGITAL_ID_STATE_EXPIRED'))
  expectTypeOf(err.code).toEqualTypeOf<'ERR_DIGITAL_ID_STATE_EXPIRED'>();
if (isDigitalIdError(err, 'ERR_TIMEOUT')) expectTypeOf(err.code).toEqualTypeOf<'ERR_TIMEOUT'>();
if (isDigitalIdError(err)) {
  expectTypeOf(err.oauthError).toEqualTypeOf<string | undefined>();
  // @ts-expect-error a typo is not a digital-ID code
  if (err.code === 'ERR_DIGITAL_ID_STATE_EXPIRD') throw err;
}
// @ts-expect-error a typo is not a digital-ID code
isDigitalIdError(err, 'ERR_DIGITAL_ID_NONCE');
// @ts-expect-error another package's code
isDigitalIdError(err, 'ERR_GDX_AUTH');
// @ts-expect-error the constructor takes the class's codes only
new DigitalIdError('ERR_HTTP', 'x');
