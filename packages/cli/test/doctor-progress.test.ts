import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, doctorCommand, parseConfig, runDoctor } from '../src/index.js';
import { tempDir, thgov } from './doctor-helpers.js';

/** A server that accepts TCP connections and never answers: a firewall that lets the SYN through, nothing else. */
let blackHole: Server;
const open = new Set<Socket>();
let url = '';
const dir = tempDir();

beforeAll(async () => {
  blackHole = createServer((s) => {
    open.add(s);
    // Read (and drop) what arrives, so the client's FIN is seen and 'close' fires.
    s.resume();
    s.on('error', () => undefined);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of open) s.destroy();
  await new Promise<void>((r) => blackHole.close(() => r()));
});

function silentConfig(checkTimeoutInMs: number) {
  return {
    exchange: {
      baseUrl: url,
      consumerKey: 'key-123456',
      consumerSecret: 'secret-123456',
      agentId: '1101700230708',
    },
    digitalId: {
      thaid: {
        issuer: url,
        clientId: 'client',
        clientSecret: 'client-secret-1',
        redirectUri: 'http://127.0.0.1:3000/cb',
        allowInsecureHttp: true,
      },
    },
    ecms: { nodeUrl: `${url}/ecms-ws01/service2`, organizationId: '0031500001' },
    doctor: { checkTimeoutInMs },
  };
}

/** Until `cond` holds or `what` fails after a bounded number of polls. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

describe('doctor against an endpoint that accepts TCP and never answers', () => {
  it('each check ends at checkTimeoutInMs with a clear message, and the work it started is torn down', async () => {
    const report = await runDoctor(parseConfig(silentConfig(400), { env: {} }));
    const timedOut = report.checks.filter((c) => c.errorCode === 'ERR_CHECK_TIMEOUT');
    expect(timedOut.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'exchange.validate',
        'exchange.read',
        'digitalId.thaid.discovery',
        'ecms.timeCheck',
      ]),
    );
    for (const c of timedOut) {
      expect(c.message).toBe(
        'ERR_CHECK_TIMEOUT: no result within 400 ms (doctor.checkTimeoutInMs): the check was stopped',
      );
      expect(c.cause).toContain('silently dropped');
    }
    // runDoctor returned, so the clients were closed; their connections to the silent server are gone too.
    await until(() => open.size === 0, 'every connection to the silent server closed');
  });

  it('as a process: exits 1 with every check reported, instead of hanging on the silent server', async () => {
    const file = join(dir, 'silent.json');
    writeFileSync(file, JSON.stringify(silentConfig(500)));
    const r = await thgov(['doctor', '--config', file, '--only', 'exchange'], {}, 30_000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /✗ GDX: token validate for the AgentID \(\d+ ms\)\n {6}ERR_CHECK_TIMEOUT: no result within 500 ms/,
    );
    expect(r.stdout).toMatch(/^FAILED: /m);
  });
});

describe('doctor prints as it goes', () => {
  function recordingIo(tty: boolean): CliIo & { events: Array<['out' | 'err', string]> } {
    const events: Array<['out' | 'err', string]> = [];
    return {
      events,
      stdout: { write: (s: string) => events.push(['out', s]), isTTY: tty },
      stderr: { write: (s: string) => events.push(['err', s]), isTTY: tty, columns: 100 },
    };
  }

  it('each result is on stdout before the next check starts; on a terminal the running check shows on stderr', async () => {
    const file = join(dir, 'stream.json');
    writeFileSync(file, JSON.stringify(silentConfig(300)));
    const io = recordingIo(true);
    expect(await doctorCommand(['--config', file, '--only', 'exchange'], io)).toBe(1);
    const at = (stream: 'out' | 'err', text: string) =>
      io.events.findIndex(([s, t]) => s === stream && t.includes(text));
    // TCP's result is printed before the clock check (the next one) is shown as running, and so on.
    expect(at('out', '✓ GDX: TCP connect')).toBeGreaterThan(-1);
    expect(at('out', '✓ GDX: TCP connect')).toBeLessThan(at('err', '… GDX: clock skew'));
    expect(at('out', '✗ GDX: clock skew')).toBeLessThan(at('err', '… GDX: token validate'));
    expect(at('out', '✗ GDX: token validate')).toBeLessThan(at('out', 'FAILED: '));
    // The status line is cleared before each result, so the two never share a line.
    const beforeResult = io.events[at('out', '✗ GDX: clock skew') - 1];
    expect(beforeResult).toEqual(['err', '\r\x1b[K']);
  });

  it('no progress on stderr when it is not a terminal, nor with --json or --junit', async () => {
    const file = join(dir, 'quiet.json');
    // Private (0600): a file everyone may read that holds secrets earns a warning on stderr, which is not progress.
    writeFileSync(file, JSON.stringify(silentConfig(200)), { mode: 0o600 });
    for (const [tty, extra] of [
      [false, []],
      [true, ['--json']],
      [true, ['--junit', join(dir, 'quiet.xml')]],
    ] as const) {
      const io = recordingIo(tty);
      expect(await doctorCommand(['--config', file, '--only', 'exchange', ...extra], io)).toBe(1);
      expect(
        io.events.filter(([s]) => s === 'err'),
        `${tty} ${extra.join(' ')}`,
      ).toEqual([]);
    }
  });
});
