import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/ecms must not load the DOM parser or XML-DSig; signing and checking a letter load
// them. Run in a fresh process, since other test files load them into vitest's, and on the built entry: the
// build defers these CommonJS-only packages to their first use (scripts/tsup-shared.ts), the source imports them.
const cwd = join(import.meta.dirname, '..');

function loadedAfter(code: string): string[] {
  return modulesResolvedBy({ cwd, entry: './dist/index.js', code: `const ecms = pkg;\n${code}` });
}

const isXmlDsig = (path: string) => /[\\/](xml-crypto|@xmldom[\\/]xmldom)[\\/]/.test(path);

describe('lazy imports', () => {
  it('importing @thgov/ecms, and an unsigned round trip, load neither xml-crypto nor xmldom', () => {
    const loaded = loadedAfter(`
      const { sampleLetter } = await import('./test/helpers/letters.ts');
      const back = ecms.decodeGovernmentDocument(ecms.encodeGovernmentDocument(sampleLetter()));
      if (back.subject !== sampleLetter().subject) throw new Error('round trip');
    `);
    expect(loaded.some((p) => /[\\/]xml-js[\\/]/.test(p))).toBe(true);
    expect(loaded.filter(isXmlDsig)).toEqual([]);
  });

  it('signing and verifying a letter load them, and work', () => {
    const loaded = loadedAfter(`
      const { sampleLetter } = await import('./test/helpers/letters.ts');
      const { standardChain } = await import('./test/helpers/certs.ts');
      const { root, ca, signer } = standardChain();
      const doc = ecms.encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true });
      const signed = ecms.signGovernmentDocument(doc, {
        privateKey: signer.key.privatePem,
        certificate: signer.pem + ca.pem,
      });
      const check = await ecms.verifyLetterSignature(signed, { policy: 'require', trustAnchors: [root.pem] });
      if (check.status !== 'valid') throw new Error('not valid: ' + check.status);
    `);
    expect(loaded.some((p) => /[\\/]xml-crypto[\\/]/.test(p))).toBe(true);
    expect(loaded.some((p) => /[\\/]@xmldom[\\/]xmldom[\\/]/.test(p))).toBe(true);
  });
});
