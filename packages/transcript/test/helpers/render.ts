import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Canvas, createCanvas, GlobalFonts } from '@napi-rs/canvas';

/** A 1-bit picture: 1 where a pixel is darker than mid-grey (ink). */
export interface InkMask {
  width: number;
  height: number;
  ink: Uint8Array;
}

function maskOf(canvas: Canvas): InkMask {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const ink = new Uint8Array(canvas.width * canvas.height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[i * 4]! < 128 ? 1 : 0;
  return { width: canvas.width, height: canvas.height, ink };
}

function whiteCanvas(width: number, height: number): Canvas {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  return canvas;
}

/** Page 1 rendered by pdf.js (pdfjs-dist from npm, in Node, drawing on @napi-rs/canvas). */
export async function renderWithPdfJs(
  pdf: Uint8Array,
  pxPerPt: number,
): Promise<InkMask & { png(): Buffer }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: pdf.slice(), verbosity: 0 }).promise;
  try {
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: pxPerPt });
    const canvas = whiteCanvas(Math.round(viewport.width), Math.round(viewport.height));
    const canvasContext = canvas.getContext('2d');
    await page.render({ canvasContext: canvasContext as never, canvas: canvas as never, viewport }).promise;
    return { ...maskOf(canvas), png: () => canvas.toBuffer('image/png') };
  } finally {
    await doc.destroy();
  }
}

/**
 * Page 1 rendered by poppler's pdftoppm (Splash + FreeType), read from its greyscale PGM output. Call it only
 * under `requireTool('pdftoppm', …)` from @thgov/testkit.
 */
export function renderWithPoppler(pdf: Uint8Array, pxPerPt: number): InkMask {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-ppm-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('pdftoppm', ['-r', String(72 * pxPerPt), '-gray', '-singlefile', file], {
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`pdftoppm failed: ${r.stderr.toString()}`);
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(r.stdout.subarray(0, 64).toString('latin1'));
    if (!header) throw new Error('pdftoppm did not write a PGM');
    const width = Number(header[1]);
    const height = Number(header[2]);
    const pixels = r.stdout.subarray(header[0].length);
    const ink = new Uint8Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = pixels[i]! < 128 ? 1 : 0;
    return { width, height, ink };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const registered = new Map<string, string>();

/**
 * The oracle: the same text in the same font drawn by Skia's own text stack (@napi-rs/canvas, which
 * shapes with its own HarfBuzz build), at the same place a PDF page of `page` points would put it.
 */
export function renderWithSkiaText(
  fontBytes: Uint8Array,
  line: { text: string; x: number; y: number; size: number },
  page: { width: number; height: number },
  pxPerPt: number,
): InkMask {
  const key = createHash('sha256').update(fontBytes).digest('hex');
  let family = registered.get(key);
  if (!family) {
    family = `Oracle${registered.size}`;
    GlobalFonts.register(Buffer.from(fontBytes), family);
    registered.set(key, family);
  }
  const canvas = whiteCanvas(Math.round(page.width * pxPerPt), Math.round(page.height * pxPerPt));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.font = `${line.size * pxPerPt}px ${family}`;
  ctx.fillText(line.text, line.x * pxPerPt, (page.height - line.y) * pxPerPt);
  return maskOf(canvas);
}

/**
 * Share of `a`'s ink with no ink of `b` within `radius` pixels: 0 when every stroke of `a` is also in
 * `b` (anti-aliasing and hinting move edges by a pixel at most), larger when marks sit elsewhere.
 */
export function strayInk(a: InkMask, b: InkMask, radius = 1): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('masks of different sizes');
  let ink = 0;
  let stray = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (!a.ink[y * a.width + x]) continue;
      ink++;
      if (!near(b, x, y, radius)) stray++;
    }
  }
  return ink === 0 ? 1 : stray / ink;
}

function near(m: InkMask, x: number, y: number, r: number): boolean {
  for (let dy = -r; dy <= r; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= m.height) continue;
    for (let dx = -r; dx <= r; dx++) {
      const xx = x + dx;
      if (xx >= 0 && xx < m.width && m.ink[yy * m.width + xx]) return true;
    }
  }
  return false;
}

/** Ink pixel count: a blank rendering (no font, no text) must not pass as "matching". */
export function inkCount(m: InkMask): number {
  let n = 0;
  for (const v of m.ink) n += v;
  return n;
}
