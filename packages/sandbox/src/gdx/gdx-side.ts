import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCitizenId } from '@thgov/core';
import { sendJson, sendText } from '../http-server.js';
import type { GdxConsumer } from './consumers.js';
import { faulted, header, readRequestBody, writeReply } from './gateway-http.js';
import type { GatewayState } from './gateway-state.js';
import { routeAllows, serviceName } from './routes.js';

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9 ._-]{1,63}$/;
const FORBIDDEN = 'ForbiddenException: consumer not found';
const TOKEN_NOT_FOUND = 'UnauthorizedException: token not found';
const VALIDATE_PATH = '/ws/auth/validate';
const METHOD_NOT_ALLOWED = 'Method Not Allowed';

type Log = (status: number, agentId?: string, subject?: string, providerCode?: string) => void;

/** GET /ws/auth/validate: Consumer-Key and ConsumerSecret for a token bound to an AgentID. */
function validate(
  state: GatewayState,
  res: ServerResponse,
  q: URLSearchParams,
  method: string | undefined,
  consumer: GdxConsumer | undefined,
  log: Log,
): void {
  const agentId = q.get('AgentID') ?? '';
  if (method !== 'GET') {
    sendText(res, 405, METHOD_NOT_ALLOWED, { allow: 'GET' });
    log(405);
    return;
  }
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

/** A service call: consumer, then token (GDX's "token not found" also for an injected expiry), then the route. */
async function serviceCall(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
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
  const route = state.route(url.pathname);
  if (!route) {
    sendText(res, 404, 'Not Found');
    log(404, rec.agentId);
    return;
  }
  if (!routeAllows(route, req.method)) {
    sendText(res, 405, METHOD_NOT_ALLOWED, { allow: route.methods?.join(', ') ?? 'GET' });
    log(405, rec.agentId);
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
  if (path === VALIDATE_PATH) validate(state, res, url.searchParams, req.method, consumer, log);
  else await serviceCall(state, req, res, url, consumer, log);
}
