/**
 * The PDF/A-3 attachment as other issuers' tools write it. Each file is a genuine transcript from this package's
 * issuer, changed before it is signed, and must verify: a Thai /UF with an ASCII /F fallback, a name-tree key that
 * is not the file name, an attachment reachable only through /AF, and the XMP PDF/A marker written as an
 * attribute in single quotes or under another prefix.
 */
import { dict, PdfRef, str } from '@thgov/esign/internal';
import { describe, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../src/index.js';
import { issueGood, update } from './fixtures/generate.js';
import {
  attachmentParts,
  editCatalog,
  editPage,
  signAsIssuer,
  unsignedRevision,
  utf16Text,
  withEntries,
  withXmp,
} from './helpers/attachments.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const base = unsignedRevision(await issueGood(pki));
const parts = attachmentParts(base);
const THAI_FILE = 'ใบแสดงผลการศึกษา.xml';

const attachmentCheck = (r: Awaited<ReturnType<typeof verifyTranscript>>) =>
  r.checks.find((c) => c.id === 'pdfa-attachment');

describe('attachment names', () => {
  it('a Thai /UF with an ASCII /F fallback verifies; /UF is the name reported', async () => {
    const pdf = update(
      base,
      () =>
        new Map([
          [
            parts.fileSpecRef.num,
            { value: withEntries(parts.fileSpec, { F: str('transcript.xml'), UF: utf16Text(THAI_FILE) }) },
          ],
        ]),
    );
    const r = await verifyTranscript(await signAsIssuer(pki, pdf), { trust });
    expect(r.indication, attachmentCheck(r)?.message).toBe('TOTAL_PASSED');
    expect(r.attachment?.fileName).toBe(THAI_FILE);
    expect(attachmentCheck(r)?.warnings?.join(' ')).toMatch(/\/F/);
  });

  it('an EmbeddedFiles name-tree key that is not the file name (0001) verifies, with a warning', async () => {
    const pdf = update(base, ({ catalog, rootRef, next }) => {
      const treeNum = next();
      return new Map([
        [treeNum, { value: dict({ EmbeddedFiles: dict({ Names: [str('0001'), parts.fileSpecRef] }) }) }],
        [rootRef.num, { value: withEntries(catalog, { Names: new PdfRef(treeNum, 0) }) }],
      ]);
    });
    const r = await verifyTranscript(await signAsIssuer(pki, pdf), { trust });
    expect(r.indication, attachmentCheck(r)?.message).toBe('TOTAL_PASSED');
    expect(r.attachment?.fileName).toBe('transcript.xml');
    expect(attachmentCheck(r)?.warnings?.join(' ')).toMatch(/name tree/);
  });
});

describe('an attachment reachable only through /AF', () => {
  it('catalog /AF without /Names/EmbeddedFiles verifies, and extractTranscript finds it', async () => {
    const signed = await signAsIssuer(pki, editCatalog(base, { Names: undefined }));
    const r = await verifyTranscript(signed, { trust });
    expect(r.indication, attachmentCheck(r)?.message).toBe('TOTAL_PASSED');
    expect(r.attachment?.fileName).toBe('transcript.xml');
    expect(Buffer.from(extractTranscript(signed).xml).toString()).toContain('<GPA>3.75</GPA>');
  });

  it('page /AF only is found (not SIGNED_DATA_NOT_FOUND); the catalog /AF rule still applies', async () => {
    const pdf = editPage(editCatalog(base, { Names: undefined, AF: undefined }), { AF: [parts.fileSpecRef] });
    const signed = await signAsIssuer(pki, pdf);
    const r = await verifyTranscript(signed, { trust });
    expect(attachmentCheck(r)?.subIndication).not.toBe('SIGNED_DATA_NOT_FOUND');
    expect(attachmentCheck(r)?.evidence?.fileName).toBe('transcript.xml');
    expect(r.checks.find((c) => c.id === 'xml')?.status).toBe('PASSED');
    // Not in the catalog /AF is a transcript-policy rule, unchanged; the generic policy passes it.
    expect(attachmentCheck(r)?.message).toMatch(/catalog \/AF/);
    expect((await verifyTranscript(signed, { trust, policy: 'pdf' })).indication).toBe('TOTAL_PASSED');
  });

  it('the same file specification in /Names, the catalog /AF and a page /AF is one attachment', async () => {
    const signed = await signAsIssuer(pki, editPage(base, { AF: [parts.fileSpecRef] }));
    const r = await verifyTranscript(signed, { trust });
    expect(r.indication, attachmentCheck(r)?.message).toBe('TOTAL_PASSED');
    expect(attachmentCheck(r)?.warnings ?? []).not.toContainEqual(expect.stringMatching(/ambiguous/));
  });
});

describe('the XMP PDF/A identification', () => {
  const variants: [string, (xmp: string) => string][] = [
    [
      "an attribute in single quotes (pdfaid:part='3')",
      (x) =>
        x
          .replace('<pdfaid:part>3</pdfaid:part>', '')
          .replace(
            'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            "xmlns:pdfaid='http://www.aiim.org/pdfa/ns/id/' pdfaid:part='3'",
          ),
    ],
    [
      'an attribute in double quotes',
      (x) =>
        x
          .replace('<pdfaid:part>3</pdfaid:part>', '')
          .replace('xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"', '$& pdfaid:part="3"'),
    ],
    [
      'the namespace bound to another prefix',
      (x) => x.replace(/pdfaid:/g, 'pdfa:').replace(/xmlns:pdfaid=/g, 'xmlns:pdfa='),
    ],
    [
      'another prefix, as an attribute with spaces around "="',
      (x) =>
        x
          .replace('<pdfaid:part>3</pdfaid:part>', '')
          .replace(
            'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            'xmlns:id = "http://www.aiim.org/pdfa/ns/id/" id:part = "3"',
          ),
    ],
  ];
  it.each(variants)('%s verifies', async (_name, edit) => {
    const xmp = edit(parts.xmp);
    expect(xmp).not.toBe(parts.xmp);
    const r = await verifyTranscript(await signAsIssuer(pki, withXmp(base, xmp)), { trust });
    expect(r.indication, attachmentCheck(r)?.message).toBe('TOTAL_PASSED');
    expect(attachmentCheck(r)?.evidence?.xmp).toMatchObject({ pdfaPart: 3 });
  });

  it('pdfaid:part 2 is still reported, whatever the form', async () => {
    const xmp = parts.xmp.replace('<pdfaid:part>3</pdfaid:part>', '<pdfaid:part>2</pdfaid:part>');
    const r = await verifyTranscript(await signAsIssuer(pki, withXmp(base, xmp)), { trust });
    expect(r.indication).toBe('INDETERMINATE');
    expect(attachmentCheck(r)?.message).toMatch(/pdfaid:part is 2/);
    const generic = await verifyTranscript(await signAsIssuer(pki, withXmp(base, xmp)), {
      trust,
      policy: 'pdf',
    });
    expect(generic.indication).toBe('TOTAL_PASSED');
  });

  it('a part in another namespace under the pdfaid prefix is not taken for PDF/A', async () => {
    const xmp = parts.xmp
      .replace('<pdfaid:part>3</pdfaid:part>', '')
      .replace(
        'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
        'xmlns:pdfaid="urn:not-pdfa" pdfaid:part="3"',
      );
    const r = await verifyTranscript(await signAsIssuer(pki, withXmp(base, xmp)), { trust });
    expect(attachmentCheck(r)?.message).toMatch(/pdfaid:part is missing/);
  });

  it('ed:DocumentFileName under another prefix is read', async () => {
    const xmp = parts.xmp.replace(/ed:/g, 'etda:').replace('xmlns:ed=', 'xmlns:etda=');
    const r = await verifyTranscript(await signAsIssuer(pki, withXmp(base, xmp)), { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(attachmentCheck(r)?.evidence?.xmp).toMatchObject({ documentFileName: 'transcript.xml' });
  });
});
