import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/ecms must not load the DOM parser or XML-DSig (CommonJS, so they show in
// require.cache); signing and checking a letter load them. Run in a fresh process, since other test files load
// them into vitest's.
const packageDir = join(import.meta.dirname, '..');

function loadedAfter(code: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const ecms = await import('./src/index.ts');
    ${code}
    const require = createRequire(import.meta.url);
    console.log(JSON.stringify(Object.keys(require.cache)));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as string[];
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
