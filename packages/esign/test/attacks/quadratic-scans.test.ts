// Attack class: input whose reading costs the square (or cube) of its length, in synchronous code. The PDF
// parser's number pattern (`\d+\.?\d*`) split a long digit token both ways; the linearization probe's lazy gaps
// between overlapping digit classes took cubic time on a header of digits. A hostile PDF handed to a verifier
// held the process for seconds to minutes. Each case runs in its own process with a time limit, so a
// hang fails the test instead of blocking the run; the limit is generous (a linear read of these takes
// milliseconds).
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `verifyPdfSignatures` of the latin1 bytes `expression` builds: the error code or the signature count. */
function verifyIn(expression: string): unknown {
  return runScriptInChild(
    `
    const { verifyPdfSignatures } = await import('./src/index.ts');
    const bytes = new Uint8Array(Buffer.from(${expression}, 'latin1'));
    try {
      const report = await verifyPdfSignatures(bytes);
      console.log(JSON.stringify({ signatures: report.signatures.length }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.code ?? String(e) }));
    }
  `,
    { cwd: packageDir },
  );
}

/** A one-object PDF whose trailer carries `extra` (the parser reads every token of it). */
const pdfWithTrailer = (extra: string) => `(() => {
  const head = '%PDF-1.7\\n1 0 obj\\n<< /Type /Catalog >>\\nendobj\\n';
  const xref = head.length;
  return head + 'xref\\n0 2\\n0000000000 65535 f \\n0000000009 00000 n \\ntrailer\\n<< /Size 2 /Root 1 0 R /X ' + ${extra} + ' >>\\nstartxref\\n' + xref + '\\n%%EOF\\n';
})()`;

describe('a hostile PDF is read in linear time', () => {
  it.each([
    ['a 300,000-digit number token and a stray letter', `'0'.repeat(300_000) + 'x'`],
    ['a 300,000-digit number token with a point', `'1'.repeat(300_000) + '.' + '2'.repeat(300_000) + 'x'`],
  ])('%s', (_name, token) => {
    const out = verifyIn(pdfWithTrailer(token));
    expect(out, 'verification did not end within 30 s').toBeDefined();
    expect(out).toEqual({ signatures: 0 });
  });

  it('a header of digits (the linearization probe) is answered, many times over', () => {
    // 200 files in one process: a fifth of a second each before, about 40 s in all.
    const out = runScriptInChild(
      `
      const { PdfDocument } = await import('./src/pdf/document.ts');
      const text = '%PDF-' + '1'.repeat(1019) + '\\nstartxref\\n0\\n%%EOF\\n';
      const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
      const codes = new Set();
      for (let i = 0; i < 200; i++) {
        try { new PdfDocument(bytes); codes.add('opened'); } catch (e) { codes.add(e.code ?? String(e)); }
      }
      console.log(JSON.stringify([...codes]));
    `,
      { cwd: packageDir },
    );
    expect(out, 'opening the files did not end within 30 s').toBeDefined();
    expect(out).toEqual(['ERR_PDF_FORMAT']);
  });
});
