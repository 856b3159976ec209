// biome-ignore-all lint/suspicious/noTemplateCurlyInString: descriptions show the ${VAR} syntax
import { z } from '@thgov/core/internal';

// Descriptions live in `.describe()` so the JSON Schema (`configJsonSchema()`) and the docs carry them.

const ms = z
  .number()
  .int()
  .positive()
  .max(24 * 3600_000);
const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL without credentials');
const file = z.string().min(1).max(4096);
const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres://user:password@host:5432/database URL');

export const postgresStoreConfigSchema = z
  .object({
    url: postgresUrl.describe(
      'postgres://thgov:${THGOV_PG_PASSWORD}@db.agency.go.th:5432/thgov (the password from the environment).',
    ),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _')
      .optional()
      .describe('Schema of the tables. Default "thgov".'),
    poolSize: z.number().int().min(1).max(200).optional().describe('Connections per replica. Default 5.'),
    statementTimeoutInMs: ms.optional().describe('Server-side statement_timeout. Default 15000.'),
    preparedStatements: z
      .boolean()
      .optional()
      .describe(
        'e-CMS journal only: prepared statements (less database CPU per letter). Default false; not behind a pooler in transaction mode.',
      ),
  })
  .strict()
  .describe('A PostgreSQL database shared by every replica (see docs/guides/deployment.md).');
const xroadId = z.string().min(7).max(1024);
const pathSegments = z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like "/ws/dga" or "/uat"');

/** Connection settings: the top-level `transport` and a platform's own. */
export const transportConfigSchema = z
  .object({
    proxy: z
      .union([z.literal('env'), httpUrl])
      .optional()
      .describe(
        'HTTP proxy URL (http://proxy.agency.go.th:3128), or "env" for HTTPS_PROXY / HTTP_PROXY / NO_PROXY.',
      ),
    tls: z
      .object({
        caFile: z
          .union([file, z.array(file).min(1).max(20)])
          .optional()
          .describe('Extra CA certificate file(s) (PEM) trusted for the platform server certificate.'),
        certFile: file.optional().describe("The agency's own client certificate (PEM) for mTLS."),
        keyFile: file.optional().describe('The private key (PEM) of certFile.'),
        pfxFile: file.optional().describe('A PKCS#12 bundle instead of certFile + keyFile.'),
        passphrase: z
          .string()
          .min(1)
          .max(1024)
          .optional()
          .describe('Passphrase of keyFile or pfxFile (use ${VAR}).'),
        servername: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe('TLS server name when it differs from the URL host.'),
      })
      .strict()
      .optional()
      .describe('TLS files; relative paths are relative to the configuration file.'),
    timeouts: z
      .object({
        connectInMs: ms.optional().describe('TCP + TLS connect. Default 10000.'),
        headersInMs: ms.optional().describe('Until the response headers arrive. Default 30000.'),
        bodyInMs: ms.optional().describe('Longest gap between two body chunks. Default 30000.'),
        totalInMs: ms
          .optional()
          .describe('Whole operation, retries included. Default 120000 (streaming calls: none).'),
      })
      .strict()
      .optional(),
    retry: z
      .union([
        z.literal(false),
        z
          .object({
            maxRetries: z.number().int().min(0).max(10).optional().describe('Default 3.'),
            baseDelayInMs: z.number().int().min(0).max(60_000).optional().describe('Default 250.'),
            maxDelayInMs: z.number().int().min(0).max(300_000).optional().describe('Default 8000.'),
          })
          .strict(),
      ])
      .optional()
      .describe('Retries on network errors, 408, 429 and 5xx; false turns them off.'),
    appName: z.string().min(1).max(100).optional().describe('User-Agent prefix, e.g. "saraban-bridge/2.1".'),
  })
  .strict()
  .describe(
    'Connection settings. Given at the top level for every platform; a platform section may add its own, merged key by key.',
  );

