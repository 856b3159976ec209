import type { CatalogClientOptions } from '@thgov/catalog';
import {
  type AuditSink,
  FileAuditSink,
  type FileAuditSinkOptions,
  type TlsOptions,
  type TransportOptions,
} from '@thgov/core';
import { clientCertificatePem, trustedCaPem } from '@thgov/core/internal';
import {
  PostgresAuditSink,
  type PostgresAuditSinkOptions,
  type PostgresConnectionOptions,
} from '@thgov/core/postgres';
import type { DigitalIdClientOptions } from '@thgov/digital-id';
import { PostgresStateStore } from '@thgov/digital-id/postgres';
import type { EcmsClientOptions, LetterStore } from '@thgov/ecms';
import type { AuditOptions, ExchangeClientOptions } from '@thgov/exchange';
import { readFailure, readInputFileSync } from '../read-input-file.js';
import { ConfigError } from './errors.js';
import type { DigitalIdProviderConfig, PostgresStoreConfig, ThgovConfig, TransportConfig } from './schema.js';

/** The platform's own transport settings over the top-level ones (tls and timeouts merged key by key). */
export function mergeTransport(
  global: TransportConfig | undefined,
  own: TransportConfig | undefined,
): TransportConfig {
  const out: TransportConfig = { ...global, ...own };
  if (global?.tls || own?.tls) out.tls = { ...global?.tls, ...own?.tls };
  if (global?.timeouts || own?.timeouts) out.timeouts = { ...global?.timeouts, ...own?.timeouts };
  return out;
}

/**
 * A certificate, key or trust anchor file the configuration names: a regular file of at most 50 MiB (a FIFO
 * would block the synchronous read for good, /dev/zero would fill memory).
 */
function readConfigFile(file: string, key: string): Buffer {
  try {
    const bytes = readInputFileSync(file, { limitName: 'the limit for a file the configuration names' });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    const reason = `cannot read ${file}${readFailure(err)}`;
    throw new ConfigError('ERR_CLI_CONFIG_FILE', `${key}: ${reason}`, [{ path: key, message: reason }]);
  }
}

/**
 * A certificate file's content as PEM (a DER `.cer` converted), as every client and doctor's own TLS handshake
 * read it; a file Node would skip in silence (a `.p7b` bundle, no certificate in it) is a configuration error.
 */
function asPem(
  convert: (entry: Buffer) => string | Buffer,
  bytes: Buffer,
  file: string,
  option: 'caFile' | 'certFile',
  keyPrefix: string,
): string | Buffer {
  try {
    return convert(bytes);
  } catch (err) {
    const key = `${keyPrefix}.tls.${option}`;
    const reason = `${file}: ${(err as Error).message.replace(/^tls\.(ca|cert)(?: entry \d+)?: /, '')}`;
    throw new ConfigError('ERR_CLI_CONFIG_FILE', `${key}: ${reason}`, [{ path: key, message: reason }]);
  }
}

/** Reads the certificate and key files of a transport section into core's `tls` option. */
export function tlsOptions(t: TransportConfig, keyPrefix: string): TlsOptions | undefined {
  const c = t.tls;
  if (!c) return undefined;
  const out: TlsOptions = {};
  if (c.caFile !== undefined) {
    const files = Array.isArray(c.caFile) ? c.caFile : [c.caFile];
    out.ca = files.map((f) =>
      asPem(trustedCaPem, readConfigFile(f, `${keyPrefix}.tls.caFile`), f, 'caFile', keyPrefix),
    );
  }
  if (c.certFile !== undefined)
    out.cert = asPem(
      clientCertificatePem,
      readConfigFile(c.certFile, `${keyPrefix}.tls.certFile`),
      c.certFile,
      'certFile',
      keyPrefix,
    );
  if (c.keyFile !== undefined) out.key = readConfigFile(c.keyFile, `${keyPrefix}.tls.keyFile`);
  if (c.pfxFile !== undefined) out.pfx = readConfigFile(c.pfxFile, `${keyPrefix}.tls.pfxFile`);
  if (c.passphrase !== undefined) out.passphrase = c.passphrase;
  if (c.servername !== undefined) out.servername = c.servername;
  return out;
}

