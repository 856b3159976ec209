import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditVerify } from '../src/audit/verify-command.js';
import { EXIT, UsageError } from '../src/io.js';
import { type Run, thgov as runThgov } from './doctor-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-audit-cli-'));
const good = join(dir, 'good.jsonl');
const citizenId = '1101700203450';
const SUBJECT_SECRET = 'agency-audit-secret-0123456789';
const CHAIN_KEY = { id: '2026-01', secret: 'cli-test-chain-key-0123456789abcdef0123456789' };
const KEYS_TEXT = `${CHAIN_KEY.id}:${CHAIN_KEY.secret}\n`;
const keyFile = join(dir, 'chain.keys');
let head: { seq: number; hash: string };

/** `thgov …` as a process, with no chain keys in its environment unless `env` gives them. */
function thgov(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runThgov(args, { THGOV_AUDIT_CHAIN_KEYS: '', ...env });
}

/** The command in this process (the same code bin.ts runs); a usage error is exit status 2, as there. */
async function verify(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  const io = { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: () => true } };
  try {
    return { code: await auditVerify(args, io, { THGOV_AUDIT_CHAIN_KEYS: '', ...env }), stdout, stderr: '' };
  } catch (err) {
    if (err instanceof UsageError) return { code: EXIT.USAGE, stdout, stderr: err.message };
    throw err;
  }
}

const withKeys = { THGOV_AUDIT_CHAIN_KEYS: KEYS_TEXT };

/** A copy of the good log (and its anchor unless told otherwise) that a test may damage. */
function copyOfGood(name: string, anchor = true): string {
  const path = join(dir, `${name}.jsonl`);
  copyFileSync(good, path);
  if (anchor) copyFileSync(`${good}.anchor`, `${path}.anchor`);
  return path;
}

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

/** A log in the old unkeyed format (plain SHA-256), as thgov wrote them before the chain was keyed. */
function writeLegacy(path: string, n: number): void {
  let prev = '0'.repeat(64);
  let text = '';
  for (let seq = 1; seq <= n; seq++) {
    const unsigned = JSON.stringify({
      seq,
      ts: '2026-01-05T10:00:00.000Z',
      who: 'system',
      service: 'gdx',
      status: 'ok',
      prevHash: prev,
    });
    const line = `${unsigned.slice(0, -1)},"hash":"${createHash('sha256').update(unsigned).digest('hex')}"}`;
    text += `${line}\n`;
    prev = createHash('sha256').update(line).digest('hex');
  }
  writeFileSync(path, text);
}

