import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-server.js';

/**
 * The X-Road REST side of the gateway (protocol version r1): the same fixture services, published by
 * provider subsystems under service identifiers INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE. A Security
 * Server authenticates member systems itself, so instead of a Consumer-Key and a token the caller is the
 * `X-Road-Client` subsystem, and the officer comes from `X-Road-UserId`.
 */

export interface XRoadClientSpec {
  /** INSTANCE/CLASS/MEMBER/SUBSYSTEM, or INSTANCE/CLASS/MEMBER for a member-level client; each part percent-encoded. */
  id: string;
  /** Service names or prefixes (as for GDX consumers). */
  services: string[];
}

/** The X-Road instance of the GDX emulator: registered client subsystems and service identifiers. */
export interface XRoadSettings {
  instance: string;
  /** Service identifier → the /ws path it serves (the rest of the /r1 path is appended). */
  services: Record<string, string>;
  clients: XRoadClientSpec[];
}

export function defaultXRoadSettings(instance = 'TH-SANDBOX'): XRoadSettings {
  return {
    instance,
    services: {
      [`${instance}/GOV/DOPA/linkage/dopa-linkage-v1`]: '/ws/dopa/linkage/v1',
      [`${instance}/GOV/DOPA/verification/dopa-verification`]: '/ws/dopa/verification',
      [`${instance}/GOV/DBD/juristic/dbd-juristic-v4`]: '/ws/dbd/juristic/v4',
    },
    clients: [
      { id: `${instance}/GOV/AGENCY01/lookup`, services: ['*'] },
      { id: `${instance}/GOV/AGENCY02/dopa-only`, services: ['dopa/'] },
      // A member-level client (3 parts, no subsystem), legal in X-Road.
      { id: `${instance}/GOV/AGENCY03`, services: ['*'] },
      // An older instance's member code with "/" in it (written percent-encoded here and on the wire).
      { id: `${instance}/GOV/OLD%2F04/legacy`, services: ['*'] },
    ],
  };
}

export interface XRoadRoute {
  serviceId: string;
  /** The /ws path the call maps to, or undefined for an unknown service. */
  wsPath: string | undefined;
}

/** Splits /r1/I/C/M/S/SERVICE/rest into the service identifier and the mapped /ws path. */
export function parseXRoadPath(pathname: string, settings: XRoadSettings): XRoadRoute | undefined {
  const parts = pathname.split('/').slice(2);
  if (parts.length < 5) return undefined;
  let ids: string[];
  try {
    ids = parts.slice(0, 5).map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  if (ids.some((p) => p.length === 0)) return undefined;
  const serviceId = ids.join('/');
  const rest = parts.slice(5).join('/');
  const base = settings.services[serviceId];
  return { serviceId, wsPath: base === undefined ? undefined : `${base}${rest ? `/${rest}` : ''}` };
}

/**
 * `X-Road-Client: INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`, each part percent-encoded on its own; a member-level
 * client has 3 parts. Returns the parts decoded (a decoded part may contain "/").
 */
export function parseXRoadClientParts(header: string | undefined): string[] | undefined {
  if (!header) return undefined;
  const parts = header.split('/');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  try {
    const ids = parts.map((p) => decodeURIComponent(p.trim()));
    return ids.some((p) => p.length === 0) ? undefined : ids;
  } catch {
    return undefined;
  }
}

/** The client as one string (decoded parts joined with "/"), for logs. */
export function parseXRoadClient(header: string | undefined): string | undefined {
  return parseXRoadClientParts(header)?.join('/');
}

/** True when an id written with per-part encoding names the same identifier as the header value. */
export function sameXRoadId(spec: string, header: string | undefined): boolean {
  const a = parseXRoadClientParts(spec);
  const b = parseXRoadClientParts(header);
  return a !== undefined && b !== undefined && a.length === b.length && a.every((p, i) => p === b[i]);
}

/** X-Road-UserId is a country-prefixed personal code ("TH1234567890121"); GDX wants the bare AgentID. */
export function agentIdFromUserId(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^([A-Z]{2})(\d{13})$/.exec(header.trim());
  return m ? m[2] : header.trim();
}

export function requestHash(method: string, url: string, xroadId: string, body: Buffer): string {
  return createHash('sha512').update(`${method}\n${url}\n${xroadId}\n`).update(body).digest('base64');
}

/** An X-Road error: `X-Road-Error: {type}` and a `{type, message, detail}` body. */
export function sendXRoadError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string>,
): void {
  sendJson(res, status, { type, message, detail: randomUUID() }, { ...headers, 'x-road-error': type });
}
