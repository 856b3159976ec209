/**
 * Characters a terminal acts on instead of showing, or shows as nothing: C0 controls (CR returns to the line
 * start, ESC starts cursor and erase sequences, BEL…), DEL, C1 controls (U+009B is a one-character CSI on many
 * terminals), and every format character (Unicode category Cf): the bidirectional overrides, embeddings, isolates
 * and marks that reorder what is shown, and the invisible ones — zero-width space and joiners, word joiner,
 * byte order mark, soft hyphen, tag characters — that make two different names look the same. Line and paragraph
 * separators are in the set because some terminals break the line at them. Thai vowels and tone marks are
 * combining marks (Mn), not format characters: Thai text prints as it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;
/** Cells and fields: the backslash too, so a name holding the text `\u001b` cannot pass for an escaped ESC. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_OR_BACKSLASH = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

/** `\uXXXX` for each UTF-16 code unit (a pair of them beyond the BMP): JSON's escape, so JSON text keeps its value. */
function visible(ch: string): string {
  if (ch === '\\') return '\\\\';
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * Text from outside (a signer name in an untrusted PDF, a file name, a server's error body) made safe to print
 * on a terminal: every control and format character becomes a visible `\uXXXX`, so a name carrying `\r\x1b[2K`
 * cannot erase the row it sits in or paint a fake one, and a zero-width character cannot hide. A table cell or
 * single field also gets its backslashes doubled, so the escapes it shows are unambiguous: a file literally named
 * `b\u001b[2K.pdf` prints as `b\\u001b[2K.pdf`, one with a real ESC as `b\u001b[2K.pdf`. `keepLines` (whole
 * messages whose lines the CLI itself laid out, and JSON) leaves line feeds, tabs and backslashes alone: the
 * escape is JSON's, so JSON text passed through keeps its meaning.
 *
 * @example
 * ```ts
 * escapeControls('Evil\r\u001b[2KTOTAL_PASSED'); // 'Evil\\u000d\\u001b[2KTOTAL_PASSED'
 * ```
 */
export function escapeControls(text: string, options: { keepLines?: boolean } = {}): string {
  const pattern = options.keepLines ? UNSAFE_IN_LINES : UNSAFE_OR_BACKSLASH;
  return text.replace(pattern, visible);
}

/** Every match of `pattern` (a global regular expression) shown as `\uXXXX`, as `escapeControls` shows them. */
export function showAsEscapes(text: string, pattern: RegExp): string {
  return text.replace(pattern, visible);
}
