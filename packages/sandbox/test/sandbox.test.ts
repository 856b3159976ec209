import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';

const MAIN = new URL('../dist/main.js', import.meta.url);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('startSandbox', () => {
  it('starts on ephemeral ports by default and closes idempotently', async () => {
    const sb = await startSandbox();
    expect(sb.gdx.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // WSO2 answers an unrouted path with its own 404 fault before looking at any credential.
    const miss = await fetch(`${sb.gdx.url}/ws/nothing`);
    expect(miss.status).toBe(404);
    expect(await miss.text()).toContain('No matching resource found');
    await sb.close();
    await sb.close();
    await expect(fetch(`${sb.gdx.url}/ws/nothing`)).rejects.toThrow();
  });

  it('honours a fixed port, and a taken port is an error', async () => {
    const port = await freePort();
    const sb = await startSandbox({ gdx: { port } });
    try {
      expect(sb.gdx.port).toBe(port);
      await expect(startSandbox({ gdx: { port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await sb.close();
    }
  });

  it('is deterministic: same seed, same people and credentials; another seed, others', async () => {
    const [a, b, c] = await Promise.all([
      startSandbox({ seed: 5 }),
      startSandbox({ seed: 5 }),
      startSandbox({ seed: 6 }),
    ]);
    try {
      expect(a.population.people.map((p) => p.citizenId)).toEqual(
        b.population.people.map((p) => p.citizenId),
      );
      expect(a.gdx.consumers).toEqual(b.gdx.consumers);
      expect(a.gdx.consumers[0]!.consumerKey).not.toBe(c.gdx.consumers[0]!.consumerKey);
      expect(a.population.people[0]!.citizenId).not.toBe(c.population.people[0]!.citizenId);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('custom consumers and population size', async () => {
    const sb = await startSandbox({
      population: { people: 50, companies: 10 },
      gdx: {
        consumers: [
          { name: 'dbd-only', consumerKey: 'k-dbd-only', consumerSecret: 's-dbd-only', services: ['dbd/'] },
        ],
      },
    });
    try {
      expect(sb.population.people).toHaveLength(50);
      expect(sb.gdx.consumers).toEqual([
        { name: 'dbd-only', consumerKey: 'k-dbd-only', consumerSecret: 's-dbd-only', services: ['dbd/'] },
      ]);
    } finally {
      await sb.close();
    }
  });

  // The entry is dist/main.js: turbo's test task builds the package first (turbo.json: test depends on build).
  it('`pnpm sandbox` entry (dist/main.js) prints URLs and credentials and stops on SIGTERM', async () => {
    const main = MAIN;
    const child = spawn(process.execPath, [main.pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        if (out.includes('Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(out).toMatch(/GDX gateway\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('agency-full');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
