import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `qpdf --check` on the bytes (use under `requireTool('qpdf', …)`): exit status (0 clean, 2 errors, 3 warnings) and output. */
export function qpdfCheck(pdf: Uint8Array): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-qpdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    try {
      const output = execFileSync('qpdf', ['--check', join(dir, 'in.pdf')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return { status: 0, output };
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string };
      return { status: e.status ?? 2, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
