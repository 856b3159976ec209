// Signing is an incremental update: a PDF/A-3 input keeps its XMP metadata and output intent, byte for byte,
// and the catalog of the signed file still points at them.
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { decodeStream } from '../src/pdf/filters.js';
import { PdfRef, type PdfStream } from '../src/pdf/objects.js';
import { serialize } from '../src/pdf/writer.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { createSigningPki, signerFor } from './helpers/pki.js';

const XMP = `<?xpacket begin="\u00ef\u00bb\u00bf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

async function pdfa3Like(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595, 842]);
  page.drawText('PDF/A-3 letter', {
    x: 72,
    y: 760,
    size: 14,
    font: await doc.embedFont(StandardFonts.Helvetica),
  });
  const meta = doc.context.register(doc.context.stream(XMP, { Type: 'Metadata', Subtype: 'XML' }));
  doc.catalog.set(PDFName.of('Metadata'), meta);
  const intent = doc.context.obj({ Type: 'OutputIntent', S: 'GTS_PDFA1', OutputConditionIdentifier: 'sRGB' });
  doc.catalog.set(PDFName.of('OutputIntents'), doc.context.obj([intent]));
  return doc.save({ useObjectStreams: false });
}

describe('PDF/A-3 inputs', () => {
  it('keep their XMP and output intent after a B-T signature', async () => {
    const pki = await createSigningPki();
    const input = await pdfa3Like();
    const signed = await signPdf(input, {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const before = new PdfDocument(input);
    const after = new PdfDocument(signed);
    const catBefore = before.catalog(before.last)!;
    const catAfter = after.catalog(after.last)!;
    const metaRef = catAfter.get('Metadata');
    expect(metaRef).toBeInstanceOf(PdfRef);
    expect((metaRef as PdfRef).num).toBe((catBefore.get('Metadata') as PdfRef).num);
    const xmp = decodeStream(after.resolve(metaRef, after.last) as PdfStream, after.budget);
    expect(Buffer.from(xmp).toString('latin1')).toContain('<pdfaid:part>3</pdfaid:part>');
    const intents = (d: PdfDocument) => serialize(d.resolve(d.catalog(d.last)!.get('OutputIntents'), d.last));
    expect(intents(after)).toContain('/S /GTS_PDFA1');
    expect(intents(after)).toBe(intents(before));
  });
});
