import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/transcript (to verify) must not load @thgov/pki/testing, which the package
// re-exports only for the deprecated test helpers; the first use of one loads it. A fresh process with a resolve
// hook sees every ES module resolved.
const packageDir = join(import.meta.dirname, '..');

function resolvedDuring(code: string): string[] {
  const hook = `let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      port.postMessage(r.url);
      return r;
    }`;
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), {
      data: { port: port2 },
      transferList: [port2],
    });
    const transcript = await import('./src/index.ts');
    ${code}
    await new Promise((r) => setTimeout(r, 200));
    port1.close();
    console.log(JSON.stringify(seen));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as string[];
}

const isPkiTesting = (url: string) => /[\\/]pki[\\/](dist|src)[\\/]testing\.(js|ts)$/.test(url);

describe('lazy imports', () => {
  it('importing @thgov/transcript does not load @thgov/pki/testing; a deprecated helper does, and works', () => {
    const atImport = resolvedDuring('');
    expect(atImport.some((url) => /[\\/]pki[\\/]dist[\\/]index\.js$/.test(url))).toBe(true);
    expect(atImport.filter(isPkiTesting)).toEqual([]);
    const used = resolvedDuring(`
      const keys = await transcript.generateSigningKeyPair({ ec: true });
      const der = await transcript.createCertificate({
        subject: { commonName: 'Lazy' },
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        serialNumber: 1,
        notBefore: new Date(Date.UTC(2026, 0, 1)),
        notAfter: new Date(Date.UTC(2027, 0, 1)),
      });
      if (!(der instanceof Uint8Array) || der[0] !== 0x30) throw new Error('no certificate');
    `);
    expect(used.some(isPkiTesting)).toBe(true);
  });
});
