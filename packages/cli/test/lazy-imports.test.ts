import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { makeFixtures } from './helpers.js';

// Cold start: code that imports @thgov/cli for its configuration helpers must not load every platform's client,
// the signing stack and the PDF verifier; a command loads its own module when called.
const cwd = join(import.meta.dirname, '..');
const entry = './src/index.ts';
const heavy =
  /[\\/]packages[\\/](esign|pki|ecms|exchange|catalog|transcript|sandbox)[\\/]|[\\/]digital-id[\\/]dist[\\/]index\.js$/;

/** Modules a fresh process resolves to import the CLI and run `call` (a command with output captured in `out`). */
function resolvedByCommand(call: string, check: string): string[] {
  return modulesResolvedBy({
    cwd,
    entry,
    code: `
      let out = '';
      const io = { stdout: { write: (s) => { out += s; } }, stderr: { write: () => {} } };
      const code = await ${call};
      ${check}
    `,
  });
}

describe('lazy imports', () => {
  it('importing @thgov/cli loads no platform package; the light helpers work without them', () => {
    const loaded = modulesResolvedBy({
      cwd,
      entry,
      code: `
        if (pkg.summaryLine([{ indication: 'TOTAL_PASSED' }]) !== '1 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE')
          throw new Error('summaryLine');
        const platforms = pkg.configuredPlatforms({ exchange: { baseUrl: 'https://gdx.example', consumerKey: 'k' } });
        if (platforms.join() !== 'exchange') throw new Error('configuredPlatforms: ' + platforms.join());
        if (!pkg.PDF_VERIFY_USAGE.startsWith('Usage: thgov pdf verify')) throw new Error('usage');
      `,
    });
    expect(loaded.some((url) => url.endsWith('/src/commands.ts'))).toBe(true);
    expect(loaded.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('a command loads its module and what it needs (the check above can see them)', () => {
    const loaded = resolvedByCommand(
      `pkg.pdfVerify(['--help'], io)`,
      `if (code !== 0 || !out.startsWith('Usage: thgov pdf verify')) throw new Error('pdf verify --help: ' + code);`,
    );
    // The verify command's module reads certificates with @thgov/pki; esign itself loads only to verify a file.
    expect(loaded.some((url) => /[\\/]packages[\\/]pki[\\/]/.test(url))).toBe(true);
  });

  it("transcript verify loads @thgov/transcript and esign's internal entry, not esign's signing modules", async () => {
    const fx = await makeFixtures(1);
    try {
      const loaded = resolvedByCommand(
        `pkg.transcriptVerify(${JSON.stringify(['--trust', fx.root, fx.good[0]])}, io)`,
        `if (code !== 0 || !out.includes('TOTAL_PASSED')) throw new Error('transcript verify: ' + code + ' ' + out);`,
      );
      expect(loaded.some((url) => /[\\/]transcript[\\/]dist[\\/]index\.js$/.test(url))).toBe(true);
      expect(loaded.filter((url) => /[\\/]esign[\\/]dist[\\/]index\.js$/.test(url))).toEqual([]);
    } finally {
      rmSync(fx.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
