import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const INDEX = new URL('../src/index.ts', import.meta.url).href;

/**
 * oidc-provider prints "Unsupported runtime" on import under any Node release older than 22 LTS. The child
 * reports an older LTS name so the warning is certain whatever Node runs the test, then runs `script`.
 */
function child(script: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const source = `Object.defineProperty(process, 'release', { value: { ...process.release, lts: 'Iron' } });
const sandbox = await import(${JSON.stringify(INDEX)});
${script}`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.stderr.on('data', (d) => (stderr += d));
    c.stdout.on('data', (d) => (stdout += d));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('oidc-provider is loaded only when a provider starts', () => {
  it('importing @thgov/sandbox for a helper prints nothing; starting a provider loads it', async () => {
    const helper = await child(
      'const p = sandbox.generatePopulation({ seed: 1, people: 2, companies: 0 }); console.log(p.people.length);',
    );
    expect(helper.code, helper.stderr).toBe(0);
    expect(helper.stdout.trim()).toBe('2');
    expect(helper.stderr).toBe('');
    // The same child, starting a ThaID-like provider: the warning appears, so the first run proves laziness.
    const provider = await child('const t = await sandbox.startThaidProvider({}); await t.close();');
    expect(provider.code, provider.stderr).toBe(0);
    expect(provider.stderr).toContain('oidc-provider WARNING');
  });
});
