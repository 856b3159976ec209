import { randomUUID } from 'node:crypto';
import {
  checkRequestPath,
  computeContentDigest,
  createSubjectHasher,
  HttpError,
  type HttpMethod,
  invalidArgument,
  isSensitiveName,
  isThGovError,
  parseBeDate,
  parseCitizenId,
  parseJsonBody,
  parseJuristicId,
  parseLaserCode,
  type QueryValue,
  type RawResponse,
  type RequestSpec,
  redactText,
  registerSecret,
  type SubjectHasher,
  ThGovError,
  TimeoutError,
  Transport,
  type TransportResponse,
  unregisterSecret,
  validateBody,
} from '@thgov/core';
import {
  errorType,
  isRepeatableCall,
  raceSignal,
  settledAfterSend,
  startDeadline,
  TELEMETRY_NAMES,
  validateOptions,
} from '@thgov/core/internal';
import type { z } from 'zod';
import { type AuditOptions, auditSubject, auditWho } from './audit.js';
import { effectiveContentType } from './charset.js';
import { type CallContext, CheckedAgentIds, type GdxCallOptions, resolveContext } from './context.js';
import { openPdfEnvelope } from './document.js';
import { classifyData, classifyPayment, classifyValidate, readValidateToken } from './envelopes.js';
import { GdxError, isGdxError } from './errors.js';
import { type ExchangeClientOptions, exchangeClientOptionsSchema } from './options.js';
import {
  type AgentPermission,
  agentPermissionSchema,
  type DopaAddress,
  type DopaHouse,
  type DopaHouseholdMembers,
  type DopaPerson,
  dopaAddressSchema,
  dopaHouseholdSchema,
  dopaHouseSchema,
  dopaPersonSchema,
  type JuristicProfile,
  type JuristicProfilePdf,
  juristicPdfSchema,
  juristicProfileSchema,
  type LaserCodeResult,
  laserResultSchema,
} from './schemas.js';
import { LINKAGE_SERVICE_IDS, ROUTES, type ServiceRoute } from './services.js';
import { TokenCache } from './token-cache.js';
import { PACKAGE } from './version.js';
import {
  encodeXRoadId,
  headerSafe,
  type XRoadServiceId,
  xroadClientParts,
  xroadPartyParts,
  xroadServerParts,
  xroadServiceParts,
  xroadUserId,
} from './xroad.js';

/** A service call about one person, by citizen ID. */
export interface CitizenInput {
  citizenId: string;
}

/** What DOPA's laser check compares with the card: citizen ID, names, BE birth date and laser code. */
export interface LaserCodeInput {
  citizenId: string;
  firstName: string;
  lastName: string;
  /** BE `YYYYMMDD` as printed on the card (00 for unknown month/day). */
  birthDateBe: string;
  /** Back of the card, e.g. "JT9-9999999-99" or "JT9999999999". */
  laserCode: string;
}

/** A service call about one company, by juristic-person ID. */
export interface JuristicInput {
  juristicId: string;
}

/** Any catalog service the SDK does not wrap yet. */
export interface GdxCallInput<T> {
  method?: HttpMethod;
  /** GDX path ("/ws/dga/payment/status"); in X-Road mode the path below the service identifier. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: { json: unknown } | { form: Record<string, string> };
  /** zod schema for the JSON result (use it: it is what makes the result typed). */
  schema?: z.ZodType<T>;
  /** Overrides `pathPrefixes` for this call ("/uat", "/dev", or "" for none), inserted after the first two segments. */
  pathPrefix?: string;
  /** X-Road mode: a full service identifier (string or structured), or a key of the client's `xroad.services`. */
  xroadService?: string | XRoadServiceId;
  /**
   * Name in the audit log, the span and the metrics (default: the path, with each segment that looks like a
   * record key, such as 4 or more digits, percent-encoded data or a long hex run, written `{id}`).
   */
  name?: string;
  /** Citizen or juristic ID the call is about, for the audit log (stored as a keyed hash). */
  subject?: string;
  /** 'payment' also reads DGA e-Payment's `{status, errorCode, message, data}` envelope. */
  envelope?: 'default' | 'payment';
  /**
   * Personal values the call sends under names no redactor knows (a Thai field name, `holder`): masked in any
   * letter case and encoding wherever a server quotes them back (the error's message, response preview and
   * headers). Values under personal-data or secret names in `query` and `body` (`FirstName`, `lastName`,
   * `LaserCode`, `BEBirthDate`, `dateOfBirth`, nested too) are masked without being listed. At most 32.
   */
  sensitiveValues?: readonly string[];
  /**
   * Non-idempotent calls are retried only with an idempotency key. Refused on an e-Payment write
   * (`envelope: 'payment'`, not GET): GDX dedupes nothing, and the reference forbids blind retries.
   */
  idempotencyKey?: string | true;
  idempotent?: boolean;
}

