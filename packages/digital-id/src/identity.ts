import { isCitizenId, parseCitizenId } from '@thgov/core';
import type { ProviderName, ProviderPreset } from './presets.js';

/** A name as the provider gives it, in Thai or English: title, given, middle and family name. */
export interface PersonName {
  title?: string;
  given?: string;
  middle?: string;
  family?: string;
  /** The full name as the provider sent it, or built from the parts. */
  full?: string;
}

/** Provider tokens. Keep them on the server: they must never reach the browser. */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  /**
   * The refresh token to use next. After `refresh`, the rotated one the provider sent, or else the one that
   * was sent, still valid (RFC 6749 §6): a stored TokenSet can always be replaced by the refreshed one.
   */
  refreshToken?: string;
  idToken?: string;
  /** When the access token expires, from `expires_in`. */
  expiresAt?: Date;
  scope?: string;
}

/** A logged-in person, the same shape whichever provider they came from. */
export interface DigitalIdentity {
  provider: ProviderName;
  issuer: string;
  /** The provider's `sub`. At ThaID it is the citizen ID: treat it as personal data. */
  subject: string;
  /**
   * The 13-digit citizen ID, when the provider released one (and its check digit is right): the digits only,
   * however the provider spelled it (`1-2345-67890-12-1`, with spaces or typographic dashes, in Thai or
   * full-width digits, as a JSON number).
   */
  citizenId?: string;
  names: { th: PersonName; en: PersonName };
  /** ISO date (or year only) of birth. */
  birthdate?: string;
  /** Identity assurance level as the provider states it (ThaID `ial`, DGA `ial_level`). */
  ial?: string;
  /** The id_token `acr` (authentication context class) the provider asserted, when it sent one. */
  acr?: string;
  /**
   * Every claim received: the id_token claims, and the userinfo claims added to them. The id_token's
   * protocol claims (`iss`, `aud`, `azp`, `nonce`, `acr`, `amr`, `auth_time`, `exp`, `iat`, `sub`, ...) are
   * never taken from userinfo, and a userinfo claim sent as null or "" does not erase the id_token's value.
   */
  claims: Record<string, unknown>;
  tokens: TokenSet;
  /** Application data passed to `createLoginRequest`. */
  data?: Record<string, string>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The 13 digits of a valid citizen ID however it is spelled (any decimal digits, dashes, spaces: core's
 * `parseCitizenId` reads them all), else undefined. A JSON number (IdentityServer writes integer-typed claims
 * so) is read as its decimal digits when it is a safe integer (a larger one was already rounded by
 * JSON.parse). An ID that starts with 0 (persons without registration status) has lost its leading zeros as a
 * number: it then has fewer than 13 digits and is not read as an ID.
 */
function citizenIdOf(v: unknown): string | undefined {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : str(v);
  return s !== undefined && isCitizenId(s) ? parseCitizenId(s) : undefined;
}

/**
 * A citizen-ID claim as compared between id_token and userinfo: a valid one as its digits, else as sent (a
 * value of another type as its JSON), so a value this client cannot read never passes for the same ID.
 */
function citizenIdSpelling(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return citizenIdOf(v) ?? (typeof v === 'string' ? str(v) : JSON.stringify(v));
}

function name(parts: {
  title?: unknown;
  given?: unknown;
  middle?: unknown;
  family?: unknown;
  full?: unknown;
}): PersonName {
  const out: PersonName = {};
  const title = str(parts.title);
  const given = str(parts.given);
  const middle = str(parts.middle);
  const family = str(parts.family);
  if (title) out.title = title;
  if (given) out.given = given;
  if (middle) out.middle = middle;
  if (family) out.family = family;
  const full = str(parts.full) ?? ([given, middle, family].filter(Boolean).join(' ') || undefined);
  if (full) out.full = full;
  return out;
}

/** Maps provider claims onto DigitalIdentity. Unknown claims stay in `claims`. */
export function normalizeIdentity(
  preset: ProviderPreset,
  issuer: string,
  claims: Record<string, unknown>,
  tokens: TokenSet,
): DigitalIdentity {
  const subject = String(claims.sub);
  const candidates = [claims.pid, claims.citizen_id, preset.subjectIsCitizenId ? claims.sub : undefined];
  const citizenId = candidates.map(citizenIdOf).find((c) => c !== undefined);
  // ThaID names its Thai fields without a suffix and English ones with `_en`; DGA sends Thai names in the
  // standard fields. A generic provider's standard fields are whatever language it uses: put them under
  // `en` only if they are Latin script.
  const th = name({
    title: claims.title,
    given: claims.given_name,
    middle: claims.middle_name,
    family: claims.family_name,
    full: claims.name,
  });
  const en = name({
    title: claims.title_en,
    given: claims.given_name_en,
    middle: claims.middle_name_en,
    family: claims.family_name_en,
    full: claims.name_en,
  });
  const thaiScript = /[\u0E00-\u0E7F]/;
  const standardIsThai = Object.values(th).some((v) => thaiScript.test(v));
  const names =
    preset.name === 'generic' && !standardIsThai && Object.keys(en).length === 0
      ? { th: {}, en: th }
      : { th, en };
  const identity: DigitalIdentity = { provider: preset.name, issuer, subject, names, claims, tokens };
  if (citizenId) identity.citizenId = citizenId;
  const birthdate = str(claims.birthdate);
  if (birthdate) identity.birthdate = birthdate;
  const ial = claims.ial ?? claims.ial_level;
  if (typeof ial === 'string' || typeof ial === 'number') identity.ial = String(ial);
  if (typeof claims.acr === 'string') identity.acr = claims.acr;
  return identity;
}

/** Claims about the protocol, not the person (the subject apart): never registered for redaction (claim-secrets.ts). */
export const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'azp',
  'nonce',
  'acr',
  'amr',
  'auth_time',
  'exp',
  'iat',
  'nbf',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'jti',
]);

