import type { FileResult, FolderResult } from './verify-folder.js';

const COLUMNS: { title: string; width: number; value: (r: FileResult) => string }[] = [
  { title: 'file', width: 36, value: (r) => r.file },
  {
    title: 'result',
    width: 18,
    value: (r) => (r.indication === 'TOTAL_PASSED' ? '✓ ' : '✗ ') + r.indication,
  },
  { title: 'sub-indication', width: 26, value: (r) => r.subIndication ?? '' },
  { title: 'signer', width: 30, value: (r) => r.signer ?? '' },
  { title: 'time-stamped', width: 20, value: (r) => r.signedAt?.replace(/\.\d+Z$/, 'Z') ?? '' },
  { title: 'ms', width: 6, value: (r) => String(Math.round(r.durationInMs)) },
];

function cell(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text.padEnd(width);
}

/** The human report: one table row per file, the reasons of the failures, then counts per indication. */
export function formatSummary(result: FolderResult): string {
  const lines: string[] = [];
  lines.push(
    COLUMNS.map((c) => cell(c.title, c.width))
      .join('  ')
      .trimEnd(),
  );
  lines.push(COLUMNS.map((c) => '-'.repeat(c.width)).join('  '));
  for (const r of result.files)
    lines.push(
      COLUMNS.map((c) => cell(c.value(r), c.width))
        .join('  ')
        .trimEnd(),
    );
  const failed = result.files.filter((r) => r.reason);
  if (failed.length > 0) {
    lines.push('', 'Why:');
    for (const r of failed) lines.push(`  ${r.file}: ${r.reason}`);
  }
  lines.push('', `${result.files.length} files in ${(result.durationInMs / 1000).toFixed(1)} s`);
  for (const [indication, n] of Object.entries(result.counts)) {
    lines.push(`  ${indication.padEnd(19)} ${String(n).padStart(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The machine-readable report (`--json FILE`): stable keys, one entry per file. */
export function toJsonReport(result: FolderResult, now = new Date()) {
  return {
    schema: 'thgov-transcript-verify/1',
    generatedAt: now.toISOString(),
    folder: result.folder,
    total: result.files.length,
    counts: result.counts,
    allPassed: result.files.length > 0 && result.counts.TOTAL_PASSED === result.files.length,
    files: result.files.map((r) => ({
      file: r.file,
      size: r.size,
      indication: r.indication,
      subIndication: r.subIndication ?? null,
      reason: r.reason ?? null,
      signer: r.signer ?? null,
      timeStamped: r.signedAt ?? null,
      durationInMs: Math.round(r.durationInMs),
    })),
  };
}
