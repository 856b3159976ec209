import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../http-server.js';
import { faulted, header, readRequestBody, writeReply } from './gateway-http.js';
import type { GatewayState } from './gateway-state.js';
import { ROUTES, routeAllows, serviceName } from './routes.js';
import {
  agentIdFromUserId,
  parseXRoadClient,
  parseXRoadPath,
  requestHash,
  sameXRoadId,
  sendXRoadError,
} from './xroad.js';

/**
 * The X-Road REST side (/r1/...): the Security Server's own checks (injected faults, client header, registration,
 * service identifier), then the same routes as GDX with the service's query; answers carry X-Road-Id and the
 * request hash.
 */
export async function handleXRoad(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const xroadId = header(req, 'x-road-id') ?? randomUUID();
  const clientId = parseXRoadClient(header(req, 'x-road-client'));
  const agentId = agentIdFromUserId(header(req, 'x-road-userid'));
  const parsed = parseXRoadPath(url.pathname, state.xroad);
  const wsUrl = parsed?.wsPath ? new URL(parsed.wsPath + url.search, 'http://sandbox') : undefined;
  const route = wsUrl ? ROUTES[wsUrl.pathname] : undefined;
  const service = wsUrl ? serviceName(route, wsUrl.pathname, wsUrl.searchParams) : url.pathname;
  const requestId = header(req, 'x-request-id');
  const log = (status: number, subject?: string, providerCode?: string) =>
    state.usage.record({
      via: 'xroad',
      consumer: clientId,
      agentId,
      service,
      subject,
      status,
      providerCode,
      requestId,
    });

  if (await faulted(state, req, res, (s) => log(s))) return;
  const body = await readRequestBody(req, res);
  if (!body) return;
  state.securityServer.record(req);
  const headers = {
    'x-road-id': xroadId,
    'x-road-request-hash': requestHash(req.method ?? 'GET', req.url ?? '/', xroadId, body),
  };
  // Faults the Security Server raises itself carry the X-Road-Id but no request hash (PR-REST).
  const fail = (status: number, type: string, message: string) => {
    sendXRoadError(res, status, type, message, { 'x-road-id': xroadId });
    log(status);
  };
  const fault = state.securityServer.take();
  if (fault) return fail(fault.status, fault.type, `Sandbox Security Server fault ${fault.type}`);
  if (!clientId) return fail(400, 'Client.BadRequest', 'Missing or malformed X-Road-Client header');
  const client = state.xroad.clients.find((c) => sameXRoadId(c.id, header(req, 'x-road-client')));
  if (!client) return fail(403, 'Server.ServerProxy.AccessDenied', 'Client subsystem is not registered');
  if (!parsed) return fail(400, 'Client.BadRequest', 'Malformed service identifier in the request path');
  if (!wsUrl) return fail(404, 'Server.ServerProxy.UnknownService', `Unknown service ${parsed.serviceId}`);
  if (!route) {
    sendText(res, 404, 'Not Found', headers);
    log(404);
    return;
  }
  if (!routeAllows(route, req.method)) {
    // The provider's own answer, passed through by the Security Server.
    sendText(res, 405, 'Method Not Allowed', { ...headers, allow: route.methods?.join(', ') ?? 'GET' });
    log(405);
    return;
  }
  const caller = { name: clientId, services: client.services, agentId, consumerKey: undefined };
  const reply = route.handle(state, caller, wsUrl.searchParams, body, req.method ?? 'GET');
  if (reply.noRight) {
    return fail(403, 'Server.ServerProxy.AccessDenied', `Access to ${parsed.serviceId} is not allowed`);
  }
  writeReply(res, reply, headers);
  log(reply.status, reply.subject, reply.providerCode);
}
