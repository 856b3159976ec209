import { createHash } from 'node:crypto';

/**
 * The hash OIDC Core §3.1.3.6 names for a token hash claim (`at_hash`, `c_hash`): the one of the id_token's
 * JWS algorithm (SHA-256 for RS256, ES256, PS256...), SHA-512 for EdDSA over Ed25519. Undefined for an
 * algorithm without a defined one.
 */
function hashOf(alg: unknown): 'sha256' | 'sha384' | 'sha512' | undefined {
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'sha512';
  const bits = typeof alg === 'string' ? /^(?:RS|PS|ES)(256|384|512)$/.exec(alg)?.[1] : undefined;
  return bits ? (`sha${bits}` as 'sha256' | 'sha384' | 'sha512') : undefined;
}

/** The JWS algorithm in a compact JWT's protected header, undefined when it cannot be read. */
function headerAlg(jwt: string): unknown {
  try {
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null ? (header as { alg?: unknown }).alg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a token hash claim of a (verified) id_token is the left half of the hash of `token` under the
 * id_token's algorithm, base64url-encoded (OIDC Core §3.1.3.6 `at_hash`, §3.3.2.11 `c_hash`). False for a
 * claim that is not such a string, or an algorithm for which no hash is defined.
 */
export function tokenHashMatches(idToken: string, token: string, claim: unknown): boolean {
  const hash = hashOf(headerAlg(idToken));
  if (hash === undefined || typeof claim !== 'string') return false;
  const digest = createHash(hash).update(token, 'ascii').digest();
  return claim === digest.subarray(0, digest.length / 2).toString('base64url');
}
