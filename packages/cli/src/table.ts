import { escapeControls } from './terminal-text.js';

/**
 * Renders rows as an aligned plain-text table (no colours: output is often piped into logs). Every cell is
 * escaped (`escapeControls`): cells hold text from outside — file names, signer names from untrusted PDFs — and
 * a line feed or carriage return in one would break the row it belongs to or forge another.
 */
export function renderTable(header: string[], rows: string[][]): string {
  const safe = rows.map((r) => r.map((c) => escapeControls(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...safe.map(line)].join('\n')}\n`;
}
