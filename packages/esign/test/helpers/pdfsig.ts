import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';

/** An NSS database trusting one root, for poppler's pdfsig. Use under `requireTool('pdfsig', …)`. */
export class PdfsigDb {
  private constructor(readonly dir: string) {}

  static create(root: Uint8Array): PdfsigDb {
    const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-nss-'));
    execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'pipe' });
    writeFileSync(join(dir, 'root.pem'), toPem(root));
    execFileSync(
      'certutil',
      ['-A', '-d', `sql:${dir}`, '-n', 'root', '-t', 'CT,C,C', '-a', '-i', join(dir, 'root.pem')],
      {
        stdio: 'pipe',
      },
    );
    return new PdfsigDb(dir);
  }

  /** pdfsig's text report on the bytes. */
  check(pdf: Uint8Array): string {
    const file = join(this.dir, 'check.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${this.dir}`, file], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }
}
