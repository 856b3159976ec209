/**
 * `report.attachment` is what a registrar reads as "the transcript file": it names the attachment only when the
 * PDF/A attachment step passed (the file the signature covers, unchanged since). A file replaced after signing, an
 * ambiguous pick or an unsigned one is described in that step's evidence, under its FAILED/INDETERMINATE status,
 * never in the report's top-level field (as EU DSS and pyHanko report a scope next to its verdict, not apart).
 */

import { PdfDocument } from '@thgov/esign';
import { dict, name, type PdfDict, type PdfRef, type PdfStream } from '@thgov/esign/internal';
import { describe, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../../src/index.js';
import { issueGood, SAMPLE_XML, unsignedTranscript, update } from '../fixtures/generate.js';
import { addPageAfXml, attachmentParts, signAsIssuer, unsignedRevision } from '../helpers/attachments.js';
import { createTestPki } from '../helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const genuine = await issueGood(pki);
const FORGED = SAMPLE_XML.replace('3.75', '4.00');

type Report = Awaited<ReturnType<typeof verifyTranscript>>;
const step13 = (r: Report) => r.checks.find((c) => c.id === 'pdfa-attachment');

/** An update after the signature replacing the attachment's bytes with a forged XML (an incremental saving attack). */
function swappedXml(pdf: Uint8Array): Uint8Array {
  const doc = new PdfDocument(pdf);
  const { fileSpec } = attachmentParts(pdf);
  const streamRef = (doc.resolve(fileSpec.get('EF'), doc.last) as PdfDict).get('F') as PdfRef;
  const stream = doc.resolve(streamRef, doc.last) as PdfStream;
  const forged = Buffer.from(FORGED);
  const d = new Map(stream.dict.map);
  for (const k of ['Filter', 'DecodeParms', 'Length']) d.delete(k);
  d.set('Params', dict({ Size: forged.length }));
  d.set('Subtype', name('text/xml'));
  return update(pdf, () => new Map([[streamRef.num, { stream: forged, dict: dict(Object.fromEntries(d)) }]]));
}

describe('report.attachment names only an attachment the PDF/A step passed', () => {
  it('the genuine transcript: set, and equal to what extractTranscript returns', async () => {
    const r = await verifyTranscript(genuine, { trust });
    expect(step13(r)?.status).toBe('PASSED');
    expect(r.attachment).toEqual(expect.objectContaining({ fileName: 'transcript.xml' }));
    expect(r.attachment?.size).toBe(extractTranscript(genuine).xml.length);
  });

  it('the XML replaced after signing: FAILED, no report.attachment; the evidence describes the forged file', async () => {
    const forged = swappedXml(genuine);
    expect(Buffer.from(extractTranscript(forged).xml).toString()).toContain('4.00');
    for (const policy of ['pdf', 'transcript'] as const) {
      const r = await verifyTranscript(forged, { trust, policy });
      expect(r.indication, policy).toBe('TOTAL_FAILED');
      expect(step13(r)?.status, policy).toBe('FAILED');
      expect(r.attachment, policy).toBeUndefined();
      expect(step13(r)?.evidence, policy).toMatchObject({ fileName: 'transcript.xml', size: FORGED.length });
    }
  });

  it('two XML attachments (ambiguous) under the transcript policy: INDETERMINATE, no report.attachment', async () => {
    const { pdf } = addPageAfXml(unsignedRevision(genuine), FORGED, 'transcript-v2.xml');
    const r = await verifyTranscript(await signAsIssuer(pki, pdf), { trust });
    expect(step13(r)?.status).toBe('INDETERMINATE');
    expect(r.attachment).toBeUndefined();
    expect(step13(r)?.evidence).toMatchObject({ fileName: 'transcript.xml' });
  });

  it('an unsigned transcript: no signature covers the XML, no report.attachment', async () => {
    const r = await verifyTranscript(await unsignedTranscript(pki), { trust });
    expect(r.indication).not.toBe('TOTAL_PASSED');
    expect(step13(r)?.status).not.toBe('PASSED');
    expect(r.attachment).toBeUndefined();
  });
});
