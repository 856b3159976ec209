import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPkcs8Pem, toPem } from '@thgov/pki';
import type { TestIdentity } from './pki.js';

/**
 * An NSS database trusting `root` and holding `signer` (key + cert) for poppler's pdfsig. Use it only under
 * `requireTool('pdfsig', …)` from @thgov/testkit, which checks for pdfsig, certutil, pk12util and openssl.
 */
export class NssDb {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(root: Uint8Array, signer?: { id: TestIdentity; chain: Uint8Array[] }): Promise<NssDb> {
    const dir = mkdtempSync(join(tmpdir(), 'thgov-nss-'));
    const db = new NssDb(dir);
    execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'pipe' });
    writeFileSync(join(dir, 'root.pem'), toPem(root));
    execFileSync(
      'certutil',
      ['-A', '-d', `sql:${dir}`, '-n', 'test-root', '-t', 'CT,C,C', '-a', '-i', join(dir, 'root.pem')],
      { stdio: 'pipe' },
    );
    if (signer) {
      writeFileSync(join(dir, 'key.pem'), await exportPkcs8Pem(signer.id.key));
      writeFileSync(join(dir, 'cert.pem'), toPem(signer.id.cert));
      writeFileSync(join(dir, 'chain.pem'), signer.chain.map((c) => toPem(c)).join(''));
      execFileSync(
        'openssl',
        [
          'pkcs12',
          '-export',
          '-inkey',
          join(dir, 'key.pem'),
          '-in',
          join(dir, 'cert.pem'),
          '-certfile',
          join(dir, 'chain.pem'),
          '-name',
          'signer',
          '-passout',
          'pass:test',
          '-out',
          join(dir, 's.p12'),
        ],
        { stdio: 'pipe' },
      );
      execFileSync('pk12util', ['-i', join(dir, 's.p12'), '-d', `sql:${dir}`, '-W', 'test'], {
        stdio: 'pipe',
      });
      rmSync(join(dir, 'key.pem'));
    }
    return db;
  }

  /** Runs `pdfsig` on the bytes and returns its text output. */
  check(pdf: Uint8Array): string {
    const file = join(this.dir, `check-${process.pid}.pdf`);
    writeFileSync(file, pdf);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${this.dir}`, file], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }

  /** Signs with poppler (`pdfsig -add-signature`), an independent implementation. */
  sign(pdf: Uint8Array, options: { etsi?: boolean; field?: string } = {}): Uint8Array {
    const input = join(this.dir, 'in.pdf');
    const output = join(this.dir, 'out.pdf');
    writeFileSync(input, pdf);
    const args = [
      '-nssdir',
      `sql:${this.dir}`,
      '-add-signature',
      '-nick',
      'signer',
      '-new-signature-field-name',
      options.field ?? 'PopplerSig',
      '-reason',
      'test',
    ];
    if (options.etsi) args.push('-etsi');
    execFileSync('pdfsig', [...args, input, output], { stdio: 'pipe' });
    const out = new Uint8Array(readFileSync(output));
    rmSync(output);
    return out;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
