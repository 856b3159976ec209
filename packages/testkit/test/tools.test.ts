import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTool, installCommand, missingCommands, missingToolsFail, type SkipRecord } from '../src/index.js';

const PKG = resolve(import.meta.dirname, '..');
const ROOT = resolve(PKG, '..', '..');
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const temp = mkdtempSync(join(tmpdir(), 'thgov-testkit-tools-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let n = 0;
/** A PATH folder holding only node, plus the fake commands given (shell scripts that exit 0). */
function pathWith(commands: string[]): string {
  const dir = join(temp, `bin-${++n}`);
  mkdirSync(dir, { recursive: true });
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const c of commands) {
    writeFileSync(join(dir, c), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, c), 0o755);
  }
  return dir;
}

interface ChildRun {
  status: number | null;
  output: string;
  passed: number;
  skipped: number;
  failed: number;
  records: SkipRecord[];
}

/** The fixture suite in a child vitest, with exactly the PATH and CI variables given. */
function runFixture(env: Record<string, string>): ChildRun {
  const skips = join(temp, `skips-${++n}`);
  const report = join(temp, `report-${n}.json`);
  const { CI: _ci, THGOV_ALLOW_MISSING_TOOLS: _allow, ...inherited } = process.env;
  const r = spawnSync(
    process.execPath,
    [
      VITEST,
      'run',
      '--config',
      'test/fixtures/vitest.config.ts',
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: PKG, encoding: 'utf8', env: { ...inherited, THGOV_SKIP_DIR: skips, ...env }, timeout: 120_000 },
  );
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numPendingTests: number;
    numFailedTests: number;
  };
  let records: SkipRecord[] = [];
  try {
    records = readdirSync(skips).map((f) => JSON.parse(readFileSync(join(skips, f), 'utf8')) as SkipRecord);
  } catch {
    records = [];
  }
  return {
    status: r.status,
    output: `${r.stdout}${r.stderr}${readFileSync(report, 'utf8')}`,
    passed: json.numPassedTests,
    skipped: json.numPendingTests,
    failed: json.numFailedTests,
    records,
  };
}

describe('requireTool: second opinions from system tools', () => {
  it('runs the tests where the tool is on PATH, and records nothing', () => {
    const r = runFixture({ PATH: pathWith(['qpdf']) });
    expect(r.status, r.output).toBe(0);
    expect([r.passed, r.skipped, r.failed]).toEqual([2, 0, 0]);
    expect(r.records).toEqual([]);
  });

  it('skips them where it is missing, and records each skip for the closing summary', () => {
    const r = runFixture({ PATH: pathWith([]) });
    expect(r.status, r.output).toBe(0);
    expect([r.passed, r.skipped, r.failed]).toEqual([0, 2, 0]);
    expect(r.records.map((x) => x.suite).sort()).toEqual([
      'a single test that needs qpdf',
      'a suite that needs qpdf',
    ]);
    expect(r.records[0]).toMatchObject({
      tool: 'qpdf',
      missing: ['qpdf'],
      debian: ['qpdf'],
      why: 'fixture: the gate under test',
      package: '@thgov/testkit',
    });
  });

  it('under CI=true a missing tool fails the run, naming the tool and the install command', () => {
    const r = runFixture({ PATH: pathWith([]), CI: 'true' });
    expect(r.status).not.toBe(0);
    expect(r.failed).toBe(2);
    expect(r.output).toContain('qpdf not found on PATH');
    expect(r.output).toContain('sudo apt-get install qpdf');
    expect(r.records).toEqual([]);
  });

  it('under CI=true with THGOV_ALLOW_MISSING_TOOLS=1 they are skipped and recorded instead', () => {
    const r = runFixture({ PATH: pathWith([]), CI: 'true', THGOV_ALLOW_MISSING_TOOLS: '1' });
    expect(r.status, r.output).toBe(0);
    expect([r.passed, r.skipped, r.failed]).toEqual([0, 2, 0]);
    expect(r.records).toHaveLength(2);
  });

  it('the closing line of `pnpm test` lists the skipped tools and one install command', () => {
    const skips = join(temp, 'summary');
    mkdirSync(skips, { recursive: true });
    const rec = (tool: string, pkg: string, missing: string[], debian: string[]) =>
      writeFileSync(
        join(skips, `${tool}-${++n}.json`),
        JSON.stringify({ tool, missing, debian, why: 'w', suite: 's', package: pkg }),
      );
    rec('pdfsig', '@thgov/transcript', ['pdfsig', 'certutil'], ['poppler-utils', 'libnss3-tools', 'openssl']);
    rec('pdfsig', '@thgov/transcript', ['pdfsig', 'certutil'], ['poppler-utils', 'libnss3-tools', 'openssl']);
    rec('xmllint', '@thgov/cli', ['xmllint'], ['libxml2-utils']);
    writeFileSync(join(skips, 'torn.json'), '{"tool":');
    const report = (dir: string) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'test.mjs'), '--report-skips'], {
        encoding: 'utf8',
        env: { ...process.env, THGOV_SKIP_DIR: dir },
      });
    const out = report(skips);
    expect(out.status).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([
      'Skipped for missing tools: pdfsig (2 skipped in @thgov/transcript; missing certutil, pdfsig); ' +
        'xmllint (1 skipped in @thgov/cli; missing xmllint). ' +
        'Install them with: sudo apt-get install libnss3-tools libxml2-utils openssl poppler-utils',
    ]);
    expect(report(join(temp, 'nothing-here')).stdout.trim()).toBe(
      'No test was skipped for a missing system tool.',
    );
  });
});

describe('tool detection', () => {
  it('looks for every command of a tool on PATH', () => {
    const dir = pathWith(['pdfsig', 'certutil']);
    expect(missingCommands('pdfsig', { PATH: dir })).toEqual(['pk12util', 'openssl']);
    expect(hasTool('pdfsig', { PATH: dir })).toBe(false);
    expect(hasTool('qpdf', { PATH: pathWith(['qpdf']) })).toBe(true);
    expect(hasTool('qpdf', { PATH: '' })).toBe(false);
  });

  it('one apt-get line for several tools, packages once each', () => {
    expect(installCommand(['pdfsig', 'poppler-text', 'xmllint'])).toBe(
      'sudo apt-get install libnss3-tools libxml2-utils openssl poppler-utils',
    );
  });

  it('missing tools fail only under CI, unless allowed', () => {
    expect(missingToolsFail({})).toBe(false);
    expect(missingToolsFail({ CI: 'false' })).toBe(false);
    expect(missingToolsFail({ CI: 'true' })).toBe(true);
    expect(missingToolsFail({ CI: '1' })).toBe(true);
    expect(missingToolsFail({ CI: 'true', THGOV_ALLOW_MISSING_TOOLS: '1' })).toBe(false);
  });
});
