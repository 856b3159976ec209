// A linearized file's parameter dictionary (first object, /Linearized) and its hint stream (found by the /H
// byte offset) are referred to by nothing: structural, like XRef and ObjStm streams, so a policy refusing
// shadow signals takes a signed linearized file. The label must not hide anything else: a /Linearized dictionary
// that is not the file's first object, a stream not at /H, or one defined in a later revision stays unreferenced.
import { describe, expect, it } from 'vitest';
import { QPDF_FIXTURES, readFixture } from '../../../transcript/test/fixtures/qpdf-fixtures.js';
import { PdfDocument } from '../../src/pdf/document.js';
import { dict, name } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import { shadowSignals } from '../../src/verify/shadow.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, signerFor } from '../helpers/pki.js';
import { appendUpdate } from '../helpers/tamper.js';

const pki = await createSigningPki();
const REFUSE = { ...PDF_POLICY, name: 'strict-shadow', shadowSignals: 'refuse' as const };
const sign = (pdf: Uint8Array) =>
  signPdf(pdf, {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName: 'Officer',
  });
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls }, policy: REFUSE });

const HINT = 'stream\nhint-table-bytes\nendstream';
const HIDDEN = 'stream\nBT /F1 24 Tf 72 700 Td (GPA 4.00) Tj ET\nendstream';

/**
 * A one-page PDF from object bodies in file order (`[num, body]`), with a classic xref table; `{H}` in a body is
 * replaced by the offset of object `hintAt` (padded, so offsets do not move).
 */
function build(objects: [number, string][], hintAt?: number): Uint8Array {
  const render = (h: number) => {
    let out = '%PDF-1.7\n%\xbf\xf7\xa2\xfe\n';
    const offsets = new Map<number, number>();
    for (const [num, body] of objects) {
      offsets.set(num, out.length);
      out += `${num} 0 obj\n${body.replace('{H}', String(h).padStart(6, '0'))}\nendobj\n`;
    }
    const size = Math.max(...objects.map(([n]) => n)) + 1;
    let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let i = 1; i < size; i++)
      xref += offsets.has(i)
        ? `${String(offsets.get(i)).padStart(10, '0')} 00000 n \n`
        : '0000000000 65535 f \n';
    out += `${xref}trailer\n<< /Size ${size} /Root 3 0 R >>\nstartxref\n${out.length}\n%%EOF\n`;
    return { out, offsets };
  };
  const first = render(0);
  const bytes = hintAt === undefined ? first.out : render(first.offsets.get(hintAt)!).out;
  return new Uint8Array(Buffer.from(bytes, 'latin1'));
}

const CATALOG: [number, string][] = [
  [3, '<< /Type /Catalog /Pages 4 0 R >>'],
  [4, '<< /Type /Pages /Kids [5 0 R] /Count 1 >>'],
  [5, '<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] >>'],
];
const LIN = '<< /Linearized 1 /L 9999 /H [ {H} 40 ] /O 5 /E 900 /N 1 /T 800 >>';
const unreferenced = (pdf: Uint8Array) =>
  shadowSignals(new PdfDocument(pdf), new PdfDocument(pdf).last).unreferenced;

describe.each([
  ['classic xref tables', QPDF_FIXTURES.linearizedLetter],
  ['object streams', QPDF_FIXTURES.linearizedObjectStreamsLetter],
])('a linearized file (%s) under a policy refusing shadow signals', (_, file) => {
  it('has no unreferenced object, and passes once signed', async () => {
    const input = readFixture(file);
    expect(unreferenced(input)).toEqual([]);
    const report = await verify(await sign(input));
    const shadow = report.signatures[0]?.checks.find((c) => c.id === 'shadow-signals');
    expect(shadow?.status).toBe('PASSED');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('a stream hung nowhere, added after the linearized revision, is still unreferenced', () => {
    const input = readFixture(file);
    const pdf = appendUpdate(
      input,
      ({ next }) => new Map([[next(), { value: dict({ Linearized: 1, Type: name('X') }) }]]),
    );
    expect(unreferenced(pdf)).toHaveLength(1);
  });
});

describe('what the linearization label does not hide', () => {
  it('the genuine layout: dictionary first, hint stream at /H; a further hidden stream is unreferenced', () => {
    const pdf = build(
      [[1, LIN], [2, `<< /S 36 /Length 16 >>\n${HINT}`], [6, `<< /Length 40 >>\n${HIDDEN}`], ...CATALOG],
      2,
    );
    expect(unreferenced(pdf)).toEqual([6]);
  });

  it('a /Linearized dictionary that is not the first object is unreferenced, and so is its "hint" stream', () => {
    const pdf = build([...CATALOG, [1, LIN], [2, `<< /S 36 /Length 16 >>\n${HINT}`]], 2);
    expect(unreferenced(pdf).sort()).toEqual([1, 2]);
  });

  it('a stream carrying /Linearized is no linearization dictionary, even first', () => {
    const pdf = build(
      [
        [1, `<< /Linearized 1 /H [ {H} 40 ] /Length 40 >>\n${HIDDEN}`],
        [2, `<< /Length 16 >>\n${HINT}`],
        ...CATALOG,
      ],
      2,
    );
    expect(unreferenced(pdf).sort()).toEqual([1, 2]);
  });

  it('a stream /H does not point at stays unreferenced', () => {
    const pdf = build(
      [[1, LIN], [2, `<< /Length 16 >>\n${HINT}`], [6, `<< /Length 40 >>\n${HIDDEN}`], ...CATALOG],
      6,
    );
    expect(unreferenced(pdf)).toEqual([2]);
  });
});
