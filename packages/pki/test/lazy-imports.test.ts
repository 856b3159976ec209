import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/pki (and esign, transcript and ecms through it) must not compile path building,
// constraints and revocation evaluation; the first validateCertificatePath loads them.
const cwd = join(import.meta.dirname, '..');
const entry = './src/index.ts';
const pathModules =
  /[\\/]pki[\\/]src[\\/](path[\\/](build|name-constraints|revocation-step)|revocation[\\/]evaluate)\.ts$/;

describe('lazy imports', () => {
  it('importing @thgov/pki does not load path validation; validating a path does, and works', () => {
    expect(modulesResolvedBy({ cwd, entry }).filter((url) => pathModules.test(url))).toEqual([]);
    const used = modulesResolvedBy({
      cwd,
      entry,
      code: `
        const { createCertificate, generateSigningKeyPair } = await import('./src/testing.ts');
        const keys = await generateSigningKeyPair();
        const root = await createCertificate({
          subject: { commonName: 'Lazy Root' },
          publicKey: keys.publicKey,
          signingKey: keys.privateKey,
          serialNumber: 1,
          notBefore: new Date(Date.UTC(2026, 0, 1)),
          notAfter: new Date(Date.UTC(2036, 0, 1)),
          ca: true,
          keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'],
        });
        const r = await pkg.validateCertificatePath(root, {
          trustAnchors: [root],
          at: new Date(Date.UTC(2027, 0, 1)),
          revocation: false,
        });
        if (r.indication !== 'PASSED') throw new Error(JSON.stringify(r));
      `,
    });
    expect(new Set(used.filter((url) => pathModules.test(url))).size).toBe(4);
  });
});
