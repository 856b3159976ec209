import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPkcs12, issueTestIdentity } from '@thgov/pki/testing';
import { requireTool } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { pkcs12Signer } from '../src/signers/pkcs12.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { letterPdf } from './helpers/pki.js';

// PKCS#12 files as officers export them: Windows and older OpenSSL (3DES + RC2-40), OpenSSL 3 (AES-256, PBKDF2),
// without a MAC, with an empty or a Thai password, a Thai friendlyName, a chain in another order, Java keytool.
const fixtures = join(import.meta.dirname, 'fixtures', 'pkcs12');
const caPem = readFileSync(join(fixtures, 'ca.pem'), 'utf8');
const THAI_PASS = 'รหัสผ่านเจ้าหน้าที่';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

const subjectOf = (der: Uint8Array) => new X509Certificate(Buffer.from(der)).subject;

describe('PKCS#12 files built in-process', () => {
  it('a chain stored issuer-first (root, signer, CA) still gives the signer first, then its issuers in order', async () => {
    const now = new Date();
    const caUsage = { ca: true, keyUsage: ['keyCertSign' as const, 'cRLSign' as const] };
    const root = await issueTestIdentity(now, 'Order Root', 1, undefined, caUsage);
    const ca = await issueTestIdentity(now, 'Order CA', 2, root, caUsage);
    const officer = await issueTestIdentity(now, 'Order Officer', 3, ca, { keyUsage: ['digitalSignature'] });
    const pfx = await createPkcs12(officer.key, [root.cert, officer.cert, ca.cert], THAI_PASS);
    const signer = pkcs12Signer(pfx, THAI_PASS);
    expect(signer.certificateChain.map(subjectOf)).toEqual([officer, ca, root].map((i) => subjectOf(i.cert)));
  });
});

const openssl = requireTool('pdfsig', {
  why: 'openssl (and keytool, where present) write the PKCS#12 files',
});
openssl.describe('PKCS#12 files written by openssl and keytool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-p12-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
  // The officer's key and certificate out of the committed fixture, re-exported every way agencies do. In
  // beforeAll: a skipped describe's body still runs to collect its tests, where openssl is missing.
  beforeAll(() => {
    run(
      'openssl',
      'pkcs12',
      '-in',
      join(fixtures, 'officer-modern.p12'),
      '-passin',
      'pass:thgov-test',
      '-nodes',
      '-nocerts',
      '-out',
      'officer.key',
    );
  });
  const exportP12 = (out: string, pass: string, ...more: string[]) =>
    run(
      'openssl',
      'pkcs12',
      '-export',
      '-inkey',
      'officer.key',
      '-in',
      join(fixtures, 'officer.pem'),
      '-certfile',
      join(fixtures, 'ca.pem'),
      '-passout',
      `pass:${pass}`,
      '-out',
      out,
      ...more,
    );

  it.each([
    ['OpenSSL 3 default, Thai password and friendlyName', 'thai.p12', THAI_PASS, ['-name', 'เจ้าหน้าที่ทะเบียน']],
    ['-legacy (3DES, RC2-40, SHA-1 MAC), Thai password', 'thai-legacy.p12', THAI_PASS, ['-legacy']],
    ['an empty password', 'empty.p12', '', []],
    ['an empty password, -legacy', 'empty-legacy.p12', '', ['-legacy']],
    ['no MAC (-nomac)', 'nomac.p12', 'abc-123', ['-nomac']],
    ['no encryption and no MAC', 'plain.p12', '', ['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac']],
  ])('%s: signs a PDF that verifies', async (_what, name, pass, more) => {
    exportP12(name, pass, ...more);
    const signer = pkcs12Signer(file(name), pass);
    expect(signer.certificateChain).toHaveLength(2);
    const signed = await signPdf(await letterPdf(), { signer, skipChainCheck: true });
    const report = await verifyPdfSignatures(signed, { trustAnchors: caPem });
    expect(report.signatures[0]?.checks.find((c) => c.id === 'cms')?.status).toBe('PASSED');
  });

  it('a wrong Thai password is ERR_ESIGN_PKCS12_PASSWORD and never echoed', () => {
    exportP12('thai-wrong.p12', THAI_PASS);
    const err = errorOf(() => pkcs12Signer(file('thai-wrong.p12'), 'รหัสผ่านผิด'));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS12_PASSWORD')).toBe(true);
    expect(err.message).not.toContain('รหัส');
  });

  it('without a MAC, every wrong password is ERR_ESIGN_PKCS12_PASSWORD, also one whose padding happens to fit', () => {
    // No MAC means only the CBC padding tells a wrong password: about one in 256 passes it and decrypts to
    // garbage, which must still be a password error, not a parser's crash.
    exportP12('nomac-fast.p12', 'right', '-iter', '1', '-nomac');
    const pfx = file('nomac-fast.p12');
    const codes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const err = errorOf(() => pkcs12Signer(pfx, `wrong-${i}`));
      codes.add(isEsignError(err) ? err.code : `${err.name}: ${err.message}`);
    }
    expect([...codes]).toEqual(['ERR_ESIGN_PKCS12_PASSWORD']);
  }, 180_000); // 2,000 file openings: seconds of CPU, minutes on a loaded machine.

  // keytool's own shape where it is installed; elsewhere the same shape (PBES2/AES-256 bags, an alias as
  // friendlyName, HMAC-SHA-256 MAC, 10 000 iterations) written by openssl, without the several-keys half.
  const hasKeytool = (() => {
    try {
      execFileSync('keytool', ['-help'], { stdio: 'pipe' });
      return true;
    } catch (err) {
      return (err as { code?: string }).code !== 'ENOENT';
    }
  })();
  it('Java keytool: a key pair entry with a Thai alias signs; a keystore of several keys is a typed error', async () => {
    const gen = (store: string, alias: string, cn: string) =>
      run(
        'keytool',
        '-genkeypair',
        '-alias',
        alias,
        '-keyalg',
        'EC',
        '-dname',
        `CN=${cn},C=TH`,
        '-storetype',
        'PKCS12',
        '-keystore',
        store,
        '-storepass',
        'changeit',
        '-validity',
        '30',
      );
    if (!hasKeytool) {
      exportP12('kt.p12', 'changeit', '-name', 'เจ้าหน้าที่', '-iter', '10000', '-macalg', 'sha256');
      await signPdf(await letterPdf(), {
        signer: pkcs12Signer(file('kt.p12'), 'changeit'),
        skipChainCheck: true,
      });
      return;
    }
    gen('kt.p12', 'เจ้าหน้าที่', 'Keytool Officer');
    const signer = pkcs12Signer(file('kt.p12'), 'changeit');
    expect(subjectOf(signer.certificateChain[0]!)).toContain('Keytool Officer');
    await signPdf(await letterPdf(), { signer, skipChainCheck: true });
    gen('kt.p12', 'second', 'Second Officer');
    const err = errorOf(() => pkcs12Signer(file('kt.p12'), 'changeit'));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS12')).toBe(true);
    expect(err.message).toMatch(/2 private keys/);
  });
});
