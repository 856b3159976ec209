/**
 * A forger's smallest change: one byte inside the embedded transcript XML's stream (a grade, a name),
 * which lies in the signed byte range. Structure, xref and signature dictionary stay intact, so only the
 * cryptographic check can notice.
 */
export function tamperTranscript(pdf: Uint8Array): Uint8Array {
  const copy = new Uint8Array(pdf);
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const file = text.indexOf('/Type /EmbeddedFile');
  const stream = file === -1 ? -1 : text.indexOf('stream', file);
  // Without an embedded file (not a transcript), change a byte in the first quarter of the file.
  const at = stream === -1 ? Math.floor(copy.length / 4) : stream + 'stream'.length + 16;
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}