/** The `exchange` section (GDX). */
export const exchangeConfigSchema = z
  .object({
    baseUrl: httpUrl.describe(
      'GDX gateway (https://api.egov.go.th), or the X-Road Security Server in X-Road mode.',
    ),
    consumerKey: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('Consumer-Key DGA issued (not in X-Road mode).'),
    consumerSecret: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('Consumer-Secret DGA issued; use ${THGOV_GDX_CONSUMER_SECRET}.'),
    agentId: z
      .string()
      .min(1)
      .max(100)
      .describe('AgentID: the officer citizen ID (or registered system name) doctor validates a token for.'),
    pathPrefixes: z
      .record(pathSegments, pathSegments)
      .optional()
      .describe('Environment segment per service base: { "/ws/dga": "/uat" }.'),
    xroad: z
      .object({
        client: xroadId.describe("This agency's subsystem: INSTANCE/CLASS/MEMBER/SUBSYSTEM."),
        services: z
          .record(z.string(), xroadId)
          .optional()
          .describe('Provider service identifiers by key (dopaLinkage, dopaVerification, dbdJuristic, …).'),
        userIdCountry: z
          .string()
          .regex(/^[A-Z]{2}$/)
          .optional()
          .describe('Country prefix of X-Road-UserId. Default "TH".'),
      })
      .strict()
      .optional()
      .describe('Talk X-Road REST to a Security Server instead of Consumer-Key/token.'),
    transport: transportConfigSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.xroad) return;
    for (const key of ['consumerKey', 'consumerSecret'] as const) {
      if (o[key] === undefined)
        ctx.addIssue({ code: 'custom', message: 'Required (unless xroad is set)', path: [key] });
    }
  })
  .describe('GDX (Government Data Exchange): @thgov/exchange ExchangeClient.');

const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'not a valid scope token');

/** One digital-ID provider: `digitalId.thaid`, `digitalId.dga`, `digitalId.providers.<name>`. */
export const digitalIdProviderConfigSchema = z
  .object({
    environment: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe('Preset environment: thaid production | sandbox, dga production | uat.'),
    issuer: httpUrl.optional().describe("Overrides the preset's issuer; required for a generic provider."),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(4096).optional().describe('Raw client secret; use ${VAR}.'),
    redirectUri: httpUrl.describe('Exactly as registered with the provider.'),
    postLogoutRedirectUri: httpUrl.optional(),
    scopes: z
      .array(scope)
      .min(1)
      .max(50)
      .optional()
      .describe('Default: the preset scopes. openid is always added.'),
    apiKey: z.string().min(1).max(4096).optional().describe("ThaID's DOPA-issued API key (x-imauth-apikey)."),
    apiKeyHeader: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/)
      .optional(),
    tokenEndpointAuthMethod: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
    discovery: z.enum(['auto', 'required', 'static']).optional(),
    allowInsecureHttp: z
      .boolean()
      .optional()
      .describe('DEVELOPMENT ONLY: a plain-http issuer (the local sandbox).'),
    transport: transportConfigSchema.pick({ proxy: true, tls: true, timeouts: true }).optional(),
  })
  .strict();

/** The `digitalId` section. */
export const digitalIdConfigSchema = z
  .object({
    thaid: digitalIdProviderConfigSchema.optional().describe('ThaID (DOPA).'),
    dga: digitalIdProviderConfigSchema.optional().describe('DGA Digital ID.'),
    providers: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'provider names are lower-case letters, digits and "-"'),
        digitalIdProviderConfigSchema.refine((p) => p.issuer !== undefined, {
          message: 'Required for a generic provider',
          path: ['issuer'],
        }),
      )
      .optional()
      .describe('Any other OpenID provider, by a name of your choice; issuer is required.'),
    stateStore: z
      .object({
        postgres: postgresStoreConfigSchema,
        maxPending: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .optional()
          .describe('Most logins pending at once, across every replica sharing the table. Default 50000.'),
      })
      .strict()
      .optional()
      .describe('Login states shared by every app replica (PostgresStateStore). Default: process memory.'),
  })
  .strict()
  .describe('Digital ID login: @thgov/digital-id DigitalIdClient per provider.');

