/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

/** How the pixels of a screenshotted text element compare with two renderings of the same text. */
export interface GlyphCheck {
  /** Ink pixels in the screenshot (0: nothing legible was drawn). */
  ink: number;
  /** Share of ink in common (within a pixel, both ways) with the text drawn in Sarabun from its TTF. */
  matchSarabun: number;
  /** The same with the text drawn in a font that does not exist (fallback: boxes, blanks or another face). */
  matchFallback: number;
  /** The same between those two renderings: the check can only tell them apart when this is low. */
  sarabunVsFallback: number;
}

const TTF = {
  regular: '@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf',
  bold: '@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf',
};

/**
 * Looks at the screenshot, not at font metadata: the element's pixels are compared, in an analysis page
 * of the same browser, with the same text drawn on a canvas in Sarabun loaded from its TrueType file (a
 * different package and format than the page's WOFF2) and in a missing font. Legible Thai in the page
 * font matches the first and not the second; boxes or a fallback face match the second, or neither.
 */
export async function checkThaiGlyphs(
  context: BrowserContext,
  page: Page,
  selector: string,
): Promise<GlyphCheck> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const element = page.locator(selector);
  const style = await element.evaluate((el) => {
    const s = getComputedStyle(el);
    return { size: s.fontSize, weight: s.fontWeight, color: s.color, text: el.textContent ?? '' };
  });
  const shot = await element.screenshot({ animations: 'disabled' });
  const bold = Number(style.weight) >= 600;
  const ttf = readFileSync(createRequire(import.meta.url).resolve(bold ? TTF.bold : TTF.regular));
  const lab = await context.newPage();
  try {
    await lab.setContent('<!DOCTYPE html><html><body style="margin:0;background:#fff"></body></html>');
    return await lab.evaluate(analyse, {
      png: shot.toString('base64'),
      ttf: ttf.toString('base64'),
      text: style.text,
      font: `${style.weight} ${style.size}`,
      color: style.color,
    });
  } finally {
    await lab.close();
  }
}

/** Runs inside the browser (serialised by Playwright: no closures over Node values). */
async function analyse(input: {
  png: string;
  ttf: string;
  text: string;
  font: string;
  color: string;
}): Promise<GlyphCheck> {
  const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const shot = await createImageBitmap(new Blob([bytes(input.png)], { type: 'image/png' }));
  const face = new FontFace('ThgovReferenceSarabun', bytes(input.ttf));
  await face.load();
  (document.fonts as unknown as { add(f: FontFace): void }).add(face);
  const w = shot.width * 2;
  const h = shot.height * 2;
  type Mask = { ink: Uint8Array; count: number };
  const maskOf = (draw: (ctx: CanvasRenderingContext2D) => void): Mask => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = input.color;
    draw(ctx);
    const data = ctx.getImageData(0, 0, w, h).data;
    let minX = w;
    let minY = h;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (data[(y * w + x) * 4]! < 160) {
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
        }
      }
    }
    // Moved to the ink's top-left corner, so where the text starts inside its box does not matter.
    const ink = new Uint8Array(w * h);
    let count = 0;
    for (let y = minY; y < h; y++) {
      for (let x = minX; x < w; x++) {
        if (data[(y * w + x) * 4]! < 160) {
          ink[(y - minY) * w + (x - minX)] = 1;
          count++;
        }
      }
    }
    return { ink, count };
  };
  const text = (family: string) => (ctx: CanvasRenderingContext2D) => {
    ctx.font = `${input.font} ${family}`;
    ctx.fillText(input.text, 4, shot.height);
  };
  /** Share of a's ink with ink of b within one pixel (anti-aliasing and sub-pixel placement move edges). */
  const covered = (a: Mask, b: Mask) => {
    if (a.count === 0 || b.count === 0) return 0;
    let hit = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!a.ink[y * w + x]) continue;
        let near = false;
        for (let dy = -1; dy <= 1 && !near; dy++) {
          for (let dx = -1; dx <= 1 && !near; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            near = yy >= 0 && yy < h && xx >= 0 && xx < w && b.ink[yy * w + xx] === 1;
          }
        }
        if (near) hit++;
      }
    }
    return hit / a.count;
  };
  const match = (a: Mask, b: Mask) => Math.min(covered(a, b), covered(b, a));
  const page = maskOf((ctx) => ctx.drawImage(shot, 0, 0));
  const sarabun = maskOf(text('ThgovReferenceSarabun'));
  const fallback = maskOf(text('ThgovNoSuchFont'));
  return {
    ink: page.count,
    matchSarabun: match(page, sarabun),
    matchFallback: match(page, fallback),
    sarabunVsFallback: match(sarabun, fallback),
  };
}
