// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what these tests are about
// The configuration as CI and hand-edited files deliver it. A `__proto__` key is read by JavaScript as the
// object's prototype, not as a key: what it holds moved up a level past the unknown-key check (a whole section a
// reviewer reads as an unknown key was in force) or vanished (a digital-ID provider named so). CI systems give an
// undefined secret or variable as an empty string, not as an unset one: THGOV_CONFIG="" named no file at all, and
// a `${THGOV_…}` secret that is empty was reported as a schema length error that does not say where it came from.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigError, isConfigError, loadConfig } from '../../src/index.js';
import { collectRun } from '../doctor-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-config-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const path = join(dir, `config-${++n}.json`);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

async function refused(text: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const err = await loadConfig(file(text), { env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isConfigError(err), String(err)).toBe(true);
  return err as ConfigError;
}

const provider =
  '{"issuer": "https://idp.agency.go.th", "clientId": "app", "clientSecret": "provider-secret-1", "redirectUri": "https://app.agency.go.th/cb"}';

describe('a __proto__ key in the configuration', () => {
  it.each([
    [
      'at the top, holding a section',
      '{"__proto__": {"catalog": {"baseUrl": "https://evil.example"}}}',
      '__proto__',
    ],
    [
      'inside a section, holding its keys',
      '{"catalog": {"__proto__": {"baseUrl": "https://evil.example"}}}',
      'catalog.__proto__',
    ],
    [
      'as a digital-ID provider name',
      `{"digitalId": {"providers": {"__proto__": ${provider}}}}`,
      'digitalId.providers.__proto__',
    ],
    [
      'spelled with a JSON escape',
      '{"\\u005f_proto__": {"catalog": {"baseUrl": "https://evil.example"}}}',
      '__proto__',
    ],
  ])('%s: refused, naming its key path', async (_name, text, path) => {
    const err = await refused(text);
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(err.issues.map((i) => i.path)).toContain(path);
    expect(err.message).not.toContain('evil.example');
  });
});

describe('empty variables, as CI gives an undefined secret', () => {
  it('a ${THGOV_…} secret that is empty: the issue names the variable and says it is empty', async () => {
    const err = await refused(
      '{"exchange": {"baseUrl": "https://api.egov.go.th", "consumerKey": "${THGOV_KEY}", "consumerSecret": "${THGOV_SECRET}", "agentId": "1101700230708"}}',
      { THGOV_KEY: 'key-1', THGOV_SECRET: '' },
    );
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    const issue = err.issues.find((i) => i.path === 'exchange.consumerSecret');
    expect(issue?.message).toMatch(/THGOV_SECRET is set but empty/);
    expect(err.message).toContain('THGOV_SECRET is set but empty');
    expect(err.issues.some((i) => i.path === 'exchange.consumerKey')).toBe(false);
  });

  it('THGOV_CONFIG="" counts as unset: doctor reads ./thgov.config.json', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'thgov.config.json'), '{}');
    const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
    // Resolved here: the child runs in another folder, where `--import tsx` would not find the package.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, bin, 'doctor'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, THGOV_CONFIG: '' },
    });
    const run = await collectRun(child);
    expect(run.stderr, run.stderr).not.toContain('ERR_CLI_CONFIG_READ');
    expect(run.stdout, run.stderr).toContain('Nothing to check');
    // An empty configuration: read, nothing to check (exit 1, not the usage error of a file not found).
    expect(run.code).toBe(1);
  });
});
