import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/sandbox must not load jose (about 80 ES modules); a digital-ID provider loads it
// when it starts and makes its signing key.
const cwd = join(import.meta.dirname, '..');
const entry = './src/index.ts';
const isJose = (url: string) => /[\\/]jose[\\/]/.test(url);

describe('lazy imports', () => {
  it('importing @thgov/sandbox does not load jose; starting a digital-ID provider does', () => {
    const atImport = modulesResolvedBy({ cwd, entry });
    expect(atImport.some((url) => url.endsWith('/src/digital-id/oidc-server.ts'))).toBe(true);
    expect(atImport.filter(isJose)).toEqual([]);
    const started = modulesResolvedBy({
      cwd,
      entry,
      code: `
        const provider = await pkg.startThaidProvider({});
        await provider.close();
      `,
    });
    expect(started.some(isJose)).toBe(true);
  });
});
