import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/esign (or @thgov/transcript, through esign's internal entry) must not compile the
// verification steps; the first verification loads them.
const cwd = join(import.meta.dirname, '..');
const stepModules = /[\\/]esign[\\/]src[\\/]verify[\\/](signature|modifications|shadow|field-mdp)\.ts$/;

describe('lazy imports', () => {
  it.each(['./src/index.ts', './src/internal.ts'])(
    'importing %s does not load the verification steps; verifying does, and reports',
    (entry) => {
      expect(modulesResolvedBy({ cwd, entry }).filter((url) => stepModules.test(url))).toEqual([]);
      const used = modulesResolvedBy({
        cwd,
        entry: './src/index.ts',
        code: `
          const report = await pkg.verifyPdfSignatures(new TextEncoder().encode('not a PDF'));
          if (report.indication !== 'TOTAL_FAILED' || report.errorCode !== 'ERR_PDF_FORMAT')
            throw new Error(JSON.stringify(report));
        `,
      });
      expect(new Set(used.filter((url) => stepModules.test(url))).size).toBe(4);
    },
  );
});
