import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileCacheDirectory, enableCompileCache } from '../src/compile-cache.js';

const STATUS = { FAILED: 0, ENABLED: 1, ALREADY_ENABLED: 2, DISABLED: 3 };
const uid = process.getuid?.() ?? 0;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(): string {
  const d = mkdtempSync(join(tmpdir(), 'thgov-cc-'));
  dirs.push(d);
  return d;
}

/** A stand-in for node:module that records what it was asked. */
function fakeModule(status = STATUS.ENABLED) {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    module: {
      enableCompileCache: (directory?: string) => {
        calls.push(directory);
        return { status, directory };
      },
      constants: { compileCacheStatus: STATUS },
    },
  };
}

const host = (h: string, extra: Partial<Parameters<typeof enableCompileCache>[0]> = {}) => ({
  module: fakeModule().module,
  env: {},
  platform: 'linux' as const,
  uid,
  home: () => h,
  ...extra,
});

describe('compile cache folder', () => {
  it('is private to the user, under XDG_CACHE_HOME when that is absolute, else ~/.cache', () => {
    expect(compileCacheDirectory(host('/home/a'))).toBe('/home/a/.cache/thgov/node-compile-cache');
    expect(compileCacheDirectory(host('/home/a', { env: { XDG_CACHE_HOME: '/var/c' } }))).toBe(
      '/var/c/thgov/node-compile-cache',
    );
    expect(compileCacheDirectory(host('/home/a', { env: { XDG_CACHE_HOME: 'rel/c' } }))).toBe(
      '/home/a/.cache/thgov/node-compile-cache',
    );
    expect(compileCacheDirectory(host('/Users/a', { platform: 'darwin' }))).toBe(
      '/Users/a/Library/Caches/thgov/node-compile-cache',
    );
    expect(compileCacheDirectory(host('relative'))).toEqual({ reason: 'no home folder' });
    expect(
      compileCacheDirectory(
        host('/x', {
          home: () => {
            throw new Error('no passwd entry');
          },
        }),
      ),
    ).toEqual({ reason: 'no home folder' });
  });
});

