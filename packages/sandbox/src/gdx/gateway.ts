import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCitizenId, isJuristicId } from '@thgov/core';
import { FaultInjector, type FaultProfile } from '../faults.js';
import { listen, readBody, sendJson, sendText } from '../http-server.js';
import type { Population } from '../people.js';
import { consumerMayCall, createConsumers, type GdxConsumer, type GdxConsumerSpec } from './consumers.js';
import {
  dbdProfile,
  dbdProfilePdf,
  linkageAddress,
  linkageHouse,
  linkageHouseholdMembers,
  linkagePerson,
} from './fixtures.js';
import { SecurityServerProfile } from './security-server.js';
import { GdxTokenStore } from './tokens.js';
import { GdxUsageLog } from './usage-log.js';
import {
  agentIdFromUserId,
  defaultXRoadSettings,
  parseXRoadClient,
  parseXRoadPath,
  requestHash,
  sameXRoadId,
  sendXRoadError,
  type XRoadSettings,
} from './xroad.js';

export type OfficerSessionState = 'AgentNotAvailable' | 'AgentAvailable' | 'CitizenAvailable';

/** Behaviours seen on the real gateway that a client must cope with; switchable at run time. */
export interface GdxQuirks {
  /** Key of the validate and laser-check answers: DGA's docs show both `Result` and `result`. */
  resultKey: 'Result' | 'result';
  /** Declare a wrong SHA-256 in the DBD PDF answer (to test the client's integrity check). */
  corruptPdfHash: boolean;
}

export interface GdxGatewayOptions {
  population: Population;
  /** Seed for credentials (and faults unless the fault profile has its own). */
  seed?: number;
  host?: string;
  /** Fixed port; default ephemeral. */
  port?: number;
  consumers?: GdxConsumerSpec[];
  /** Idle lifetime of a token (GDX: 60 minutes). Tests use a few hundred ms. */
  tokenIdleTimeoutInMs?: number;
  faults?: FaultProfile;
  /** Officers (AgentIDs) and their DOPA session state at start. Default: the first two people, AgentAvailable. */
  officerSessions?: Record<string, OfficerSessionState>;
  /** Session state of an AgentID nobody has set. */
  defaultSessionState?: OfficerSessionState;
  xroad?: Partial<XRoadSettings>;
  quirks?: Partial<GdxQuirks>;
}

export interface GdxXRoadInfo {
  instance: string;
  /** Client subsystems registered on the sandbox's Security Server (first one may call every service). */
  clients: string[];
  /** Service identifiers of the fixture services, named the way ExchangeClient's `xroad.services` wants them. */
  services: { dopaLinkage: string; dopaVerification: string; dbdJuristic: string };
  /** The switchable Security Server profile: inject `Server.*`/`Client.*` faults, read what clients sent. */
  securityServer: SecurityServerProfile;
}

export interface GdxGateway {
  /** Base URL: GDX paths under /ws, X-Road REST under /r1. */
  url: string;
  port: number;
  /** Registered consumers with their test credentials (first: every service; second: DOPA only). */
  consumers: GdxConsumer[];
  /** AgentIDs that have an officer session at start. */
  officers: string[];
  usage: GdxUsageLog;
  faults: FaultInjector;
  tokens: GdxTokenStore;
  quirks: GdxQuirks;
  xroad: GdxXRoadInfo;
  setOfficerSession(agentId: string, state: OfficerSessionState): void;
  getOfficerSession(agentId: string): OfficerSessionState;
  close(): Promise<void>;
}

/** A route's answer before it is written (the X-Road side wraps some of them differently). */
interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  subject?: string;
  providerCode?: string;
  /** The caller lacks the right to this service (GDX: 401 with no body; X-Road: AccessDenied). */
  noRight?: boolean;
}

interface Caller {
  name: string;
  services: string[];
  agentId: string | undefined;
  consumerKey: string | undefined;
}

interface Route {
  service: string;
  handle(caller: Caller, query: URLSearchParams, body: Buffer, method: string): Reply;
}

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9 ._-]{1,63}$/;
const FORBIDDEN = 'ForbiddenException: consumer not found';
const TOKEN_NOT_FOUND = 'UnauthorizedException: token not found';
const LINKAGE_OFFICE = '00023';
const LINKAGE_SERVICES: Record<string, string> = {
  '001': 'dopa/linkage/001',
  '027': 'dopa/linkage/027',
  '007': 'dopa/linkage/007',
  '008': 'dopa/linkage/008',
};