/** Claims of the verified id_token that userinfo may not supply or override. */
const ID_TOKEN_ONLY = new Set([...PROTOCOL_CLAIMS, 'sub']);

/** The claims spelling a citizen ID that a preset reads. */
const CITIZEN_ID_CLAIMS = ['pid', 'citizen_id'] as const;

/**
 * The id_token claims with the userinfo claims added: userinfo never supplies a protocol claim (those come
 * from the verified id_token only). Undefined when the two name different citizen IDs (a userinfo response
 * for another person than the id_token): the caller refuses the login.
 */
export function mergeUserinfo(
  preset: ProviderPreset,
  idClaims: Record<string, unknown>,
  userinfo: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const fromToken = citizenIds(idClaims, preset.subjectIsCitizenId);
  const fromUserinfo = citizenIds(userinfo, false);
  for (const key of CITIZEN_ID_CLAIMS) {
    // The same person's ID spelled 1-2345-67890-12-1 in one and 1234567890121 in the other is the same ID.
    const a = citizenIdSpelling(idClaims[key]);
    const b = citizenIdSpelling(userinfo[key]);
    if (a !== undefined && b !== undefined && a !== b) return undefined;
  }
  if (fromToken.length > 0 && fromUserinfo.some((id) => !fromToken.includes(id))) return undefined;
  const merged: Record<string, unknown> = { ...idClaims };
  for (const [key, value] of Object.entries(userinfo)) {
    if (ID_TOKEN_ONLY.has(key)) continue;
    // A null or blank value is a claim not returned (OIDC Core §5.3.2 asks for it to be left out; Java and .NET
    // serialisers write it anyway): it never erases what the id_token said, such as its citizen ID.
    if (saysNothing(value) && Object.hasOwn(idClaims, key) && !saysNothing(idClaims[key])) continue;
    // defineProperty, not assignment: a JSON `__proto__` key stays a plain claim.
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** A claim value that carries nothing: null, or a string of only white space. */
function saysNothing(v: unknown): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '');
}

/** The valid citizen IDs (13 digits) among the claims a preset reads (and `sub` where it is the citizen ID). */
function citizenIds(claims: Record<string, unknown>, subIsCitizenId: boolean): string[] {
  const values = [...CITIZEN_ID_CLAIMS.map((k) => claims[k]), subIsCitizenId ? claims.sub : undefined];
  return values.map(citizenIdOf).filter((v): v is string => v !== undefined);
}
