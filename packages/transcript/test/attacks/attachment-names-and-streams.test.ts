/**
 * Attack classes: (1) names the document chooses, reaching the report. The attachment's AFRelationship and file
 * name are whatever the PDF says — of any length, holding a student's citizen ID or name — and the report is
 * what agencies log: they are shown bounded and redacted, in messages, evidence and `report.attachment`.
 * (2) One attachment, two files: which XML a reader takes differs between readers, so every candidate the
 * file's structure offers counts, never only the one this package reads.
 */
import { completeThaiId } from '@thgov/core';
import { PdfDocument } from '@thgov/esign';
import {
  dict,
  name,
  type PdfDict,
  type PdfObject,
  PdfRef,
  str,
  type UpdateObject,
} from '@thgov/esign/internal';
import { describe, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../../src/index.js';
import { isXmlAttachment, listEmbeddedFiles, pickTranscript } from '../../src/verify/attachment.js';
import { issueGood, SAMPLE_XML, update } from '../fixtures/generate.js';
import { attachmentParts, signAsIssuer, unsignedRevision, withEntries } from '../helpers/attachments.js';
import { createTestPki } from '../helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const base = unsignedRevision(await issueGood(pki));
const ID = completeThaiId('110370012345');

/** The transcript's file specification with `changes`, signed as the issuer signs. */
function signedWithSpec(changes: Record<string, PdfObject | undefined>): Promise<Uint8Array> {
  const { fileSpecRef, fileSpec } = attachmentParts(base);
  const pdf = update(base, () => new Map([[fileSpecRef.num, { value: withEntries(fileSpec, changes) }]]));
  return signAsIssuer(pki, pdf);
}

const attachmentCheck = (r: Awaited<ReturnType<typeof verifyTranscript>>) =>
  r.checks.find((c) => c.id === 'pdfa-attachment');

// One hostile file specification (every name long and holding a citizen ID) and one plain one, each signed once.
const LONG_REL = `Student${ID}${'A'.repeat(20_000)}`;
const LONG_FILE = `${ID}-${'n'.repeat(20_000)}.xml`;
const hostile = await signedWithSpec({
  AFRelationship: name(LONG_REL),
  UF: str(LONG_FILE),
  F: str(LONG_FILE),
});
const ID_FILE = `transcript-${ID}.xml`;
const plain = await signedWithSpec({ UF: str(ID_FILE), F: str(ID_FILE) });

describe('names the document chose, in the report', () => {
  it('a 20,000-character AFRelationship holding a citizen ID: shown shortened and redacted', async () => {
    const r = await verifyTranscript(hostile, { trust });
    expect(r.indication).toBe('INDETERMINATE');
    const check = attachmentCheck(r)!;
    expect(check.message).toMatch(/^AFRelationship \/Student.+… is not allowed$/);
    expect(check.message.length).toBeLessThan(200);
    expect(String(check.evidence?.relationship).length).toBeLessThan(200);
  });

  it('a 20,000-character file name holding a citizen ID: shortened and redacted in the report', async () => {
    const r = await verifyTranscript(hostile, { trust });
    expect(String(attachmentCheck(r)?.evidence?.fileName).length).toBeLessThan(300);
    const json = JSON.stringify(r);
    expect(json).not.toContain(ID);
    expect(json).not.toContain('A'.repeat(300));
    expect(json).not.toContain('n'.repeat(300));
  });

  it('a plain file name holding a citizen ID: the report verifies without it; extractTranscript returns it as is', async () => {
    const r = await verifyTranscript(plain, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.attachment?.fileName).toMatch(/^transcript-.+\.xml$/);
    expect(JSON.stringify(r)).not.toContain(ID);
    expect(extractTranscript(plain).fileName).toBe(ID_FILE);
  });
});

/**
 * One file specification, two embedded streams: /EF /UF and /EF /F. Readers differ on which one is "the" file
 * (pdf.js and qpdf take /UF, poppler — Evince, Okular, pdfdetach — takes /F), so the XML a registrar opens could
 * be another than the one verified: an ambiguous transcript, as two XML attachments are.
 */
describe('an /EF whose /F and /UF are different streams', () => {
  /** The transcript's /EF with its /F replaced by a new stream holding `xml`, signed as the issuer signs. */
  function signedWithSecondStream(xml: string): Promise<Uint8Array> {
    const { fileSpecRef, fileSpec } = attachmentParts(base);
    const ef = fileSpec.get('EF') as PdfDict;
    const pdf = update(base, ({ next }) => {
      const num = next();
      const bytes = Buffer.from(xml);
      const streamDict = dict({
        Type: name('EmbeddedFile'),
        Subtype: name('text/xml'),
        Params: dict({ Size: bytes.length }),
      });
      return new Map<number, UpdateObject>([
        [num, { stream: bytes, dict: streamDict }],
        [
          fileSpecRef.num,
          { value: withEntries(fileSpec, { EF: withEntries(ef, { F: new PdfRef(num, 0) }) }) },
        ],
      ]);
    });
    return signAsIssuer(pki, pdf);
  }

  it('holding another XML: ambiguous, never TOTAL_PASSED under the transcript policy; a warning under pdf', async () => {
    const pdf = await signedWithSecondStream(SAMPLE_XML.replace('3.75', '4.00'));
    const r = await verifyTranscript(pdf, { trust });
    expect(r.indication).toBe('INDETERMINATE');
    expect(attachmentCheck(r)?.message).toMatch(/\/F and \/UF/);
    const generic = await verifyTranscript(pdf, { trust, policy: 'pdf' });
    expect(generic.indication).toBe('TOTAL_PASSED');
    expect(attachmentCheck(generic)?.warnings.join('\n')).toMatch(/\/F and \/UF/);
  });

  it('holding the same bytes: not ambiguous', async () => {
    const r = await verifyTranscript(await signedWithSecondStream(SAMPLE_XML), { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
  });
});

describe('an /EmbeddedFiles name tree with the transcript name twice (guard)', () => {
  it('both files are candidates: two XML attachments, the catalog /AF one picked', () => {
    const { fileSpecRef, fileSpec } = attachmentParts(base);
    const pdf = update(base, ({ next, catalog, rootRef }) => {
      const streamNum = next();
      const specNum = next();
      const forged = Buffer.from(SAMPLE_XML.replace('3.75', '4.00'));
      const ef = dict({ F: new PdfRef(streamNum, 0), UF: new PdfRef(streamNum, 0) });
      const names = [str('transcript.xml'), new PdfRef(specNum, 0), str('transcript.xml'), fileSpecRef];
      return new Map<number, UpdateObject>([
        [
          streamNum,
          { stream: forged, dict: dict({ Type: name('EmbeddedFile'), Subtype: name('text/xml') }) },
        ],
        [specNum, { value: withEntries(fileSpec, { EF: ef }) }],
        [
          rootRef.num,
          { value: withEntries(catalog, { Names: dict({ EmbeddedFiles: dict({ Names: names }) }) }) },
        ],
      ]);
    });
    const doc = new PdfDocument(pdf);
    const xmls = listEmbeddedFiles(doc, doc.last).filter(isXmlAttachment);
    expect(xmls).toHaveLength(2);
    expect(pickTranscript(xmls)?.fileSpecNum).toBe(fileSpecRef.num);
  });
});
