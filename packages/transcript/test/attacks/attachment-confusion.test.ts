/**
 * Attack class: which XML is the transcript. Now that file specifications are also collected from the catalog's
 * and the pages' /AF, a second XML added through a page /AF — before the signature, or in an update after it —
 * must not become the verified transcript, nor be ignored as if the document carried one: exactly one XML, and
 * the one in the signed revision, as with /Names/EmbeddedFiles.
 */
import { dict, name, PdfRef, str, type UpdateObject } from '@thgov/esign/internal';
import { describe, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../../src/index.js';
import { issueGood, SAMPLE_XML, update } from '../fixtures/generate.js';
import {
  addPageAfXml,
  attachmentParts,
  editCatalog,
  signAsIssuer,
  unsignedRevision,
  withEntries,
} from '../helpers/attachments.js';
import { createTestPki } from '../helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const genuine = await issueGood(pki);
const base = unsignedRevision(genuine);
const FORGED = SAMPLE_XML.replace('3.75', '4.00');

const attachmentCheck = (r: Awaited<ReturnType<typeof verifyTranscript>>) =>
  r.checks.find((c) => c.id === 'pdfa-attachment');

describe('a second XML through a page /AF', () => {
  it('added before signing: two XML attachments, ambiguous — never TOTAL_PASSED under the transcript policy', async () => {
    const { pdf } = addPageAfXml(base, FORGED, 'transcript-v2.xml');
    const signed = await signAsIssuer(pki, pdf);
    const r = await verifyTranscript(signed, { trust });
    expect(r.indication).toBe('INDETERMINATE');
    expect(attachmentCheck(r)?.message).toMatch(/2 XML attachments/);
    // The catalog /AF one stays the transcript checked and extracted, not the page's; the step did not pass, so
    // its evidence (not report.attachment) names it.
    expect(attachmentCheck(r)?.evidence?.fileName).toBe('transcript.xml');
    expect(r.attachment).toBeUndefined();
    expect(Buffer.from(extractTranscript(signed).xml).toString()).toContain('3.75');
  });

  it('added with the same file name as the genuine one: still two, still ambiguous', async () => {
    const { pdf } = addPageAfXml(base, FORGED, 'transcript.xml');
    const r = await verifyTranscript(await signAsIssuer(pki, pdf), { trust });
    expect(r.indication).toBe('INDETERMINATE');
    expect(attachmentCheck(r)?.message).toMatch(/2 XML attachments/);
  });

  it('added in an update after the signature: the document was changed, under both policies', async () => {
    const { pdf } = addPageAfXml(genuine, FORGED, 'transcript-v2.xml');
    for (const policy of ['pdf', 'transcript'] as const) {
      const r = await verifyTranscript(pdf, { trust, policy });
      expect(r.indication, policy).not.toBe('TOTAL_PASSED');
    }
  });

  it('the only XML, in a page /AF added after the signature (the genuine one unlinked): not the signed attachment', async () => {
    const unlinked = editCatalog(genuine, { Names: undefined, AF: undefined });
    const { pdf } = addPageAfXml(unlinked, FORGED, 'transcript.xml');
    for (const policy of ['pdf', 'transcript'] as const) {
      const r = await verifyTranscript(pdf, { trust, policy });
      expect(r.indication, policy).not.toBe('TOTAL_PASSED');
    }
  });

  it('the page /AF XML listed in the catalog /AF too, before signing: two XMLs, ambiguous', async () => {
    const { pdf, num } = addPageAfXml(base, FORGED, 'transcript-v2.xml');
    const { fileSpecRef } = attachmentParts(base);
    const { PdfRef } = await import('@thgov/esign/internal');
    const both = editCatalog(pdf, { AF: [new PdfRef(num, 0), fileSpecRef] });
    const r = await verifyTranscript(await signAsIssuer(pki, both), { trust });
    expect(r.indication).toBe('INDETERMINATE');
    expect(attachmentCheck(r)?.message).toMatch(/2 XML attachments/);
  });
});

/**
 * Adds an XML file specification with AFRelationship `relationship` before the transcript's own (which stays
 * /Alternative) in the catalog /AF and in /Names/EmbeddedFiles: two XML attachments, the first not /Alternative.
 */
function addCatalogAfXmlFirst(pdf: Uint8Array, xml: string, fileName: string, relationship: string) {
  const { fileSpecRef } = attachmentParts(pdf);
  return update(pdf, ({ next, catalog, rootRef }) => {
    const streamNum = next();
    const specNum = next();
    const bytes = Buffer.from(xml);
    return new Map<number, UpdateObject>([
      [
        streamNum,
        {
          stream: bytes,
          dict: dict({
            Type: name('EmbeddedFile'),
            Subtype: name('text/xml'),
            Params: dict({ Size: bytes.length }),
          }),
        },
      ],
      [
        specNum,
        {
          value: dict({
            Type: name('Filespec'),
            F: str(fileName),
            UF: str(fileName),
            EF: dict({ F: new PdfRef(streamNum, 0), UF: new PdfRef(streamNum, 0) }),
            AFRelationship: name(relationship),
          }),
        },
      ],
      [
        rootRef.num,
        {
          value: withEntries(catalog, {
            AF: [new PdfRef(specNum, 0), fileSpecRef],
            Names: dict({
              EmbeddedFiles: dict({
                Names: [str(fileName), new PdfRef(specNum, 0), str('transcript.xml'), fileSpecRef],
              }),
            }),
          }),
        },
      ],
    ]);
  });
}

describe('the XML that verification checks is the XML extractTranscript returns', () => {
  // The /Alternative transcript is malformed; a well-formed /Data XML sits before it in the catalog /AF. Under the
  // generic policy the ambiguity is only a warning, so which one the XML step checks decides the verdict.
  const malformed = SAMPLE_XML.replace('</GPA>', '</Gpa>');

  it('signed with two XMLs in /AF, under both policies: the checked attachment is the extracted one', async () => {
    const base = unsignedRevision(await issueGood(pki, { xml: malformed }));
    const signed = await signAsIssuer(pki, addCatalogAfXmlFirst(base, SAMPLE_XML, 'data.xml', 'Data'));
    const extracted = extractTranscript(signed);
    expect(extracted.fileName).toBe('transcript.xml');
    for (const policy of ['pdf', 'transcript'] as const) {
      const r = await verifyTranscript(signed, { trust, policy });
      expect(attachmentCheck(r)?.evidence?.fileName, policy).toBe(extracted.fileName);
      expect(attachmentCheck(r)?.evidence?.size, policy).toBe(extracted.xml.length);
      // The extracted XML is malformed: no policy may pass it.
      expect(r.checks.find((c) => c.id === 'xml')?.status, policy).toBe('FAILED');
      expect(r.indication, policy).not.toBe('TOTAL_PASSED');
    }
  });
});
