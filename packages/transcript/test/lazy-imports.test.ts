import { join } from 'node:path';
import { FontError as EsignFontError, PdfDocument as EsignPdfDocument } from '@thgov/esign';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { FontError, PdfDocument } from '../src/index.js';

// Cold start: importing @thgov/transcript (to verify) must not load @thgov/pki/testing, which the package
// re-exports only for the deprecated test helpers; the first use of one loads it.
const cwd = join(import.meta.dirname, '..');
const entry = './src/index.ts';
const isEsignRoot = (url: string) => /[\\/]esign[\\/](dist|src)[\\/]index\.(js|ts)$/.test(url);
const isPkiTesting = (url: string) => /[\\/]pki[\\/](dist|src)[\\/]testing\.(js|ts)$/.test(url);

describe('lazy imports', () => {
  it('importing @thgov/transcript does not load @thgov/pki/testing; a deprecated helper does, and works', () => {
    const atImport = modulesResolvedBy({ cwd, entry });
    expect(atImport.some((url) => /[\\/]pki[\\/]dist[\\/]index\.js$/.test(url))).toBe(true);
    expect(atImport.filter(isPkiTesting)).toEqual([]);
    const used = modulesResolvedBy({
      cwd,
      entry,
      code: `
        const keys = await pkg.generateSigningKeyPair({ ec: true });
        const der = await pkg.createCertificate({
          subject: { commonName: 'Lazy' },
          publicKey: keys.publicKey,
          signingKey: keys.privateKey,
          serialNumber: 1,
          notBefore: new Date(Date.UTC(2026, 0, 1)),
          notAfter: new Date(Date.UTC(2027, 0, 1)),
        });
        if (!(der instanceof Uint8Array) || der[0] !== 0x30) throw new Error('no certificate');
      `,
    });
    expect(used.some(isPkiTesting)).toBe(true);
  });

  it('importing @thgov/transcript does not load the root entry of @thgov/esign (its signing modules)', () => {
    const atImport = modulesResolvedBy({ cwd, entry });
    expect(atImport.some((url) => /[\\/]esign[\\/]dist[\\/]internal\.js$/.test(url))).toBe(true);
    expect(atImport.filter(isEsignRoot)).toEqual([]);
  });

  it('the names re-exported from @thgov/esign are still the same classes as its root entry exports', () => {
    expect(PdfDocument).toBe(EsignPdfDocument);
    expect(FontError).toBe(EsignFontError);
  });
});
