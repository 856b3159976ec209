import { invalidArgument, isCitizenId } from '@thgov/core';

/**
 * X-Road REST (protocol r1) identifiers. Each part is percent-encoded on its own, as the protocol says,
 * so a member code containing "/" or spaces cannot shift the other parts.
 */

/** A member (3 parts) or subsystem (4 parts) identifier, given structured. */
export interface XRoadMemberId {
  instance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode?: string;
}

/** A service identifier, given structured. */
export interface XRoadServiceId extends XRoadMemberId {
  subsystemCode: string;
  serviceCode: string;
}

/** A target Security Server (`X-Road-Security-Server`), given structured. */
export interface XRoadSecurityServerId {
  instance: string;
  memberClass: string;
  memberCode: string;
  serverCode: string;
}

const PART_MAX = 255;

function checkPart(p: unknown, what: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > PART_MAX || /[\p{Cc}]/u.test(p)) {
    throw invalidArgument(`${what}: every part must be a non-empty string of at most ${PART_MAX} characters`);
  }
  return p;
}

/**
 * Parses the string form: parts split at "/", each part taken as it is written (a part may be
 * pre-encoded: `%2F` stays `%2F` and means a "/" inside the part; it is decoded once here and encoded once
 * when sent, never twice). A code containing "/" is given structured or with "/" written as `%2F`.
 */
export function parseXRoadId(value: string, parts: readonly number[], what: string, shape: string): string[] {
  const ids = typeof value === 'string' ? value.split('/') : [];
  if (!parts.includes(ids.length)) throw invalidArgument(`${what} must be ${shape}`);
  return ids.map((p) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(checkPart(p, what));
    } catch {
      throw invalidArgument(`${what}: "%" in a part must start a valid percent-escape (write "%25")`);
    }
    return checkPart(decoded, what);
  });
}

/** A client: `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` or structured; a member-level client has 3 parts. */
export function xroadClientParts(value: string | XRoadMemberId, what: string): string[] {
  if (typeof value === 'string')
    return parseXRoadId(value, [3, 4], what, 'INSTANCE/CLASS/MEMBER or INSTANCE/CLASS/MEMBER/SUBSYSTEM');
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what} must be a string or an object`);
  const ids = [value.instance, value.memberClass, value.memberCode];
  if (value.subsystemCode !== undefined) ids.push(value.subsystemCode);
  return ids.map((p) => checkPart(p, what));
}

/** A service: `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE` or structured. */
export function xroadServiceParts(value: string | XRoadServiceId, what: string): string[] {
  if (typeof value === 'string')
    return parseXRoadId(value, [5], what, 'INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE');
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what} must be a string or an object`);
  const ids = [value.instance, value.memberClass, value.memberCode, value.subsystemCode, value.serviceCode];
  return ids.map((p) => checkPart(p, what));
}

/** `X-Road-Security-Server`: `INSTANCE/CLASS/MEMBER/SERVERCODE` or structured. */
export function xroadServerParts(value: string | XRoadSecurityServerId, what: string): string[] {
  if (typeof value === 'string') return parseXRoadId(value, [4], what, 'INSTANCE/CLASS/MEMBER/SERVERCODE');
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what} must be a string or an object`);
  return [value.instance, value.memberClass, value.memberCode, value.serverCode].map((p) =>
    checkPart(p, what),
  );
}

/** `X-Road-Represented-Party`: `CLASS/CODE` (or `{ memberClass, memberCode }`). */
export function xroadPartyParts(
  value: string | { memberClass: string; memberCode: string },
  what: string,
): string[] {
  if (typeof value === 'string') return parseXRoadId(value, [2], what, 'CLASS/CODE');
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what} must be a string or an object`);
  return [value.memberClass, value.memberCode].map((p) => checkPart(p, what));
}

/** Decoded parts → the wire form: each part percent-encoded once. */
export function encodeXRoadId(ids: string[]): string {
  return ids.map((p) => encodeURIComponent(p)).join('/');
}

/** X-Road-UserId: a country-prefixed personal code (TH + citizen ID); a system name goes as it is. */
export function xroadUserId(agentId: string, country: string): string {
  return isCitizenId(agentId) ? `${country}${agentId}` : agentId;
}

/**
 * `X-Road-Issue` and other free-text headers. The rule: a value of printable ASCII without "%" goes as
 * it is; any other value is percent-encoded AS A WHOLE (encodeURIComponent, UTF-8), which also encodes
 * every "%" as "%25". So a received value containing "%" is always an encoded one, and decoding it once
 * gives back exactly what the caller passed.
 */
export function headerSafe(value: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

/** Inverse of {@link headerSafe}. */
export function decodeHeaderSafe(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * X-Road error types that are retried (idempotent calls only, like any retry): the faults a Security
 * Server raises when it could not reach, or did not hear back from, the other side in time. A `Client.*`
 * fault (the request is wrong) and every other `Server.*` fault (access denied, unknown service, bad
 * certificate, a provider's own failure) are never retried.
 */
export const RETRYABLE_XROAD_TYPES = [
  'Server.ClientProxy.NetworkError',
  'Server.ServerProxy.NetworkError',
  'Server.ClientProxy.IOError',
  'Server.ServerProxy.IOError',
  'Server.ClientProxy.Timeout',
  'Server.ServerProxy.Timeout',
  'Server.ServerProxy.ServiceTimeout',
  'Server.ServerProxy.ServiceFailed.Timeout',
] as const;

/** True for a type in {@link RETRYABLE_XROAD_TYPES} (or a sub-type of one: `….NetworkError.x`). */
export function isRetryableXRoadType(type: string): boolean {
  return RETRYABLE_XROAD_TYPES.some((t) => type === t || type.startsWith(`${t}.`));
}