describe('enableCompileCache', () => {
  it('does nothing where Node has no compile cache', () => {
    const h = home();
    expect(enableCompileCache(host(h, { module: {} }))).toMatchObject({ status: 'unsupported' });
    expect(existsSync(join(h, '.cache'))).toBe(false);
  });

  it('creates the folder with mode 0700 and hands it to Node', () => {
    const h = home();
    const fake = fakeModule();
    const dir = join(h, '.cache', 'thgov', 'node-compile-cache');
    expect(enableCompileCache(host(h, { module: fake.module }))).toEqual({
      status: 'enabled',
      directory: dir,
    });
    expect(fake.calls).toEqual([dir]);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(h, '.cache', 'thgov')).mode & 0o777).toBe(0o700);
    // A second run finds the folder as it left it.
    expect(enableCompileCache(host(h, { module: fakeModule().module }))).toEqual({
      status: 'enabled',
      directory: dir,
    });
  });

  it('leaves NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE to Node, creating nothing', () => {
    const h = home();
    const fake = fakeModule(STATUS.ALREADY_ENABLED);
    expect(
      enableCompileCache(host(h, { module: fake.module, env: { NODE_COMPILE_CACHE: '/elsewhere' } })),
    ).toMatchObject({
      status: 'already-enabled',
    });
    expect(fake.calls).toEqual([undefined]);
    const off = fakeModule();
    expect(
      enableCompileCache(host(h, { module: off.module, env: { NODE_DISABLE_COMPILE_CACHE: '1' } })),
    ).toMatchObject({
      status: 'disabled',
    });
    expect(off.calls).toEqual([]);
    expect(existsSync(join(h, '.cache'))).toBe(false);
  });

  // The attacker's tests: a cache entry is code the command will run, so a folder someone else can write to, or
  // could have placed, is never used. The two that skip on Windows do so because POSIX modes and symbolic links to
  // folders are not what guards a folder there (its ACLs are), and the code makes neither check on Windows.
  it.skipIf(process.platform === 'win32')('refuses a folder others can write to, or its parent', () => {
    for (const which of ['node-compile-cache', '']) {
      const h = home();
      const dir = join(h, '.cache', 'thgov', 'node-compile-cache');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(join(h, '.cache', 'thgov', which), 0o777);
      const fake = fakeModule();
      expect(enableCompileCache(host(h, { module: fake.module }))).toMatchObject({
        status: 'unsafe-folder',
        reason: expect.stringContaining('writable by others'),
      });
      expect(fake.calls).toEqual([]);
    }
  });

  it.skipIf(process.platform === 'win32')('refuses a symbolic link in place of the folder', () => {
    const h = home();
    const elsewhere = join(h, 'planted');
    mkdirSync(elsewhere, { mode: 0o700 });
    mkdirSync(join(h, '.cache', 'thgov'), { recursive: true, mode: 0o700 });
    symlinkSync(elsewhere, join(h, '.cache', 'thgov', 'node-compile-cache'));
    const fake = fakeModule();
    expect(enableCompileCache(host(h, { module: fake.module }))).toMatchObject({
      status: 'unsafe-folder',
      reason: expect.stringContaining('symbolic link'),
    });
    expect(fake.calls).toEqual([]);
  });

  it('refuses a folder that belongs to another user', () => {
    const h = home();
    const fake = fakeModule();
    expect(enableCompileCache(host(h, { module: fake.module, uid: uid + 1 }))).toMatchObject({
      status: 'unsafe-folder',
      reason: expect.stringContaining('belongs to another user'),
    });
    expect(fake.calls).toEqual([]);
  });

  it("as root, writes nothing into another user's HOME (sudo keeps the caller's HOME)", () => {
    const h = home();
    // Owned by someone other than root: this test's own user, or nobody when the test runs as root.
    if (uid === 0) chownSync(h, 65534, 65534);
    const fake = fakeModule();
    expect(enableCompileCache(host(h, { module: fake.module, uid: 0 }))).toMatchObject({
      status: 'unsafe-folder',
      reason: expect.stringContaining('HOME of another user'),
    });
    expect(fake.calls).toEqual([]);
    expect(existsSync(join(h, '.cache'))).toBe(false);
  });

  it('never throws: an unwritable home, or Node refusing the folder, means no cache', () => {
    const h = home();
    writeFileSync(join(h, '.cache'), 'a file where the folder would go');
    expect(enableCompileCache(host(h, { module: fakeModule().module }))).toMatchObject({ status: 'failed' });
    const h2 = home();
    expect(enableCompileCache(host(h2, { module: fakeModule(STATUS.FAILED).module }))).toMatchObject({
      status: 'failed',
    });
  });
});

describe('the thgov command', () => {
  // Against the built command, as a user runs it, on the Node.js running this test.
  it('keeps compiled code in the private folder where Node can, and writes nothing where it cannot', () => {
    const h = home();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: h,
      USERPROFILE: h,
      LOCALAPPDATA: join(h, 'AppData', 'Local'),
    };
    for (const name of ['XDG_CACHE_HOME', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE'])
      delete env[name];
    const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
    const run = spawnSync(process.execPath, [bin, '--version'], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const dir = compileCacheDirectory({ env, platform: process.platform, home: () => h }) as string;
    const api = process.getBuiltinModule('node:module') as { enableCompileCache?: unknown };
    const supported = typeof api.enableCompileCache === 'function';
    if (supported) {
      // Node keeps one sub-folder per Node version and flags, holding an entry per compiled module.
      const entries = readdirSync(dir, { recursive: true }).length;
      expect(entries).toBeGreaterThan(1);
    } else {
      expect(existsSync(dir)).toBe(false);
    }
  });
});
