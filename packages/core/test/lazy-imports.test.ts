import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Cold start: importing the package must not load undici (CommonJS, so it shows in require.cache); building the
// first dispatcher loads it. Run in a fresh process, since vitest itself has undici loaded.
const packageDir = join(import.meta.dirname, '..');

function loadedAfter(code: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const core = await import('./src/index.ts');
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

const isUndici = (path: string) => /[\\/]undici[\\/]/.test(path);

describe('lazy imports', () => {
  it('importing @thgov/core does not load undici', () => {
    expect(loadedAfter('').filter(isUndici)).toEqual([]);
  });

  it('building a dispatcher loads undici (the check above can see it)', () => {
    const loaded = loadedAfter('await core.createDispatcher({}).close();');
    expect(loaded.some(isUndici)).toBe(true);
  });
});
