import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAnchorStore } from '../../src/audit/anchor-file.js';
import { FileAuditSink, type FileAuditSinkOptions } from '../../src/audit/file-sink.js';
import type { AuditChainKey } from '../../src/audit/keys.js';
import type { AuditEvent } from '../../src/audit/record.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { completeThaiId } from '../../src/identifiers.js';

/** Subject-hash key and chain keys of the audit tests: apart, as the sinks require. */
export const SUBJECT_SECRET = 'agency-subject-secret-0123456789abcdef';
export const CHAIN_KEY: AuditChainKey = {
  id: '2026-01',
  secret: 'chain-key-2026-01-0123456789abcdef0123456789',
};
export const NEXT_CHAIN_KEY: AuditChainKey = {
  id: '2027-01',
  secret: 'chain-key-2027-01-fedcba9876543210fedcba9876',
};
export const CITIZEN = completeThaiId('110370012345');
export const OFFICER = completeThaiId('350990004321');

export function auditEvent(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    ts: new Date(Date.UTC(2026, 10, 27, 12, 0, i % 60)).toISOString(),
    who: OFFICER,
    client: 'registry-backend',
    service: 'gdx',
    operation: 'dopa.linkage',
    subject: CITIZEN,
    purpose: 'welfare eligibility check',
    caseRef: `CASE-${i}`,
    requestId: `req-${i}`,
    status: 'ok',
    statusCode: 200,
    latencyInMs: 12.5,
    responseBody: `{"n":${i}}`,
    extra: { xRoadRequestHash: `h${i}` },
    ...extra,
  };
}

/** A temporary directory per test file, and fresh log paths inside it. */
export function auditDir(prefix: string): { dir: string; fresh(): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `thgov-${prefix}-`));
  let n = 0;
  return {
    dir,
    fresh: () => join(dir, `audit-${++n}.jsonl`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function sinkAt(path: string, extra: Partial<FileAuditSinkOptions> = {}): FileAuditSink {
  return new FileAuditSink({ path, hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY, ...extra });
}

/** Writes `n` records (seq from..from+n-1 by event number) through a sink that is then closed. */
export async function writeLog(
  path: string,
  n: number,
  extra: Partial<FileAuditSinkOptions> = {},
  from = 1,
): Promise<void> {
  const sink = sinkAt(path, extra);
  for (let i = from; i < from + n; i++) await sink.append(auditEvent(i));
  await sink.close();
}

export const readLines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

/** The anchor the file sink keeps next to `path`. */
export const anchorOf = (path: string) => new FileAnchorStore({ path: `${path}.anchor` }).read();

/** Verifies with the keys and the anchor a sink wrote, as an auditor would. */
export async function verifyAnchored(path: string, keys: AuditChainKey[] = [CHAIN_KEY]) {
  return verifyAuditLog({ path }, { keys, anchor: await anchorOf(path) });
}

/** Runs the audit writer script in a child process; resolves with its exit code and output. */
export function runWriter(args: string[]): {
  child: ReturnType<typeof spawn>;
  output: () => string;
  done: Promise<{ code: number | null; signal: string | null; out: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'audit-writer.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
  return { child, output: () => out, done };
}

/**
 * The PID namespace and boot a lock file of this process names (Linux; empty elsewhere): a hand-written lock
 * of a dead process needs them to be judged by its pid, as the sinks' own locks have them.
 */
export function lockIdentity(): { pidns?: string; boot?: string } {
  if (process.platform !== 'linux') return {};
  return {
    pidns: `pid:[${statSync('/proc/self/ns/pid').ino}]`,
    boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  };
}
