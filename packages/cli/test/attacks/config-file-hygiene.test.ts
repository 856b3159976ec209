// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what these tests are about
// The configuration file as agencies keep it in a repository or on a CI runner. A key written twice is read by
// JSON.parse as its last value, so a reviewer who sees the first `consumerSecret` (or `baseUrl`) approves another
// than the one used: refused, naming the key path, never its values. A file nested thousands deep is refused as a
// ConfigError, not a stack overflow. And a file any local user can read (`chmod 644`) that holds a secret in clear
// is warned about on stderr (as ssh and the AWS CLI do), naming the keys, never their values.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactText } from '@thgov/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadataJson } from '../../src/catalog/metadata-file.js';
import { catalogStatus } from '../../src/catalog/status-command.js';
import { type ConfigError, doctorCommand, isConfigError, loadConfig, parseConfig } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-config-hygiene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIRST = 'first-secret-5d1c9e0b';
const SECOND = 'second-secret-8a7f3e21';
const exchange = (secret: string, key = 'key-1') =>
  `"baseUrl": "https://api.egov.go.th", "consumerKey": "${key}", ${secret}, "agentId": "1101700230708"`;

let n = 0;
function file(text: string, mode = 0o600): string {
  const path = join(dir, `config-${++n}.json`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

async function refused(text: string): Promise<ConfigError> {
  const err = await loadConfig(file(text)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isConfigError(err), String(err)).toBe(true);
  return err as ConfigError;
}

describe('a configuration file with a key written twice', () => {
  it.each([
    [
      'a secret',
      `{"exchange": {${exchange(`"consumerSecret": "${FIRST}", "consumerSecret": "${SECOND}"`)}}}`,
      'exchange.consumerSecret',
    ],
    [
      'the same key spelled with a JSON escape',
      `{"exchange": {${exchange(`"consumerSecret": "${FIRST}", "consumer\\u0053ecret": "${SECOND}"`)}}}`,
      'exchange.consumerSecret',
    ],
    [
      'a whole section',
      `{"catalog": {"baseUrl": "https://a.go.th"}, "catalog": {"baseUrl": "https://b.go.th"}}`,
      'catalog',
    ],
    [
      'an object inside an array',
      `{"audit": {"path": "a.log", "hmacSecret": "${FIRST}${FIRST}", "chainKey": {"id": "k2", "secret": "${SECOND}${SECOND}"},
        "previousChainKeys": [{"id": "k1", "secret": "x${FIRST}${FIRST}"}, {"id": "k0", "secret": "${FIRST}", "secret": "${SECOND}"}]}}`,
      'audit.previousChainKeys[1].secret',
    ],
  ])('%s: ERR_CLI_CONFIG_INVALID names the key path, not the values', async (_name, text, path) => {
    const err = await refused(text);
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(err.issues).toEqual([{ path, message: expect.stringContaining('duplicate key') }]);
    expect(err.message).toContain(path);
    expect(`${err.message}${err.hint ?? ''}${err.stack}`).not.toMatch(
      /first-secret|second-secret|a\.go|b\.go/,
    );
  });

  it('a duplicate thousands deep: the key path in the error is cut short', async () => {
    const deep = `${'{"a":'.repeat(20_000)}{"k": 1, "k": 2}${'}'.repeat(20_000)}`;
    const err = await refused(deep);
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(err.issues[0]?.path).toMatch(/^a(\.a){31}…$/);
    expect(err.message.length).toBeLessThan(1000);
  });

  it('the same key in different objects is no duplicate', async () => {
    const config = await loadConfig(
      file(
        `{"transport": {"timeouts": {"connectInMs": 5000}}, "exchange": {${exchange(`"consumerSecret": "${FIRST}"`)},
          "transport": {"timeouts": {"connectInMs": 6000}}}, "transcript": {"trustAnchors": ["a.pem", "a.pem"]}}`,
      ),
    );
    expect(config.exchange?.transport?.timeouts?.connectInMs).toBe(6000);
  });

  it('a dataset metadata file with a key written twice is a usage error naming the key', async () => {
    const path = file(`{"name": "ds", "maintainer": "สมชาย ใจดี", "tags": [{"name": "a", "name": "สมชาย"}]}`);
    const err = (await readMetadataJson(path).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('UsageError');
    expect(err.message).toContain('tags[0].name');
    expect(err.message).not.toContain('สมชาย');
  });
});

describe('a configuration nested thousands deep', () => {
  it.each([
    ['arrays at the top', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['objects in a section', `{"exchange": ${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}}`],
  ])('%s: ERR_CLI_CONFIG_INVALID, not a stack overflow', async (_name, text) => {
    const err = await refused(text);
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(err.message).toMatch(/nested/);
  });

  it('parseConfig refuses a deep object built in code the same way', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 30_000; i++) deep = [deep];
    let err: unknown;
    try {
      parseConfig({ exchange: deep });
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err, 'ERR_CLI_CONFIG_INVALID')).toBe(true);
  });
});

describe.skipIf(process.platform === 'win32')('a configuration file every local user can read', () => {
  const withSecret = `{"exchange": {${exchange(`"consumerSecret": "${FIRST}"`)}}}`;

  it('holding a secret in clear: one warning naming the file and keys, never the values', async () => {
    const warnings: string[] = [];
    const path = file(withSecret, 0o644);
    await loadConfig(path, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
    expect(warnings[0]).toContain('exchange.consumerKey, exchange.consumerSecret');
    expect(warnings[0]).toContain('chmod 600');
    expect(warnings[0]).not.toContain(FIRST);
  });

  it('a database password in a URL counts; secrets from ${THGOV_*} and a private file do not', async () => {
    const warnings: string[] = [];
    const onWarning = (w: string) => warnings.push(w);
    const env = { THGOV_S: FIRST, THGOV_K: SECOND };
    await loadConfig(file(withSecret, 0o600), { onWarning });
    await loadConfig(file(withSecret, 0o400), { onWarning });
    await loadConfig(
      file(`{"exchange": {${exchange('"consumerSecret": "${THGOV_S}"', '${THGOV_K}')}}}`, 0o644),
      {
        env,
        onWarning,
      },
    );
    expect(warnings).toEqual([]);
    await loadConfig(
      file(
        `{"audit": {"postgres": {"url": "postgres://u:${SECOND}@db/x"}, "hmacSecret": "\${THGOV_S}${FIRST}", "chainKey": {"id": "k", "secret": "\${THGOV_S}${SECOND}${SECOND}"}}}`,
        0o604,
      ),
      {
        env,
        onWarning,
      },
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('audit.postgres.url');
    expect(warnings[0]).not.toMatch(/audit\.hmacSecret|chainKey/);
    expect(warnings[0]).not.toContain(SECOND);
  });

  it('readable by its group (as ssh and kubectl count it): the same warning, saying so', async () => {
    const warnings: string[] = [];
    const path = file(withSecret, 0o640);
    await loadConfig(path, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/readable by its group \(mode 640\)/);
    expect(warnings[0]).toContain('exchange.consumerSecret');
    expect(warnings[0]).not.toContain(FIRST);
  });

  it.each([
    ['646', 0o646],
    ['666', 0o666],
    ['602', 0o602],
  ])(
    'writable by every user (mode %s): a warning even with no secret in it (whoever edits it picks where credentials go)',
    async (_mode, mode) => {
      const warnings: string[] = [];
      const path = file(`{"exchange": {${exchange('"consumerSecret": "${THGOV_S}"', '${THGOV_K}')}}}`, mode);
      await loadConfig(path, {
        env: { THGOV_S: FIRST, THGOV_K: SECOND },
        onWarning: (w) => warnings.push(w),
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(path);
      expect(warnings[0]).toMatch(/can be changed by every user of this machine/);
      expect(warnings[0]).toContain(`chmod go-w ${path}`);
      expect(warnings.join('')).not.toMatch(/first-secret|second-secret/);
    },
  );

  it('thgov doctor prints the warning on stderr and goes on', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    };
    const path = file(withSecret, 0o644);
    // --only a platform the file does not configure: no check runs, so nothing is dialled.
    const code = await doctorCommand(['--config', path, '--only', 'catalog', '--json'], io);
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/warning: .*config-\d+\.json.*exchange\.consumerSecret/);
    expect(out.join('') + err.join('')).not.toContain(FIRST);
  });

  it('thgov catalog prints it on stderr too, before its own error', async () => {
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    const path = file(withSecret, 0o644);
    // No catalog section: a usage error once the file is read, so nothing is dialled.
    await expect(catalogStatus(['--config', path, 'ds'], io)).rejects.toThrow(/no "catalog" section/);
    expect(err.join('')).toMatch(/^thgov catalog: warning: .*exchange\.consumerSecret/);
    expect(err.join('')).not.toContain(FIRST);
  });
});

describe('a database password with a stray %', () => {
  it('is accepted and masked, not an untyped URIError', () => {
    const password = 'pa%zz-word-7c2e91';
    const config = parseConfig({
      audit: {
        postgres: { url: `postgres://u:${password}@db.agency.go.th/x` },
        hmacSecret: 'h'.repeat(40),
        chainKey: { id: 'k', secret: 's'.repeat(40) },
      },
    });
    expect(new URL(config.audit?.postgres?.url ?? '').password).toBe(password);
    expect(redactText(`connect failed for ${password}`)).not.toContain(password);
  });
});

describe('secrets written in the file', () => {
  it('the catalog token and its TLS passphrase are masked from parseConfig on, like every other secret', async () => {
    const token = 'catalog-token-3b9d0c7e';
    const passphrase = 'catalog-pass-61f2a8d4';
    const config = parseConfig({
      catalog: { baseUrl: 'https://data.agency.go.th', apiToken: token, transport: { tls: { passphrase } } },
    });
    expect(config.catalog?.apiToken).toBe(token);
    // Not only while a CatalogClient holds it: doctor probes the endpoint before making one, and a client's
    // close() releases its own registration.
    expect(redactText(`got ${token} and ${passphrase}`)).not.toMatch(/catalog-token|catalog-pass/);
  });
});

describe('the catalog section like every other', () => {
  it('its TLS files are relative to the configuration file, not the working directory', async () => {
    const path = file(
      '{"catalog": {"baseUrl": "https://data.agency.go.th", "transport": {"tls": {"caFile": "ca.pem", "certFile": "c.pem", "keyFile": "k.pem"}}}}',
    );
    const tls = (await loadConfig(path)).catalog?.transport?.tls;
    expect([tls?.caFile, tls?.certFile, tls?.keyFile]).toEqual([
      join(dir, 'ca.pem'),
      join(dir, 'c.pem'),
      join(dir, 'k.pem'),
    ]);
  });
});
