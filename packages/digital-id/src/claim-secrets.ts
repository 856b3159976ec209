import { isSensitiveName } from '@thgov/core';
import { PROTOCOL_CLAIMS } from './identity.js';

/**
 * Claims that identify the person or travel as their credentials which core's list of sensitive names does not
 * know by name (it holds `pid`, `citizen_id`, the name claims, `birthdate`, `email`, `phone_number` and any
 * `…_token`, such as DGA's `personal_token`). Not `address`-like words in general: core leaves `address` out
 * because Node's socket errors use it for an IP; here it is the person's address.
 */
const PERSONAL_CLAIMS = new Set([
  'sub',
  'user_id',
  'middle_name_en',
  'address',
  'house_address',
  'smartcard_code',
  'juristic_id',
  'preferred_username',
  'nickname',
]);

/** Deepest nesting read inside a claim (an address is an object of strings). */
const MAX_DEPTH = 3;
/**
 * Most values taken from one set of claims (a ThaID login has about 20): a provider sending thousands would
 * otherwise crowd the bounded redaction registry and push out the tokens of other logins.
 */
const MAX_VALUES = 64;

/**
 * The values of a login's claims that carry a secret or personal data, to register for redaction: a provider
 * may quote them later in free text (an `error_description`), where no pattern would find an opaque token, a
 * bare name, a birth date or an address. Strings (and whole numbers, a citizen ID sent as a JSON number) of the
 * claims named so, nested ones included; protocol claims never.
 */
export function sensitiveClaimValues(claims: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  if (claims === null || typeof claims !== 'object') return out;
  const named = Object.entries(claims).filter(
    ([key]) => !PROTOCOL_CLAIMS.has(key) && (PERSONAL_CLAIMS.has(key) || isSensitiveName(key)),
  );
  // Plain values first (the token, the names), then what is nested (an address): a large object cannot
  // use up the budget before them.
  for (const [, value] of named) if (value === null || typeof value !== 'object') collect(value, out, 0);
  for (const [, value] of named) if (value !== null && typeof value === 'object') collect(value, out, 0);
  return [...new Set(out)];
}

function collect(value: unknown, out: string[], depth: number): void {
  if (out.length >= MAX_VALUES) return;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text !== '') out.push(text);
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    out.push(String(value));
  } else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    for (const inner of Object.values(value)) {
      if (out.length >= MAX_VALUES) return;
      collect(inner, out, depth + 1);
    }
  }
}
