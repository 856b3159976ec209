// Shadow attacks (Mainka et al., 2021): an annotation or overlay added after signing that changes what the
// reader sees. Anything beyond what the signature's DocMDP permissions allow must be flagged.
import { describe, expect, it } from 'vitest';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str } from '../../src/pdf/writer.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');
const certified = await signedFixture('B-T', 2);

function withAnnotation(base: Uint8Array, subtype: string): Uint8Array {
  return appendUpdate(base, ({ next, pageRef, page, doc }) => {
    const n = next();
    const annots = doc.resolve(page.get('Annots'), doc.last);
    const annot = dict({
      Type: name('Annot'),
      Subtype: name(subtype),
      Rect: [50, 700, 545, 800],
      Contents: str('Amount: 10,000,000 THB'),
      P: pageRef,
    });
    return new Map([
      [n, { value: annot }],
      [
        pageRef.num,
        { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
      ],
    ]);
  });
}

describe('shadow attacks against esign signatures', () => {
  it.each(['FreeText', 'Square'])(
    'a %s overlay after a certification (DocMDP P=2) fails',
    async (subtype) => {
      const report = await certified.verify(withAnnotation(certified.pdf, subtype));
      expect(report.indication).not.toBe('TOTAL_PASSED');
    },
  );

  it('after an approval signature (no DocMDP) the overlay is allowed by PDF rules but reported, never hidden', async () => {
    const report = await verify(withAnnotation(pdf, 'FreeText'));
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
    expect(report.signatures[0]?.coverage).not.toBe('ENTIRE_FILE');
  });
});
