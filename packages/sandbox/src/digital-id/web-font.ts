import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/** Where the sandbox's pages load their web font from: its own origin, never a CDN (it runs offline). */
export const WEB_FONT_PATH = '/assets/fonts/';

/**
 * Sarabun as split WOFF2 web fonts from `@fontsource/sarabun` (SIL OFL): the Thai and Latin subsets in
 * regular and bold, with fontsource's unicode ranges, so a page's Thai text is legible on a machine that
 * has no Thai font installed (a bare CI runner, a container, a headless browser from npm).
 */
const FACES = [
  { subset: 'thai', range: 'U+02D7,U+0303,U+0331,U+0E01-0E5B,U+200C-200D,U+25CC' },
  {
    subset: 'latin',
    range:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
] as const;
const WEIGHTS = [400, 700] as const;
const fileName = (subset: string, weight: number) => `sarabun-${subset}-${weight}-normal.woff2`;
const FILES = new Set(FACES.flatMap((f) => WEIGHTS.map((w) => fileName(f.subset, w))));

/** The @font-face rules for the `Sarabun` family, pointing at {@link WEB_FONT_PATH}. */
export function webFontCss(): string {
  return FACES.flatMap((f) =>
    WEIGHTS.map(
      (w) =>
        `@font-face{font-family:Sarabun;font-style:normal;font-weight:${w};font-display:block;` +
        `src:url(${WEB_FONT_PATH}${fileName(f.subset, w)}) format('woff2');unicode-range:${f.range}}`,
    ),
  ).join('\n');
}

const cache = new Map<string, Buffer>();

function fontFile(name: string): Buffer {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = readFileSync(createRequire(import.meta.url).resolve(`@fontsource/sarabun/files/${name}`));
    cache.set(name, bytes);
  }
  return bytes;
}

/**
 * Serves the web font files (GET/HEAD, an allow-list of names, nothing else from the package). Returns
 * false when the request is not for a font, so the caller's routing goes on.
 */
export function handleWebFont(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (!pathname.startsWith(WEB_FONT_PATH)) return false;
  const name = pathname.slice(WEB_FONT_PATH.length);
  if (!FILES.has(name) || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return true;
  }
  const bytes = fontFile(name);
  res.writeHead(200, {
    'content-type': 'font/woff2',
    'content-length': String(bytes.length),
    // The files are versioned by the pinned package: a browser may keep them for a day.
    'cache-control': 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}