const noRight = (): Reply => ({ status: 401, text: '', noRight: true });
const notFound = (subject: string | undefined): Reply => ({ status: 404, text: '', subject });
const linkageError = (code: number, message: string, subject?: string): Reply => ({
  status: 200,
  json: { Code: code, Message: message },
  subject,
  providerCode: String(code),
});

export async function startGdxGateway(options: GdxGatewayOptions): Promise<GdxGateway> {
  const { population } = options;
  const seed = options.seed ?? 2026;
  const consumers = createConsumers(seed, options.consumers);
  const byKey = new Map(consumers.map((c) => [c.consumerKey, c]));
  const tokens = new GdxTokenStore(options.tokenIdleTimeoutInMs ?? 60 * 60 * 1000);
  const usage = new GdxUsageLog();
  const faults = new FaultInjector(options.faults ?? { seed, rules: [] });
  const quirks: GdxQuirks = { resultKey: 'Result', corruptPdfHash: false, ...options.quirks };
  const xroadDefaults = defaultXRoadSettings(options.xroad?.instance);
  const xroad: XRoadSettings = { ...xroadDefaults, ...options.xroad };
  const securityServer = new SecurityServerProfile();
  const defaultState = options.defaultSessionState ?? 'AgentNotAvailable';
  const sessions = new Map<string, OfficerSessionState>(
    Object.entries(
      options.officerSessions ??
        Object.fromEntries(
          population.people.slice(0, 2).map((p) => [p.citizenId, 'AgentAvailable' as const]),
        ),
    ),
  );
  const sessionOf = (agentId: string | undefined) =>
    agentId ? (sessions.get(agentId) ?? defaultState) : defaultState;

  function linkage(caller: Caller, q: URLSearchParams, body: Buffer, method: string): Reply {
    let citizenId = q.get('CitizenID') ?? undefined;
    if (method === 'POST' && body.length > 0) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        const v = parsed.CitizenID ?? parsed.citizenId ?? parsed.pid;
        if (typeof v === 'string') citizenId = v;
      } catch {
        return linkageError(90004, 'Invalid request body');
      }
    }
    if (q.get('OfficeID') !== LINKAGE_OFFICE) return linkageError(90002, 'Office not found', citizenId);
    const service = LINKAGE_SERVICES[q.get('ServiceID') ?? ''];
    if (!service || !q.get('Version')) return linkageError(90003, 'Service not found', citizenId);
    if (!consumerMayCall(caller, service)) return { ...noRight(), subject: citizenId };
    if (!isCitizenId(citizenId)) return linkageError(90004, 'Invalid CitizenID');
    const state = sessionOf(caller.agentId);
    const allowed =
      state === 'AgentAvailable' || (state === 'CitizenAvailable' && citizenId === caller.agentId);
    if (!allowed) {
      return linkageError(
        90001,
        'Agent not available: the officer has not authenticated for DOPA rights',
        citizenId,
      );
    }
    const person = population.byCitizenId.get(citizenId);
    if (!person) return notFound(citizenId);
    const sid = q.get('ServiceID');
    const json =
      sid === '001'
        ? linkagePerson(person)
        : sid === '027'
          ? linkageAddress(person)
          : sid === '007'
            ? linkageHouseholdMembers(person, population.households.get(person.address.houseId) ?? [person])
            : linkageHouse(person);
    return { status: 200, json, subject: citizenId };
  }

  function agentPermission(caller: Caller, q: URLSearchParams): Reply {
    if (!consumerMayCall(caller, 'dopa/agent-permission')) return noRight();
    const citizenId = q.get('CitizenID') ?? caller.agentId ?? '';
    return {
      status: 200,
      json: { AgentID: caller.agentId ?? '', CitizenID: citizenId, SessionState: sessionOf(citizenId) },
      subject: citizenId,
    };
  }

  function laser(caller: Caller, q: URLSearchParams): Reply {
    const citizenId = q.get('CitizenID') ?? '';
    if (!consumerMayCall(caller, 'dopa/laser-verification')) return { ...noRight(), subject: citizenId };
    const person = population.byCitizenId.get(citizenId);
    // DOPA answers failures as HTTP 500 with a bracketed code: [4] no such card / data mismatch, [2] card voided.
    if (!person) return { status: 500, text: '[4]', subject: citizenId, providerCode: '4' };
    if (!person.cardValid) return { status: 500, text: '[2]', subject: citizenId, providerCode: '2' };
    const laserCode = (q.get('LaserCode') ?? '').replace(/[-\s]/g, '').toUpperCase();
    if (laserCode !== person.laserCode)
      return { status: 500, text: '[4]', subject: citizenId, providerCode: '4' };
    const first = q.get('FirstName') ?? '';
    const last = q.get('LastName') ?? '';
    const match =
      (first === person.firstName.th || first.toLowerCase() === person.firstName.en.toLowerCase()) &&
      (last === person.lastName.th || last.toLowerCase() === person.lastName.en.toLowerCase()) &&
      q.get('BEBirthDate') === person.birthDateBe;
    return { status: 200, json: { [quirks.resultKey]: match }, subject: citizenId };
  }

  function juristic(pdf: boolean) {
    return (caller: Caller, q: URLSearchParams): Reply => {
      const juristicId = q.get('JuristicID') ?? '';
      if (!consumerMayCall(caller, pdf ? 'dbd/juristic/profile-pdf' : 'dbd/juristic/profile')) {
        return { ...noRight(), subject: juristicId };
      }
      const company = isJuristicId(juristicId) ? population.byJuristicId.get(juristicId) : undefined;
      if (!company) return notFound(juristicId);
      return {
        status: 200,
        json: pdf ? dbdProfilePdf(company, quirks.corruptPdfHash) : dbdProfile(company),
        subject: juristicId,
      };
    };
  }

  const routes: Record<string, Route> = {
    '/ws/dopa/linkage/v1/link': { service: 'dopa/linkage', handle: linkage },
    '/ws/dopa/linkage/v1/agent/permission': { service: 'dopa/agent-permission', handle: agentPermission },
    '/ws/dopa/verification/personal': { service: 'dopa/laser-verification', handle: laser },
    '/ws/dbd/juristic/v4/profile/information': { service: 'dbd/juristic/profile', handle: juristic(false) },
    '/ws/dbd/juristic/v4/profile/information/pdf': {
      service: 'dbd/juristic/profile-pdf',
      handle: juristic(true),
    },
  };

  /** Usage-log service name: Linkage calls are logged per ServiceID, as GDX bills them. */
  function serviceName(route: Route | undefined, path: string, q: URLSearchParams): string {
    if (!route) return path;
    if (route.service === 'dopa/linkage') return LINKAGE_SERVICES[q.get('ServiceID') ?? ''] ?? route.service;
    return route.service;
  }

  function write(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
    if (reply.json !== undefined) sendJson(res, reply.status, reply.json, headers);
    else sendText(res, reply.status, reply.text ?? '', headers);
  }

  /** Runs the fault injector; true when it answered (or cut) the request itself. */
  async function faulted(
    req: IncomingMessage,
    res: ServerResponse,
    log: (status: number) => void,
  ): Promise<boolean> {
    const resetsBefore = faults.counters.resets;
    if (!(await faults.intercept(req, res))) return false;
    log(faults.counters.resets > resetsBefore ? 0 : res.statusCode);
    return true;
  }

  async function handleGdx(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const q = url.searchParams;
    const requestId = header(req, 'x-request-id');
    const route = routes[path];
    const service = path === '/ws/auth/validate' ? 'auth/validate' : serviceName(route, path, q);
    const consumerKey = header(req, 'consumer-key');
    const consumer = consumerKey ? byKey.get(consumerKey) : undefined;
    const log = (status: number, agentId?: string, subject?: string, providerCode?: string) =>
      usage.record({
        via: 'gdx',
        consumer: consumer?.name,
        agentId,
        service,
        subject,
        status,
        providerCode,
        requestId,
      });

    if (await faulted(req, res, (s) => log(s))) return;

    if (path === '/ws/auth/validate') {
      const agentId = q.get('AgentID') ?? '';
      if (!consumer) {
        sendText(res, 403, FORBIDDEN);
        log(403, agentId);
        return;
      }
      if (q.get('ConsumerSecret') !== consumer.consumerSecret) {
        sendText(res, 401, 'UnauthorizedException: invalid consumer secret');
        log(401, agentId);
        return;
      }
      if (!isCitizenId(agentId) && !SYSTEM_NAME.test(agentId)) {
        sendText(res, 400, 'BadRequestException: AgentID must be a citizen ID or a system name');
        log(400);
        return;
      }
      sendJson(res, 200, { [quirks.resultKey]: tokens.issue(consumer.consumerKey, agentId) });
      log(200, agentId);
      return;
    }

    if (!consumer) {
      sendText(res, 403, FORBIDDEN);
      log(403);
      return;
    }
    const token = header(req, 'token') ?? '';
    const rec = tokens.use(token, consumer.consumerKey);
    if (!rec || faults.tokenExpired(path)) {
      if (rec) tokens.revoke(token);
      sendText(res, 401, TOKEN_NOT_FOUND);
      log(401, rec?.agentId);
      return;
    }
    if (!route) {
      sendText(res, 404, 'Not Found');
      log(404, rec.agentId);
      return;
    }
    const body = await readRequestBody(req, res);
    if (!body) return;
    const reply = route.handle(
      {
        name: consumer.name,
        services: consumer.services,
        agentId: rec.agentId,
        consumerKey: consumer.consumerKey,
      },
      q,
      body,
      req.method ?? 'GET',
    );
    write(res, reply);
    log(reply.status, rec.agentId, reply.subject, reply.providerCode);
  }

  async function handleXRoad(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const xroadId = header(req, 'x-road-id') ?? randomUUID();
    const requestId = header(req, 'x-request-id');
    const clientId = parseXRoadClient(header(req, 'x-road-client'));
    const agentId = agentIdFromUserId(header(req, 'x-road-userid'));
    const parsed = parseXRoadPath(url.pathname, xroad);
    const wsUrl = parsed?.wsPath ? new URL(parsed.wsPath + url.search, 'http://sandbox') : undefined;
    const route = wsUrl ? routes[wsUrl.pathname] : undefined;
    const service = wsUrl ? serviceName(route, wsUrl.pathname, wsUrl.searchParams) : url.pathname;
    const log = (status: number, subject?: string, providerCode?: string) =>
      usage.record({
        via: 'xroad',
        consumer: clientId,
        agentId,
        service,
        subject,
        status,
        providerCode,
        requestId,
      });

    if (await faulted(req, res, (s) => log(s))) return;
    const body = await readRequestBody(req, res);
    if (!body) return;
    securityServer.record(req);
    const headers = {
      'x-road-id': xroadId,
      'x-road-request-hash': requestHash(req.method ?? 'GET', req.url ?? '/', xroadId, body),
    };
    // Faults the Security Server raises itself carry the X-Road-Id but no request hash (PR-REST).
    const fail = (status: number, type: string, message: string) => {
      sendXRoadError(res, status, type, message, { 'x-road-id': xroadId });
      log(status);
    };
    const fault = securityServer.take();
    if (fault) return fail(fault.status, fault.type, `Sandbox Security Server fault ${fault.type}`);
    if (!clientId) return fail(400, 'Client.BadRequest', 'Missing or malformed X-Road-Client header');
    const client = xroad.clients.find((c) => sameXRoadId(c.id, header(req, 'x-road-client')));
    if (!client) return fail(403, 'Server.ServerProxy.AccessDenied', 'Client subsystem is not registered');
    if (!parsed) return fail(400, 'Client.BadRequest', 'Malformed service identifier in the request path');
    if (!wsUrl) return fail(404, 'Server.ServerProxy.UnknownService', `Unknown service ${parsed.serviceId}`);
    if (!route) {
      sendText(res, 404, 'Not Found', headers);
      log(404);
      return;
    }
    const reply = route.handle(
      { name: clientId, services: client.services, agentId, consumerKey: undefined },
      wsUrl.searchParams,
      body,
      req.method ?? 'GET',
    );
    if (reply.noRight) {
      return fail(403, 'Server.ServerProxy.AccessDenied', `Access to ${parsed.serviceId} is not allowed`);
    }
    write(res, reply, headers);
    log(reply.status, reply.subject, reply.providerCode);
  }

  const server = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname.startsWith('/r1/')) await handleXRoad(req, res, url);
      else await handleGdx(req, res, url);
    },
    { host: options.host, port: options.port },
  );

  const first = (suffix: string) =>
    Object.keys(xroad.services).find((id) => id.endsWith(suffix)) ?? Object.keys(xroad.services)[0] ?? '';
  return {
    url: server.url,
    port: server.port,
    consumers,
    officers: [...sessions.keys()],
    usage,
    faults,
    tokens,
    quirks,
    xroad: {
      instance: xroad.instance,
      clients: xroad.clients.map((c) => c.id),
      services: {
        dopaLinkage: first('/dopa-linkage-v1'),
        dopaVerification: first('/dopa-verification'),
        dbdJuristic: first('/dbd-juristic-v4'),
      },
      securityServer,
    },
    setOfficerSession: (agentId, state) => {
      sessions.set(agentId, state);
    },
    getOfficerSession: (agentId) => sessionOf(agentId),
    close: () => server.close(),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body up to 1 MiB; answers 413 itself and returns undefined beyond that. */
async function readRequestBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  try {
    return await readBody(req, 1024 * 1024);
  } catch {
    sendText(res, 413, 'Payload Too Large', { connection: 'close' });
    return undefined;
  }
}
