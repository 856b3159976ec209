// `thgov doctor --strict --junit report.xml` in an agency's CI: under --strict a warning fails the run (exit 1),
// so the JUnit report CI shows must name it as a failure. It said "0 failures" and filed the warning as a
// passing test: the job went red while the test report was all green, with no failed test to click on.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DoctorReport, renderDoctorJunit } from '../../src/index.js';
import { thgov } from '../doctor-helpers.js';
import { makeFixtures } from '../helpers.js';

const fx = await makeFixtures(1);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

/** The root is valid for a year: a warning window longer than that makes its check warn. */
function warningConfig(): string {
  const file = join(fx.dir, 'warn.json');
  const config = { doctor: { expiryWarningDays: 400 }, transcript: { trustAnchors: [fx.root] } };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('doctor --strict --junit: a warning that fails the run is a failure in the JUnit report', () => {
  it('as a process: exit 1, and the report counts one failure and names the check in it', async () => {
    const junit = join(fx.dir, 'strict.xml');
    const r = await thgov(['doctor', '--config', warningConfig(), '--strict', '--junit', junit]);
    expect(r.code, r.stderr).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*tests="1" failures="1"/);
    expect(xml).toMatch(/<testcase [^>]*name="transcript\.trustAnchor\.0: [^"]*"[^>]*>\s*<failure /);
  });

  it('without --strict the same warning passes (exit 0) and stays a passing test case marked WARNING', async () => {
    const junit = join(fx.dir, 'lenient.xml');
    const r = await thgov(['doctor', '--config', warningConfig(), '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*tests="1" failures="0"/);
    expect(xml).toContain('<system-out>WARNING: ');
  });

  it('renderDoctorJunit(report, { strict: true }) files warnings as failures (in-process)', () => {
    const report: DoctorReport = {
      version: 1,
      tool: 'thgov doctor',
      startedAt: new Date(0).toISOString(),
      durationInMs: 10,
      ok: false,
      platforms: ['transcript'],
      summary: { total: 2, passed: 1, warned: 1, failed: 0, skipped: 0 },
      checks: [
        { id: 't.a', platform: 'transcript', title: 'A', status: 'pass', durationInMs: 1, message: 'ok' },
        { id: 't.b', platform: 'transcript', title: 'B', status: 'warn', durationInMs: 1, message: 'soon' },
      ],
    };
    expect(renderDoctorJunit(report, { strict: true })).toMatch(/<testsuites [^>]*failures="1"/);
    expect(renderDoctorJunit(report)).toMatch(/<testsuites [^>]*failures="0"/);
  });
});
