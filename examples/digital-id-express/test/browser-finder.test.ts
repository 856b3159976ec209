import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chromiumFlags, findBrowser } from './helpers/browser.js';
import { extractTar } from './helpers/npm-chromium.js';

const tmp = mkdtempSync(join(tmpdir(), 'thgov-finder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const saved = process.env.CHROME_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.CHROME_PATH;
  else process.env.CHROME_PATH = saved;
});

/** One ustar entry (header + data padded to 512 bytes). */
function entry(name: string, data: string, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'latin1');
  header.write('0000644\0', 100, 'latin1');
  header.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(type, 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data, 'latin1');
  return Buffer.concat([header, body]);
}

describe('finding a browser', () => {
  it('an explicit CHROME_PATH wins, and a wrong one is an error rather than a silent fallback', () => {
    const fake = join(tmp, 'not-executable');
    writeFileSync(fake, '');
    process.env.CHROME_PATH = fake;
    expect(() => findBrowser()).toThrow(/CHROME_PATH=.*not an executable/);
    const script = join(tmp, 'chrome');
    writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
    process.env.CHROME_PATH = script;
    expect(findBrowser()).toMatchObject({ source: 'CHROME_PATH', executablePath: script, env: {} });
  });

  // Skipped on other platforms only: the Chromium build this example fetches from npm exists for x64 Linux alone.
  // Elsewhere the finder relies on CHROME_PATH (the test above) or a system Chrome.
  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(
    'without CHROME_PATH, x64 Linux uses the npm Chromium from the cache with its own libraries and fonts (skipped elsewhere: the npm build is x64 Linux only)',
    () => {
      delete process.env.CHROME_PATH;
      const found = findBrowser();
      expect(found.source).toBe('npm');
      accessSync(found.executablePath, constants.X_OK);
      expect(found.executablePath.startsWith(process.cwd())).toBe(false);
      expect(existsSync(join(found.env.LD_LIBRARY_PATH!.split(':')[0]!, 'libnss3.so'))).toBe(true);
      const conf = readFileSync(found.env.FONTCONFIG_FILE!, 'utf8');
      // Only the browser's own font folder: system fonts cannot change what a screenshot shows.
      expect([...conf.matchAll(/<dir>([^<]+)<\/dir>/g)].map((m) => m[1])).toEqual([
        join(found.executablePath, '..', 'fonts'),
      ]);
    },
  );

  it('flags for a closed network, and --no-sandbox for the npm build or root', () => {
    const flags = chromiumFlags({ executablePath: '/x', source: 'npm', env: {}, description: '' });
    for (const f of [
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-sandbox',
    ]) {
      expect(flags).toContain(f);
    }
    const system = chromiumFlags({ executablePath: '/x', source: 'system', env: {}, description: '' });
    expect(system.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
  });
});

describe('unpacking the npm archives', () => {
  it('writes regular files and folders', () => {
    const dir = mkdtempSync(join(tmp, 'ok-'));
    extractTar(
      Buffer.concat([entry('fonts/', '', '5'), entry('fonts/a.txt', 'hello'), Buffer.alloc(1024)]),
      dir,
    );
    expect(readFileSync(join(dir, 'fonts', 'a.txt'), 'utf8')).toBe('hello');
  });

  it('refuses names that climb out of the target or are absolute, and truncated archives', () => {
    const dir = mkdtempSync(join(tmp, 'bad-'));
    expect(() => extractTar(entry('../escape.txt', 'x'), dir)).toThrow(/Unsafe path/);
    expect(() => extractTar(entry('/etc/escape.txt', 'x'), dir)).toThrow(/Unsafe path/);
    expect(existsSync(join(tmp, 'escape.txt'))).toBe(false);
    expect(() => extractTar(entry('big.txt', 'x'.repeat(2000)).subarray(0, 1024), dir)).toThrow(/Corrupt/);
  });
});
