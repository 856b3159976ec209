import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { makeFixtures } from './helpers.js';

const fx = await makeFixtures(3);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

function thgov(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'bin.ts'), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('thgov transcript verify (as a process)', () => {
  it('prints a table and exits 0 when every file passes', async () => {
    const r = await thgov(['transcript', 'verify', '--trust', fx.root, ...fx.good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FILE\s+INDICATION\s+SUB-INDICATION\s+SIGNER\s+SIGNED AT/);
    expect(r.stdout.match(/TOTAL_PASSED/g)).toHaveLength(3);
    expect(r.stdout).toContain('CLI Registrar');
    // stderr is a pipe here, not a TTY: no progress bar. Commands load lazily, so nothing else writes there
    // either (the digital-ID provider's runtime warning only appears for `thgov sandbox`).
    expect(r.stderr).toBe('');
  });

  it('--json prints one array of reports and exits 1 when any file fails', async () => {
    const missing = join(fx.dir, 'missing.pdf');
    const r = await thgov([
      'transcript',
      'verify',
      '--json',
      '--trust',
      fx.root,
      fx.good[0]!,
      fx.tampered,
      missing,
    ]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as {
      file: string;
      indication: string;
      subIndication?: string;
      errorCode?: string;
    }[];
    expect(reports.map((x) => [x.file, x.indication])).toEqual([
      [fx.good[0], 'TOTAL_PASSED'],
      [fx.tampered, 'TOTAL_FAILED'],
      [missing, 'INDETERMINATE'],
    ]);
    expect(reports[1]!.subIndication).toBe('HASH_FAILURE');
    expect(reports[2]!.errorCode).toBe('ERR_FILE_READ');
  });

  it('--policy pdf accepts a signature without revocation data that the strict policy cannot conclude on', async () => {
    const strict = await thgov(['transcript', 'verify', '--trust', fx.root, fx.noRevocation]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('TRY_LATER');
    const generic = await thgov([
      'transcript',
      'verify',
      '--policy',
      'pdf',
      '--trust',
      fx.root,
      fx.noRevocation,
    ]);
    expect(generic.code).toBe(0);
  });

  it('--crl: a good file without embedded revocation data passes under the strict policy', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--json',
      '--trust',
      fx.root,
      '--crl',
      fx.crl,
      fx.noRevocation,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout) as {
      indication: string;
      signatures: { revocation: { source: string }[] }[];
    }[];
    expect(report!.indication).toBe('TOTAL_PASSED');
    expect(report!.signatures[0]!.revocation[0]!.source).toBe('supplied');
  });

  it('--crl: a revoked signer is REVOKED (time-stamped after the revocation), and exits 1', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--crl',
      fx.revokingCrl,
      fx.revokedNoRevocation,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/TOTAL_FAILED\s+REVOKED\s/);
    expect(r.stdout).toContain('was revoked at');
  });

  it('--ocsp-response (repeatable with --crl) supplies OCSP answers', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--ocsp-response',
      fx.ocsp,
      fx.noRevocation,
    ]);
    expect(r.code, r.stdout).toBe(0);
    const both = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--crl',
      fx.crl,
      '--crl',
      fx.revokingCrl,
      fx.noRevocation,
      fx.revokedNoRevocation,
    ]);
    expect(both.code).toBe(1);
    expect(both.stdout.match(/TOTAL_PASSED/g)).toHaveLength(1);
  });

  it('without --trust nothing is trusted', async () => {
    const r = await thgov(['transcript', 'verify', '--json', fx.good[0]!]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0].indication).toBe('INDETERMINATE');
  });

  it.each([
    [[], 'Usage: thgov'],
    [['transcript'], "unknown command 'transcript'"],
    [['transcript', 'verify'], 'no FILE given'],
    [['transcript', 'verify', '--policy', 'loose', 'x.pdf'], '--policy must be'],
    [['transcript', 'verify', '--bogus', 'x.pdf'], "Unknown option '--bogus'"],
    [['transcript', 'verify', '--trust', '/nonexistent/root.pem', 'x.pdf'], 'cannot read trust file'],
    [['transcript', 'verify', '--crl', '/nonexistent/ca.crl', 'x.pdf'], 'cannot read CRL file'],
    [['transcript', 'verify', '--crl', fx.root, 'x.pdf'], 'is not a CRL'],
    [['transcript', 'verify', '--ocsp-response', fx.crl, 'x.pdf'], 'is not a DER OCSP response'],
    [['nope', 'verify'], "unknown command 'nope verify'"],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await thgov(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('--help exits 0 with the options', async () => {
    const r = await thgov(['transcript', 'verify', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--tsa-trust FILE');
  });
});

describe('progress bar', () => {
  it('is drawn on stderr only when stderr is a TTY', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), isTTY: true, columns: 80 },
    };
    expect(await run(['transcript', 'verify', '--trust', fx.root, ...fx.good], io)).toBe(0);
    expect(err.join('')).toContain('3/3');
    expect(out.join('')).not.toContain('3/3');
    const quiet: string[] = [];
    const io2 = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => quiet.push(s), isTTY: false },
    };
    expect(await run(['transcript', 'verify', '--trust', fx.root, ...fx.good], io2)).toBe(0);
    expect(quiet).toEqual([]);
  });
});
