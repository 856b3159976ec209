/**
 * Quirk class: a batch verify that verifies nothing, in CI. An agency's job runs
 * `thgov transcript verify --junit r.xml out/faculty-a out/faculty-b`; a broken step upstream leaves one folder
 * empty (or full of `.tmp` files). Reporting the folder on stderr and exiting 0 makes the job green while that
 * folder was never checked. As ESLint fails a pattern that matches no file, a FOLDER without a PDF fails the
 * command (exit 2, before anything is verified), unless `--allow-empty` says an empty folder is expected.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, makeFixtures } from '../helpers.js';

const xmllint = requireTool('xmllint', { why: 'a second opinion that the JUnit file is well-formed XML' });
const SUMMARY = /^(\d+) TOTAL_PASSED, (\d+) TOTAL_FAILED, (\d+) INDETERMINATE$/m;

let fx: Awaited<ReturnType<typeof makeFixtures>>;
let full: string;
let empty: string;
let noPdf: string;

beforeAll(async () => {
  fx = await makeFixtures(1);
  full = join(fx.dir, 'faculty-a');
  empty = join(fx.dir, 'faculty-b');
  noPdf = join(fx.dir, 'faculty-c');
  mkdirSync(join(full, 'sub'), { recursive: true });
  mkdirSync(join(empty, 'nested', 'deeper'), { recursive: true });
  mkdirSync(noPdf);
  copyFileSync(fx.good[0]!, join(full, 'sub', 'one.pdf'));
  writeFileSync(join(noPdf, 'one.pdf.tmp'), 'half written');
  writeFileSync(join(noPdf, 'notes.txt'), 'not a transcript');
}, 60_000);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('a FOLDER without a PDF, next to one with PDFs', () => {
  it('transcript verify: exit 2 naming the folder, before verifying; no JUnit report that looks green', async () => {
    const junit = join(fx.dir, 'a.xml');
    const r = await cli(['transcript', 'verify', '--trust', fx.root, '--junit', junit, full, empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no *.pdf under ${empty}`);
    expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stderr).toContain('--allow-empty');
    expect(r.stdout).not.toMatch(SUMMARY);
    expect(existsSync(junit)).toBe(false);
  });

  it('a folder holding only other files (half-written .tmp, notes) is just as empty', async () => {
    const r = await cli(['transcript', 'verify', '--trust', fx.root, full, noPdf]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no *.pdf under ${noPdf}`);
  });

  it('pdf verify, the other batch verify, does the same', async () => {
    const r = await cli(['pdf', 'verify', '--trust', fx.root, full, empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no *.pdf under ${empty}`);
    expect(r.stderr).toContain('--allow-empty');
  });

  it('--allow-empty: the empty folder is noted on stderr and the others decide the exit status', async () => {
    const alone = await cli(['transcript', 'verify', '--trust', fx.root, full]);
    expect(alone.code, alone.stderr).toBe(0);
    const r = await cli(['transcript', 'verify', '--allow-empty', '--trust', fx.root, full, empty, noPdf]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no *.pdf under ${empty}`);
    expect(r.stderr).toContain(`no *.pdf under ${noPdf}`);
    expect(SUMMARY.exec(r.stdout)?.slice(1)).toEqual(['1', '0', '0']);
    const failing = await cli(['pdf', 'verify', '--allow-empty', full, empty]);
    expect(failing.code).toBe(1);
  });
});

describe('nothing at all to verify', () => {
  it('is still a usage error without --allow-empty', async () => {
    const r = await cli(['transcript', 'verify', '--trust', fx.root, empty, noPdf]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no PDF file to verify');
  });

  it('with --allow-empty: exit 0, a zero summary, [] as JSON and an empty JUnit report', async () => {
    const junit = join(fx.dir, 'none.xml');
    const r = await cli([
      'transcript',
      'verify',
      '--allow-empty',
      '--trust',
      fx.root,
      '--junit',
      junit,
      empty,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(SUMMARY.exec(r.stdout)?.slice(1)).toEqual(['0', '0', '0']);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites [^>]*tests="0" failures="0" errors="0"/);
    const json = await cli(['pdf', 'verify', '--allow-empty', '--json', '--trust', fx.root, empty]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  xmllint.it('that empty JUnit report is well-formed XML', () => {
    execFileSync('xmllint', ['--noout', join(fx.dir, 'none.xml')], { stdio: 'pipe' });
  });
});
