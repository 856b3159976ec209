import {
  checkJsonText,
  invalidArgument,
  isHttpError,
  type OperationOptions,
  type RawResponse,
  type RequestBody,
  registerSecret,
  type ThGovError,
  Transport,
  type TransportResponse,
  unregisterSecret,
  validateBody,
} from '@thgov/core';
import type { SafeLogger } from '@thgov/core/internal';
import { z } from '@thgov/core/internal';
import { parseExactJson } from './datastore/exact-json.js';
import { classifyAction, classifyPlain } from './envelope.js';
import { CatalogError } from './errors.js';
import { depthExceeds } from './metadata/rules.js';
import { CATALOG_DEFAULTS, type CatalogClientOptions } from './options.js';
import { Politeness } from './politeness.js';
import { PACKAGE } from './version.js';

/** How one Action API call is made. */
export interface ActionCall<T> {
  /** Reads are retried freely; a write only when `idempotent` (revise, patch, upsert by key). */
  read?: boolean;
  idempotent?: boolean;
  /** zod schema of `result`. */
  schema?: z.ZodType<T>;
  /** A body other than the JSON params (a multipart upload). */
  body?: RequestBody;
  /** Numbers a double cannot hold exactly (PostgreSQL int8, numeric) come as strings of their digits. */
  exactNumbers?: boolean;
  op?: OperationOptions;
}

const envelopeSchema = z.object({ success: z.literal(true), result: z.unknown() }).loose();
const MAX_PARAM_DEPTH = 24;
const CATALOG_KEYS = [
  'apiToken',
  'apiTokenHeader',
  'gateway',
  'harvesterUrl',
  'portalUrl',
  'siteUrl',
  'schemaVersion',
  'useServerSchema',
  'maxUploadBytes',
  'politeness',
  'datastore',
] as const;

/**
 * What every catalog operation shares: the transport, the token header, politeness and the Action API path.
 * Operations are functions over this (search.ts, publish.ts, upload/, datastore/ …); CatalogClient is the façade.
 */
