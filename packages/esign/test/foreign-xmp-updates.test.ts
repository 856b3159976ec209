// Acrobat and iText rewrite the catalog's XMP /Metadata stream when they save a signed file (xmp:MetadataDate,
// xmp:ModifyDate, pdfaid): an incremental update that replaces that stream — as a new object the catalog points
// to, or the same object written again — and changes nothing else. pyHanko's difference analysis allows it
// (MetadataUpdateRule, an LTA-level update) when both streams are well-formed XML. The generic policy does too,
// and says so (a warning of the `modifications` check); a policy with `metadataUpdates: 'refuse'` (the transcript
// policy) does not. A /Metadata that is no XML, is filtered, too large, declares a DOCTYPE or entities (never
// expanded here), points at an object the signed revision holds, or comes with any other change (a page, an
// annotation, the form, another object, a catalog key), stays judged as that change is.
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { type PdfDict, type PdfObject, PdfRef } from '../src/pdf/objects.js';
import { dict, name, type UpdateObject } from '../src/pdf/writer.js';
import { PDF_POLICY, type VerificationPolicy } from '../src/verify/policy.js';
import type { CheckResult, VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki } from './helpers/pki.js';
import { appendUpdate, edited, signAsOfficer } from './helpers/tamper.js';

const pki = await createSigningPki();

const xmp = (date: string, part = '3') =>
  `<?xpacket begin="\u00ef\u00bb\u00bf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmp:MetadataDate="${date}">
   <xmp:ModifyDate>${date}</xmp:ModifyDate>
   <pdfaid:part>${part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>
   <!-- written by a test -->
   <xmp:CreatorTool><![CDATA[Acrobat & co <tm>]]></xmp:CreatorTool>
   <xmp:Label>R&amp;D &#x0E01;&#3585;</xmp:Label>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
${' '.repeat(200)}
<?xpacket end="w"?>`;

const metadataDict = () => dict({ Type: name('Metadata'), Subtype: name('XML') });

/** A one-page letter whose catalog carries an XMP /Metadata stream, as a PDF/A file does. */
async function letterWithXmp(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595, 842]);
  page.drawText('Official letter 1/2569', {
    x: 72,
    y: 760,
    font: await doc.embedFont(StandardFonts.Helvetica),
  });
  const meta = doc.context.register(
    doc.context.stream(xmp('2026-01-05T10:00:00+07:00'), { Type: 'Metadata', Subtype: 'XML' }),
  );
  doc.catalog.set(PDFName.of('Metadata'), meta);
  return doc.save({ useObjectStreams: false });
}

function verify(pdf: Uint8Array, policy?: VerificationPolicy): Promise<VerificationReport> {
  return verifyPdfSignatures(pdf, {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
    ...(policy ? { policy } : {}),
  });
}

/** The first signature's `modifications` check. */
function modifications(report: VerificationReport): CheckResult | undefined {
  return report.signatures[0]?.checks.find((c) => c.id === 'modifications');
}

const REPLACED = /XMP metadata \(\/Metadata\) was replaced after signing/;

/** The catalog's /Metadata reference in the last revision. */
function metadataRef(pdf: Uint8Array): PdfRef {
  const doc = new PdfDocument(pdf);
  return doc.catalog(doc.last)!.get('Metadata') as PdfRef;
}

/** An update writing `body` as a new stream the catalog's /Metadata names (`catalogChanges` besides). */
function newMetadata(
  pdf: Uint8Array,
  body: string,
  catalogChanges: Record<string, unknown> = {},
  streamDict: () => PdfDict = metadataDict,
): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const m = next();
    return new Map<number, UpdateObject>([
      [m, { stream: Buffer.from(body, 'latin1'), dict: streamDict() }],
      [
        rootRef.num,
        {
          value: edited(catalog, {
            Metadata: new PdfRef(m, 0),
            ...(catalogChanges as Record<string, never>),
          }),
        },
      ],
    ]);
  });
}

/** An update writing the catalog's /Metadata stream object again with `body`. */
function sameMetadata(pdf: Uint8Array, body: string): Uint8Array {
  const ref = metadataRef(pdf);
  return appendUpdate(
    pdf,
    () =>
      new Map<number, UpdateObject>([
        [ref.num, { stream: Buffer.from(body, 'latin1'), dict: metadataDict() }],
      ]),
  );
}

/** An update replacing the XMP stream (as a new object) and writing `others` besides. */
function xmpAnd(
  pdf: Uint8Array,
  others: (ctx: Parameters<Parameters<typeof appendUpdate>[1]>[0]) => [number, UpdateObject][],
  catalogChanges: Record<string, PdfObject | undefined> = {},
): Uint8Array {
  return appendUpdate(pdf, (ctx) => {
    const m = ctx.next();
    const body = Buffer.from(xmp('2026-02-01T09:30:00+07:00'), 'latin1');
    return new Map<number, UpdateObject>([
      [m, { stream: body, dict: metadataDict() }],
      [ctx.rootRef.num, { value: edited(ctx.catalog, { Metadata: new PdfRef(m, 0), ...catalogChanges }) }],
      ...others(ctx),
    ]);
  });
}