function transportOptions(t: TransportConfig, keyPrefix: string): Omit<TransportOptions, 'baseUrl'> {
  const out: Omit<TransportOptions, 'baseUrl'> = {};
  if (t.proxy !== undefined) out.proxy = t.proxy;
  if (t.timeouts) out.timeouts = t.timeouts;
  if (t.retry !== undefined) out.retry = t.retry;
  if (t.appName !== undefined) out.appName = t.appName;
  const tls = tlsOptions(t, keyPrefix);
  if (tls) out.tls = tls;
  return out;
}

function missing(section: string): ConfigError {
  return new ConfigError(
    'ERR_CLI_CONFIG_INVALID',
    `${section}: Required (the configuration has no ${section} section)`,
    [{ path: section, message: 'Required' }],
  );
}

/** What `exchangeClientOptions` returns: with an `audit` section, `audit.sink` is the configured sink to close. */
export type ExchangeClientConfigOptions = ExchangeClientOptions & {
  audit?: AuditOptions & { sink: AuditSink };
};

/** Connection options of a store from a `{ url, schema, poolSize, statementTimeoutInMs }` section. */
export function postgresConnection(db: PostgresStoreConfig): PostgresConnectionOptions {
  const out: PostgresConnectionOptions = { connectionString: db.url };
  if (db.schema !== undefined) out.schema = db.schema;
  if (db.poolSize !== undefined) out.poolSize = db.poolSize;
  if (db.statementTimeoutInMs !== undefined) out.statementTimeoutInMs = db.statementTimeoutInMs;
  return out;
}

/**
 * The letter journal `ecms.store` names (memory when there is none). The SQLite and PostgreSQL stores
 * are imported only when configured, so neither optional driver is needed otherwise.
 *
 * @example
 * ```ts
 * import { ecmsClientOptions, ecmsStore, loadConfig } from '@thgov/cli';
 * import { EcmsClient, EcmsInboxWorker } from '@thgov/ecms';
 *
 * const config = await loadConfig();
 * const worker = new EcmsInboxWorker({ client: new EcmsClient(ecmsClientOptions(config)), store: await ecmsStore(config) });
 * ```
 */
export async function ecmsStore(config: ThgovConfig): Promise<LetterStore> {
  const e = config.ecms;
  if (!e) throw missing('ecms');
  const store = e.store;
  if (store && 'postgres' in store) {
    const { PostgresLetterStore } = await import('@thgov/ecms/postgres');
    const { preparedStatements } = store.postgres;
    return new PostgresLetterStore({
      ...postgresConnection(store.postgres),
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
    });
  }
  if (store && 'sqlite' in store) {
    const { SqliteLetterStore } = await import('@thgov/ecms/sqlite');
    return new SqliteLetterStore({ filename: store.sqlite });
  }
  const { MemoryLetterStore } = await import('@thgov/ecms');
  return new MemoryLetterStore();
}

/**
 * `new ExchangeClient(exchangeClientOptions(config))`. With an `audit` section every call is recorded in
 * that log (see `auditSink`); close `options.audit.sink` on shutdown, after the client.
 */
export function exchangeClientOptions(config: ThgovConfig): ExchangeClientConfigOptions {
  const x = config.exchange;
  if (!x) throw missing('exchange');
  const t = mergeTransport(config.transport, x.transport);
  const out: ExchangeClientConfigOptions = {
    baseUrl: x.baseUrl,
    agentId: x.agentId,
    ...transportOptions(t, x.transport?.tls ? 'exchange.transport' : 'transport'),
  };
  if (x.consumerKey !== undefined) out.consumerKey = x.consumerKey;
  if (x.consumerSecret !== undefined) out.consumerSecret = x.consumerSecret;
  if (x.pathPrefixes) out.pathPrefixes = x.pathPrefixes;
  if (x.xroad) out.xroad = x.xroad;
  // The sink opens nothing until the first record: building options stays free of side effects.
  if (config.audit) out.audit = { sink: auditSink(config) };
  return out;
}

