// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what these tests are about
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FileAnchorStore, FileAuditSink, verifyAuditLog } from '@thgov/core';
import { ExchangeClient } from '@thgov/exchange';
import { generatePopulation, startGdxGateway } from '@thgov/sandbox';
import { caught, createTestCa } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditSinkOptions,
  ConfigError,
  configJsonSchema,
  digitalIdClientOptions,
  ecmsClientOptions,
  exchangeClientOptions,
  isConfigError,
  loadConfig,
  parseConfig,
  transcriptVerifyOptions,
} from '../src/index.js';
import { thgov } from './doctor-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-config-'));
// The transports read caFile as certificates (a file with none is refused): a real one.
const caPem = (await createTestCa({ commonName: 'Config Test CA' })).cert;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'cfg-secret-6c1f0e9a77d4';
const CHAIN_SECRET = 'cfg-chain-key-0123456789abcdef0123456789';
const base = () => ({
  exchange: {
    baseUrl: 'https://api.egov.go.th',
    consumerKey: 'key-1',
    consumerSecret: '${THGOV_GDX_SECRET}',
    agentId: '1101700230708',
  },
});

function catchError(fn: () => unknown): ConfigError {
  const err = caught(fn);
  expect(isConfigError(err), err.message).toBe(true);
  return err as unknown as ConfigError;
}

