/**
 * Characters a terminal acts on instead of showing: C0 controls (CR returns to the line start, ESC starts
 * cursor and erase sequences, BEL…), DEL, C1 controls (U+009B is a one-character CSI on many terminals),
 * and the bidirectional overrides, embeddings, isolates and marks that reorder what is shown. Line and
 * paragraph separators are in the set because some terminals break the line at them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_LINES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  return `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * Text from outside (a signer name in an untrusted PDF, a file name, a server's error body) made safe to print
 * on a terminal: every control character becomes a visible `\uXXXX`, so a name carrying `\r\x1b[2K` cannot
 * erase the row it sits in or paint a fake one. The escape is also JSON's, so JSON text passed through keeps
 * its meaning. `keepLines` leaves line feeds and tabs alone, for whole messages whose lines the CLI itself
 * laid out; table cells and single fields keep nothing.
 *
 * @example
 * ```ts
 * escapeControls('Evil\r\u001b[2KTOTAL_PASSED'); // 'Evil\\u000d\\u001b[2KTOTAL_PASSED'
 * ```
 */
export function escapeControls(text: string, options: { keepLines?: boolean } = {}): string {
  const pattern = options.keepLines ? UNSAFE_IN_LINES : UNSAFE;
  return text.replace(pattern, visible);
}