/** The `ecms` section. */
export const ecmsConfigSchema = z
  .object({
    nodeUrl: httpUrl.describe("The agency's own e-CMS node (https://ecms.agency.go.th/ecms-ws01/service2)."),
    organizationId: z
      .string()
      .regex(/^\d{10}$/, 'must be the 10-digit department code')
      .describe("The agency's 10-digit department code."),
    allowTopSecret: z.boolean().optional(),
    store: z
      .union([
        z.object({ postgres: postgresStoreConfigSchema }).strict(),
        z.object({ sqlite: file.describe('The journal file (one replica).') }).strict(),
      ])
      .optional()
      .describe(
        'The letter journal: { "postgres": { "url": … } } for several replicas, or { "sqlite": FILE }.',
      ),
    transport: transportConfigSchema.optional(),
  })
  .strict()
  .describe('e-CMS official letters: @thgov/ecms EcmsClient.');

/** The `catalog` section (the agency data catalog). */
export const catalogConfigSchema = z
  .object({
    baseUrl: httpUrl.describe('The agency data catalog root (https://data.agency.go.th), not …/api/3.'),
    apiToken: z
      .string()
      .min(8)
      .max(4096)
      .optional()
      .describe('CKAN API token of an editor of the organization; use ${THGOV_CATALOG_API_TOKEN}.'),
    apiTokenHeader: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/)
      .optional()
      .describe('Header of the token. Default Authorization (CKAN) or api-key (opend gateway).'),
    gateway: z.enum(['ckan', 'opend']).optional().describe("opend: data.go.th's /get-ckan/{action} gateway."),
    harvesterUrl: httpUrl
      .optional()
      .describe('GD Catalog harvester. Default https://harvester.gdcatalog.go.th.'),
    siteUrl: httpUrl.optional().describe('This catalog as the harvester knows it. Default baseUrl.'),
    schemaVersion: z
      .enum(['2.1', '2.2', 'auto'])
      .optional()
      .describe('thai_gdc metadata version. Default auto (status_show).'),
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .max(2 ** 42)
      .optional()
      .describe('Largest upload. Default 100 MiB.'),
    politeness: z
      .object({
        requestsPerSecond: z.union([z.literal(false), z.number().positive().max(100_000)]).optional(),
        maxConcurrency: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .optional()
      .describe('Client-side rate limit and concurrency cap. Default 10 requests/s, 4 in flight.'),
    transport: transportConfigSchema.optional(),
  })
  .strict()
  .describe('Government Data Catalog (CKAN + thai_gdc): @thgov/catalog CatalogClient.');

/** The `transcript` section (trust anchors for verification). */
export const transcriptConfigSchema = z
  .object({
    trustAnchors: z
      .array(file)
      .min(1)
      .max(100)
      .describe('CA certificates (PEM, DER or a PKCS#7 bundle) trusted for transcript signers.'),
    tsaTrustAnchors: z
      .array(file)
      .min(1)
      .max(100)
      .optional()
      .describe('CA certificates trusted for time-stamp authorities. Default: trustAnchors.'),
    policy: z.enum(['transcript', 'pdf']).optional().describe('Default transcript (strict).'),
  })
  .strict()
  .describe('Transcript verification: @thgov/transcript verifyTranscript.');

const chainKeyConfigSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1–64 letters, digits, '.', '_' or '-'")
      .describe('Key id written into every record, e.g. "2026-01"; a new id for every rotation.'),
    secret: z
      .string()
      .min(32, 'must be at least 32 characters')
      .describe('The chain key (at least 32 characters, e.g. `openssl rand -base64 32`); use ${VAR}.'),
  })
  .strict();

