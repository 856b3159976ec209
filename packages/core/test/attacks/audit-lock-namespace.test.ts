// Attack class: a live lock taken for dead. Containers with host networking share the host name and, through a
// volume, the log; each has its own PID namespace. The lock names its holder's pid and host, and a waiter on the
// same host judged it by that pid: not running here (or running here as another process), so stale. It broke a
// lock whose holder was alive in the next container, and two writers extended one chain at once. The lock now
// names the holder's PID namespace and boot too; the pid is judged only when both are ours.
import {
  type ChildProcessByStdio,
  type ChildProcessWithoutNullStreams,
  spawn,
  spawnSync,
} from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditDir,
  auditEvent,
  lockIdentity,
  readLines,
  runWriter,
  sinkAt,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-lock-namespace');
afterAll(() => tmp.cleanup());

const linux = process.platform === 'linux';
const ours = lockIdentity();

/** The pid of a process that has exited: not running here, as a pid of another namespace may not be. */
async function deadPid(): Promise<number> {
  const dead = runWriter([tmp.fresh(), '1']);
  await dead.done;
  return dead.child.pid as number;
}

/**
 * Resolves once the holder says it holds the lock (with a reader of all it printed); rejects if it ends first,
 * so a holder that cannot start fails the test instead of leaving it waiting.
 */
function holding(holder: ChildProcessWithoutNullStreams | ChildProcessByStdio<Writable, Readable, null>) {
  let out = '';
  holder.stdout.on('data', (d) => {
    out += d;
  });
  return new Promise<() => string>((resolve, reject) => {
    holder.stdout.on('data', () => out.includes('locked') && resolve(() => out));
    holder.on('close', (code) => reject(new Error(`the lock holder ended (${code}) before it held: ${out}`)));
    holder.on('error', reject);
  });
}

function writeLock(path: string, holder: Record<string, unknown>): string {
  const text = JSON.stringify({
    host: hostname(),
    token: 'other',
    ts: '2026-01-01T00:00:00.000Z',
    ...holder,
  });
  writeFileSync(`${path}.lock`, text);
  return text;
}

describe.runIf(linux)('a lock held in another PID namespace of the same host', () => {
  it('is not broken although its pid is not running here: ERR_AUDIT_LOCK naming the lock file and how to remove it', async () => {
    const path = tmp.fresh();
    await writeLog(path, 1);
    const pid = await deadPid();
    const text = writeLock(path, { pid, start: '123', pidns: 'pid:[4026599999]', boot: ours.boot });
    const sink = sinkAt(path, { lockTimeoutInMs: 50 });
    const err = await sink.append(auditEvent(2)).catch((e: unknown) => e);
    await sink.close();
    expect(err).toMatchObject({ code: 'ERR_AUDIT_LOCK' });
    expect((err as Error).message).toContain(`${path}.lock`);
    expect((err as Error).message).toMatch(/another PID namespace/);
    expect((err as { hint?: string }).hint).toContain(`rm ${path}.lock`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(text);
    expect(readLines(path)).toHaveLength(1);
  });

  it('a lock from another boot (another kernel with the same host name, or before a restart) is not broken either', async () => {
    const path = tmp.fresh();
    const pid = await deadPid();
    writeLock(path, { pid, pidns: ours.pidns, boot: '00000000-0000-4000-8000-000000000000' });
    const sink = sinkAt(path, { lockTimeoutInMs: 30 });
    const err = await sink.open().catch((e: unknown) => e);
    await sink.close();
    expect(err).toMatchObject({ code: 'ERR_AUDIT_LOCK' });
    expect((err as Error).message).toMatch(/another boot/);
  });

  it('an old lock file (no namespace, no boot) stays readable: named in the error, never broken by its pid', async () => {
    const path = tmp.fresh();
    const pid = await deadPid();
    const text = writeLock(path, { pid });
    const sink = sinkAt(path, { lockTimeoutInMs: 30 });
    const err = await sink.open().catch((e: unknown) => e);
    await sink.close();
    expect(err).toMatchObject({ code: 'ERR_AUDIT_LOCK' });
    expect((err as Error).message).toContain(`process ${pid} on host ${hostname()}`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(text);
  });

  it('a lock of a dead process in our namespace and boot is still broken', async () => {
    const path = tmp.fresh();
    const pid = await deadPid();
    writeLock(path, { pid, ...ours });
    const sink = sinkAt(path, { lockTimeoutInMs: 5_000 });
    await sink.append(auditEvent(1));
    await sink.close();
    expect((await verifyAnchored(path)).records).toHaveLength(1);
  });

  it('the lock a sink writes names its PID namespace and boot', async () => {
    const path = tmp.fresh();
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../helpers/lock-holder.ts'), `${path}.lock`],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    await holding(holder);
    const lock = JSON.parse(readFileSync(`${path}.lock`, 'utf8'));
    holder.stdin.end();
    await new Promise((resolve) => holder.on('close', resolve));
    expect(lock).toMatchObject({ pid: holder.pid, host: hostname(), ...ours });
  });
});

// Bounded: a sandbox that lets unshare start but never lets it finish must not block the worker.
const canUnshare =
  linux &&
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], {
    stdio: 'ignore',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  }).status === 0;

describe.runIf(canUnshare)(
  'a real second PID namespace (unshare --mount-proc, as a container has; needs CAP_SYS_ADMIN)',
  () => {
    it('a live holder in it keeps its lock; once it releases, the sink goes on', async () => {
      const path = tmp.fresh();
      await writeLog(path, 1);
      const holder = spawn(
        'unshare',
        [
          '--pid',
          '--fork',
          '--mount-proc',
          process.execPath,
          '--import',
          'tsx',
          join(import.meta.dirname, '../helpers/lock-holder.ts'),
          `${path}.lock`,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      const out = await holding(holder);
      // Its pid there is 1; here pid 1 is init, alive but another process (another start time).
      const lock = JSON.parse(readFileSync(`${path}.lock`, 'utf8'));
      const sink = sinkAt(path, { lockTimeoutInMs: 100 });
      const err = await sink.append(auditEvent(2)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_AUDIT_LOCK' });
      expect(lock).toMatchObject({ pid: 1, boot: ours.boot });
      expect(lock.pidns).not.toBe(ours.pidns);
      holder.stdin.end();
      await new Promise((resolve) => holder.on('close', resolve));
      expect(out()).toContain('released');
      await sink.close();
      const again = sinkAt(path);
      await again.append(auditEvent(2));
      await again.close();
      expect((await verifyAnchored(path)).records).toHaveLength(2);
    });
  },
);

describe.runIf(canUnshare)(
  'a container that hides /proc/sys (no boot_id; needs CAP_SYS_ADMIN to play it)',
  () => {
    it("a dead holder's lock is still broken: the boot is read from /proc/stat's btime", async () => {
      const path = tmp.fresh();
      const pid = await deadPid();
      const script = [
        'mount --bind /dev/null /proc/sys/kernel/random/boot_id',
        `exec "${process.execPath}" --import tsx "${join(import.meta.dirname, '../helpers/stale-lock.ts')}" "${path}.lock" ${pid}`,
      ].join(' && ');
      const run = spawnSync('unshare', ['--mount', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      expect(run.status, run.stderr).toBe(0);
      const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
      expect(seen.boot).toMatch(/^btime:\d+$/);
      expect(seen.broke).toBe(true);
    });
  },
);
