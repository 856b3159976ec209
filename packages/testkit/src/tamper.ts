/**
 * A copy of `bytes` with the bits of `mask` flipped at `offset` (a negative offset counts from the end):
 * the smallest forgery, for tests that must see a signature or a hash chain break.
 *
 * @example
 * ```ts
 * const forged = flipByte(signedPdf, 200);
 * expect((await verifyPdfSignatures(forged, { trust })).indication).toBe('TOTAL_FAILED');
 * ```
 */
export function flipByte(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const at = offset < 0 ? bytes.length + offset : offset;
  if (!Number.isInteger(at) || at < 0 || at >= bytes.length)
    throw new RangeError(`offset ${offset} is outside the ${bytes.length} bytes`);
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at]! ^ mask) & 0xff;
  return copy;
}

/**
 * A copy of `text` with the first `find` replaced, failing loudly when `find` is not there (a tamper that
 * silently changed nothing would make the test pass for the wrong reason).
 *
 * @example
 * ```ts
 * const forged = replaceOnce(signedXml, '<Subject>', '<Subject>URGENT ');
 * ```
 */
export function replaceOnce(text: string, find: string, replacement: string): string {
  const at = text.indexOf(find);
  if (at === -1) throw new Error(`tamper target not found: ${JSON.stringify(find.slice(0, 60))}`);
  return text.slice(0, at) + replacement + text.slice(at + find.length);
}
