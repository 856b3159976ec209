import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caCert: string;
  signerKey: string;
  signerCert: string;
  /** A self-signed certificate nobody trusts, with its key. */
  strangerKey: string;
  strangerCert: string;
}

/** A throwaway CA and signer made with openssl for this test run only (nothing real, nothing committed). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-ecms-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Test e-CMS CA/O=thgov test',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'signer.key',
      '-out',
      'signer.csr',
      '-subj',
      '/CN=Saraban signer/O=Test agency',
    );
    writeFileSync(
      join(dir, 'ext.cnf'),
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n',
    );
    ssl(
      'x509',
      '-req',
      '-in',
      'signer.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'signer.pem',
      '-days',
      '10',
      '-extfile',
      'ext.cnf',
    );
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'stranger.key',
      '-out',
      'stranger.pem',
      '-days',
      '10',
      '-subj',
      '/CN=Stranger',
    );
    const r = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      caCert: r('ca.pem'),
      signerKey: r('signer.key'),
      signerCert: r('signer.pem'),
      strangerKey: r('stranger.key'),
      strangerCert: r('stranger.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
