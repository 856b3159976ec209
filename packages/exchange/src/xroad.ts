import { invalidArgument, isCitizenId } from '@thgov/core';

/**
 * X-Road REST (protocol r1) identifiers. Each part is percent-encoded on its own, as the protocol says,
 * so a member code containing "/" or spaces cannot shift the other parts.
 */
export function parseXRoadId(value: string, parts: 4 | 5, what: string): string[] {
  const ids = typeof value === 'string' ? value.split('/') : [];
  if (ids.length !== parts || ids.some((p) => p.length === 0 || p.length > 255 || /[\p{Cc}]/u.test(p))) {
    throw invalidArgument(
      `${what} must be ${parts === 4 ? 'INSTANCE/CLASS/MEMBER/SUBSYSTEM' : 'INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE'}`,
    );
  }
  return ids;
}

export function encodeXRoadId(ids: string[]): string {
  return ids.map((p) => encodeURIComponent(p)).join('/');
}

/** X-Road-UserId: a country-prefixed personal code (TH + citizen ID); a system name goes as it is. */
export function xroadUserId(agentId: string, country: string): string {
  return isCitizenId(agentId) ? `${country}${agentId}` : agentId;
}

/** Header values must be Latin-1; free text (a Thai case reference) is percent-encoded. */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
