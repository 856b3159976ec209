// An incremental update that only replaces the catalog's XMP /Metadata stream after signing is allowed (Acrobat
// and iText rewrite it on save; pyHanko's MetadataUpdateRule). Its values were never signed, so the transcript
// checks (pdfaid:part, ed:DocumentFileName) and the XMP shown as evidence come from the revision the first
// signature covers, not from the unsigned last one.
import { describe, expect, it } from 'vitest';
import { type PdfRef, PdfRef as Ref } from '../../esign/src/pdf/objects.js';
import { dict, name, type UpdateObject } from '../../esign/src/pdf/writer.js';
import { appendUpdate, edited } from '../../esign/test/helpers/tamper.js';
import { verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();

const unsignedXmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>U</pdfaid:conformance></rdf:Description>
<rdf:Description rdf:about="" xmlns:ed="urn:etda:pdfa:ElectronicDocument:1p0:standard#"><ed:DocumentFileName>forged-name.xml</ed:DocumentFileName><ed:DocumentReferenceID>FORGED-REF</ed:DocumentReferenceID></rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;

/** The signed transcript with one more revision: a new XMP stream the catalog's /Metadata names, nothing else. */
function withReplacedXmp(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const m = next();
    return new Map<number, UpdateObject>([
      [
        m,
        {
          stream: Buffer.from(unsignedXmp, 'utf8'),
          dict: dict({ Type: name('Metadata'), Subtype: name('XML') }),
        },
      ],
      [(rootRef as PdfRef).num, { value: edited(catalog, { Metadata: new Ref(m, 0) }) }],
    ]);
  });
}

describe('XMP replaced after signing', () => {
  it('the transcript checks and evidence read the signed XMP, not the unsigned replacement', async () => {
    const signed = await issueGood(pki);
    const before = await verifyTranscript(signed, { trust: pki.root.cert });
    const shown = before.checks.find((c) => c.id === 'pdfa-attachment')?.evidence?.xmp as
      | Record<string, unknown>
      | undefined;
    expect(shown?.pdfaPart).toBe(3);

    const r = await verifyTranscript(withReplacedXmp(signed), { trust: pki.root.cert });
    const check = r.checks.find((c) => c.id === 'pdfa-attachment');
    const xmp = check?.evidence?.xmp as Record<string, unknown> | undefined;
    expect(xmp).toEqual(shown);
    expect(JSON.stringify(r)).not.toContain('FORGED-REF');
    expect(JSON.stringify(r)).not.toContain('forged-name.xml');
    expect(check?.warnings ?? []).not.toContain('XMP ed:DocumentFileName differs from the attachment name');
  });

  it('an unsigned XMP saying PDF/A-2 does not fail a transcript signed as PDF/A-3 (the strict default profile)', async () => {
    const r = await verifyTranscript(withReplacedXmp(await issueGood(pki)), { trust: pki.root.cert });
    expect(JSON.stringify(r)).not.toMatch(/pdfaid:part is 2/);
    const bad = [...r.checks, ...r.signatures.flatMap((x) => x.checks)].filter((c) => c.status !== 'PASSED');
    expect(r.indication, JSON.stringify(bad)).toBe('TOTAL_PASSED');
  });
});
