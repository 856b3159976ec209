import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, type PDFFont, rgb } from 'pdf-lib';
import { TranscriptError } from '../errors.js';

export interface DefaultPageContent {
  title: string;
  fileName: string;
  xml: Uint8Array;
  institution?: string;
  student?: { nameTh?: string; nameEn?: string };
}

export interface PageFonts {
  /** TrueType/OpenType bytes: embedded (subset), so the page is PDF/A and can show Thai. */
  regular: Uint8Array;
  bold?: Uint8Array;
}

const LEFT = 50;
const MAX_WIDTH = 495;

interface Line {
  text: string;
  size: number;
  bold?: boolean;
  gap: number;
}

/** Draws the human-readable page of a generated transcript with embedded (subset) fonts. */
export async function drawDefaultPage(
  doc: PDFDocument,
  content: DefaultPageContent,
  fonts: PageFonts,
): Promise<void> {
  const lines: Line[] = [{ text: content.title, size: 18, bold: true, gap: 0 }];
  if (content.institution) lines.push({ text: content.institution, size: 12, gap: 24 });
  if (content.student?.nameTh) lines.push({ text: content.student.nameTh, size: 14, bold: true, gap: 34 });
  if (content.student?.nameEn) lines.push({ text: content.student.nameEn, size: 14, bold: true, gap: 22 });
  lines.push({ text: `Machine-readable record attached: ${content.fileName}`, size: 10, gap: 34 });
  lines.push({
    text: `SHA-256 ${createHash('sha256').update(content.xml).digest('hex')}`,
    size: 8,
    gap: 15,
  });
  lines.push({
    text: 'This document is digitally signed; the attached XML is the authoritative record.',
    size: 8,
    gap: 13,
  });

  doc.registerFontkit(fontkit);
  const regular = await embed(
    doc,
    fonts.regular,
    lines.filter((l) => !l.bold),
  );
  const bold = fonts.bold
    ? await embed(
        doc,
        fonts.bold,
        lines.filter((l) => l.bold),
      )
    : regular;
  const page = doc.addPage([595, 842]);
  let y = 780;
  for (const line of lines) {
    y -= line.gap;
    const font = line.bold ? bold : regular;
    let size = line.size;
    // Long names shrink to the text width instead of running off the page.
    while (size > 6 && font.widthOfTextAtSize(line.text, size) > MAX_WIDTH) size -= 0.5;
    page.drawText(line.text, { x: LEFT, y, size, font, color: rgb(0, 0, 0) });
  }
}

async function embed(doc: PDFDocument, bytes: Uint8Array, lines: Line[]): Promise<PDFFont> {
  let name: string;
  try {
    const parsed = fontkit.create(bytes);
    // PDF/A forbids showing .notdef: refuse text the font has no glyph for.
    for (const line of lines) {
      if (parsed.layout(line.text).glyphs.some((g) => g.id === 0)) {
        throw new TranscriptError(
          'ERR_TRANSCRIPT_ISSUE',
          'The font passed as `font`/`boldFont` has no glyph for some characters of the page text',
          { hint: 'Use a font that covers Thai and Latin, such as Garuda (Debian fonts-thai-tlwg).' },
        );
      }
    }
    name = (parsed.postscriptName ?? 'Font').replace(/[^A-Za-z0-9-]/g, '') || 'Font';
  } catch (cause) {
    if (cause instanceof TranscriptError) throw cause;
    throw new TranscriptError(
      'ERR_TRANSCRIPT_ISSUE',
      'The font passed as `font`/`boldFont` is not readable',
      {
        cause,
      },
    );
  }
  // A subset's BaseFont carries a six-letter tag; deriving it from the inputs keeps issuing reproducible.
  const hash = createHash('sha256').update(bytes);
  for (const l of lines) hash.update(l.text);
  const tag = [...hash.digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  try {
    return await doc.embedFont(bytes, { subset: true, customName: `${tag}+${name}` });
  } catch (cause) {
    throw new TranscriptError(
      'ERR_TRANSCRIPT_ISSUE',
      'The font passed as `font`/`boldFont` is not readable',
      {
        cause,
      },
    );
  }
}