/** The `audit` section (the audit log file and its subject-hash key). */
export const auditConfigSchema = z
  .object({
    path: file.optional().describe('Append-only, hash-chained JSON-lines file (one replica).'),
    postgres: postgresStoreConfigSchema
      .extend({
        chain: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/)
          .optional()
          .describe('Name of the chain in the table. Default "default".'),
      })
      .strict()
      .optional()
      .describe('One chain in PostgreSQL for every replica (PostgresAuditSink) instead of a file.'),
    hmacSecret: z
      .string()
      .min(16, 'must be at least 16 characters')
      .describe('Key for subject hashes (at least 16 characters); use ${VAR}. Never given to verifiers.'),
    chainKey: chainKeyConfigSchema.describe(
      'HMAC key of the chain, apart from hmacSecret: whoever verifies the log needs this one only.',
    ),
    previousChainKeys: z
      .array(chainKeyConfigSchema)
      .max(20)
      .optional()
      .describe('Keys of earlier rotations, while the last record or the anchor still uses one.'),
    anchor: file
      .optional()
      .describe(
        'Anchor file (the head, replaced after every batch). Default: <path>.anchor; best on another disk.',
      ),
    lockTimeoutInMs: ms.optional().describe('How long an append waits for another writer. Default 10000.'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if ((a.path === undefined) === (a.postgres === undefined))
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'give exactly one of path or postgres' });
    for (const [i, k] of [a.chainKey, ...(a.previousChainKeys ?? [])].entries()) {
      if (k.secret === a.hmacSecret)
        ctx.addIssue({
          code: 'custom',
          path: i === 0 ? ['chainKey', 'secret'] : ['previousChainKeys', i - 1, 'secret'],
          message: 'must differ from hmacSecret',
        });
    }
  })
  .describe('Audit log (PDPA records of processing): @thgov/core FileAuditSink, or PostgresAuditSink.');

/** The `doctor` section (thresholds and the time limit of each check). */
export const doctorConfigSchema = z
  .object({
    expiryWarningDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .optional()
      .describe('Certificates expiring within this many days are a warning. Default 30.'),
    maxClockSkewInMs: z
      .number()
      .int()
      .min(0)
      .max(3600_000)
      .optional()
      .describe('Largest clock difference accepted. Default 30000.'),
    checkTimeoutInMs: ms.optional().describe('Time limit of each check. Default 15000.'),
  })
  .strict()
  .describe('Settings of thgov doctor.');

/** The whole `thgov.config.json`, strict: unknown keys are errors. */
export const thgovConfigSchema = z
  .object({
    $schema: z.string().optional(),
    $comment: z
      .string()
      .max(1000)
      .optional()
      .describe('Free text; thgov sandbox marks the files it wrote here.'),
    exchange: exchangeConfigSchema.optional(),
    digitalId: digitalIdConfigSchema.optional(),
    ecms: ecmsConfigSchema.optional(),
    catalog: catalogConfigSchema.optional(),
    transcript: transcriptConfigSchema.optional(),
    audit: auditConfigSchema.optional(),
    transport: transportConfigSchema.optional(),
    doctor: doctorConfigSchema.optional(),
  })
  .strict()
  .describe('thgov.config.json: one file for every thgov platform. Strings may use ${ENV_VAR}.');

/** The parsed `TransportConfig` section (see its schema). */
export type TransportConfig = z.infer<typeof transportConfigSchema>;
/** The parsed `ExchangeConfig` section (see its schema). */
export type ExchangeConfig = z.infer<typeof exchangeConfigSchema>;
/** The parsed `DigitalIdProviderConfig` section (see its schema). */
export type DigitalIdProviderConfig = z.infer<typeof digitalIdProviderConfigSchema>;
/** The parsed `DigitalIdConfig` section (see its schema). */
export type DigitalIdConfig = z.infer<typeof digitalIdConfigSchema>;
/** The parsed `EcmsConfig` section (see its schema). */
export type EcmsConfig = z.infer<typeof ecmsConfigSchema>;
/** The parsed `CatalogConfig` section (see its schema). */
export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
/** The parsed `TranscriptConfig` section (see its schema). */
export type TranscriptConfig = z.infer<typeof transcriptConfigSchema>;
/** The parsed `AuditConfig` section (see its schema). */
export type AuditConfig = z.infer<typeof auditConfigSchema>;
/** A PostgreSQL store in thgov.config.json (`{ "postgres": { url, schema, poolSize } }`): journal, audit log or login states. */
export type PostgresStoreConfig = z.infer<typeof postgresStoreConfigSchema>;
/** The parsed `DoctorConfig` section (see its schema). */
export type DoctorConfig = z.infer<typeof doctorConfigSchema>;
/** The whole `thgov.config.json`, after `${VAR}` substitution; file paths are absolute. */
export type ThgovConfig = z.infer<typeof thgovConfigSchema>;

/** JSON Schema (2020-12) of `thgov.config.json`, for editors (`"$schema"`) and the configuration reference. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(thgovConfigSchema, { unrepresentable: 'any', io: 'input' }) as Record<
    string,
    unknown
  >;
}
