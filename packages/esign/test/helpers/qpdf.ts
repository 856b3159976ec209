import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandWorks, requirement } from './tools.js';

/** qpdf (Debian `qpdf`): rewrites and structure checks, a second opinion on what the writer produces. */
export const qpdf = requirement('qpdf', commandWorks('qpdf', ['--version']), 'apt-get install qpdf');

/** Runs qpdf on the bytes with `args` and returns the rewritten file (qpdf exits 3 on warnings but still writes). */
export function qpdfRewrite(pdf: Uint8Array, args: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-qpdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    try {
      execFileSync('qpdf', [...args, join(dir, 'in.pdf'), join(dir, 'out.pdf')], { stdio: 'pipe' });
    } catch (err) {
      if ((err as { status?: number }).status !== 3) throw err;
    }
    return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `qpdf --check` on the bytes: its exit status (0 clean, 2 errors, 3 warnings) and what it printed. */
export function qpdfCheck(pdf: Uint8Array): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-qpdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    try {
      const output = execFileSync('qpdf', ['--check', join(dir, 'in.pdf')], { encoding: 'utf8' });
      return { status: 0, output };
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string };
      return { status: e.status ?? 2, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
