import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@thgov/sandbox';
import { createTestCa } from '@thgov/testkit';
import { afterAll, beforeAll } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'src', 'bin.ts');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What a child process printed and how it ended; the child is killed after `timeoutInMs` (a safety net for a hang,
 * not a timing assertion: a killed child's code is -1, which fails the test that expected another).
 */
export function collectRun(child: ChildProcess, timeoutInMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutInMs);
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** `thgov …` as a separate process (the source through tsx), with a bounded run time. */
export function thgov(args: string[], env: Record<string, string> = {}, timeoutInMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return collectRun(child, timeoutInMs);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'thgov-doctor-'));
}

export interface Pki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  expiredServerCert: string;
  expiredServerKey: string;
  /** Trusted chain, but issued for elsewhere.example only: a host name mismatch on localhost and 127.0.0.1. */
  otherHostCert: string;
  otherHostKey: string;
  clientCertFile: string;
  clientKeyFile: string;
  expiredClientCertFile: string;
  expiredClientKeyFile: string;
}

/** A throw-away CA with valid and expired server and client certificates, made in process. */
export async function makePki(): Promise<Pki> {
  const dir = tempDir();
  const ca = await createTestCa({ commonName: 'Doctor Test CA', validForDays: 400 });
  const valid = { validForDays: 365 };
  const past = { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-03-01T00:00:00Z') };
  const server = await ca.issue({ commonName: 'server', usage: 'server', ...valid });
  const expiredServer = await ca.issue({ commonName: 'expired-server', usage: 'server', ...past });
  const otherHost = await ca.issue({
    commonName: 'other-host',
    usage: 'server',
    hosts: ['elsewhere.example'],
    ...valid,
  });
  const client = await ca.issue({ commonName: 'client', usage: 'client', ...valid });
  const expiredClient = await ca.issue({ commonName: 'expired-client', usage: 'client', ...past });
  const f = (n: string, text: string) => {
    writeFileSync(join(dir, n), text);
    return join(dir, n);
  };
  return {
    dir,
    caFile: f('ca.crt', ca.cert),
    serverCert: server.cert,
    serverKey: server.key,
    expiredServerCert: expiredServer.cert,
    expiredServerKey: expiredServer.key,
    otherHostCert: otherHost.cert,
    otherHostKey: otherHost.key,
    clientCertFile: f('client.crt', client.cert),
    clientKeyFile: f('client.key', client.key),
    expiredClientCertFile: f('expired-client.crt', expiredClient.cert),
    expiredClientKeyFile: f('expired-client.key', expiredClient.key),
  };
}

/** What the doctor tests share: a running sandbox, a test PKI, a temporary folder, and what to close after. */
export interface DoctorWorld {
  sb: Sandbox;
  pki: Pki;
  dir: string;
  /** Run in reverse order after the file's tests (servers, proxies started by a test). */
  closers: Array<() => Promise<void>>;
}

/** Starts a {@link DoctorWorld} before the file's tests (sandbox seeded with `seed`) and tears it down after. */
export function doctorWorld(seed: number): DoctorWorld {
  const world = { closers: [] } as unknown as DoctorWorld;
  beforeAll(async () => {
    world.sb = await startSandbox({ seed });
    world.pki = await makePki();
    world.dir = tempDir();
  });
  afterAll(async () => {
    for (const c of world.closers.reverse()) await c().catch(() => undefined);
    await world.sb?.close();
    for (const d of [world.dir, world.pki?.dir]) if (d) rmSync(d, { recursive: true, force: true });
  });
  return world;
}
