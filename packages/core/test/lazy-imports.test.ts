import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing the package must not load what only some paths use (undici, p-retry, the OpenTelemetry
// API, Node built-ins); using those paths loads them. Each check runs in a fresh process, since vitest itself has
// them loaded.
const packageDir = join(import.meta.dirname, '..');

const isUndici = (path: string) => /[\\/]undici[\\/]/.test(path);

/** The modules (ES or CommonJS) a fresh process loads while running `code` after importing the package. */
function loadedAfter(code: string): string[] {
  return modulesResolvedBy({ cwd: packageDir, entry: './src/index.ts', code: `const core = pkg;\n${code}` });
}

const isPRetry = (url: string) => /[\\/]p-retry[\\/]/.test(url);

/**
 * The built-in modules a fresh plain `node` (no tsx, which loads them itself) loads while importing the built
 * package and then running `code` with it as `core`.
 */
function builtinsLoadedBy(code: string): string[] {
  const entry = join(packageDir, 'dist', 'index.js');
  expect(existsSync(entry), 'the test runs on the built package: run the build first').toBe(true);
  const script = `
    const before = new Set(process.moduleLoadList);
    const core = await import(${JSON.stringify(pathToFileURL(entry).href)});
    ${code}
    const added = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule '));
    console.log(JSON.stringify(added.map((m) => m.slice('NativeModule '.length))));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as string[];
}

const ON_USE = ['crypto', 'stream', 'os', 'timers/promises', 'module'];

describe('lazy imports', () => {
  it('importing @thgov/core does not load undici', () => {
    expect(loadedAfter('').filter(isUndici)).toEqual([]);
  });

  it('building a dispatcher loads undici (the check above can see it)', () => {
    const loaded = loadedAfter('await core.createDispatcher({}).close();');
    expect(loaded.some(isUndici)).toBe(true);
  });

  it('importing @thgov/core loads no built-in module it uses only on some paths; using them does', () => {
    expect(builtinsLoadedBy('').filter((m) => ON_USE.includes(m))).toEqual([]);
    // The check can see them: a content digest needs node:crypto.
    const used = builtinsLoadedBy(`
      const digest = core.computeContentDigest(new TextEncoder().encode('hello'));
      if (!digest.includes('sha-256=:')) throw new Error('unexpected digest ' + digest);
    `);
    expect(used).toContain('crypto');
  });

  it('importing @thgov/core does not load p-retry; the first retry does (the check can see it)', () => {
    const atImport = loadedAfter('');
    expect(atImport.some((url) => url.endsWith('/src/retry.ts'))).toBe(true);
    expect(atImport.filter(isPRetry)).toEqual([]);
    const retried = loadedAfter(`
      let n = 0;
      const attempt = async () => {
        if (++n === 1) throw new core.HttpError('ERR_HTTP', 'first fails', { retryable: true });
        return 'ok';
      };
      const { runWithRetry, resolveRetryOptions } = await import('./src/retry.ts');
      const out = await runWithRetry(attempt, {
        policy: { ...resolveRetryOptions({ baseDelayInMs: 1, maxDelayInMs: 1 }) },
        repeatable: true,
        remainingInMs: () => 60_000,
        onRetry: () => undefined,
      });
      if (out !== 'ok' || n !== 2) throw new Error('retry did not run: ' + n);
    `);
    expect(retried.some(isPRetry)).toBe(true);
  });

  it('telemetry does not load @opentelemetry/api while nothing is registered; a registration does', () => {
    const isOtelApi = (path: string) => /[\\/]@opentelemetry[\\/]api[\\/]/.test(path);
    const use = `
      const { Telemetry } = await import('./src/internal.ts');
      const t = new Telemetry();
      if (t.enabled) throw new Error('enabled with nothing registered');
      t.startSpan('lookup', 'client', { 'thgov.operation': 'x' }).end();
      t.record('thgov.test.duration', 0.1);
      if ((await t.operation('op', async () => 7)) !== 7) throw new Error('operation');
    `;
    expect(loadedAfter(use).filter(isOtelApi)).toEqual([]);
    // What any build of the API leaves on globalThis once an application registers something.
    const registered = loadedAfter(`${use}
      globalThis[Symbol.for('opentelemetry.js.api.1')] = { version: '1.9.0' };
      if (!t.enabled) throw new Error('still disabled after a registration');
    `);
    expect(registered.some(isOtelApi)).toBe(true);
  });
});
