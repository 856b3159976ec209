// Incremental saving attacks: content changed in an update appended after the signature (a new page content
// stream, an open action, objects appended without a cross-reference section) must not pass as signed.
import { describe, expect, it } from 'vitest';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str } from '../../src/pdf/writer.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');

describe('incremental saving attacks against esign signatures', () => {
  it('a page content stream replaced after signing', async () => {
    const bytes = appendUpdate(pdf, ({ next, pageRef, page }) => {
      const n = next();
      return new Map([
        [
          n,
          { stream: Buffer.from('BT /F1 14 Tf 72 760 Td (Approved: 10,000,000 THB) Tj ET'), dict: dict({}) },
        ],
        [pageRef.num, { value: edited(page, { Contents: new PdfRef(n, 0) }) }],
      ]);
    });
    const report = await verify(bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).not.toBe('NONE');
  });

  it('an /OpenAction added to the catalog after signing', async () => {
    const bytes = appendUpdate(pdf, ({ catalog, rootRef }) => {
      const action = dict({ S: name('URI'), URI: str('http://127.0.0.1/') });
      return new Map([[rootRef.num, { value: edited(catalog, { OpenAction: action }) }]]);
    });
    expect((await verify(bytes)).indication).not.toBe('TOTAL_PASSED');
  });

  it('objects appended after %%EOF without a cross-reference section', async () => {
    const tail = Buffer.from('\n99 0 obj\n<< /Type /Page >>\nendobj\n', 'latin1');
    const bytes = new Uint8Array(Buffer.concat([Buffer.from(pdf), tail]));
    expect((await verify(bytes)).indication).not.toBe('TOTAL_PASSED');
  });
});