/** Counters of an `ExchangeClient` (`client.stats`): validations, token replays and cached tokens. */
export interface ExchangeStats {
  /** Validate operations started (each may take several HTTP attempts). */
  validations: number;
  /** Calls replayed after GDX answered "token not found". */
  tokenReplays: number;
  /** AgentIDs with a cached token. */
  cachedAgents: number;
}

interface Exchange {
  route: { name: string; gdxPath: string; xroadService: string | undefined; subpath: string };
  method: HttpMethod;
  query: Record<string, QueryValue>;
  body?: { json: unknown } | { form: Record<string, string> };
  subject: string | undefined;
  classify: (raw: RawResponse, service: string) => ThGovError | undefined;
  /** Personal values the call sends that no redactor knows (names, a laser code): masked if the server echoes them. */
  sensitive?: readonly string[];
  pathPrefix?: string;
  idempotent?: boolean;
  idempotencyKey?: string | true;
}

const GET_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
const MAX_NAME = 100;

/**
 * Client for DGA's Government Data Exchange (GDX): token lifecycle per AgentID, typed DOPA and DBD
 * services, a generic typed call for the rest of the catalog, one error type for every envelope, an
 * optional audit record per call, and an X-Road REST mode.
 *
 * @example
 * ```ts
 * const gdx = new ExchangeClient({
 *   baseUrl: 'https://api.egov.go.th',
 *   consumerKey: process.env.GDX_CONSUMER_KEY!,
 *   consumerSecret: process.env.GDX_CONSUMER_SECRET!,
 * });
 * const person = await gdx.getPerson(
 *   { citizenId: '1-1017-00230-70-8' },
 *   { agentId: officerCitizenId, purpose: 'welfare eligibility', caseRef: 'WF-2569-0001' },
 * );
 * await gdx.close();
 * ```
 */
export class ExchangeClient {
  readonly #t: Transport;
  readonly #o: ExchangeClientOptions;
  readonly #tokens: TokenCache;
  /** Ends validates still in flight at close(): shared, no caller owns them, and close() must not wait on them. */
  readonly #closing = new AbortController();
  readonly #audit: AuditOptions | undefined;
  readonly #auditHash: SubjectHasher | undefined;
  readonly #xroadClient: string | undefined;
  /** The X-Road client as one readable string (decoded parts), for labels. */
  readonly #xroadClientLabel: string | undefined;
  readonly #xroadServices: Record<string, string[]>;
  readonly #xroadParty: string | undefined;
  readonly #xroadServer: string | undefined;
  /** Consumer key and secret, registered for redaction for the client's life (released by `close()`). */
  readonly #credentials: string[];
  readonly #agentIds = new CheckedAgentIds();
  #tokenReplays = 0;

