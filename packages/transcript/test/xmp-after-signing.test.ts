// The catalog's XMP /Metadata stream replaced after the transcript signature. Acrobat and iText rewrite it on save,
// and the generic PDF policy of @thgov/esign allows that (pyHanko's MetadataUpdateRule), saying so. A transcript is
// an archival PDF/A-3 file whose identification (pdfaid:part, ed:DocumentFileName …) must be what was signed: the
// transcript policy refuses any /Metadata change after the signature (modifications, step 11), and the attachment
// step (13) refuses it under either policy. The XMP values checked and shown as evidence are the signed revision's,
// never the unsigned last one's.
import { PDF_POLICY, PdfDocument, type VerificationReport } from '@thgov/esign';
import { describe, expect, it } from 'vitest';
import { type PdfDict, type PdfRef, PdfRef as Ref } from '../../esign/src/pdf/objects.js';
import { dict, name, type UpdateObject } from '../../esign/src/pdf/writer.js';
import { verifyPdfSignatures as verifyGeneric } from '../../esign/src/verify/verify-pdf.js';
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

const metadataDict = () => dict({ Type: name('Metadata'), Subtype: name('XML') });

/** The signed transcript with one more revision: a new XMP stream the catalog's /Metadata names, nothing else. */
function withReplacedXmp(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const m = next();
    return new Map<number, UpdateObject>([
      [m, { stream: Buffer.from(unsignedXmp, 'utf8'), dict: metadataDict() }],
      [(rootRef as PdfRef).num, { value: edited(catalog, { Metadata: new Ref(m, 0) }) }],
    ]);
  });
}

/** The attack corpus's isa-xmp: the signed XMP object written again as an empty packet (no PDF/A-3 identification). */
function withEmptiedXmp(pdf: Uint8Array): Uint8Array {
  const doc = new PdfDocument(pdf);
  const ref = (doc.catalog(doc.last) as PdfDict).get('Metadata') as PdfRef;
  return appendUpdate(
    pdf,
    () =>
      new Map<number, UpdateObject>([
        [ref.num, { stream: Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'), dict: metadataDict() }],
      ]),
  );
}

const find = (r: VerificationReport, id: string) =>
  [...r.checks, ...r.signatures.flatMap((s) => s.checks)].find((c) => c.id === id);
const shownXmp = (r: VerificationReport) =>
  find(r, 'pdfa-attachment')?.evidence?.xmp as Record<string, unknown> | undefined;

const signed = await issueGood(pki);
const signedReport = await verifyTranscript(signed, { trust: pki.root.cert });

describe('XMP replaced after the transcript signature', () => {
  it('the signed transcript passes and shows its signed XMP (PDF/A-3)', () => {
    expect(signedReport.indication).toBe('TOTAL_PASSED');
    expect(shownXmp(signedReport)?.pdfaPart).toBe(3);
  });

  for (const [what, tamper] of [
    ['a new XMP stream (as Acrobat and iText save)', withReplacedXmp],
    ['the signed XMP emptied in place (isa-xmp)', withEmptiedXmp],
  ] as const) {
    it(`${what}: TOTAL_FAILED under the transcript policy, saying why`, async () => {
      const r = await verifyTranscript(tamper(signed), { trust: pki.root.cert });
      expect(r.indication).toBe('TOTAL_FAILED');
      expect(r.subIndication).toBe('FORMAT_FAILURE');
      expect(r.signatures[0]?.modification).toBe('OTHER');
      const mods = r.signatures[0]?.checks.find((c) => c.id === 'modifications');
      expect(mods?.message).toMatch(/XMP metadata \(\/Metadata\) was replaced after signing/);
      expect(mods?.message).toMatch(/policy allows no metadata change/);
      const step13 = find(r, 'pdfa-attachment');
      expect(step13?.status).toBe('FAILED');
      expect(step13?.message).toMatch(/XMP metadata \(\/Metadata\) changed after the transcript signature/);
    });

    it(`${what}: the checks and evidence read the signed XMP, never the replacement`, async () => {
      const r = await verifyTranscript(tamper(signed), { trust: pki.root.cert });
      expect(shownXmp(r)).toEqual(shownXmp(signedReport));
      expect(JSON.stringify(r)).not.toContain('FORGED-REF');
      expect(JSON.stringify(r)).not.toContain('forged-name.xml');
      expect(JSON.stringify(r)).not.toMatch(/pdfaid:part is (2|missing)/);
    });

    it(`${what}: refused by the attachment step under the pdf policy too`, async () => {
      const r = await verifyTranscript(tamper(signed), { trust: pki.root.cert, policy: 'pdf' });
      // The generic engine allows the update (an LTA-level change, with a warning) ...
      expect(r.signatures[0]?.modification).toBe('LTA_UPDATES');
      // ... the transcript profile does not: its PDF/A-3 identification must be what was signed.
      expect(r.indication).toBe('TOTAL_FAILED');
      expect(find(r, 'pdfa-attachment')?.status).toBe('FAILED');
      expect(r.attachment).toBeUndefined();
    });
  }

  it('/Metadata removed after signing: TOTAL_FAILED, and the signed XMP is still what is shown', async () => {
    const removed = appendUpdate(signed, ({ catalog, rootRef }) => {
      return new Map<number, UpdateObject>([
        [(rootRef as PdfRef).num, { value: edited(catalog, { Metadata: undefined }) }],
      ]);
    });
    const r = await verifyTranscript(removed, { trust: pki.root.cert });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(find(r, 'pdfa-attachment')?.status).toBe('FAILED');
    expect(shownXmp(r)).toEqual(shownXmp(signedReport));
  });

  it('the generic verification of @thgov/esign allows the same file, with a warning', async () => {
    const r = await verifyGeneric(withReplacedXmp(signed), {
      trustAnchors: pki.root.cert,
      policy: PDF_POLICY,
    });
    const mods = r.signatures[0]?.checks.find((c) => c.id === 'modifications');
    expect(r.signatures[0]?.modification).toBe('LTA_UPDATES');
    expect(mods?.status).toBe('PASSED');
    expect(mods?.warnings.join('\n')).toMatch(/XMP metadata \(\/Metadata\) was replaced after signing/);
  });
});
