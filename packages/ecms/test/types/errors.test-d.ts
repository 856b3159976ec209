// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import {
  type ECMS_ERROR_CODES,
  EcmsError,
  type EcmsErrorCode,
  type EcmsFaultError,
  isEcmsError,
} from '../../src/index.js';

declare const err: unknown;

expectTypeOf<EcmsErrorCode>().toEqualTypeOf<keyof typeof ECMS_ERROR_CODES>();
expectTypeOf<EcmsError['code']>().toEqualTypeOf<EcmsErrorCode>();
expectTypeOf<EcmsFaultError['code']>().toEqualTypeOf<'ERR_ECMS_FAULT'>();
expectTypeOf<EcmsFaultError>().toMatchTypeOf<EcmsError>();

if (isEcmsError(err, 'ERR_ECMS_UNTRUSTED_SIGNER'))
  expectTypeOf(err.code).toEqualTypeOf<'ERR_ECMS_UNTRUSTED_SIGNER'>();
if (isEcmsError(err)) {
  expectTypeOf(err.code).toEqualTypeOf<EcmsErrorCode>();
  // @ts-expect-error a typo is not an e-CMS code
  if (err.code === 'ERR_ECMS_SIGNATUR') throw err;
}
// @ts-expect-error a typo is not an e-CMS code
isEcmsError(err, 'ERR_ECMS_FAUT');
// @ts-expect-error another package's code
isEcmsError(err, 'ERR_PDF_FORMAT');
// @ts-expect-error the constructor takes e-CMS codes only
new EcmsError('ERR_HTTP', 'x');
