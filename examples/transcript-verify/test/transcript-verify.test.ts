import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenerateResult, generateTranscripts } from '../src/generate.js';
import { formatSummary, toJsonReport } from '../src/summary.js';
import { verifyFolder } from '../src/verify-folder.js';

const cwd = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let made: GenerateResult;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcript-verify-'));
  made = await generateTranscripts(join(dir, 'class'), { count: 3, tampered: 2 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyFolder', () => {
  it('counts good and tampered transcripts, with the reason of each failure', async () => {
    const result = await verifyFolder(join(dir, 'class'), {
      trust: await readFile(made.rootPemPath, 'utf8'),
    });
    expect(result.files.map((f) => f.file)).toEqual([
      'transcript-001-tampered.pdf',
      'transcript-001.pdf',
      'transcript-002-tampered.pdf',
      'transcript-002.pdf',
      'transcript-003.pdf',
    ]);
    expect(result.counts).toEqual({
      TOTAL_PASSED: 3,
      TOTAL_FAILED: 2,
      INDETERMINATE: 0,
      NO_SIGNATURE_FOUND: 0,
      ERROR: 0,
    });
    for (const f of result.files.filter((x) => x.file.includes('tampered'))) {
      expect(f.subIndication).toBe('HASH_FAILURE');
      expect(f.reason).toMatch(/^step 7 cms: messageDigest does not match/);
    }
    const good = result.files.find((f) => f.file === 'transcript-003.pdf');
    expect(good?.signer).toBe('Sandbox University Registrar');
    expect(good?.signedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(good?.reason).toBeUndefined();

    const text = formatSummary(result);
    expect(text).toMatch(/transcript-003\.pdf\s+✓ TOTAL_PASSED/);
    expect(text).toMatch(/transcript-001-tampered\.pdf\s+✗ TOTAL_FAILED\s+HASH_FAILURE/);
    expect(text).toMatch(/TOTAL_PASSED\s+3\n/);
    expect(text).toMatch(/TOTAL_FAILED\s+2\n/);
    const json = toJsonReport(result);
    expect(json.allPassed).toBe(false);
    expect(json.total).toBe(5);
  });

  it('reports a wrong trust anchor as INDETERMINATE, garbage as TOTAL_FAILED, and an oversized file as ERROR', async () => {
    const mixed = join(dir, 'mixed');
    await mkdir(join(mixed, 'sub'), { recursive: true });
    await copyFile(made.good[0] as string, join(mixed, 'sub', 'a.pdf'));
    await writeFile(join(mixed, 'garbage.PDF'), 'this is not a PDF');
    await writeFile(join(mixed, 'big.pdf'), Buffer.alloc(200_000, 0x20));
    await writeFile(join(mixed, 'notes.txt'), 'ignored: not a .pdf');
    const other = await generateTranscripts(join(dir, 'other-university'), { count: 1 });
    const result = await verifyFolder(mixed, {
      trust: await readFile(other.rootPemPath, 'utf8'),
      maxBytes: 100_000,
      concurrency: 2,
    });
    const by = Object.fromEntries(result.files.map((f) => [f.file, f]));
    expect(Object.keys(by).sort()).toEqual(['big.pdf', 'garbage.PDF', join('sub', 'a.pdf')]);
    expect(by[join('sub', 'a.pdf')]?.indication).toBe('INDETERMINATE');
    expect(by[join('sub', 'a.pdf')]?.reason).toMatch(/chain/);
    expect(by['garbage.PDF']).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(by['big.pdf']?.indication).toBe('ERROR');
    expect(by['big.pdf']?.reason).toMatch(/limit/);
    expect(result.counts).toMatchObject({ INDETERMINATE: 1, TOTAL_FAILED: 1, ERROR: 1, TOTAL_PASSED: 0 });
  });

  it('refuses bad generate arguments with a RangeError', async () => {
    await expect(generateTranscripts(join(dir, 'x'), { count: 0 })).rejects.toThrow(RangeError);
    await expect(generateTranscripts(join(dir, 'x'), { count: 2, tampered: 3 })).rejects.toThrow(RangeError);
  });
});

describe('the command', () => {
  it('--generate N --tampered M: summary counts, JSON report, exit 1 because some failed', async () => {
    const folder = join(dir, 'cli');
    const report = join(dir, 'cli-report.json');
    const run = await cli([folder, '--generate', '3', '--tampered', '1', '--json', report]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/generated 3 transcripts and 1 tampered copies/);
    expect(run.stdout).toMatch(/TOTAL_PASSED\s+3\n/);
    expect(run.stdout).toMatch(/TOTAL_FAILED\s+1\n/);
    expect(run.stdout).toMatch(/transcript-001-tampered\.pdf: step 7 cms/);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json).toMatchObject({ schema: 'thgov-transcript-verify/1', total: 4, allPassed: false });
    expect(json.counts).toMatchObject({ TOTAL_PASSED: 3, TOTAL_FAILED: 1 });
    expect(json.files).toHaveLength(4);

    // Without the tampered copy the same folder passes: exit 0.
    await unlink(join(folder, 'transcript-001-tampered.pdf'));
    // As `pnpm start -- <folder> …` passes it: with the `--`.
    const again = await cli(['--', folder, '--trust', join(folder, 'root.pem'), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/3 files in/);
    expect(again.stdout).not.toContain('✗');
  });

  it('exits 2 on bad arguments, a missing folder or an unusable trust file; 1 on an empty folder', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await writeFile(join(dir, 'not-a-cert.pem'), 'hello');
    const [noTrust, badTrust, noFolder, none] = await Promise.all([
      cli([empty]),
      cli([empty, '--trust', join(dir, 'not-a-cert.pem')]),
      cli([join(dir, 'missing'), '--trust', made.rootPemPath]),
      cli([empty, '--trust', made.rootPemPath]),
    ]);
    expect(noTrust.code).toBe(2);
    expect(noTrust.stderr).toMatch(/--trust <root.pem> is required/);
    expect(badTrust.code).toBe(2);
    expect(badTrust.stderr).toMatch(/cannot use .* as trust anchor/);
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toMatch(/is not a folder/);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no PDF found/);
  });
});
