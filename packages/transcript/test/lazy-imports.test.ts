import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FontError as EsignFontError, PdfDocument as EsignPdfDocument } from '@thgov/esign';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { FontError, PdfDocument } from '../src/index.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

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

describe('lazy imports: the XML check', () => {
  // Run against the built package (tsup makes its CommonJS dependencies load on first use; the sources import
  // them eagerly).
  const isXmldom = (url: string) => /[\\/]@xmldom[\\/]xmldom[\\/]/.test(url);

  it('verifying a transcript with plain XML does not load the DOM parser; one with XML-DSig does, and checks it', async () => {
    const pki = await createTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'thgov-lazy-xml-'));
    try {
      writeFileSync(join(dir, 'root.der'), pki.root.cert);
      writeFileSync(join(dir, 'plain.pdf'), await issueGood(pki));
      writeFileSync(
        join(dir, 'signed.pdf'),
        await issueGood(pki, { xml: await xmlSigned(SAMPLE_XML, pki.signer) }),
      );
      const verify = (file: string) => `
        const { readFileSync } = await import('node:fs');
        const r = await pkg.verifyTranscript(readFileSync(${JSON.stringify(join(dir, file))}), {
          trust: [readFileSync(${JSON.stringify(join(dir, 'root.der'))})],
        });
        const xml = r.checks.find((c) => c.id === 'xml');
        if (r.indication !== 'TOTAL_PASSED' || xml.status !== 'PASSED') throw new Error(JSON.stringify(xml));
        if (${file === 'signed.pdf'} && xml.evidence.xmlSignatures !== 1) throw new Error('XML-DSig not checked');
      `;
      const plain = modulesResolvedBy({ cwd, entry: './dist/index.js', code: verify('plain.pdf') });
      expect(plain.some((url) => /[\\/]pkijs[\\/]/.test(url))).toBe(true);
      expect(plain.filter(isXmldom)).toEqual([]);
      const signed = modulesResolvedBy({ cwd, entry: './dist/index.js', code: verify('signed.pdf') });
      expect(signed.some(isXmldom)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
