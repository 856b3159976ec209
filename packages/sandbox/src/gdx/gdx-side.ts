import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCitizenId } from '@thgov/core';
import { sendJson, sendText } from '../http-server.js';
import type { GdxConsumer } from './consumers.js';
import { faulted, header, readRequestBody, writeReply } from './gateway-http.js';
import type { GatewayState } from './gateway-state.js';
import { type Route, routeAllows, serviceName } from './routes.js';
import { sendGatewayFault } from './wso2.js';

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9 ._-]{1,63}$/;
const FORBIDDEN = 'ForbiddenException: consumer not found';
const TOKEN_NOT_FOUND = 'UnauthorizedException: token not found';
const VALIDATE_PATH = '/ws/auth/validate';

/** `GET /ws/auth/validate` as a resource of the gateway: answered by `validate` below, never by `handle`. */
const VALIDATE_ROUTE: Route = {
  service: 'auth/validate',
  methods: ['GET'],
  handle: () => ({ status: 500 }),
};

type Log = (status: number, agentId?: string, subject?: string, providerCode?: string) => void;

/** GET /ws/auth/validate: Consumer-Key and ConsumerSecret for a token bound to an AgentID. */
function validate(
  state: GatewayState,
  res: ServerResponse,
  q: URLSearchParams,
  consumer: GdxConsumer | undefined,
  log: Log,
): void {
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
  sendJson(res, 200, { [state.quirks.resultKey]: state.tokens.issue(consumer.consumerKey, agentId) });
  log(200, agentId);
}

/**
 * A service call: consumer, then token (GDX's "token not found" also for an injected expiry), then the resource
 * (`route` undefined: a bare "Not Found", unless `quirks.unroutedPathFault` answered before the credentials).
 */
async function serviceCall(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: Route | undefined,
  consumer: GdxConsumer | undefined,
  log: Log,
): Promise<void> {
  if (!consumer) {
    sendText(res, 403, FORBIDDEN);
    log(403);
    return;
  }
  const token = header(req, 'token') ?? '';
  const rec = state.tokens.use(token, consumer.consumerKey);
  if (!rec || state.faults.tokenExpired(url.pathname)) {
    if (rec) state.tokens.revoke(token);
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
  const caller = {
    name: consumer.name,
    services: consumer.services,
    agentId: rec.agentId,
    consumerKey: consumer.consumerKey,
  };
  const reply = route.handle(state, caller, url.searchParams, body, req.method ?? 'GET');
  if (reply.drop) {
    // The operation took effect but its answer never arrives: the caller sees a reset, as after a timeout.
    res.socket?.destroy();
    log(0, rec.agentId, reply.subject, reply.providerCode);
    return;
  }
  writeReply(res, reply);
  log(reply.status, rec.agentId, reply.subject, reply.providerCode);
}

/** The GDX side (/ws/...): every request is logged in the usage log, as GDX bills it. */
export async function handleGdx(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname;
  const requestId = header(req, 'x-request-id');
  const service =
    path === VALIDATE_PATH ? 'auth/validate' : serviceName(state.route(path), path, url.searchParams);
  const consumerKey = header(req, 'consumer-key');
  const consumer = consumerKey ? state.byKey.get(consumerKey) : undefined;
  const log: Log = (status, agentId, subject, providerCode) =>
    state.usage.record({
      via: 'gdx',
      consumer: consumer?.name,
      agentId,
      service,
      subject,
      status,
      providerCode,
      requestId,
    });
  if (await faulted(state, req, res, (s) => log(s))) return;
  const route = path === VALIDATE_PATH ? VALIDATE_ROUTE : state.route(path);
  // WSO2 matches the resource and its verb before any credential is looked at.
  const miss = !route
    ? state.quirks.unroutedPathFault
      ? 404
      : undefined
    : routeAllows(route, req.method)
      ? undefined
      : 405;
  if (miss) {
    sendGatewayFault(res, miss, state.quirks.gatewayFaultFormat);
    log(miss);
  } else if (route === VALIDATE_ROUTE) validate(state, res, url.searchParams, consumer, log);
  else await serviceCall(state, req, res, url, route, consumer, log);
}