/** The configured digital-ID providers by name: `thaid`, `dga`, and the names under `providers`. */
export function digitalIdProviders(
  config: ThgovConfig,
): Array<{ name: string; kind: 'thaid' | 'dga' | 'generic'; provider: DigitalIdProviderConfig }> {
  const d = config.digitalId;
  const out: Array<{ name: string; kind: 'thaid' | 'dga' | 'generic'; provider: DigitalIdProviderConfig }> =
    [];
  if (d?.thaid) out.push({ name: 'thaid', kind: 'thaid', provider: d.thaid });
  if (d?.dga) out.push({ name: 'dga', kind: 'dga', provider: d.dga });
  for (const [name, provider] of Object.entries(d?.providers ?? {}))
    out.push({ name, kind: 'generic', provider });
  return out;
}

/** `new DigitalIdClient(digitalIdClientOptions(config, 'thaid'))`; a generic provider by its name. */
export function digitalIdClientOptions(config: ThgovConfig, name: string): DigitalIdClientOptions {
  const found = digitalIdProviders(config).find((p) => p.name === name);
  if (!found) throw missing(`digitalId.${name === 'thaid' || name === 'dga' ? name : `providers.${name}`}`);
  const p = found.provider;
  const key = found.kind === 'generic' ? `digitalId.providers.${name}` : `digitalId.${name}`;
  const t = mergeTransport(config.transport, p.transport);
  const out: DigitalIdClientOptions = {
    provider: found.kind,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
  };
  if (p.environment !== undefined) out.environment = p.environment;
  if (p.issuer !== undefined) out.issuer = p.issuer;
  if (p.clientSecret !== undefined) out.clientSecret = p.clientSecret;
  if (p.postLogoutRedirectUri !== undefined) out.postLogoutRedirectUri = p.postLogoutRedirectUri;
  if (p.scopes) out.scopes = p.scopes;
  if (p.apiKey !== undefined) out.apiKey = p.apiKey;
  if (p.apiKeyHeader !== undefined) out.apiKeyHeader = p.apiKeyHeader;
  if (p.tokenEndpointAuthMethod !== undefined) out.tokenEndpointAuthMethod = p.tokenEndpointAuthMethod;
  if (p.discovery !== undefined) out.discovery = p.discovery;
  if (p.allowInsecureHttp) out.dangerouslyAllowInsecureHttp = true;
  const shared = config.digitalId?.stateStore;
  if (shared) {
    const bound = shared.maxPending === undefined ? {} : { maxPending: shared.maxPending };
    out.stateStore = new PostgresStateStore({ ...postgresConnection(shared.postgres), ...bound });
  }
  if (t.proxy !== undefined) out.proxy = t.proxy;
  if (t.timeouts) out.timeouts = t.timeouts;
  // The digital-ID client takes extra CAs only: OIDC providers do not ask for client certificates.
  const tls = tlsOptions({ tls: t.tls?.caFile ? { caFile: t.tls.caFile } : undefined }, `${key}.transport`);
  if (tls?.ca) out.tls = { ca: tls.ca as Buffer[] };
  return out;
}

/** `new EcmsClient(ecmsClientOptions(config))`. */
export function ecmsClientOptions(config: ThgovConfig): EcmsClientOptions {
  const e = config.ecms;
  if (!e) throw missing('ecms');
  const t = mergeTransport(config.transport, e.transport);
  const out: EcmsClientOptions = {
    nodeUrl: e.nodeUrl,
    organizationId: e.organizationId,
    ...transportOptions(t, e.transport?.tls ? 'ecms.transport' : 'transport'),
  };
  if (e.allowTopSecret !== undefined) out.allowTopSecret = e.allowTopSecret;
  return out;
}

