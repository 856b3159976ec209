// The doctor's JUnit report was redacted as a whole XML text, where `<testsuite name="Transcripts">` reads as a
// person's name: every platform's suite came out as "[NAME]", "[NAME] exchange (GDX)", "[NAME] log", so CI
// (GitLab's test report, Jenkins) grouped them under names no agency can tell apart. Each text is redacted
// on its own before it goes into the XML: the suite names stay, secrets and personal data still go.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSecret } from '@thgov/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type DoctorReport, renderDoctorJunit } from '../../src/index.js';
import { thgov } from '../doctor-helpers.js';
import { makeFixtures } from '../helpers.js';

const fx = await makeFixtures(1);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const suiteNames = (xml: string) => [...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1]);

describe('doctor --junit: suite names survive redaction, secrets do not', () => {
  it('as a process: the transcript suite is named "Transcripts"', async () => {
    const config = join(fx.dir, 'transcript.json');
    writeFileSync(config, JSON.stringify({ transcript: { trustAnchors: [fx.root] } }));
    const junit = join(fx.dir, 'doctor.xml');
    const r = await thgov(['doctor', '--config', config, '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    expect(suiteNames(readFileSync(junit, 'utf8'))).toEqual(['Transcripts']);
  });

  it('renderDoctorJunit: platform titles kept; a secret and a citizen ID in a server message are not', () => {
    const secret = 'junit-Secret&<"-77120';
    registerSecret(secret);
    const citizenId = '1101700230708';
    const message = `server said: ${secret} for ${citizenId}`;
    const check = (platform: 'exchange' | 'audit', status: 'fail' | 'pass') => ({
      id: `${platform}.x`,
      platform,
      title: 'X',
      status,
      durationInMs: 1,
      message,
      cause: message,
    });
    const report: DoctorReport = {
      version: 1,
      tool: 'thgov doctor',
      startedAt: new Date(0).toISOString(),
      durationInMs: 2,
      ok: false,
      platforms: ['exchange', 'audit'],
      summary: { total: 2, passed: 1, warned: 0, failed: 1, skipped: 0 },
      checks: [check('exchange', 'fail'), check('audit', 'pass')],
    };
    const xml = renderDoctorJunit(report);
    expect(suiteNames(xml)).toEqual(['Data exchange (GDX)', 'Audit log']);
    expect(xml).not.toContain('junit-Secret');
    expect(xml).not.toContain('77120');
    expect(xml).not.toContain(citizenId);
    expect(xml).toContain('server said: ');
  });
});