beforeAll(async () => {
  writeFileSync(keyFile, `# chain keys of the test agency\n${KEYS_TEXT}`);
  const sink = new FileAuditSink({ path: good, hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
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
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thgov audit verify', () => {
  it('as a process: exits 0 for an intact, anchored log with the key from the environment or --key-file', async () => {
    const fromEnv = await thgov(['audit', 'verify', good], withKeys);
    expect(fromEnv.code, fromEnv.stderr + fromEnv.stdout).toBe(0);
    expect(fromEnv.stdout).toContain('5 records, keyed, anchored at seq 5, chain intact');
    expect(fromEnv.stdout).toContain(`${head.seq}:${head.hash}`);
    expect(fromEnv.stdout).not.toContain('warning');
    const fromFile = await thgov(['audit', 'verify', '--strict', '--key-file', keyFile, good]);
    expect(fromFile.code, fromFile.stdout).toBe(0);
  });

  it('fails when the newest records were dropped (the anchor next to the log is found by itself)', async () => {
    const cut = copyOfGood('cut');
    writeFileSync(cut, `${lines(cut).slice(0, 3).join('\n')}\n`);
    const r = await verify([cut], withKeys);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/deleted: the log ends at seq 3 but its anchor is at seq 5/);
    expect(r.stdout).not.toContain('chain intact');
  });

  it('without an anchor: an error for a log whose sink keeps one (the anchor was deleted), not a warning', async () => {
    const bare = copyOfGood('bare', false);
    const r = await verify([bare], withKeys);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^✗ .*bare\.jsonl: 1 problem\(s\), 5 records read/);
    expect(r.stdout).toContain('anchor: no anchor, but the log was written by a sink that keeps one');
    expect(r.stdout).not.toContain('chain intact');
  });

  it('a log emptied, its anchor deleted with it, fails: an empty log is evidence of nothing', async () => {
    const emptied = copyOfGood('emptied', false);
    writeFileSync(emptied, '');
    const r = await verify([emptied], withKeys);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^✗ .*emptied\.jsonl: 1 problem\(s\), 0 records read/);
    expect(r.stdout).toContain('holds no record');
  });

  it('without an anchor, a log of an older writer: a warning that truncation cannot be detected, a failure under --strict', async () => {
    const old = join(dir, 'old-bare.jsonl');
    writeLegacy(old, 3);
    const r = await verify(['--allow-legacy', old], withKeys);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: no anchor: tail truncation cannot be detected');
    // Never "✓ chain intact" while something could not be ruled out: a ⚠ line naming the warnings.
    expect(r.stdout).not.toContain('✓');
    expect(r.stdout).not.toContain('chain intact');
    expect(r.stdout).toMatch(
      /^⚠ .*old-bare\.jsonl: 3 records, legacy, not anchored, no errors but 2 warning\(s\) \(legacy-unkeyed, no-anchor\)/,
    );
    const strict = await verify(['--strict', '--allow-legacy', old], withKeys);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('failed under --strict');
  });

  it('--expect-log finds a log swapped whole, with its anchor, for another log under the same key', async () => {
    const mine = copyOfGood('mine');
    const [report] = JSON.parse((await verify(['--json', mine], withKeys)).stdout);
    expect(report.log).toMatch(/^[0-9a-f]{64}$/);
    expect((await verify(['--expect-log', report.log, mine], withKeys)).code).toBe(0);
    const other = join(dir, 'other-log.jsonl');
    const sink = new FileAuditSink({ path: other, hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
    await sink.append({ who: 'system', service: 'gdx', status: 'ok' });
    await sink.close();
    copyFileSync(other, mine);
    copyFileSync(`${other}.anchor`, `${mine}.anchor`);
    expect((await verify([mine], withKeys)).code).toBe(0);
    const swapped = await verify(['--expect-log', report.log, mine], withKeys);
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toContain('it was replaced by another log');
    expect((await verify(['--expect-log', 'xyz', mine], withKeys)).code).toBe(2);
  });

  it('--anchor names the anchor; a missing or mismatching one fails; one log only', async () => {
    const other = join(dir, 'other.anchor');
    const small = copyOfGood('small');
    writeFileSync(small, `${lines(small).slice(0, 2).join('\n')}\n`);
    copyFileSync(`${good}.anchor`, other);
    expect((await verify(['--anchor', other, good], withKeys)).code).toBe(0);
    expect((await verify(['--anchor', other, small], withKeys)).code).toBe(1);
    const missing = await verify(['--anchor', join(dir, 'none.anchor'), good], withKeys);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('ERR_AUDIT_ANCHOR');
    expect((await verify(['--anchor', other, good, small], withKeys)).code).toBe(2);
  });

  it('without the chain key nothing passes: keyed records are unverified, and the output says how to give the key', async () => {
    const r = await verify([good]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unverified: 5 record\(s\) are authenticated with chain key 2026-01/);
    expect(r.stdout).toContain('--key-file FILE or THGOV_AUDIT_CHAIN_KEYS');
  });

  it('an edited record recomputed with plain SHA-256 fails, naming the line', async () => {
    const edited = copyOfGood('edited');
    const ls = lines(edited);
    const { v: _v, kid: _k, mac: _m, ...rest } = JSON.parse(ls[2] as string) as Record<string, unknown>;
    rest.caseRef = 'case-9';
    const unsigned = JSON.stringify(rest);
    ls[2] = `${unsigned.slice(0, -1)},"hash":"${createHash('sha256').update(unsigned).digest('hex')}"}`;
    writeFileSync(edited, `${ls.join('\n')}\n`);
    const r = await verify([edited], withKeys);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 3 \(seq 3\): downgraded/);
    const j = await verify(['--json', good, edited], withKeys);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.stdout) as Array<{
      ok: boolean;
      format: string;
      errors?: Array<{ kind: string; line: number }>;
    }>;
    expect(parsed.map((p) => [p.ok, p.format])).toEqual([
      [true, 'keyed'],
      [false, 'mixed'],
    ]);
    expect(parsed[1]?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'downgraded', line: 3 })]),
    );
  });

  it('a legacy (unkeyed) log fails unless --allow-legacy; then a ⚠ "legacy, unkeyed" warning; --strict fails it', async () => {
    const legacy = join(dir, 'legacy.jsonl');
    writeLegacy(legacy, 3);
    const refused = await verify([legacy], withKeys);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^✗ .*legacy\.jsonl: 1 problem\(s\)/);
    expect(refused.stdout).toMatch(/line 1 \(seq 1\): legacy: 3 record\(s\)/);
    expect(refused.stdout).toContain('--allow-legacy');
    const r = await verify(['--json', '--allow-legacy', legacy], withKeys);
    expect(r.code).toBe(0);
    const [result] = JSON.parse(r.stdout) as Array<{
      format: string;
      warnings: Array<{ kind: string; message: string }>;
    }>;
    expect(result?.format).toBe('legacy');
    expect(result?.warnings.map((w) => w.kind)).toEqual(['legacy-unkeyed', 'no-anchor']);
    expect(result?.warnings[0]?.message).toMatch(/^legacy, unkeyed/);
    const text = await verify(['--allow-legacy', legacy], withKeys);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^⚠ .*: 3 records, legacy, not anchored, no errors but 2 warning\(s\) \(legacy-unkeyed, no-anchor\)/,
    );
    expect(text.stdout).not.toContain('✓');
    expect((await verify(['--strict', '--allow-legacy', legacy], withKeys)).code).toBe(1);
    expect((await verify(['--allow-legacy', '--postgres', 'postgres://x@127.0.0.1/db'], withKeys)).code).toBe(
      EXIT.USAGE,
    );
  });

  it('a keyed log rewritten in the unkeyed format by someone without the key, its anchor deleted, fails', async () => {
    const forged = copyOfGood('forged', false);
    let prev = '0'.repeat(64);
    const out = lines(forged).map((l) => {
      const { v: _v, kid: _k, mac: _m, prevHash: _p, ...rest } = JSON.parse(l) as Record<string, unknown>;
      if (rest.seq === 3) rest.caseRef = 'case-forged';
      const unsigned = JSON.stringify({ ...rest, prevHash: prev });
      const line = `${unsigned.slice(0, -1)},"hash":"${createHash('sha256').update(unsigned).digest('hex')}"}`;
      prev = createHash('sha256').update(line).digest('hex');
      return `${line}\n`;
    });
    writeFileSync(forged, out.join(''));
    const r = await verify(['--key-file', keyFile, forged]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/legacy: 5 record\(s\) \(seq 1–5\) use the unkeyed legacy format/);
    expect(r.stdout).not.toContain('✓');
    expect(r.stdout).not.toContain('chain intact');
    const json = JSON.parse((await verify(['--json', forged], withKeys)).stdout) as Array<{ ok: boolean }>;
    expect(json[0]?.ok).toBe(false);
  });

  it('as a process: usage errors exit 2 without echoing a key; a missing log exits 1; no citizen ID or key in any output', async () => {
    expect((await thgov(['audit', 'verify'])).code).toBe(2);
    expect((await thgov(['audit', 'verify', '--expect-head', 'nope', good])).code).toBe(2);
    expect((await thgov(['audit', 'verify', '--key-file', join(dir, 'no.keys'), good])).code).toBe(2);
    const weak = 'short-key-value';
    const bad = await thgov(['audit', 'verify', good], { THGOV_AUDIT_CHAIN_KEYS: `k:${weak}` });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('THGOV_AUDIT_CHAIN_KEYS');
    expect(bad.stdout + bad.stderr).not.toContain(weak);
    const missing = await thgov(['audit', 'verify', join(dir, 'missing.jsonl')], withKeys);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('ERR_AUDIT_IO');
    const all = await thgov(['audit', 'verify', '--json', good, copyOfGood('again')], withKeys);
    expect(all.stdout + all.stderr).not.toContain(citizenId);
    expect(all.stdout + all.stderr).not.toContain(CHAIN_KEY.secret);
    expect(readFileSync(good, 'utf8')).not.toContain(citizenId);
  }, 60_000); // six CLI processes: a loaded CI machine needs more than the default

  it('--expect-head still checks a head kept elsewhere', async () => {
    const shorter = copyOfGood('shorter', false);
    writeFileSync(shorter, `${lines(shorter).slice(0, 3).join('\n')}\n`);
    const r = await verify(['--expect-head', `${head.seq}:${head.hash}`, shorter], withKeys);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the expected head is at seq 5');
  });
});
