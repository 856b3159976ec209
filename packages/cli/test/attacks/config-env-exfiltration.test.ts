// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what these tests are about
/**
 * Attack class: a thgov.config.json someone else can edit (a shared repository, a merge request) uses `${NAME}`
 * to pull the CI job's unrelated secrets into the run — printed in an error ("cannot read /nonexistent/<token>")
 * or sent to a server in a URL.
 */

import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError, parseConfig } from '../../src/index.js';
import { tempDir, thgov } from '../doctor-helpers.js';

const CI_TOKEN = 'glpat-CI-9f8e7d6c5b4a39281706';
const dir = tempDir();
const seen: string[] = [];
const server = createServer((req: IncomingMessage, res) => {
  seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
  res.writeHead(404).end();
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function config(name: string, body: unknown): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

function refusal(input: unknown, env: Record<string, string>) {
  try {
    parseConfig(input, { env });
  } catch (err) {
    if (isConfigError(err)) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('${NAME} cannot read variables outside thgov', () => {
  it('a path that embeds ${CI_TOKEN} is refused by name; the value appears nowhere', () => {
    const err = refusal({ transcript: { trustAnchors: ['/nonexistent/${CI_TOKEN}'] } }, { CI_TOKEN });
    expect(err.code).toBe('ERR_CLI_CONFIG_ENV');
    expect(err.message).toContain(
      'transcript.trustAnchors[0]: environment variable CI_TOKEN may not be used',
    );
    for (const text of [err.message, JSON.stringify(err), inspect(err), err.hint ?? ''])
      expect(text).not.toContain(CI_TOKEN);
  });

  it('doctor sends nothing to a baseUrl that embeds ${CI_TOKEN} and prints nothing of it (exit 2)', async () => {
    const file = config('exfil-url', {
      exchange: {
        baseUrl: `http://127.0.0.1:${port}/\${CI_TOKEN}`,
        consumerKey: 'key-123456',
        consumerSecret: '${CI_TOKEN}',
        agentId: 'thgov-system',
      },
    });
    const r = await thgov(['doctor', '--config', file, '--json'], { CI_TOKEN });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_CLI_CONFIG_ENV');
    expect(r.stderr).toContain('exchange.baseUrl: environment variable CI_TOKEN may not be used');
    expect(r.stdout + r.stderr).not.toContain(CI_TOKEN);
    expect(seen).toEqual([]);
  });

  it('THGOV_* and names listed in THGOV_ENV_ALLOW are read, and every value read is masked wherever it lands', async () => {
    const value = 'thgov-ci-value-5a4b3c2d1e';
    const file = config('allowed', {
      transcript: { trustAnchors: ['/nonexistent/${THGOV_ROOT_DIR}/root.pem', '/nonexistent/${CI_TOKEN}'] },
    });
    const r = await thgov(['doctor', '--config', file, '--json'], {
      THGOV_ROOT_DIR: value,
      CI_TOKEN,
      THGOV_ENV_ALLOW: 'CI_TOKEN',
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { id: string; message: string }[] };
    expect(report.checks.map((c) => c.message)).toEqual([
      'cannot read /nonexistent/[REDACTED]/root.pem (ENOENT)',
      'cannot read /nonexistent/[REDACTED] (ENOENT)',
    ]);
    expect(r.stdout + r.stderr).not.toContain(value);
    expect(r.stdout + r.stderr).not.toContain(CI_TOKEN);
  });

  it('the allow-list comes from the environment or from code, never from the file', () => {
    const input = {
      $comment: 'THGOV_ENV_ALLOW=CI_TOKEN',
      audit: {
        path: 'a',
        hmacSecret: '${CI_TOKEN}',
        chainKey: { id: 'k1', secret: 'chain-key-for-this-test-0123456789abcdef' },
      },
    };
    expect(refusal(input, { CI_TOKEN }).code).toBe('ERR_CLI_CONFIG_ENV');
    const parsed = parseConfig(input, { env: { CI_TOKEN }, allowEnv: ['CI_TOKEN'] });
    expect(parsed.audit?.hmacSecret).toBe(CI_TOKEN);
    // A refused name is refused whether or not it is set: the error does not reveal which variables exist.
    expect(refusal(input, {}).message).toContain('CI_TOKEN may not be used');
  });
});
