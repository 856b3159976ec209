// `thgov transcript verify … --junit report.xml | head -5` in an agency's CI job: the reader of stdout goes away
// after a few lines. The command must still finish its work (the JUnit file is the CI artefact), exit with its
// own status (not a crash's 1, which `set -o pipefail` turns into a red job even when every file passed) and
// print no "Unhandled 'error' event" stack trace.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRun } from '../doctor-helpers.js';
import { makeFixtures } from '../helpers.js';

const fx = await makeFixtures(2);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');

/** `thgov …` whose stdout reader has already gone: the pipe's read end is closed before the child writes. */
function thgovIntoClosedPipe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  return collectRun(child);
}

describe('stdout closed early (`thgov … | head`)', () => {
  it('transcript verify: every file passes, so exit 0; the --junit file is still written; no stack trace', async () => {
    const junit = join(fx.dir, 'closed-pass.xml');
    const r = await thgovIntoClosedPipe([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--junit',
      junit,
      ...fx.good,
    ]);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(r.code).toBe(0);
    expect(existsSync(junit)).toBe(true);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites [^>]*tests="2" failures="0" errors="0"/);
  });

  it('transcript verify --json: a failing file still exits 1 (its verdict), and the JUnit file names it', async () => {
    const junit = join(fx.dir, 'closed-fail.xml');
    const r = await thgovIntoClosedPipe([
      'transcript',
      'verify',
      '--json',
      '--trust',
      fx.root,
      '--junit',
      junit,
      fx.good[0]!,
      fx.tampered,
    ]);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(r.code).toBe(1);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites [^>]*tests="2" failures="1" errors="0"/);
  });

  it('a usage error still exits 2 and says why on stderr', async () => {
    const notPem = join(fx.dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello');
    const r = await thgovIntoClosedPipe(['transcript', 'verify', '--trust', notPem, fx.good[0]!]);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not-a-cert.pem');
  });
});
