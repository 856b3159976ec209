import { webFontCss } from './web-font.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A self-contained page: no scripts, no external fonts (the sandbox runs offline and under a strict CSP);
 * Thai and Latin text in Sarabun, served by the sandbox itself ({@link webFontCss}).
 */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${webFontCss()}
body{font-family:Sarabun,system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.note{color:#555;font-size:.9rem}select,button{font:inherit;font-size:1rem;padding:.4rem;margin:.3rem 0}
button{cursor:pointer}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}
</style>
</head>
<body>
${body}
</body>
</html>`;
}