describe('parseConfig', () => {
  it('substitutes ${VAR}, keeps $${VAR} literal, and maps every section onto client options', () => {
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'anchor.pem'), 'ANCHOR');
    const config = parseConfig(
      {
        ...base(),
        digitalId: {
          thaid: {
            clientId: 'c1',
            clientSecret: '${THGOV_THAID_SECRET}',
            redirectUri: 'https://app.agency.go.th/cb',
            apiKey: 'k',
            scopes: ['pid'],
          },
          providers: {
            'my-idp': {
              issuer: 'https://idp.example',
              clientId: 'x',
              clientSecret: 'y',
              redirectUri: 'https://a/cb',
            },
          },
        },
        ecms: { nodeUrl: 'https://ecms.agency.go.th/ecms-ws01/service2', organizationId: '0105000000' },
        transcript: { trustAnchors: ['anchor.pem'] },
        audit: {
          path: 'audit/log.jsonl',
          hmacSecret: 'literal-$${NOT_A_VAR}-x',
          chainKey: { id: '2026-01', secret: '${THGOV_AUDIT_CHAIN_KEY}' },
        },
        transport: {
          proxy: 'http://proxy.agency.go.th:3128',
          tls: { caFile: 'ca.pem' },
          timeouts: { connectInMs: 5000 },
        },
      },
      {
        baseDir: dir,
        env: {
          THGOV_GDX_SECRET: SECRET,
          THGOV_THAID_SECRET: 'thaid-secret',
          THGOV_AUDIT_CHAIN_KEY: CHAIN_SECRET,
        },
      },
    );
    expect(config.exchange?.consumerSecret).toBe(SECRET);
    expect(config.audit?.hmacSecret).toBe('literal-${NOT_A_VAR}-x');
    expect(config.audit?.path).toBe(join(dir, 'audit/log.jsonl'));
    const gdx = exchangeClientOptions(config);
    expect(gdx).toMatchObject({
      baseUrl: 'https://api.egov.go.th',
      consumerSecret: SECRET,
      proxy: 'http://proxy.agency.go.th:3128',
      timeouts: { connectInMs: 5000 },
    });
    const ca = gdx.tls?.ca as Buffer[] | undefined;
    expect(String(ca?.[0])).toBe(caPem);
    expect(digitalIdClientOptions(config, 'thaid')).toMatchObject({
      provider: 'thaid',
      clientSecret: 'thaid-secret',
      apiKey: 'k',
      scopes: ['pid'],
    });
    expect(digitalIdClientOptions(config, 'my-idp')).toMatchObject({
      provider: 'generic',
      issuer: 'https://idp.example',
    });
    expect(ecmsClientOptions(config)).toMatchObject({
      organizationId: '0105000000',
      proxy: 'http://proxy.agency.go.th:3128',
    });
    expect(Buffer.from(transcriptVerifyOptions(config).trust[0] as Uint8Array).toString()).toBe('ANCHOR');
  });

  it('names the key path of a missing value, an unknown key and a wrong type', () => {
    const x = base().exchange;
    const err = catchError(() =>
      parseConfig(
        {
          exchange: { baseUrl: x.baseUrl, consumerKey: 'k', agentId: x.agentId, consumerSecrte: 'typo' },
          ecms: { nodeUrl: 'x', organizationId: 12 },
        },
        { env: {} },
      ),
    );
    expect(err.code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(err.message).toContain('exchange.consumerSecret: Required');
    expect(err.message).toContain('exchange.consumerSecrte: Unknown key');
    expect(err.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'exchange.consumerSecret',
        'exchange.consumerSecrte',
        'ecms.nodeUrl',
        'ecms.organizationId',
      ]),
    );
    expect(err.message).not.toContain('typo');
  });

  it('a section of several accepted forms names the key inside the form that was meant', () => {
    const ecms = (store: unknown) => ({
      ecms: { nodeUrl: 'https://ecms.example/ecms-ws01/service2', organizationId: '0105000000', store },
    });
    const issues = (store: unknown) => catchError(() => parseConfig(ecms(store), { env: {} })).issues;
    // The form is clear from the key that is there: its own issues, by their full path.
    expect(issues({ postgres: { url: 'postgres://db.example/x', poolSize: 'ten' } })).toEqual([
      { path: 'ecms.store.postgres.poolSize', message: 'Invalid input: expected number, received string' },
    ]);
    expect(issues({ postgres: { url: 'postgres://db.example/x', poolsize: 10 } })).toEqual([
      { path: 'ecms.store.postgres.poolsize', message: 'Unknown key' },
    ]);
    expect(issues({ sqlite: 5 })).toEqual([
      { path: 'ecms.store.sqlite', message: 'Invalid input: expected string, received number' },
    ]);
    // No form fits: the key that none knows, and the forms there are.
    expect(issues({ postgress: { url: 'postgres://db.example/x' } })).toEqual([
      { path: 'ecms.store.postgress', message: 'Unknown key' },
      { path: 'ecms.store', message: 'expected one of: { "postgres": … }, { "sqlite": … }' },
    ]);
    expect(issues(5)).toEqual([
      { path: 'ecms.store', message: 'Invalid input: expected object, received number' },
    ]);
    // A form the input is not even the type of (false, "env") is not the one meant.
    const transport = (t: unknown) =>
      catchError(() => parseConfig({ ...ecms(undefined), transport: t }, { env: {} })).issues;
    expect(transport({ retry: { maxRetrys: 3 } })).toEqual([
      { path: 'transport.retry.maxRetrys', message: 'Unknown key' },
    ]);
    expect(transport({ proxy: 'ftp://proxy.example:21' })).toEqual([
      { path: 'transport.proxy', message: 'must be an absolute http(s) URL without credentials' },
    ]);
    const [proxy] = transport({ proxy: 3128 });
    expect(proxy?.path).toBe('transport.proxy');
    expect(proxy?.message).toMatch(
      /^matches none of its forms: .*"env".*; .*expected string, received number/,
    );
  });

  it('requires an issuer for a generic provider and rejects an unknown top-level section', () => {
    const err = catchError(() =>
      parseConfig(
        { digitalId: { providers: { idp: { clientId: 'a', redirectUri: 'https://a/cb' } } }, exchnage: {} },
        { env: {} },
      ),
    );
    expect(err.message).toContain('digitalId.providers.idp.issuer: Required for a generic provider');
    expect(err.message).toContain('exchnage: Unknown key');
  });

  it('names an unset environment variable and its key, never another value', () => {
    const err = catchError(() => parseConfig(base(), { env: { OTHER: SECRET } }));
    expect(err.code).toBe('ERR_CLI_CONFIG_ENV');
    expect(err.message).toContain(
      'exchange.consumerSecret: environment variable THGOV_GDX_SECRET is not set',
    );
    for (const text of [err.message, JSON.stringify(err), inspect(err)]) expect(text).not.toContain(SECRET);
  });

  it('never echoes a substituted secret when that value is invalid', () => {
    const err = catchError(() =>
      parseConfig(
        { audit: { path: 'a', hmacSecret: '${THGOV_SHORT}', chainKey: { id: 'k', secret: CHAIN_SECRET } } },
        { env: { THGOV_SHORT: 'tiny-secret' } },
      ),
    );
    expect(err.message).toContain('audit.hmacSecret: must be at least 16 characters');
    for (const text of [err.message, JSON.stringify(err), inspect(err)])
      expect(text).not.toContain('tiny-secret');
  });

  it('rejects hostile input with typed errors: not an object, bad variable name, huge values', () => {
    expect(catchError(() => parseConfig([1, 2], { env: {} })).code).toBe('ERR_CLI_CONFIG_INVALID');
    expect(catchError(() => parseConfig(null, { env: {} })).code).toBe('ERR_CLI_CONFIG_INVALID');
    const bad = catchError(() =>
      parseConfig({ audit: { path: '${1X}', hmacSecret: 'x'.repeat(20) } }, { env: {} }),
    );
    expect(bad.code).toBe('ERR_CLI_CONFIG_ENV');
    expect(bad.message).toContain('audit.path');
    const huge = catchError(() =>
      parseConfig({ exchange: { ...base().exchange, consumerSecret: 'x'.repeat(5000) } }, { env: {} }),
    );
    expect(huge.issues[0]?.path).toBe('exchange.consumerSecret');
  });

  it('reports a missing TLS file with its key when the client options are built', () => {
    const config = parseConfig(
      { ...base(), transport: { tls: { certFile: 'nope.pem' } } },
      { baseDir: dir, env: { THGOV_GDX_SECRET: SECRET } },
    );
    const err = catchError(() => exchangeClientOptions(config));
    expect(err.code).toBe('ERR_CLI_CONFIG_FILE');
    expect(err.message).toContain('transport.tls.certFile');
  });
});