/** Options for `verifyTranscript` / `verifyPdfSignatures`: the trust anchor files, read. */
export function transcriptVerifyOptions(config: ThgovConfig): {
  trust: Uint8Array[];
  tsaTrust?: Uint8Array[];
  policy: 'transcript' | 'pdf';
} {
  const c = config.transcript;
  if (!c) throw missing('transcript');
  const read = (files: string[], key: string) =>
    files.map((f, i) => new Uint8Array(readConfigFile(f, `${key}[${i}]`)));
  return {
    trust: read(c.trustAnchors, 'transcript.trustAnchors'),
    ...(c.tsaTrustAnchors ? { tsaTrust: read(c.tsaTrustAnchors, 'transcript.tsaTrustAnchors') } : {}),
    policy: c.policy ?? 'transcript',
  };
}

/**
 * Options for `new FileAuditSink(…)` from the `audit` section: keys, anchor and lock as configured.
 *
 * @example
 * ```ts
 * import { auditSinkOptions, loadConfig } from '@thgov/cli';
 * import { FileAuditSink } from '@thgov/core';
 *
 * const sink = new FileAuditSink({ ...auditSinkOptions(await loadConfig()), onMissingAnchor: 'adopt' });
 * ```
 */
export function auditSinkOptions(config: ThgovConfig): FileAuditSinkOptions {
  const a = config.audit;
  if (!a) throw missing('audit');
  if (a.path === undefined) throw missing('audit.path');
  const out: FileAuditSinkOptions = { path: a.path, hmacSecret: a.hmacSecret, chainKey: a.chainKey };
  if (a.previousChainKeys) out.previousChainKeys = a.previousChainKeys;
  if (a.anchor !== undefined) out.anchor = a.anchor;
  if (a.lockTimeoutInMs !== undefined) out.lockTimeoutInMs = a.lockTimeoutInMs;
  return out;
}

/** Options for `new PostgresAuditSink(…)` from an `audit` section with `postgres`. */
export function postgresAuditSinkOptions(config: ThgovConfig): PostgresAuditSinkOptions {
  const a = config.audit;
  if (!a?.postgres) throw missing('audit.postgres');
  const out: PostgresAuditSinkOptions = {
    ...postgresConnection(a.postgres),
    hmacSecret: a.hmacSecret,
    chainKey: a.chainKey,
  };
  if (a.postgres.chain !== undefined) out.chain = a.postgres.chain;
  if (a.previousChainKeys) out.previousChainKeys = a.previousChainKeys;
  return out;
}

/** The audit log the configuration names (a file, or a PostgreSQL chain), for `ExchangeClient({ audit: { sink } })`. */
export function auditSink(config: ThgovConfig): AuditSink {
  if (config.audit?.postgres) return new PostgresAuditSink(postgresAuditSinkOptions(config));
  return new FileAuditSink(auditSinkOptions(config));
}

/**
 * `new CatalogClient(catalogClientOptions(config))`.
 *
 * @example
 * ```ts
 * const catalog = new CatalogClient(catalogClientOptions(await loadConfig('thgov.config.json')));
 * ```
 */
export function catalogClientOptions(config: ThgovConfig): CatalogClientOptions {
  const c = config.catalog;
  if (!c) throw missing('catalog');
  const t = mergeTransport(config.transport, c.transport);
  const { transport: _t, ...own } = c;
  const out: CatalogClientOptions = {
    baseUrl: c.baseUrl,
    ...transportOptions(t, c.transport?.tls ? 'catalog.transport' : 'transport'),
  };
  // The section's keys are the client's own option names: copy what is set.
  for (const [k, v] of Object.entries(own))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