const signed = await signAsOfficer(pki, await letterWithXmp());
const certified = await signAsOfficer(pki, await letterWithXmp(), 'B-T', 1);
const REFUSE: VerificationPolicy = { ...PDF_POLICY, name: 'no-metadata-updates', metadataUpdates: 'refuse' };

describe('an XMP /Metadata stream replaced after signing (Acrobat, iText) is an LTA-level update', () => {
  it('as a new object the catalog points to, with a warning that says so', async () => {
    const report = await verify(newMetadata(signed, xmp('2026-02-01T09:30:00+07:00')));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('LTA_UPDATES');
    expect(modifications(report)?.warnings.join('\n')).toMatch(REPLACED);
  });

  it('as the same object written again', async () => {
    const report = await verify(sameMetadata(signed, xmp('2026-02-01T09:30:00+07:00')));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('LTA_UPDATES');
    expect(modifications(report)?.warnings.join('\n')).toMatch(REPLACED);
  });

  it('after a certification that allows no changes (P=1), as pyHanko allows it', async () => {
    const report = await verify(sameMetadata(certified, xmp('2026-02-01T09:30:00+07:00', '2')));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('LTA_UPDATES');
  });

  it('an unchanged signed file says nothing about XMP', async () => {
    const report = await verify(signed);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(modifications(report)?.warnings.join('\n')).not.toMatch(REPLACED);
  });
});

describe("a policy with metadataUpdates: 'refuse'", () => {
  for (const [what, tamper] of [
    ['as a new object', (p: Uint8Array) => newMetadata(p, xmp('2026-02-01T09:30:00+07:00'))],
    [
      'as the same object written again',
      (p: Uint8Array) => sameMetadata(p, xmp('2026-02-01T09:30:00+07:00')),
    ],
  ] as const) {
    it(`fails an XMP replacement ${what}, saying why`, async () => {
      const report = await verify(tamper(signed), REFUSE);
      expect(report.indication).toBe('TOTAL_FAILED');
      expect(report.subIndication).toBe('FORMAT_FAILURE');
      expect(report.signatures[0]?.modification).toBe('OTHER');
      expect(modifications(report)?.message).toMatch(REPLACED);
      expect(modifications(report)?.message).toMatch(/policy allows no metadata change/);
    });
  }

  it('still passes the unchanged signed file', async () => {
    expect((await verify(signed, REFUSE)).indication).toBe('TOTAL_PASSED');
  });
});

const BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol3;</x:xmpmeta>`;

/** Well-formed XMP larger than any packet (padding inside the packet, as Acrobat pads, 1.1 MB). */
const OVERSIZED = xmp('2026-02-01T09:30:00+07:00').replace(' '.repeat(200), ' '.repeat(1_100_000));

const flateDict = () => dict({ Type: name('Metadata'), Subtype: name('XML'), Filter: name('FlateDecode') });

const hostile: [string, (pdf: Uint8Array) => Uint8Array][] = [
  [
    'a /Metadata stream that is a content stream, not XML',
    (p) => newMetadata(p, 'BT /F1 24 Tf (Paid) Tj ET'),
  ],
  ['the same object rewritten as a content stream', (p) => sameMetadata(p, 'BT /F1 24 Tf (Paid) Tj ET')],
  ['an entity bomb', (p) => newMetadata(p, BOMB)],
  [
    'a DOCTYPE without entities',
    (p) =>
      sameMetadata(
        p,
        '<!DOCTYPE x:xmpmeta SYSTEM "http://127.0.0.1:1/x.dtd"><x:xmpmeta xmlns:x="adobe:ns:meta/"/>',
      ),
  ],
  ['an undeclared entity', (p) => newMetadata(p, '<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol;</x:xmpmeta>')],
  [
    'XML that is not well-formed',
    (p) => newMetadata(p, '<x:xmpmeta xmlns:x="adobe:ns:meta/"><a></b></x:xmpmeta>'),
  ],
  ['two root elements', (p) => newMetadata(p, '<a/><b/>')],
  ['an XMP packet larger than 1 MiB', (p) => newMetadata(p, OVERSIZED)],
  [
    'a Flate-compressed stream hiding a content stream',
    (p) =>
      appendUpdate(p, ({ catalog, rootRef, next }) => {
        const m = next();
        const body = deflateSync(Buffer.from('BT /F1 24 Tf (Paid) Tj ET'));
        return new Map<number, UpdateObject>([
          [m, { stream: body, dict: flateDict() }],
          [rootRef.num, { value: edited(catalog, { Metadata: new PdfRef(m, 0) }) }],
        ]);
      }),
  ],
  [
    'a Flate-compressed XMP packet (a replacement must be plain, as PDF/A asks of metadata streams)',
    (p) =>
      appendUpdate(p, ({ catalog, rootRef, next }) => {
        const m = next();
        const body = deflateSync(Buffer.from(xmp('2026-02-01T09:30:00+07:00'), 'latin1'));
        return new Map<number, UpdateObject>([
          [m, { stream: body, dict: flateDict() }],
          [rootRef.num, { value: edited(catalog, { Metadata: new PdfRef(m, 0) }) }],
        ]);
      }),
  ],
  [
    'a /Metadata change beside another catalog change (/OpenAction)',
    (p) => newMetadata(p, xmp('2026-02-01T09:30:00+07:00'), { OpenAction: new PdfRef(1, 0) }),
  ],
  [
    'a /Metadata change beside a catalog /AA',
    (p) => xmpAnd(p, () => [], { AA: dict({ WC: dict({ S: name('Named'), N: name('Print') }) }) }),
  ],
  [
    'a /Metadata change beside a new /Names tree',
    (p) =>
      xmpAnd(p, () => [], {
        Names: dict({ JavaScript: dict({ Names: [] }) }),
      }),
  ],
  [
    'a /Metadata change beside a changed AcroForm (/XFA)',
    (p) =>
      xmpAnd(p, ({ doc, catalog }) => {
        // The form as signed (its /Fields still hold the signature), written again with an XFA form besides.
        const ref = catalog.get('AcroForm') as PdfRef;
        const form = doc.resolve(ref, doc.last) as PdfDict;
        return [[ref.num, { value: edited(form, { XFA: new PdfRef(1, 0) }) }]];
      }),
  ],
  [
    'a /Metadata change beside new page content',
    (p) =>
      xmpAnd(p, ({ next, pageRef, page }) => {
        const c = next();
        return [
          [c, { stream: Buffer.from('BT /F1 24 Tf 72 700 Td (Paid) Tj ET'), dict: dict({}) }],
          [pageRef.num, { value: edited(page, { Contents: new PdfRef(c, 0) }) }],
        ];
      }),
  ],
  [
    "a /Metadata change beside a second signed object changed (the page's font)",
    (p) =>
      xmpAnd(p, ({ doc, page }) => {
        const res = doc.resolve(page.get('Resources'), doc.last) as PdfDict;
        const fonts = doc.resolve(res.get('Font'), doc.last) as PdfDict;
        const fontRef = [...fonts.map.values()][0] as PdfRef;
        const font = doc.resolve(fontRef, doc.last) as PdfDict;
        return [[fontRef.num, { value: edited(font, { BaseFont: name('Courier') }) }]];
      }),
  ],
  [
    'a /Metadata that points at an object of the signed revision (the page)',
    (p) =>
      appendUpdate(p, ({ catalog, rootRef, pageRef }) => {
        return new Map<number, UpdateObject>([
          [rootRef.num, { value: edited(catalog, { Metadata: pageRef }) }],
        ]);
      }),
  ],
  [
    'a metadata stream with other keys than a metadata stream has (/Resources)',
    (p) =>
      newMetadata(p, xmp('2026-02-01T09:30:00+07:00'), {}, () =>
        dict({ Type: name('Metadata'), Subtype: name('XML'), Resources: new PdfRef(1, 0) }),
      ),
  ],
  [
    'a /Metadata removed',
    (p) =>
      appendUpdate(p, ({ catalog, rootRef }) => {
        return new Map<number, UpdateObject>([
          [rootRef.num, { value: edited(catalog, { Metadata: undefined }) }],
        ]);
      }),
  ],
];

describe('what is no XMP metadata update', () => {
  for (const [what, tamper] of hostile) {
    it(`${what}: a change of the document`, async () => {
      const report = await verify(tamper(signed));
      expect(report.indication).not.toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.modification).toBe('OTHER');
    });
  }

  it('a /Metadata stream the signed page also refers to (as its /PieceInfo), rewritten, is a change of the document', async () => {
    // Signed with the page naming the catalog's XMP stream too: rewriting it changes what the page holds.
    const shared = appendUpdate(await letterWithXmp(), ({ catalog, pageRef, page }) => {
      return new Map<number, UpdateObject>([
        [pageRef.num, { value: edited(page, { PieceInfo: catalog.get('Metadata') as PdfRef }) }],
      ]);
    });
    const report = await verify(
      sameMetadata(await signAsOfficer(pki, shared), xmp('2026-02-01T09:30:00+07:00')),
    );
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('an annotation added with the XMP replacement is judged as an annotation: allowed without certification, refused after P=1', async () => {
    const withNote = (p: Uint8Array) =>
      xmpAnd(p, ({ next, pageRef, page }) => {
        const a = next();
        const note = dict({ Type: name('Annot'), Subtype: name('Text'), Rect: [72, 700, 90, 718] });
        const annots = [...((page.get('Annots') as PdfObject[] | undefined) ?? []), new PdfRef(a, 0)];
        return [
          [a, { value: note }],
          [pageRef.num, { value: edited(page, { Annots: annots }) }],
        ];
      });
    const plain = await verify(withNote(signed));
    expect(plain.signatures[0]?.modification).toBe('ANNOTATIONS');
    const p1 = await verify(withNote(certified));
    expect(p1.indication).toBe('TOTAL_FAILED');
    expect(p1.signatures[0]?.modification).toBe('ANNOTATIONS');
  });
});
