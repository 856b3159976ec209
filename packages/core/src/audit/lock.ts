import { resolve } from 'node:path';
import { hostname, open, randomBytes, readFile, rm, sleep, stat } from '../builtins.js';
import { ThGovError } from '../errors.js';

/**
 * An exclusive lock between processes, as a lock file created with O_EXCL that names its holder
 * (pid, host, process start, PID namespace, boot, a random token). Node has no flock(2); O_EXCL creation is
 * atomic on local file systems and on NFSv3+. A lock whose holder is a dead process of this host's process
 * table (same host name, PID namespace and boot) is broken. Any other lock is never broken, and ends in
 * ERR_AUDIT_LOCK naming the lock file: from another host, another PID namespace (containers sharing the host
 * name and a volume) or another boot, the pid says nothing about whether its holder still runs.
 */
interface Holder {
  pid: number;
  host: string;
  /** Start time of the process (Linux /proc), so a reused pid is not mistaken for the holder. */
  start: string | undefined;
  /** PID namespace (`pid:[inode]` of /proc/self/ns/pid, Linux): whose pid `pid` is. Absent in older locks. */
  pidns?: string | undefined;
  /** /proc/sys/kernel/random/boot_id (Linux): which boot of which kernel. Absent in older locks. */
  boot?: string | undefined;
  token: string;
  ts: string;
}

export interface LockOptions {
  /** How long to wait for the lock before ERR_AUDIT_LOCK. */
  timeoutInMs: number;
}

/** An empty lock file is one being written; older than this it was left by a process that died. */
const EMPTY_LOCK_STALE_MS = 10_000;
/** Breaking a lock takes microseconds; a breaker file this old was left by a process that died. */
const BREAKER_STALE_MS = 10_000;
const MAX_POLL_MS = 20;

/** This process as a lock names it, read once. */
interface Identity {
  start: string | undefined;
  pidns: string | undefined;
  boot: string | undefined;
}

let own: Promise<Identity> | undefined;

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the command name, which may itself hold spaces and parentheses.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function pidNamespace(): Promise<string | undefined> {
  try {
    // The inode of the namespace, as readlink(/proc/self/ns/pid) spells it.
    return `pid:[${(await stat('/proc/self/ns/pid')).ino}]`;
  } catch {
    return undefined;
  }
}

/**
 * /proc/sys/kernel/random/boot_id, or where a container hides /proc/sys, the boot time of /proc/stat (`btime:`):
 * without either, no stale lock could ever be broken here.
 */
async function bootId(): Promise<string | undefined> {
  try {
    const id = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    if (id.length > 0 && id.length <= 64) return id;
  } catch {}
  try {
    const btime = /^btime (\d{1,20})$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1];
    return btime ? `btime:${btime}` : undefined;
  } catch {
    return undefined;
  }
}

async function identity(): Promise<Identity> {
  const [start, pidns, boot] = await Promise.all([processStart(process.pid), pidNamespace(), bootId()]);
  return { start, pidns, boot };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file's holder; older lock files (without `pidns` and `boot`) read as well. */
function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string')
      return h as Holder;
  } catch {}
  return undefined;
}

/**
 * Whether the holder's pid names a process of our process table. On Linux that takes the same PID namespace and
 * the same boot (a lock without them, from an older version, is not judged); elsewhere there are no PID
 * namespaces, and a lock naming one comes from a Linux machine or container.
 */
function sameProcessTable(holder: Holder, me: Holder): boolean {
  if (holder.host !== me.host) return false;
  if (process.platform !== 'linux')
    return holder.pidns === undefined && holder.boot === undefined && me.pidns === undefined;
  return (
    me.pidns !== undefined && me.boot !== undefined && holder.pidns === me.pidns && holder.boot === me.boot
  );
}

async function isStale(holder: Holder, me: Holder): Promise<boolean> {
  if (!sameProcessTable(holder, me)) return false;
  if (!isAlive(holder.pid)) return true;
  if (holder.start === undefined) return false;
  const start = await processStart(holder.pid);
  return start !== undefined && start !== holder.start;
}

async function ageInMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Removes a stale lock unless it changed meanwhile. Breakers take a second O_EXCL file first: without it two
 * waiters could both judge the same dead lock stale, and the slower one would remove the faster one's new lock.
 */