describe('configJsonSchema', () => {
  it('describes every section, rejects unknown keys and lists required ones', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      description: string;
      properties: Record<
        string,
        {
          required?: string[];
          additionalProperties?: boolean;
          properties?: Record<string, { description?: string }>;
        }
      >;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['exchange', 'digitalId', 'ecms', 'transcript', 'audit', 'transport', 'doctor']),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.description).toContain('${ENV_VAR}');
    const exchange = schema.properties.exchange;
    expect(exchange?.required).toEqual(expect.arrayContaining(['baseUrl', 'agentId']));
    expect(exchange?.additionalProperties).toBe(false);
    expect(exchange?.properties?.consumerSecret?.description).toContain('${THGOV_GDX_CONSUMER_SECRET}');
    expect(schema.properties.ecms?.required).toEqual(['nodeUrl', 'organizationId']);
  });
});

describe('loadConfig', () => {
  it('reads a file and resolves relative paths against its directory', async () => {
    const sub = join(dir, 'sub');
    rmSync(sub, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'thgov.config.json'),
      JSON.stringify({ transcript: { trustAnchors: ['../anchor.pem'] } }),
    );
    const config = await loadConfig(join(sub, 'thgov.config.json'));
    expect(config.transcript?.trustAnchors).toEqual([join(dir, 'anchor.pem')]);
  });

  it('gives ERR_CLI_CONFIG_READ for a missing file, invalid JSON (without quoting it) and an oversized file', async () => {
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'ERR_CLI_CONFIG_READ',
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, `{"exchange": {"consumerSecret": ${SECRET}}}`);
    const err = (await loadConfig(broken).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConfigError;
    expect(err.code).toBe('ERR_CLI_CONFIG_READ');
    expect(err.message).not.toContain(SECRET);
    const big = join(dir, 'big.json');
    writeFileSync(big, `{"$comment": "${'x'.repeat(1024 * 1024 + 10)}"}`);
    await expect(loadConfig(big)).rejects.toMatchObject({ code: 'ERR_CLI_CONFIG_READ' });
  });
});

