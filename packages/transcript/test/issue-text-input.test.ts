/**
 * Text that issueTranscript writes into the PDF's Info dictionary and XMP packet (title, institution, names, the
 * ETDA document fields). A string that is not well-formed Unicode (a lone surrogate, as a UTF-16 slice of an
 * emoji or a supplementary CJK name leaves it) or that holds a character XML forbids (U+FFFE, U+FFFF) cannot be
 * written faithfully: the XMP would not be XML, or would differ from Info (PDF/A wants them equal), and text
 * would be lost silently. Such input is refused up front, without echoing it.
 */
import { inspect } from 'node:util';
import { PdfDocument } from '@thgov/esign';
import { decodeStream, PdfStream } from '@thgov/esign/internal';
import { expectCode as rejects } from '@thgov/testkit';
import { PDFDocument as LibPdf } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/index.js';
import { type IssueTranscriptInput, issueTranscript } from '../src/issue.js';
import { parseXmlSafely } from '../src/xml/check-xml.js';
import { SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const ownPdf = await (async () => {
  const d = await LibPdf.create({ updateMetadata: false });
  d.addPage();
  return d.save();
})();

function input(extra: Partial<IssueTranscriptInput>): IssueTranscriptInput {
  return {
    xml: SAMPLE_XML,
    signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
    revocation: { crls: [pki.crlCa, pki.crlRoot] },
    tsa: pki.tsaFn,
    signingTime: pki.now,
    ...extra,
  };
}

function xmpText(pdf: Uint8Array): string {
  const doc = new PdfDocument(pdf);
  const md = doc.resolve(doc.catalog(doc.last)?.get('Metadata'), doc.last);
  if (!(md instanceof PdfStream)) throw new Error('no XMP');
  return new TextDecoder().decode(decodeStream(md, doc.budget));
}

describe('issueTranscript text that goes into Info and XMP', () => {
  const MARK = 'Zq7';
  const cases: [string, Partial<IssueTranscriptInput>][] = [
    ['a lone high surrogate in the title of a caller PDF', { pdf: ownPdf, title: `${MARK}\uD83Dx` }],
    ['a lone low surrogate in the reference ID', { document: { referenceId: `${MARK}\uDE00x` } }],
    ['U+FFFF in the document OID', { document: { oid: `1.2.${MARK}\uFFFF` } }],
    ['U+FFFE in the document version', { document: { version: `1.${MARK}\uFFFE` } }],
    ['U+FFFF in the title of a caller PDF', { pdf: ownPdf, title: `${MARK}\uFFFF` }],
    // XML 1.0 cannot carry these: the XMP writer used to drop them, so the XMP said other than the caller gave.
    ['a C0 control character in the reference ID', { document: { referenceId: `${MARK}\u0001x` } }],
    ['a NUL in the document OID', { document: { oid: `1.2.${MARK}\u0000` } }],
    ['an escape character in the document version', { document: { version: `1.${MARK}\u001B` } }],
  ];
  it.each(cases)('%s: ERR_INVALID_ARG, the text not echoed', async (_name, extra) => {
    const err = await rejects(issueTranscript(input(extra)), 'ERR_INVALID_ARG');
    for (const s of [err.message, JSON.stringify(err), inspect(err)]) expect(s).not.toContain(MARK);
  });

  it('Thai with combining marks, zero-width and bidi characters: XMP is XML, its title equals Info, and it verifies', async () => {
    const title = 'ใบแสดงผลการศึกษา\u200B ก\u0E34\u0E49 e\u0301 \u202Bאב\u202C 𠀀';
    const pdf = await issueTranscript(
      input({ pdf: ownPdf, title, document: { referenceId: 'ทส-๒๕๖๘/๐๐๑', oid: '2.16.764.1.4.100.21.1.1' } }),
    );
    const xmp = xmpText(pdf);
    expect(() => parseXmlSafely(xmp.replace(/^<\?xpacket[^>]*\?>/, ''), 64)).not.toThrow();
    expect(xmp).toContain(title);
    expect(xmp).toContain('ทส-๒๕๖๘/๐๐๑');
    const lib = await LibPdf.load(pdf, { updateMetadata: false });
    expect(lib.getTitle()).toBe(title);
    expect((await verifyTranscript(pdf, { trust: [pki.root.cert] })).indication).toBe('TOTAL_PASSED');
  });
});
