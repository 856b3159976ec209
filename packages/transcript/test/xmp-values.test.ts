/**
 * The ETDA `ed:` and `pdfaid:` values read from the XMP packet are XML text: `&amp;`, `&lt;` and character
 * references stand for characters, and a property inside an XML comment is no property. The issuer escapes what it
 * writes, so what `issueTranscript` was given must be what `extractTranscript` and the report read back.
 */
import { describe, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../src/index.js';
import { issueTranscript } from '../src/issue.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { attachmentParts, signAsIssuer, unsignedRevision, withXmp } from './helpers/attachments.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const base = unsignedRevision(await issueGood(pki));
const parts = attachmentParts(base);

describe('XMP values round-trip', () => {
  it('a reference ID and version with &, < and > read back as issued', async () => {
    const document = { referenceId: 'R&D <2568/001>', version: '1.0 "draft" & final', oid: '2.16.764.1' };
    const pdf = await issueTranscript({
      xml: SAMPLE_XML,
      signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
      revocation: { crls: [pki.crlCa, pki.crlRoot] },
      tsa: pki.tsaFn,
      signingTime: pki.now,
      document,
    });
    expect(extractTranscript(pdf).xmp).toMatchObject({
      referenceId: document.referenceId,
      version: document.version,
      documentOid: document.oid,
    });
    const r = await verifyTranscript(pdf, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    const evidence = r.checks.find((c) => c.id === 'pdfa-attachment')?.evidence;
    expect(evidence?.xmp).toMatchObject({ referenceId: document.referenceId });
  });

  it('character references (a Thai reference ID written as &#x...;) and attribute values are decoded', async () => {
    const xmp = parts.xmp
      .replace(/<ed:DocumentReferenceID>[^<]*<\/ed:DocumentReferenceID>/, '')
      .replace(
        'xmlns:ed="urn:etda:pdfa:ElectronicDocument:1p0:standard#"',
        '$& ed:DocumentReferenceID="&#x0E17;&#3626;-&#x0E51;&amp;2"',
      );
    const pdf = await signAsIssuer(pki, withXmp(base, xmp));
    expect(extractTranscript(pdf).xmp?.referenceId).toBe('ทส-๑&2');
  });

  it('a property inside an XML comment is not read: the real one is', async () => {
    const xmp = parts.xmp
      .replace(
        '<pdfaid:part>3</pdfaid:part>',
        '<!-- <pdfaid:part>3</pdfaid:part> --><pdfaid:part>2</pdfaid:part>',
      )
      .replace(
        '<ed:DocumentFileName>',
        '<!-- <ed:DocumentFileName>other.xml</ed:DocumentFileName> --><ed:DocumentFileName>',
      );
    const pdf = await signAsIssuer(pki, withXmp(base, xmp));
    expect(extractTranscript(pdf).xmp).toMatchObject({ pdfaPart: 2, documentFileName: 'transcript.xml' });
    const r = await verifyTranscript(pdf, { trust });
    expect(r.checks.find((c) => c.id === 'pdfa-attachment')?.message).toMatch(/pdfaid:part is 2/);
  });

  it('a file name with & in /UF and in the XMP gives no name-mismatch warning', async () => {
    const { utf16Text, withEntries } = await import('./helpers/attachments.js');
    const { update } = await import('./fixtures/generate.js');
    const { str } = await import('@thgov/esign/internal');
    const named = update(base, () => {
      const { fileSpecRef, fileSpec } = attachmentParts(base);
      return new Map([
        [fileSpecRef.num, { value: withEntries(fileSpec, { UF: utf16Text('R&D.xml'), F: str('R&D.xml') }) }],
      ]);
    });
    const xmp = parts.xmp.replace(/<ed:DocumentFileName>[^<]*</, '<ed:DocumentFileName>R&amp;D.xml<');
    const pdf = await signAsIssuer(pki, withXmp(named, xmp));
    const r = await verifyTranscript(pdf, { trust });
    const check = r.checks.find((c) => c.id === 'pdfa-attachment');
    expect(check?.status).toBe('PASSED');
    expect(check?.warnings?.join(' ')).not.toMatch(/DocumentFileName differs/);
  });
});
