import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Cold start: importing a thgov package must not load zod (its ~95 modules were 70-90 ms of every start); the
// first option check or response validation does. Each check runs the built packages in a fresh plain Node
// process, as an application meets them. Two witnesses: a loader hook that sees every module imported, and
// core's own flag for the synchronous require() through which schemas load zod on first use.
const packagesDir = join(import.meta.dirname, '..', '..');
const publishable = readdirSync(packagesDir)
  .sort()
  .flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    return manifest.private ? [] : [{ name: manifest.name, dir: join(packagesDir, dir) }];
  });

const hook = `data:text/javascript,${encodeURIComponent(`
  import { register } from 'node:module';
  register('data:text/javascript,' + encodeURIComponent(\`
    export async function load(url, context, next) {
      if (url.includes('/zod/')) throw new Error('zod was imported: ' + url);
      return next(url, context);
    }
  \`));
`)}`;

function run(
  cwd: string,
  script: string,
  withHook: boolean,
): { status: number | null; out: string; err: string } {
  const args = [...(withHook ? ['--import', hook] : []), '--input-type=module', '-e', script];
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: child.status, out: child.stdout.trim().split('\n').at(-1) ?? '', err: child.stderr };
}

describe('zod loads on first use, not on import', () => {
  it.each(publishable)('importing $name loads no zod', ({ name, dir }) => {
    const script = `
      await import(${JSON.stringify(name)});
      const { isZodLoaded } = await import('@thgov/core/internal');
      console.log(JSON.stringify({ loaded: isZodLoaded() }));
    `;
    const result = run(dir, script, true);
    expect(result.status, result.err).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ loaded: false });
  });

  it('the witnesses can see zod: checking options loads it, and an import of zod trips the hook', () => {
    const core = publishable.find((p) => p.name === '@thgov/core');
    if (!core) throw new Error('@thgov/core not found');
    const checked = run(
      core.dir,
      `
        const { Transport } = await import('@thgov/core');
        const { isZodLoaded } = await import('@thgov/core/internal');
        const before = isZodLoaded();
        let refused = false;
        try { new Transport({ baseUrl: 'not a url' }); } catch (error) { refused = error.code === 'ERR_INVALID_ARG'; }
        console.log(JSON.stringify({ before, after: isZodLoaded(), refused }));
      `,
      false,
    );
    expect(checked.status, checked.err).toBe(0);
    expect(JSON.parse(checked.out)).toEqual({ before: false, after: true, refused: true });
    const imported = run(core.dir, `await import('zod');`, true);
    expect(imported.status).not.toBe(0);
    expect(imported.err).toMatch(/zod was imported/);
  });

  it('schemas use the zod instance the application imports (one zod per process)', () => {
    const core = publishable.find((p) => p.name === '@thgov/core');
    if (!core) throw new Error('@thgov/core not found');
    const result = run(
      core.dir,
      `
        const { z } = await import('@thgov/core/internal');
        z.string().parse('x');
        const real = await import('zod');
        console.log(JSON.stringify({ same: z.ZodError === real.z.ZodError && z.ZodType === real.z.ZodType }));
      `,
      false,
    );
    expect(result.status, result.err).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ same: true });
  });
});
