import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'thgov-audit-cli-'));
const good = join(dir, 'good.jsonl');
const edited = join(dir, 'edited.jsonl');
const citizenId = '1101700203450';
let head: { seq: number; hash: string };

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

beforeAll(async () => {
  const sink = new FileAuditSink({ path: good, hmacSecret: 'agency-audit-secret-0123456789' });
  for (let i = 0; i < 5; i++) {
    await sink.append({
      who: citizenId,
      client: 'agency-full',
      service: 'gdx',
      operation: 'dopa.linkage.001',
      subject: citizenId,
      purpose: 'benefit eligibility',
      caseRef: `case-${i}`,
      requestId: `req-${i}`,
      status: 'ok',
      latencyInMs: 12,
    });
  }
  head = await sink.head();
  await sink.close();
  const lines = readFileSync(good, 'utf8').split('\n');
  lines[2] = (lines[2] as string).replace('case-2', 'case-9');
  writeFileSync(edited, lines.join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thgov audit verify (as a process)', () => {
  it('exits 0 for an intact log and prints its head', async () => {
    const r = await thgov(['audit', 'verify', good]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('5 records, chain intact');
    expect(r.stdout).toContain(`${head.seq}:${head.hash}`);
  });

  it('exits 1 and names the line of an edited record; JSON output says the same', async () => {
    const r = await thgov(['audit', 'verify', edited]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 3 \(seq \d+\): edited/);
    const j = await thgov(['audit', 'verify', '--json', good, edited]);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.stdout) as Array<{
      ok: boolean;
      errors?: Array<{ kind: string; line: number }>;
    }>;
    expect(parsed.map((p) => p.ok)).toEqual([true, false]);
    expect(parsed[1]?.errors?.[0]).toMatchObject({ kind: 'edited', line: 3 });
  });

  it('detects removal of the newest records only with --expect-head', async () => {
    const shorter = join(dir, 'shorter.jsonl');
    const lines = readFileSync(good, 'utf8').trimEnd().split('\n');
    writeFileSync(shorter, `${lines.slice(0, 3).join('\n')}\n`);
    expect((await thgov(['audit', 'verify', shorter])).code).toBe(0);
    const r = await thgov(['audit', 'verify', '--expect-head', `${head.seq}:${head.hash}`, shorter]);
    expect(r.code).toBe(1);
  });

  it('usage errors exit 2; a missing file exits 1; the citizen ID never appears', async () => {
    expect((await thgov(['audit', 'verify'])).code).toBe(2);
    expect((await thgov(['audit', 'verify', '--expect-head', 'nope', good])).code).toBe(2);
    const missing = await thgov(['audit', 'verify', join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('ERR_AUDIT_IO');
    const all = await thgov(['audit', 'verify', '--json', good, edited]);
    expect(all.stdout + all.stderr).not.toContain(citizenId);
    expect(readFileSync(good, 'utf8')).not.toContain(citizenId);
  });
});