export class CatalogCore {
  readonly transport: Transport;
  readonly options: CatalogClientOptions;
  readonly politeness: Politeness;
  readonly #tokenHeaders: Record<string, string>;
  readonly #actionPrefix: string;
  #harvester: Transport | undefined;
  #closed = false;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(options: CatalogClientOptions) {
    this.options = options;
    // Pinned for the client's life (never evicted), released by close(): a process that makes a client per
    // tenant or per job must not keep every token it ever saw.
    registerSecret(options.apiToken, { kind: 'credential' });
    const transportOptions: Record<string, unknown> = { ...options };
    for (const k of CATALOG_KEYS) delete transportOptions[k];
    this.transport = new Transport(transportOptions as unknown as CatalogClientOptions, PACKAGE);
    const gateway = options.gateway ?? 'ckan';
    this.#actionPrefix = gateway === 'opend' ? '/get-ckan' : '/api/3/action';
    const header = options.apiTokenHeader ?? (gateway === 'opend' ? 'api-key' : 'authorization');
    this.#tokenHeaders = options.apiToken ? { [header.toLowerCase()]: options.apiToken } : {};
    const p = options.politeness ?? {};
    this.politeness = new Politeness(
      p.requestsPerSecond ?? CATALOG_DEFAULTS.requestsPerSecond,
      p.maxConcurrency ?? CATALOG_DEFAULTS.maxConcurrency,
    );
  }

  get logger(): SafeLogger {
    return this.transport.logger;
  }

  get hasToken(): boolean {
    return Object.keys(this.#tokenHeaders).length > 0;
  }

  /** Calls one Action API action and returns its `result`, typed by `call.schema`. */
  async action<T = unknown>(
    name: string,
    params: Record<string, unknown>,
    call: ActionCall<T> = {},
  ): Promise<T> {
    const body = call.body ?? {
      raw: encodeParams(params, name),
      contentType: 'application/json; charset=utf-8',
    };
    const res = await this.send<unknown>(
      {
        method: 'POST',
        path: `${this.#actionPrefix}/${name}`,
        headers: this.#tokenHeaders,
        body,
        idempotent: call.read === true || call.idempotent === true,
        classify: (raw: RawResponse) => classifyAction(raw, name),
        operation: `catalog.${name}`,
        responseType: call.exactNumbers ? 'text' : 'json',
      },
      call.op,
    );
    const where = { statusCode: res.statusCode, requestId: res.requestId };
    const parsed = call.exactNumbers ? parseExactJson(res.body as string, () => where) : res.body;
    const { result } = validateBody(parsed, envelopeSchema, where);
    return call.schema ? validateBody(result, call.schema, where) : (result as T);
  }

  /** A plain GET on the catalog (DCAT, DataStore dump), with the token and politeness. */
  async get<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    responseType: 'json' | 'stream',
    action: string,
    op?: OperationOptions,
  ): Promise<TransportResponse<T>> {
    try {
      return await this.send<T>(
        {
          method: 'GET',
          path,
          query,
          headers: this.#tokenHeaders,
          responseType,
          // Streams cannot be classified before they are read: their failures are mapped below instead.
          classify: responseType === 'stream' ? undefined : (raw: RawResponse) => classifyPlain(raw, action),
          operation: `catalog.${action}`,
        },
        op,
      );
    } catch (err) {
      throw fromHttpError(err, action);
    }
  }

  /** Every request goes through politeness (rate and concurrency) before the transport. */
  send<T>(spec: Parameters<Transport['request']>[0], op?: OperationOptions): Promise<TransportResponse<T>> {
    return this.transport.telemetry.operation(spec.operation ?? 'catalog.request', () =>
      this.#politely<T>(spec, op),
    );
  }

  #politely<T>(
    spec: Parameters<Transport['request']>[0],
    op?: OperationOptions,
  ): Promise<TransportResponse<T>> {
    return this.politeness.run(
      () =>
        this.transport.request<T>(
          spec as Parameters<Transport['request']>[0] & { schema?: z.ZodType<T> },
          op,
        ),
      op?.abortSignal,
    );
  }

  /** Caches a lookup (status, server schema) for the client's life; a failure is not cached. */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#memo.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const p = load();
    this.#memo.set(key, p);
    p.catch(() => this.#memo.delete(key));
    return p;
  }

  /** Replaces a cached value (a fresh status). */
  remember<T>(key: string, value: T): void {
    this.#memo.set(key, Promise.resolve(value));
  }

  /** The GD Catalog harvester is another origin: its own transport, same options, no token. */
  harvester(): Transport {
    if (!this.#harvester) {
      const transportOptions: Record<string, unknown> = { ...this.options };
      for (const k of CATALOG_KEYS) delete transportOptions[k];
      transportOptions.baseUrl = String(this.options.harvesterUrl ?? CATALOG_DEFAULTS.harvesterUrl);
      this.#harvester = new Transport(transportOptions as unknown as CatalogClientOptions, PACKAGE);
    }
    return this.#harvester;
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (typeof this.options.apiToken === 'string') unregisterSecret(this.options.apiToken);
    }
    await Promise.all([this.transport.close(), this.#harvester?.close()]);
  }
}

/** Params are checked before they are serialized: a cycle, a BigInt or hostile nesting is a typed error. */
export function encodeParams(params: Record<string, unknown>, action: string): string {
  if (typeof params !== 'object' || params === null)
    throw invalidArgument(`${action}: params must be an object`);
  if (depthExceeds(params, MAX_PARAM_DEPTH)) {
    throw invalidArgument(
      `${action}: the input is nested deeper than ${MAX_PARAM_DEPTH} levels (or is cyclic)`,
    );
  }
  let text: string;
  try {
    text = JSON.stringify(params);
  } catch (cause) {
    throw invalidArgument(`${action}: the input cannot be sent as JSON`, undefined, { cause });
  }
  // A raw body goes out as it is: NUL and lone surrogates are refused here, as core refuses them in `{ json }`.
  checkJsonText(text, params, action);
  return text;
}

/** A transport ERR_HTTP from a streamed request, re-read as a catalog error. */
function fromHttpError(err: unknown, action: string): unknown {
  if (!isHttpError(err) || err.code !== 'ERR_HTTP' || err.statusCode === undefined) return err;
  const text = err.response?.body ?? '';
  const headers = err.response?.headers ?? {};
  const body = Buffer.from(text, 'utf8');
  const raw: RawResponse = {
    statusCode: err.statusCode,
    headers,
    body,
    requestId: err.requestId ?? '',
    attempt: err.attempt ?? 1,
    request: err.request ?? { method: 'GET', url: '', headers: {} },
    text: () => text,
    json: () => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    },
    errorOptions: (extra = {}) => ({
      statusCode: err.statusCode,
      requestId: err.requestId,
      attempt: err.attempt,
      request: err.request,
      response: err.response,
      cause: err,
      ...extra,
    }),
  };
  return (classifyPlain(raw, action) as ThGovError | undefined) ?? err;
}

export { CatalogError };
