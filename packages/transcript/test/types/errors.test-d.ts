// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import {
  type FONT_ERROR_CODES,
  type FontError,
  type FontErrorCode,
  isFontError,
  isTranscriptError,
  type TRANSCRIPT_ERROR_CODES,
  TranscriptError,
  type TranscriptErrorCode,
} from '../../src/index.js';

declare const err: unknown;

expectTypeOf<TranscriptErrorCode>().toEqualTypeOf<keyof typeof TRANSCRIPT_ERROR_CODES>();
expectTypeOf<TranscriptError['code']>().toEqualTypeOf<TranscriptErrorCode>();

if (isTranscriptError(err, 'ERR_PDF_ENCRYPTED')) expectTypeOf(err.code).toEqualTypeOf<'ERR_PDF_ENCRYPTED'>();
if (isTranscriptError(err)) {
  expectTypeOf(err.code).toEqualTypeOf<TranscriptErrorCode>();
  // @ts-expect-error a typo is not a transcript code
  if (err.code === 'ERR_PDF_FORMATT') throw err;
}
// @ts-expect-error a typo is not a transcript code
isTranscriptError(err, 'ERR_PDF_LIMITS');
// @ts-expect-error another package's code
isTranscriptError(err, 'ERR_ECMS_XML');
// @ts-expect-error the constructor takes transcript codes only
new TranscriptError('ERR_HTTP', 'x');

expectTypeOf<FontErrorCode>().toEqualTypeOf<keyof typeof FONT_ERROR_CODES>();
expectTypeOf<FontError['code']>().toEqualTypeOf<FontErrorCode>();
if (isFontError(err, 'ERR_FONT_MISSING_GLYPH'))
  expectTypeOf(err.code).toEqualTypeOf<'ERR_FONT_MISSING_GLYPH'>();
// @ts-expect-error a transcript code is not a font code
isFontError(err, 'ERR_PDF_FORMAT');
