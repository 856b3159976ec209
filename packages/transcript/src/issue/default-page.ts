import { createHash } from 'node:crypto';
import {
  bundledThaiFont,
  FontError,
  type GlyphRun,
  type LoadedFont,
  loadFont,
  PdfFontWriter,
  shapeText,
} from '@thgov/esign/internal';
import type { PDFDocument } from 'pdf-lib';
import { TranscriptError } from '../errors.js';
import { ISSUING_PACKAGES, type PdfLib } from './dependencies.js';
import { addObjectSet } from './pdf-lib-objects.js';

export interface DefaultPageContent {
  title: string;
  fileName: string;
  xml: Uint8Array;
  institution?: string;
  student?: { nameTh?: string; nameEn?: string };
}

export interface PageFonts {
  /** TrueType/OpenType bytes; default: the bundled Sarabun (Thai and Latin), the same on every machine. */
  regular?: Uint8Array;
  /** Bold face for the title and names; default: bundled Sarabun Bold, or `regular` when that is given. */
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

function pageLines(content: DefaultPageContent): Line[] {
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
  return lines;
}

/** Font layer failures keep the issuing code; the precise one stays reachable as `cause`. */
async function asIssueError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof FontError && cause.code === 'ERR_FONT_DEPENDENCY') {
      throw new TranscriptError('ERR_TRANSCRIPT_DEPENDENCY', cause.message, {
        cause,
        hint: `Install the issuing dependencies next to @thgov/transcript: npm install ${ISSUING_PACKAGES}`,
      });
    }
    if (cause instanceof FontError) {
      throw new TranscriptError(
        'ERR_TRANSCRIPT_ISSUE',
        `The page font cannot be used (${cause.code}): ${cause.message}`,
        { cause, ...(cause.hint ? { hint: cause.hint } : {}) },
      );
    }
    throw cause;
  }
}

async function pageFonts(fonts: PageFonts): Promise<{ regular: LoadedFont; bold: LoadedFont }> {
  const regularBytes = fonts.regular ?? (await bundledThaiFont('regular'));
  const boldBytes = fonts.bold ?? (fonts.regular ? undefined : await bundledThaiFont('bold'));
  const regular = await loadFont(regularBytes);
  return { regular, bold: boldBytes ? await loadFont(boldBytes) : regular };
}

/**
 * Draws the human-readable page of a generated transcript: text shaped by HarfBuzz and embedded as
 * subset Type0 fonts (PDF/A: every font embedded, widths consistent, ToUnicode present).
 */
export async function drawDefaultPage(
  lib: PdfLib,
  doc: PDFDocument,
  content: DefaultPageContent,
  fonts: PageFonts,
): Promise<void> {
  await asIssueError(async () => {
    const { regular, bold } = await pageFonts(fonts);
    const writers = new Map<LoadedFont, { writer: PdfFontWriter; resource: string }>([
      [regular, { writer: new PdfFontWriter(regular), resource: 'F1' }],
    ]);
    if (bold !== regular) writers.set(bold, { writer: new PdfFontWriter(bold), resource: 'F2' });
    let ops = '0 g\n';
    let y = 780;
    for (const line of pageLines(content)) {
      y -= line.gap;
      const font = line.bold ? bold : regular;
      const { writer, resource } = writers.get(font)!;
      const run: GlyphRun = await shapeText(font, line.text);
      let size = line.size;
      // Long names shrink to the text width instead of running off the page.
      while (size > 6 && writer.widthOf(run, size) > MAX_WIDTH) size -= 0.5;
      ops += writer.showText(run, { x: LEFT, y, size, resourceName: resource });
    }
    const fontDict = doc.context.obj({});
    for (const { writer, resource } of writers.values()) {
      fontDict.set(lib.PDFName.of(resource), addObjectSet(lib, doc.context, await writer.build()));
    }
    const page = doc.addPage([595, 842]);
    page.node.set(lib.PDFName.of('Resources'), doc.context.obj({ Font: fontDict }));
    page.node.set(
      lib.PDFName.of('Contents'),
      doc.context.register(doc.context.flateStream(new TextEncoder().encode(ops))),
    );
  });
}