describe('thgov doctor with a bad configuration (as a process)', () => {
  it('exits 2 and names the offending key without printing the secret', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        exchange: { ...base().exchange, consumerSecret: SECRET, consumerKey: undefined, extra: 1 },
      }),
    );
    const r = await thgov(['doctor', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_CLI_CONFIG_INVALID');
    expect(r.stderr).toContain('exchange.consumerKey: Required');
    expect(r.stderr).toContain('exchange.extra: Unknown key');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('exits 2 on a usage error', async () => {
    const r = await thgov(['doctor', '--only', 'gdx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--only takes exchange, digitalId, ecms, catalog, transcript');
  });
});

describe('the audit section', () => {
  const audit = (extra: Record<string, unknown> = {}) => ({
    path: 'audit/gdx.jsonl',
    hmacSecret: '${THGOV_AUDIT_HMAC_SECRET}',
    chainKey: { id: '2026-01', secret: '${THGOV_AUDIT_CHAIN_KEY}' },
    ...extra,
  });
  const env = { THGOV_AUDIT_HMAC_SECRET: 'cfg-subject-key-0123456789', THGOV_AUDIT_CHAIN_KEY: CHAIN_SECRET };

  it('is wired by exchangeClientOptions: every GDX call lands in the configured, anchored, keyed log', async () => {
    const gateway = await startGdxGateway({ population: generatePopulation({ seed: 11 }) });
    const consumer = gateway.consumers[0]!;
    const base = mkdtempSync(join(dir, 'wired-'));
    try {
      const config = parseConfig(
        {
          exchange: {
            baseUrl: gateway.url,
            consumerKey: consumer.consumerKey,
            consumerSecret: consumer.consumerSecret,
            agentId: gateway.officers[0],
          },
          audit: audit({ anchor: 'anchors/gdx.anchor' }),
        },
        { baseDir: base, env },
      );
      const options = exchangeClientOptions(config);
      expect(options.audit?.sink).toBeInstanceOf(FileAuditSink);
      const client = new ExchangeClient({ ...options, retry: { baseDelayInMs: 1, maxDelayInMs: 5 } });
      await client.getAgentPermission({}, { purpose: 'config wiring check', caseRef: 'CFG-1' });
      await client.close();
      await options.audit?.sink.close();

      const anchor = await new FileAnchorStore({ path: join(base, 'anchors/gdx.anchor') }).read();
      const keys = [config.audit!.chainKey];
      const r = await verifyAuditLog({ path: join(base, 'audit/gdx.jsonl') }, { keys, anchor });
      expect(r).toMatchObject({
        ok: true,
        format: 'keyed',
        warnings: [],
        anchored: { seq: 1, unanchored: 0 },
      });
      expect(r.records[0]).toMatchObject({ kid: '2026-01', service: 'gdx', caseRef: 'CFG-1', status: 'ok' });
      expect(r.records[0]?.who).toMatch(/^hmac-sha256:/);
      // The default anchor next to the log was not used: the configured one was.
      expect(existsSync(join(base, 'audit/gdx.jsonl.anchor'))).toBe(false);
    } finally {
      await gateway.close();
    }
  });

  it('auditSinkOptions carries keys, rotation, anchor and lock time-out; relative paths follow the file', () => {
    const config = parseConfig(
      {
        audit: audit({
          previousChainKeys: [{ id: '2025-01', secret: '${THGOV_OLD_CHAIN_KEY}' }],
          anchor: '/var/lib/anchor/gdx.anchor',
          lockTimeoutInMs: 2000,
        }),
      },
      { baseDir: dir, env: { ...env, THGOV_OLD_CHAIN_KEY: 'cfg-old-chain-key-0123456789abcdef01234' } },
    );
    expect(auditSinkOptions(config)).toEqual({
      path: join(dir, 'audit/gdx.jsonl'),
      hmacSecret: env.THGOV_AUDIT_HMAC_SECRET,
      chainKey: { id: '2026-01', secret: CHAIN_SECRET },
      previousChainKeys: [{ id: '2025-01', secret: 'cfg-old-chain-key-0123456789abcdef01234' }],
      anchor: '/var/lib/anchor/gdx.anchor',
      lockTimeoutInMs: 2000,
    });
    expect(
      exchangeClientOptions(parseConfig(base(), { env: { THGOV_GDX_SECRET: SECRET } })).audit,
    ).toBeUndefined();
  });

  it('requires a chain key of 32+ characters, apart from the subject key, and never echoes either', () => {
    const missing = catchError(() =>
      parseConfig({ audit: { path: 'a', hmacSecret: env.THGOV_AUDIT_HMAC_SECRET } }, { env }),
    );
    expect(missing.message).toContain('audit.chainKey: Required');
    const short = catchError(() =>
      parseConfig(
        { audit: audit({ chainKey: { id: 'k', secret: '${THGOV_SHORT}' } }) },
        { env: { ...env, THGOV_SHORT: 'short-chain-key' } },
      ),
    );
    expect(short.message).toContain('audit.chainKey.secret: must be at least 32 characters');
    const same = catchError(() =>
      parseConfig({ audit: audit({ hmacSecret: '${THGOV_AUDIT_CHAIN_KEY}' }) }, { env }),
    );
    expect(same.message).toContain('audit.chainKey.secret: must differ from hmacSecret');
    const badId = catchError(() =>
      parseConfig({ audit: audit({ chainKey: { id: 'a b', secret: CHAIN_SECRET } }) }, { env }),
    );
    expect(badId.issues.map((i) => i.path)).toEqual(['audit.chainKey.id']);
    for (const err of [missing, short, same, badId])
      for (const text of [err.message, JSON.stringify(err), inspect(err)]) {
        expect(text).not.toContain('short-chain-key');
        expect(text).not.toContain(CHAIN_SECRET);
      }
  });
});

describe('isConfigError', () => {
  it('checks the thgov brand, the class name and the code', () => {
    const e = new ConfigError('ERR_CLI_CONFIG_ENV', 'GDX_SECRET is not set');
    expect(isConfigError(e)).toBe(true);
    expect(isConfigError(e, 'ERR_CLI_CONFIG_ENV')).toBe(true);
    expect(isConfigError(e, 'ERR_CLI_CONFIG_READ')).toBe(false);
    // Before, any object named ConfigError with a string code passed; it must be a thgov error now.
    expect(isConfigError({ name: 'ConfigError', code: 'ERR_CLI_CONFIG_ENV' })).toBe(false);
  });
});
