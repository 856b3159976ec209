/**
 * Attack class: output file clobbering. Files the CLI writes (`--config-out`, the sandbox trust anchor,
 * `--junit`, sample transcripts) are written where someone else may have planted a symbolic link — to
 * `~/.ssh/authorized_keys`, or dangling, to create a file elsewhere — and a configuration holding client
 * secrets must not be readable by other users, also when it replaces an older file.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCliError, writeOutputFile } from '../../src/index.js';
import { tempDir, thgov } from '../doctor-helpers.js';
import { cli, makeFixtures } from '../helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (f: string) => statSync(f).mode & 0o777;
const leftovers = (d: string) => readdirSync(d).filter((n) => n.endsWith('.tmp'));

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isCliError(err, 'ERR_CLI_FILE_WRITE')) return err.message;
    throw err;
  }
  throw new Error('expected the write to be refused');
}

describe('writeOutputFile', () => {
  it('refuses a symbolic link at the target, dangling or not, and leaves what it points at alone', async () => {
    const victim = join(dir, 'authorized_keys');
    writeFileSync(victim, 'ssh-ed25519 AAAA… owner\n');
    const link = join(dir, 'report.xml');
    symlinkSync(victim, link);
    expect(await refused(writeOutputFile(link, '<xml/>'))).toContain('is a symbolic link');
    expect(readFileSync(victim, 'utf8')).toBe('ssh-ed25519 AAAA… owner\n');
    const dangling = join(dir, 'config.json');
    const created = join(dir, 'would-be-created');
    symlinkSync(created, dangling);
    expect(await refused(writeOutputFile(dangling, '{}', { secret: true }))).toContain('is a symbolic link');
    expect(existsSync(created)).toBe(false);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(await refused(writeOutputFile(dir, 'x'))).toContain('not a regular file');
    expect(leftovers(dir)).toEqual([]);
  });

  it('secrets are 0600, also when they replace a world-readable file', async () => {
    const file = join(dir, 'thgov.config.json');
    writeFileSync(file, '{"old":true}');
    chmodSync(file, 0o644);
    await writeOutputFile(file, '{"consumerSecret":"x"}', { secret: true });
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"consumerSecret":"x"}');
    await writeOutputFile(join(dir, 'fresh.json'), '{}', { secret: true });
    expect(mode(join(dir, 'fresh.json'))).toBe(0o600);
  });

  it('other files keep the mode of the file they replace; a new one is at most 0644', async () => {
    const kept = join(dir, 'private.xml');
    writeFileSync(kept, 'old');
    chmodSync(kept, 0o600);
    await writeOutputFile(kept, 'new');
    expect(mode(kept)).toBe(0o600);
    const fresh = join(dir, 'new.xml');
    await writeOutputFile(fresh, 'new');
    expect(mode(fresh) & ~0o644).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a folder that cannot be written is a clear error, not a crash', async () => {
    expect(await refused(writeOutputFile(join(dir, 'no', 'such', 'folder', 'x.xml'), 'x'))).toContain(
      'cannot create a file',
    );
  });
});

describe('the commands', () => {
  it('transcript verify --junit does not write through a planted link (exit 1, report still printed)', async () => {
    const fx = await makeFixtures(1);
    try {
      const victim = join(fx.dir, 'victim.txt');
      writeFileSync(victim, 'keep me');
      const link = join(fx.dir, 'junit.xml');
      symlinkSync(victim, link);
      const r = await cli(['transcript', 'verify', '--trust', fx.root, '--junit', link, ...fx.good]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('1 TOTAL_PASSED');
      expect(r.stderr).toContain('ERR_CLI_FILE_WRITE');
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
    } finally {
      rmSync(fx.dir, { recursive: true, force: true });
    }
  });

  it('thgov sandbox refuses a dangling link at --config-out and at the trust anchor, and stops cleanly', async () => {
    const out = join(dir, 'sb');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    const elsewhere = join(dir, 'planted-root.pem');
    symlinkSync(elsewhere, join(out, 'thgov-sandbox-root.pem'));
    const r = await thgov(['sandbox', '--config-out', join(out, 'thgov.config.json')], {}, 60_000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('ERR_CLI_FILE_WRITE');
    expect(r.stderr).toContain('thgov-sandbox-root.pem: it is a symbolic link');
    expect(existsSync(elsewhere)).toBe(false);
    expect(existsSync(join(out, 'thgov.config.json'))).toBe(false);
    // Now the configuration: a dangling link would have created a file holding the test credentials elsewhere.
    rmSync(join(out, 'thgov-sandbox-root.pem'));
    const secrets = join(dir, 'planted-config.json');
    symlinkSync(secrets, join(out, 'thgov.config.json'));
    const c = await thgov(['sandbox', '--config-out', join(out, 'thgov.config.json')], {}, 60_000);
    expect(c.code, c.stderr).toBe(1);
    expect(c.stderr).toContain('thgov.config.json: it is a symbolic link');
    expect(existsSync(secrets)).toBe(false);
  }, 120_000);
});
