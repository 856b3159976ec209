import { isThGovError, ThGovError } from '@thgov/core';

/**
 * Stable codes of the font and shaping layer (visible signature appearances here, transcript pages in
 * `@thgov/transcript`, whose issuing wraps them in `ERR_TRANSCRIPT_ISSUE` as the error's `cause`).
 */
export const FONT_ERROR_CODES = {
  ERR_FONT_UNREADABLE: 'The font bytes are not a TrueType/OpenType font that can be shaped and embedded.',
  ERR_FONT_NOT_EMBEDDABLE: 'The font’s licence flags (OS/2 fsType) forbid embedding it in a document.',
  ERR_FONT_MISSING_GLYPH: 'The font has no glyph for some characters of the text to show.',
  ERR_FONT_BUNDLED: 'The bundled Sarabun font is missing or its bytes are not the pinned ones.',
  ERR_FONT_DEPENDENCY:
    'Drawing text needs the optional peer dependencies harfbuzzjs (shaping) and @expo-google-fonts/sarabun (the default face); the message names the one that is not installed.',
} as const;

/** The codes a `FontError` may carry. */
export type FontErrorCode = keyof typeof FONT_ERROR_CODES;

/** A failure of the font layer; messages never contain the text being shown (names are personal data). */
export class FontError extends ThGovError<FontErrorCode> {
  constructor(code: FontErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
    this.name = 'FontError';
  }
}

/**
 * True for a {@link FontError}, also one from another installed copy of the package (checked by the thgov
 * brand and the name, not `instanceof`). With `code`, also checks the code and narrows `err.code` to it.
 *
 * @example
 * ```ts
 * if (isFontError(err.cause, 'ERR_FONT_MISSING_GLYPH')) console.error('the font lacks a character of the name');
 * ```
 */
export function isFontError<C extends FontErrorCode = FontErrorCode>(
  value: unknown,
  code?: C,
): value is FontError & { readonly code: C } {
  return isThGovError(value, code) && value.name === 'FontError';
}
