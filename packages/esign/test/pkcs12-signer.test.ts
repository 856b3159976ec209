import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { pkcs12Signer } from '../src/signers/pkcs12.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { letterPdf } from './helpers/pki.js';

// Made by `openssl pkcs12 -export` (test/fixtures/pkcs12/regen.sh): throwaway keys, passphrase "thgov-test".
const dir = join(import.meta.dirname, 'fixtures', 'pkcs12');
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
const officerPem = readFileSync(join(dir, 'officer.pem'), 'utf8');

describe('pkcs12Signer', () => {
  it.each([
    ['modern (PBES2, PBKDF2, AES-256-CBC, SHA-256 MAC)', 'officer-modern.p12'],
    ['legacy (3DES key, RC2-40 certificates, SHA-1 MAC)', 'officer-legacy.p12'],
  ])('reads an openssl %s export and signs a PDF that verifies', async (_mode, name) => {
    const signer = pkcs12Signer(file(name), 'thgov-test');
    expect(signer.certificateChain).toHaveLength(2);
    expect(Buffer.from(signer.certificateChain[0]!).toString('base64')).toBe(
      officerPem.replace(/-----[^-]+-----|\s/g, ''),
    );
    const signed = await signPdf(await letterPdf(), { signer, skipChainCheck: true });
    const report = await verifyPdfSignatures(signed, { trustAnchors: caPem });
    expect(report.signatures[0]?.signer?.subject).toContain('PKCS12 Test Officer');
    expect(report.signatures[0]?.checks.find((c) => c.id === 'cms')?.status).toBe('PASSED');
  });

  it.each(['officer-modern.p12', 'officer-legacy.p12'])(
    '%s: a wrong passphrase is ERR_ESIGN_PKCS12_PASSWORD',
    (name) => {
      let err: unknown;
      try {
        pkcs12Signer(file(name), 'wrong');
      } catch (e) {
        err = e;
      }
      expect(isEsignError(err, 'ERR_ESIGN_PKCS12_PASSWORD')).toBe(true);
      expect((err as Error).message).not.toContain('wrong');
    },
  );

  it('bytes that are not a PFX are ERR_ESIGN_PKCS12', () => {
    let err: unknown;
    try {
      pkcs12Signer(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x03]), 'x');
    } catch (e) {
      err = e;
    }
    expect(isEsignError(err, 'ERR_ESIGN_PKCS12')).toBe(true);
  });
});