  constructor(options: ExchangeClientOptions) {
    const o = validateOptions(exchangeClientOptionsSchema, options, 'ExchangeClient options');
    this.#o = o;
    this.#credentials = [o.consumerKey, o.consumerSecret].filter((v): v is string => v !== undefined);
    for (const credential of this.#credentials) registerSecret(credential, { kind: 'credential' });
    const {
      consumerKey: _k,
      consumerSecret: _s,
      agentId: _a,
      tokenIdleTimeoutInMs: _i,
      tokenRefreshMarginInMs: _m,
      maxCachedAgents: _c,
      pathPrefixes: _p,
      linkage: _l,
      audit: _au,
      xroad: _x,
      ...transportOptions
    } = o;
    this.#t = new Transport(transportOptions, PACKAGE);
    const idle = o.tokenIdleTimeoutInMs ?? 60 * 60_000;
    this.#tokens = new TokenCache((agentId, requestId) => this.#validate(agentId, requestId), {
      idleTimeoutInMs: idle,
      refreshMarginInMs: Math.min(o.tokenRefreshMarginInMs ?? 5 * 60_000, Math.floor(idle / 2)),
      maxEntries: o.maxCachedAgents ?? 10_000,
    });
    this.#audit = o.audit;
    this.#auditHash = o.audit?.hmacSecret === undefined ? undefined : createSubjectHasher(o.audit.hmacSecret);
    const clientParts = o.xroad ? xroadClientParts(o.xroad.client, 'xroad.client') : undefined;
    this.#xroadClient = clientParts ? encodeXRoadId(clientParts) : undefined;
    this.#xroadClientLabel = clientParts?.join('/');
    this.#xroadServices = Object.fromEntries(
      Object.entries(o.xroad?.services ?? {}).map(([k, v]) => [
        k,
        xroadServiceParts(v, `xroad.services.${k}`),
      ]),
    );
    const party = o.xroad?.representedParty;
    this.#xroadParty =
      party === undefined ? undefined : encodeXRoadId(xroadPartyParts(party, 'xroad.representedParty'));
    const server = o.xroad?.securityServer;
    this.#xroadServer =
      server === undefined ? undefined : encodeXRoadId(xroadServerParts(server, 'xroad.securityServer'));
  }

  // ---- DOPA Linkage -------------------------------------------------------------------------------

  /** Civil registry record (Linkage 001). */
  async getPerson(input: CitizenInput, options?: GdxCallOptions): Promise<DopaPerson> {
    return this.#linkage('person', input, dopaPersonSchema, options);
  }

  /** Registered address (Linkage 027). */
  async getAddress(input: CitizenInput, options?: GdxCallOptions): Promise<DopaAddress> {
    return this.#linkage('address', input, dopaAddressSchema, options);
  }

  /** Members of the person's house registration (Linkage 007). */
  async getHouseholdMembers(input: CitizenInput, options?: GdxCallOptions): Promise<DopaHouseholdMembers> {
    return this.#linkage('householdMembers', input, dopaHouseholdSchema, options);
  }

  /** The house the person is registered in (Linkage 008). */
  async getHouse(input: CitizenInput, options?: GdxCallOptions): Promise<DopaHouse> {
    return this.#linkage('house', input, dopaHouseSchema, options);
  }

  /** DOPA session state of an officer (default: the call's AgentID): can they use Linkage right now? */
  async getAgentPermission(
    input: { citizenId?: string } = {},
    options?: GdxCallOptions,
  ): Promise<AgentPermission> {
    const ctx = this.#context(options);
    const requested = objectArg(input).citizenId;
    const citizenId = requested === undefined ? ctx.agentId : parseCitizenId(requested);
    return this.#run(
      ctx,
      {
        route: this.#route(ROUTES.agentPermission),
        method: 'GET',
        query: { Consumer: this.#o.consumerKey ?? this.#xroadClientLabel, CitizenID: citizenId },
        subject: citizenId,
        classify: classifyData,
      },
      (bytes, meta) => parseJson(bytes, agentPermissionSchema, meta),
      options,
    );
  }

  /**
   * Checks an ID card's laser code together with name and birth date. `{valid: false}` = the card exists
   * but the data do not match; DOPA's `[2]` (card voided) and `[4]` (no such card / mismatch) are
   * ERR_GDX_BUSINESS errors with that providerCode.
   */
  async verifyLaserCode(input: LaserCodeInput, options?: GdxCallOptions): Promise<LaserCodeResult> {
    const ctx = this.#context(options);
    const citizenId = parseCitizenId(objectArg(input).citizenId);
    const firstName = nameArg(input.firstName, 'firstName');
    const lastName = nameArg(input.lastName, 'lastName');
    if (typeof input.birthDateBe !== 'string')
      throw invalidArgument('birthDateBe must be a BE date string YYYYMMDD', 'ERR_BE_DATE');
    parseBeDate(input.birthDateBe);
    const laserCode = parseLaserCode(input.laserCode);
    return this.#run(
      ctx,
      {
        route: this.#route(ROUTES.laserCode),
        method: 'GET',
        query: {
          CitizenID: citizenId,
          FirstName: firstName,
          LastName: lastName,
          BEBirthDate: input.birthDateBe.trim(),
          LaserCode: laserCode,
        },
        subject: citizenId,
        classify: classifyData,
        sensitive: [firstName, lastName, laserCode, input.birthDateBe.trim()],
      },
      (bytes, meta) => parseJson(bytes, laserResultSchema, meta),
      options,
    );
  }

  // ---- DBD ----------------------------------------------------------------------------------------

  /** Juristic person profile (DBD v4 profile/information). */
  async getJuristicProfile(input: JuristicInput, options?: GdxCallOptions): Promise<JuristicProfile> {
    const ctx = this.#context(options);
    const juristicId = parseJuristicId(objectArg(input).juristicId);
    const route = this.#route(ROUTES.juristicProfile);
    return this.#run(
      ctx,
      {
        route,
        method: 'GET',
        query: { JuristicID: juristicId },
        subject: juristicId,
        classify: classifyData,
      },
      (bytes, meta) => {
        const first = parseJson(bytes, juristicProfileSchema, meta).ResultList[0];
        if (!first) {
          throw new GdxError('ERR_GDX_NOT_FOUND', `${route.name}: empty result list`, {
            statusCode: meta.statusCode,
            requestId: meta.requestId,
            service: route.name,
            envelope: 'status',
          });
        }
        return first;
      },
      options,
    );
  }

  /** The DBD certificate PDF, decoded, with its declared size and hash checked. */
  async getJuristicProfilePdf(input: JuristicInput, options?: GdxCallOptions): Promise<JuristicProfilePdf> {
    const ctx = this.#context(options);
    const juristicId = parseJuristicId(objectArg(input).juristicId);
    const route = this.#route(ROUTES.juristicProfilePdf);
    return this.#run(
      ctx,
      {
        route,
        method: 'GET',
        query: { JuristicID: juristicId },
        subject: juristicId,
        classify: classifyData,
      },
      (bytes, meta) =>
        openPdfEnvelope(
          parseJson(bytes, juristicPdfSchema, meta),
          { statusCode: meta.statusCode, requestId: meta.requestId },
          route.name,
        ),
      options,
    );
  }

  // ---- anything else in the catalog ---------------------------------------------------------------

  /** A typed call to any GDX service: the same tokens, errors, retries and audit as the wrapped ones. */
  async call<T = unknown>(input: GdxCallInput<T>, options?: GdxCallOptions): Promise<T> {
    const ctx = this.#context(options);
    const i = objectArg(input) as GdxCallInput<T>;
    if (typeof i.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(i.path) || i.path.startsWith('//')) {
      throw invalidArgument('path must start with "/" and contain printable ASCII only');
    }
    // Before any token exchange: no dot segment, "#" or backslash (a gateway would normalise it to another service).
    checkRequestPath(i.path);
    if (i.pathPrefix !== undefined && i.pathPrefix !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(i.pathPrefix)) {
      throw invalidArgument('pathPrefix must look like "/uat" (or "" for none)');
    }
    let xroadService: string | undefined;
    if (this.#xroadClient) {
      if (!i.xroadService) throw invalidArgument('xroadService is required in X-Road mode');
      const ids =
        (typeof i.xroadService === 'string' ? this.#xroadServices[i.xroadService] : undefined) ??
        xroadServiceParts(i.xroadService, 'xroadService');
      xroadService = encodeXRoadId(ids);
    }
    // DGA e-Payment: never retry create/void blindly (check the status first). GDX honours no idempotency
    // key, so a retry "made safe" by one would still be a second payment: refused rather than sent.
    if (
      i.envelope === 'payment' &&
      (i.method ?? 'GET') !== 'GET' &&
      (i.idempotent === true || i.idempotencyKey !== undefined)
    ) {
      throw invalidArgument(
        'an e-Payment write is never retried (GDX honours no idempotency key): drop idempotent/idempotencyKey, and after a failure read payment/status before calling again',
      );
    }
    // The call's label (audit operation, error service, span and metric name): a path or name may carry an ID.
    const name = redactText(i.name ?? routeLabel(i.path));
    const sensitive = sensitiveOf(i);
    if (ctx.representedParty !== undefined && !this.#xroadClient) {
      throw invalidArgument('representedParty is an X-Road option (the client has no xroad settings)');
    }
    return this.#run(
      ctx,
      {
        route: { name, gdxPath: i.path, xroadService, subpath: i.path },
        method: i.method ?? 'GET',
        query: i.query ?? {},
        body: i.body,
        subject: i.subject,
        classify: i.envelope === 'payment' ? classifyPayment : classifyData,
        pathPrefix: i.pathPrefix,
        idempotent: i.idempotent,
        idempotencyKey: i.idempotencyKey,
        sensitive,
      },
      (bytes, meta) => parseJson(bytes, i.schema, meta) as T,
      options,
    );
  }

  /** Token and replay counters, for metrics. */
  stats(): ExchangeStats {
    return {
      validations: this.#tokens.validations,
      tokenReplays: this.#tokenReplays,
      cachedAgents: this.#tokens.size,
    };
  }

  /** Closes the client's sockets, forgets its tokens and releases its credentials' redaction. */
  async close(): Promise<void> {
    this.#tokens.clear();
    this.#agentIds.clear();
    this.#closing.abort(new Error('the client was closed'));
    for (const credential of this.#credentials.splice(0)) unregisterSecret(credential);
    await this.#t.close();
  }

  // ---- internals ----------------------------------------------------------------------------------

  #context(options: GdxCallOptions | undefined): CallContext {
    return resolveContext(options, this.#o.agentId, this.#agentIds);
  }

  #linkage<S extends z.ZodType>(
    kind: keyof typeof LINKAGE_SERVICE_IDS,
    input: CitizenInput,
    schema: S,
    options: GdxCallOptions | undefined,
  ): Promise<z.output<S>> {
    const ctx = this.#context(options);
    const citizenId = parseCitizenId(objectArg(input).citizenId);
    return this.#run(
      ctx,
      {
        route: this.#route(ROUTES[kind]),
        method: 'GET',
        query: {
          OfficeID: this.#o.linkage?.officeId ?? '00023',
          ServiceID: LINKAGE_SERVICE_IDS[kind],
          Version: this.#o.linkage?.version ?? '01',
          CitizenID: citizenId,
        },
        subject: citizenId,
        classify: classifyData,
      },
      (bytes, meta) => parseJson(bytes, schema, meta),
      options,
    );
  }

  #route(r: ServiceRoute): Exchange['route'] {
    if (!this.#xroadClient)
      return { name: r.name, gdxPath: r.gdxPath, xroadService: undefined, subpath: r.subpath };
    const ids = this.#xroadServices[r.xroad];
    if (!ids) throw invalidArgument(`xroad.services.${r.xroad} is not configured (needed for ${r.name})`);
    return { name: r.name, gdxPath: r.gdxPath, xroadService: encodeXRoadId(ids), subpath: r.subpath };
  }

  #gdxPath(path: string, override: string | undefined): string {
    if (override !== undefined) {
      if (override === '') return path;
      const m = /^(\/[^/]+\/[^/]+)(\/.*)?$/.exec(path);
      return m ? `${m[1]}${override}${m[2] ?? ''}` : `${override}${path}`;
    }
    for (const [base, prefix] of Object.entries(this.#o.pathPrefixes ?? {})) {
      if (path === base || path.startsWith(`${base}/`)) return base + prefix + path.slice(base.length);
    }
    return path;
  }

  /**
   * One validate, shared by every concurrent caller for this AgentID: it carries the requestId of the call
   * that started it (its errors and log lines too) and is bounded by the transport's own deadline, not by
   * that caller's (an impatient caller must not fail the others).
   */
  async #validate(agentId: string, requestId: string): Promise<string> {
    const telemetry = this.#t.telemetry;
    const counted = (outcome: string) =>
      telemetry.count(
        TELEMETRY_NAMES.tokenValidations,
        { 'thgov.operation': 'thgov.gdx.validate', 'thgov.outcome': outcome },
        1,
        'Token validations, by operation and outcome',
      );
    try {
      const token = await telemetry.operation('gdx.validate', () => this.#validateOnce(agentId, requestId));
      counted('ok');
      return token;
    } catch (err) {
      counted(errorType(err));
      throw err;
    }
  }

  async #validateOnce(agentId: string, requestId: string): Promise<string> {
    const res = await this.#t.request<Uint8Array>(
      {
        method: 'GET',
        path: this.#gdxPath('/ws/auth/validate', undefined),
        query: { ConsumerSecret: this.#o.consumerSecret, AgentID: agentId },
        headers: { 'consumer-key': this.#o.consumerKey ?? '', 'content-type': GET_CONTENT_TYPE },
        classify: classifyValidate,
        operation: 'gdx.validate',
        idempotent: true,
        // Bytes: a token may come bare (text/plain), which a JSON parse would refuse.
        responseType: 'bytes',
      },
      { requestId, abortSignal: this.#closing.signal },
    );
    const token = readValidateToken(res.body);
    // classifyValidate already turned a token-less answer into a (retried) error; this is belt and braces.
    if (!token)
      throw new GdxError('ERR_GDX_AUTH', 'GDX answered validate without a token', {
        envelope: 'gateway',
        requestId,
      });
    return token;
  }

  #spec(
    x: Exchange,
    ctx: CallContext,
    token: string | undefined,
    requestId: string,
  ): RequestSpec<Uint8Array> {
    const headers: Record<string, string> = {};
    let path: string;
    if (this.#xroadClient) {
      path = `/r1/${x.route.xroadService}${x.route.subpath}`;
      headers.accept = 'application/json';
      headers['x-road-client'] = this.#xroadClient;
      // The message's unique id: one per logical call, the same on every retry and replay of it.
      headers['x-road-id'] = requestId;
      headers['x-road-userid'] = xroadUserId(ctx.agentId, this.#o.xroad?.userIdCountry ?? 'TH');
      if (ctx.caseRef) headers['x-road-issue'] = headerSafe(ctx.caseRef);
      const party =
        ctx.representedParty === undefined
          ? this.#xroadParty
          : encodeXRoadId(xroadPartyParts(ctx.representedParty, 'representedParty'));
      if (party) headers['x-road-represented-party'] = party;
      if (this.#xroadServer) headers['x-road-security-server'] = this.#xroadServer;
    } else {
      path = this.#gdxPath(x.route.gdxPath, x.pathPrefix);
      headers['consumer-key'] = this.#o.consumerKey ?? '';
      headers.token = token ?? '';
      // GDX's gateway wants a content type on GETs too (see the reference); a Security Server does not.
      if (!x.body) headers['content-type'] = GET_CONTENT_TYPE;
    }
    return {
      method: x.method,
      path,
      query: x.query,
      headers,
      body: x.body,
      responseType: 'bytes',
      classify: (raw) => x.classify(raw, x.route.name),
      operation: x.route.name,
      idempotent: x.idempotent,
      idempotencyKey: x.idempotencyKey,
      ...(x.sensitive ? { sensitiveValues: x.sensitive } : {}),
    };
  }

  /** One GDX call inside its OpenTelemetry operation span (`thgov.gdx.<route>`). */
  #run<T>(
    ctx: CallContext,
    x: Exchange,
    parse: (bytes: Uint8Array, meta: TransportResponse<Uint8Array>) => T,
    options: GdxCallOptions | undefined,
  ): Promise<T> {
    const telemetry = this.#t.telemetry;
    // Without OpenTelemetry (no span or metric to record) `operation` would only wrap the call's promise in its own.
    if (!telemetry.enabled) return this.#runCall(ctx, x, parse, options);
    return telemetry.operation(`gdx.${x.route.name}`, () => this.#runCall(ctx, x, parse, options));
  }

  async #runCall<T>(
    ctx: CallContext,
    x: Exchange,
    parse: (bytes: Uint8Array, meta: TransportResponse<Uint8Array>) => T,
    options: GdxCallOptions | undefined,
  ): Promise<T> {
    const requestId = options?.requestId ?? randomUUID();
    const started = performance.now();
    // Core's deadline: the caller's abort and timeoutInMs over the whole call, token acquisition included.
    const deadline = startDeadline({
      abortSignal: options?.abortSignal,
      timeoutInMs: options?.timeoutInMs,
      onTimeout: (ms) => new TimeoutError('total', ms, { requestId }),
    });
    const remaining = deadline.remainingInMs();
    const opts = () => ({
      abortSignal: deadline.signal,
      requestId,
      timeoutInMs: Number.isFinite(remaining) ? Math.max(1, Math.round(deadline.remainingInMs())) : undefined,
    });
    let res: TransportResponse<Uint8Array> | undefined;
    try {
      if (this.#xroadClient) {
        res = await this.#t.request(this.#spec(x, ctx, undefined, requestId), opts());
      } else {
        const token0 = () => raceSignal(this.#tokens.get(ctx.agentId, requestId), deadline.signal);
        // A cached token is taken at once (no await): nothing can have aborted since the deadline started.
        let token = this.#tokens.fresh(ctx.agentId) ?? (await token0());
        try {
          res = await this.#t.request(this.#spec(x, ctx, token, requestId), opts());
        } catch (err) {
          if (!isGdxError(err) || !err.tokenRejected) throw err;
          // GDX forgot the token (idle expiry, restart): validate once more and replay once.
          this.#tokens.invalidate(ctx.agentId, token);
          this.#tokenReplays++;
          token = await token0();
          res = await this.#t.request(this.#spec(x, ctx, token, requestId), opts());
        }
      }
      const value = parse(res.body, res);
      if (this.#audit) await this.#record(ctx, x, requestId, started, res, undefined);
      return value;
    } catch (e) {
      // Core's rule for a call that is not repeatable once it reached the server, also for the envelope's own
      // errors (a "busy" code at HTTP 200): never retryable, with a hint to check the outcome first.
      const err = settledAfterSend(e, isRepeatableCall(x));
      // The call's own error wins over a failure to record it.
      if (this.#audit && !isThGovError(err, 'ERR_AUDIT_IO')) {
        await this.#record(ctx, x, requestId, started, res, err).catch(() => undefined);
      }
      throw err;
    } finally {
      deadline.dispose();
    }
  }

  async #record(
    ctx: CallContext,
    x: Exchange,
    requestId: string,
    started: number,
    res: TransportResponse<Uint8Array> | undefined,
    err: unknown,
  ): Promise<void> {
    const audit = this.#audit;
    if (!audit) return;
    const extra = this.#xroadClient ? xroadAuditFields(res, err, requestId) : undefined;
    try {
      await audit.sink.append({
        ts: new Date().toISOString(),
        who: auditWho(this.#auditHash, ctx.agentId),
        client: audit.clientLabel ?? this.#xroadClientLabel ?? 'gdx-consumer',
        service: 'gdx',
        operation: x.route.name,
        subject: auditSubject(this.#auditHash, x.subject),
        // Free text from the caller: a sink that does not redact (not core's) must not receive an ID in it.
        purpose: ctx.purpose === undefined ? undefined : redactText(ctx.purpose),
        caseRef: ctx.caseRef === undefined ? undefined : redactText(ctx.caseRef),
        requestId,
        status: err === undefined ? 'ok' : 'error',
        code: err === undefined ? undefined : isThGovError(err) ? err.code : 'ERR_UNKNOWN',
        statusCode: res?.statusCode ?? (err instanceof HttpError ? err.statusCode : undefined),
        latencyInMs: Math.round(performance.now() - started),
        responseDigest: res === undefined ? undefined : computeContentDigest(res.body),
        extra,
      });
    } catch (cause) {
      // No record, no data: a call whose processing cannot be recorded is failed (PDPA).
      throw new ThGovError('ERR_AUDIT_IO', 'The audit record could not be written', { cause });
    }
  }
}

/**
 * What links an X-Road call with the provider's log: the request hash when the answer carries one (a
 * success, or an error the provider itself answered); otherwise (a fault the Security Server raised
 * itself, or no answer) the X-Road-Id and the error's type and detail, redacted.
 */
function xroadAuditFields(
  res: TransportResponse<Uint8Array> | undefined,
  err: unknown,
  requestId: string,
): Record<string, string> {
  const headers = res?.headers ?? (err instanceof HttpError ? err.response?.headers : undefined);
  const hash = headers?.['x-road-request-hash'];
  if (hash) return { xRoadRequestHash: hash };
  // The id this client sent (the one in its own logs); an echo that differs is kept beside it.
  const out: Record<string, string> = { xRoadId: requestId };
  const echo = headers?.['x-road-id'];
  if (echo && echo !== requestId) out.xRoadIdEcho = redactText(echo.slice(0, 200));
  if (isGdxError(err) && err.xroadType !== undefined) {
    out.xRoadErrorType = redactText(err.xroadType);
    if (err.xroadDetail !== undefined) out.xRoadErrorDetail = redactText(err.xroadDetail);
  } else if (isThGovError(err)) {
    out.xRoadErrorType = err.code;
  }
  return out;
}

/**
 * A path segment that holds a record key rather than a word: 4+ digits, percent-encoded data, an address
 * (`@`), a long hex run.
 */
const KEY_SEGMENT = /%|@|(?:\d\D*){4}|[0-9a-f]{16}/i;
/** A segment that may be base64 or base64url (padding kept or not): decoded to see what it holds. */
const BASE64_SEGMENT = /^[A-Za-z0-9+_-]{8,}={0,2}$/;
/** What decoded text shows to be a person's key: 4+ digits (an ID in any spelling), an address, Thai. */
const DECODED_KEY = /(?:\d\D*){4}|[^\s@]@[^\s@]+\.[a-z]|[\u0e01-\u0e5b]/i;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `segment` is a record key: plain, or base64(url) of text with an ID, an address or a Thai name. */
function isKeySegment(segment: string): boolean {
  if (KEY_SEGMENT.test(segment)) return true;
  if (!BASE64_SEGMENT.test(segment)) return false;
  let text: string;
  try {
    text = STRICT_UTF8.decode(Buffer.from(segment.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    return false;
  }
  // A word decodes to bytes that are seldom text (none of 200,000 random lower-case words passes this).
  return !/[\p{Cc}]/u.test(text) && DECODED_KEY.test(text);
}

/**
 * A generic call's default label: its path with record keys (also base64-encoded ones) as `{id}`, so
 * that labels (span names, the `thgov.operation` metric attribute) stay one per service, not one per
 * record, however long the process runs.
 */
function routeLabel(path: string): string {
  const [p = ''] = path.split('?', 1);
  return p
    .split('/')
    .map((segment) => (isKeySegment(segment) ? '{id}' : segment))
    .join('/');
}

const MAX_SENSITIVE = 32;
const MAX_SENSITIVE_DEPTH = 8;

/**
 * What a generic call sends that identifies a person and must be masked if a server echoes it: the caller's
 * `sensitiveValues`, then every value the query or body holds under a personal-data or secret name.
 */
function sensitiveOf(i: GdxCallInput<unknown>): string[] | undefined {
  const listed: unknown = i.sensitiveValues;
  if (
    listed !== undefined &&
    (!Array.isArray(listed) || listed.length > MAX_SENSITIVE || !listed.every((v) => typeof v === 'string'))
  ) {
    throw invalidArgument(`sensitiveValues must be a list of at most ${MAX_SENSITIVE} strings`);
  }
  const out: string[] = [...((listed as string[] | undefined) ?? [])];
  namedValues(i.query, out, 0);
  const body: unknown = i.body;
  if (typeof body === 'object' && body !== null) namedValues(Object.values(body), out, 0);
  return out.length > 0 ? out : undefined;
}

/** Adds to `out` the values found under sensitive names anywhere in `value` (bounded in depth and count). */
function namedValues(value: unknown, out: string[], depth: number): void {
  if (
    depth > MAX_SENSITIVE_DEPTH ||
    out.length >= MAX_SENSITIVE ||
    typeof value !== 'object' ||
    value === null
  )
    return;
  if (Array.isArray(value)) {
    for (const v of value) namedValues(v, out, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (isSensitiveName(k)) allValues(v, out, depth + 1);
    else namedValues(v, out, depth + 1);
  }
}

/** Adds every string and finite number in `value` to `out` (bounded in depth and count). */
function allValues(value: unknown, out: string[], depth: number): void {
  if (out.length >= MAX_SENSITIVE || depth > MAX_SENSITIVE_DEPTH) return;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' && Number.isFinite(value)) out.push(String(value));
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) allValues(v, out, depth + 1);
}

function objectArg<T>(input: T): T {
  if (typeof input !== 'object' || input === null) throw invalidArgument('input must be an object');
  return input;
}

function nameArg(value: unknown, name: string): string {
  if (
    typeof value !== 'string' ||
    value.trim().length === 0 ||
    value.length > MAX_NAME ||
    /[\p{Cc}]/u.test(value)
  ) {
    throw invalidArgument(`${name} must be a non-empty name of at most ${MAX_NAME} characters`);
  }
  return value.trim();
}

function parseJson<S extends z.ZodType>(
  bytes: Uint8Array,
  schema: S | undefined,
  meta: TransportResponse<Uint8Array>,
): z.output<S> {
  const where = { statusCode: meta.statusCode, requestId: meta.requestId };
  // A UTF-8 record under a TIS-620 or Latin-1 label is read as UTF-8 (see effectiveContentType).
  const value = parseJsonBody(bytes, where, effectiveContentType(bytes, meta.headers['content-type']));
  return (schema ? validateBody(value, schema, where) : value) as z.output<S>;
}