async function breakLock(lockPath: string, staleText: string): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  try {
    await (await open(breaker, 'wx', 0o600)).close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new ThGovError('ERR_AUDIT_IO', 'The audit lock file could not be checked', { cause: err });
    if ((await ageInMs(breaker)) > BREAKER_STALE_MS) await rm(breaker, { force: true });
    return false;
  }
  try {
    const now = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (now !== staleText) return false;
    await rm(lockPath, { force: true });
    return true;
  } finally {
    await rm(breaker, { force: true });
  }
}

/** One attempt: true when the lock file was created by us. */
async function tryCreate(lockPath: string, me: Holder): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ThGovError('ERR_AUDIT_IO', 'The audit lock file could not be created', { cause: err });
  }
  try {
    await handle.writeFile(JSON.stringify(me));
  } finally {
    await handle.close();
  }
  return true;
}

async function acquireFileLock(lockPath: string, options: LockOptions): Promise<() => Promise<void>> {
  own ??= identity();
  const { start, pidns, boot } = await own;
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    start,
    pidns,
    boot,
    token: randomBytes(12).toString('hex'),
    ts: new Date().toISOString(),
  };
  const deadline = performance.now() + options.timeoutInMs;
  let delay = 1;
  for (;;) {
    if (await tryCreate(lockPath, me)) break;
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    const holder = text === undefined ? undefined : parseHolder(text);
    if (text !== undefined) {
      const stale = holder ? await isStale(holder, me) : (await ageInMs(lockPath)) > EMPTY_LOCK_STALE_MS;
      // Only a lock we removed ourselves means "try again now"; otherwise wait like any waiter.
      if (stale && (await breakLock(lockPath, text))) continue;
    }
    if (performance.now() >= deadline) throw lockTimeout(lockPath, options.timeoutInMs, holder, me);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
  return async () => {
    // Only our own lock is removed: if it was (wrongly) broken, the file now belongs to someone else.
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text !== undefined && parseHolder(text)?.token === me.token) await rm(lockPath, { force: true });
  };
}

/** Lock file fields go into a message: printable ASCII only, bounded. */
const printable = (value: unknown): string =>
  String(value)
    .replace(/[^ -~]/g, '?')
    .slice(0, 200);

/** Why the holder's pid could not be judged here, or undefined when it could (a live holder). */
function whyUnchecked(holder: Holder, me: Holder): string | undefined {
  if (holder.host !== me.host) return 'another host';
  if (sameProcessTable(holder, me)) return undefined;
  if (holder.pidns === undefined || holder.boot === undefined)
    return 'no PID namespace and boot (written by an older version)';
  if (holder.boot !== me.boot)
    return 'another boot (the kernel restarted since, or another machine with this host name)';
  return 'another PID namespace (a container sharing this host name and the volume)';
}

function lockTimeout(
  lockPath: string,
  timeoutInMs: number,
  holder: Holder | undefined,
  me: Holder,
): ThGovError {
  const who = holder
    ? `process ${printable(holder.pid)} on host ${printable(holder.host)} since ${printable(holder.ts)}`
    : 'another process';
  const unchecked = holder ? whyUnchecked(holder, me) : undefined;
  const why = unchecked
    ? `; the lock names ${unchecked}: whether its holder still runs cannot be checked from here, so it is never broken automatically`
    : '';
  return new ThGovError(
    'ERR_AUDIT_LOCK',
    `The audit log lock ${lockPath} stayed held by ${who} for ${timeoutInMs} ms${why}`,
    {
      retryable: true,
      hint: `Another writer holds the lock. If that process is gone (check on its host or container), remove the lock file: rm ${lockPath}`,
    },
  );
}

/** Serializes holders in this process; the file lock then serializes processes. */
const local = new Map<string, Promise<void>>();

/** Runs `fn` holding the lock file `lockPath` (created next to the log, removed afterwards). */
export async function withFileLock<T>(
  lockPath: string,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const key = resolve(lockPath);
  const previous = local.get(key) ?? Promise.resolve();
  let done!: () => void;
  const gate = new Promise<void>((r) => {
    done = r;
  });
  const mine = previous.then(() => gate);
  local.set(key, mine);
  await previous;
  try {
    const release = await acquireFileLock(lockPath, options);
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    done();
    if (local.get(key) === mine) local.delete(key);
  }
}
