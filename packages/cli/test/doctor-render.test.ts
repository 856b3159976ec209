import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type DoctorReport, renderDoctorJunit, renderDoctorReport } from '../src/index.js';
import { tempDir } from './doctor-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostile = 'a <b> & "c" \'d\' ]]> \u0001\u0007 ✓ ไทย';

const report: DoctorReport = {
  version: 1,
  tool: 'thgov doctor',
  startedAt: new Date(0).toISOString(),
  durationInMs: 1234,
  ok: false,
  platforms: ['exchange'],
  summary: { total: 3, passed: 1, warned: 0, failed: 1, skipped: 1 },
  checks: [
    {
      id: 'exchange.dns',
      platform: 'exchange',
      title: `DNS ${hostile}`,
      status: 'pass',
      durationInMs: 3,
      message: hostile,
    },
    {
      id: 'exchange.tcp',
      platform: 'exchange',
      title: 'TCP',
      status: 'fail',
      durationInMs: 1500,
      message: `refused ${hostile}`,
      cause: `cause ${hostile}`,
      fix: 'fix it',
      errorCode: 'ECONNREFUSED',
    },
    {
      id: 'exchange.tls',
      platform: 'exchange',
      title: 'TLS',
      status: 'skip',
      durationInMs: 0,
      message: hostile,
    },
  ],
};

const xmllint = requireTool('xmllint', { why: 'a second opinion that the JUnit report is well-formed XML' });

describe('doctor report rendering', () => {
  xmllint.it('JUnit XML with hostile text is well-formed for xmllint', () => {
    const file = join(dir, 'hostile.xml');
    writeFileSync(file, renderDoctorJunit(report));
    execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
  });

  it('JUnit XML escapes hostile text (markup, quotes, CDATA end, control characters)', () => {
    const xml = renderDoctorJunit(report);
    expect(xml).toContain(
      '<failure message="refused a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; ]]&gt; \\u0001\\u0007 ✓ ไทย" type="ECONNREFUSED">',
    );
    expect(xml).toContain('<skipped message=');
    expect(xml).toMatch(
      /<testsuites name="thgov doctor" tests="3" failures="1" errors="0" skipped="1" time="1.234"/,
    );
    expect(xml.includes('\u0001') || xml.includes('\u0007')).toBe(false);
  });

  it('human text: marks, timings, cause and fix under failures only, FAILED summary', () => {
    const text = renderDoctorReport(report);
    expect(text).toContain('  ✓ DNS');
    expect(text).toContain('  ✗ TCP (1.5 s)');
    expect(text).toContain('  - TLS (0 ms)');
    // Server-sent text is printed escaped: the control characters are shown, not obeyed.
    expect(text).toContain(`      cause: cause a <b> & "c" 'd' ]]> \\u0001\\u0007 ✓ ไทย`);
    expect(text.includes('\u0001') || text.includes('\u0007')).toBe(false);
    expect(text.match(/cause:/g)).toHaveLength(1);
    expect(text).toMatch(/FAILED: 1 passed, 0 warnings, 1 failed, 1 skipped in 1\.2 s\n$/);
  });
});
