export interface XmpFields {
  title: string;
  fileName: string;
  documentOid?: string;
  referenceId?: string;
  version?: string;
  createDate: Date;
  /** Mirrors of a caller PDF's Info entries: PDF/A wants every Info entry echoed in XMP. */
  author?: string;
  subject?: string;
  keywords?: string;
}

/** Info `/Producer` and `/Creator` and their XMP twins (pdf:Producer, xmp:CreatorTool). */
export const PRODUCER = '@thgov/transcript';

function esc(s: string): string {
  // XML 1.0 cannot carry C0 controls other than tab and line breaks (a supplied PDF's Info may have them).
  const clean = [...s]
    .filter((c) => c.charCodeAt(0) >= 0x20 || c === '\t' || c === '\n' || c === '\r')
    .join('');
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * XMP packet for PDF/A-3B with the ETDA electronic-document extension schema (prefix `ed`),
 * declared through the PDF/A extension-schema container as ISO 19005 requires for a custom namespace.
 */
export function buildXmp(f: XmpFields): string {
  const iso = f.createDate.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const prop = (n: string, d: string) =>
    `<rdf:li rdf:parseType="Resource"><pdfaProperty:name>${n}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>${d}</pdfaProperty:description></rdf:li>`;
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format><dc:title><rdf:Alt><rdf:li xml:lang="x-default">${esc(f.title)}</rdf:li></rdf:Alt></dc:title>${f.author ? `<dc:creator><rdf:Seq><rdf:li>${esc(f.author)}</rdf:li></rdf:Seq></dc:creator>` : ''}${f.subject ? `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${esc(f.subject)}</rdf:li></rdf:Alt></dc:description>` : ''}</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreateDate>${iso}</xmp:CreateDate><xmp:ModifyDate>${iso}</xmp:ModifyDate><xmp:MetadataDate>${iso}</xmp:MetadataDate><xmp:CreatorTool>${PRODUCER}</xmp:CreatorTool></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>${PRODUCER}</pdf:Producer>${f.keywords ? `<pdf:Keywords>${esc(f.keywords)}</pdf:Keywords>` : ''}</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>ETDA Electronic Document Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>urn:etda:pdfa:ElectronicDocument:1p0:standard#</pdfaSchema:namespaceURI><pdfaSchema:prefix>ed</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>${prop('DocumentFileName', 'Name of the embedded XML file')}${prop('DocumentOID', 'OID of the document type')}${prop('DocumentReferenceID', 'Reference of the document')}${prop('DocumentVersion', 'Version of the document standard')}</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
<rdf:Description rdf:about="" xmlns:ed="urn:etda:pdfa:ElectronicDocument:1p0:standard#"><ed:DocumentFileName>${esc(f.fileName)}</ed:DocumentFileName><ed:DocumentOID>${esc(f.documentOid ?? '')}</ed:DocumentOID><ed:DocumentReferenceID>${esc(f.referenceId ?? '')}</ed:DocumentReferenceID><ed:DocumentVersion>${esc(f.version ?? '1.0')}</ed:DocumentVersion></rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
