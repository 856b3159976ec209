// `thgov doctor --strict` is the connection test agencies run in CI, where a warning must fail the job. A
// configuration file every local user can read that holds a secret in clear was warned about on stderr only: the
// exit status, the JSON report (`ok`) and the JUnit report all said the run was clean, so a --strict job went
// green with a readable Consumer-Secret on the runner.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../src/index.js';
import { makeFixtures } from '../helpers.js';

const SECRET = 'readable-secret-4b7e1d9a';
let dir = '';
let config = '';

beforeAll(async () => {
  const fx = await makeFixtures(1);
  dir = fx.dir;
  config = join(mkdtempSync(join(tmpdir(), 'thgov-doctor-strict-')), 'thgov.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      exchange: {
        baseUrl: 'https://api.egov.go.th',
        consumerKey: 'key-1',
        consumerSecret: SECRET,
        agentId: '1101700230708',
      },
      transcript: { trustAnchors: [fx.root] },
    }),
  );
  chmodSync(config, 0o644);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(config, '..'), { recursive: true, force: true });
});

async function doctor(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
  // --only transcript: local checks of the trust anchor; the exchange section (the secret) is never dialled.
  const code = await doctorCommand(['--config', config, '--only', 'transcript', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

describe.skipIf(process.platform === 'win32')(
  'thgov doctor and a readable configuration file with secrets',
  () => {
    it('without --strict: exit 0, the warning in the JSON report, never the secret', async () => {
      const r = await doctor('--json');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as { ok: boolean; configWarnings?: string[] };
      expect(report.ok).toBe(true);
      expect(report.configWarnings).toHaveLength(1);
      expect(report.configWarnings?.[0]).toContain('exchange.consumerSecret');
      expect(r.out + r.err).not.toContain(SECRET);
    });

    it('with --strict: exit 1 and ok: false, as a warning of any check', async () => {
      const r = await doctor('--strict', '--json');
      expect(r.code).toBe(1);
      expect((JSON.parse(r.out) as { ok: boolean }).ok).toBe(false);
      const text = await doctor('--strict');
      expect(text.code).toBe(1);
      expect(text.out).toMatch(/FAILED/);
      expect(text.out).toMatch(/configuration/i);
    });

    it('with --strict the JUnit report lists it as a failure; without, as a passing case marked WARNING', async () => {
      const strict = join(dir, 'strict.xml');
      const lenient = join(dir, 'lenient.xml');
      await doctor('--strict', '--junit', strict);
      await doctor('--junit', lenient);
      const s = readFileSync(strict, 'utf8');
      const l = readFileSync(lenient, 'utf8');
      expect(s).toMatch(/<testcase[^>]*name="[^"]*configuration[^"]*"[^>]*>\s*<failure/i);
      expect(l).not.toMatch(/configuration[^"]*"[^>]*>\s*<failure/i);
      expect(l).toContain('WARNING: ');
      expect(s + l).not.toContain(SECRET);
    });
  },
);
