import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { createPublicKey } from '../builtins.js';
import { invalidArgument, outOfRange, ThGovError } from '../errors.js';
import { normalizeAuthority } from './canonical.js';
import {
  assertKeyFitsAlgorithm,
  importVerificationKey,
  isSigningAlgorithm,
  type KeyValidity,
  rsaKeyWeakness,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type SigningKeyInput,
} from './keys.js';
import { MemoryReplayCache, type ReplayCache } from './replay-cache.js';

/** A public key `createSignatureVerifier` trusts, with the key ID the signer puts in its JWS header. */
export interface VerificationKey {
  kid: string;
  /**
   * Public key: SPKI PEM, X.509 certificate PEM, JWK, KeyObject or CryptoKey. A certificate also bounds when the key
   * may sign: a signature whose `iat` is outside its validity period (give or take `clockSkewInMs`) is refused.
   */
  key: SigningKeyInput;
  /** When set, only this algorithm is accepted for this key. */
  alg?: SigningAlgorithm;
}

/**
 * Looks up the public key for a signature's key ID and algorithm (undefined: unknown key, refused). The kid comes
 * from the message before anything is verified (1–256 visible ASCII characters, `/` and `..` included): match it
 * exactly against the keys you know; never build a file path or URL from it, and never fall back to a default key.
 */
export type KeyResolver = (params: {
  kid: string;
  alg: SigningAlgorithm;
}) => SigningKeyInput | undefined | Promise<SigningKeyInput | undefined>;

/** Options of `createSignatureVerifier`: the keys or a key resolver, clock tolerance and the replay cache. */
export interface SignatureVerifierOptions {
  /** Known public keys by kid. Exactly one of keys, jwks, keyResolver. */
  keys?: VerificationKey[];
  /**
   * A JSON Web Key Set; every key used needs a `kid`. Keys for something else (another `use`, `key_ops` without
   * `verify`, an algorithm or curve not supported here) are skipped, as jose does; a set holding private key
   * material (`d`, RSA primes, `k`) is refused: whoever could read it can sign.
   */
  jwks?: { keys: JWK[] };
  /** Looks a key up per message (for example from a registry of agencies). */
  keyResolver?: KeyResolver;
  /** Accepted algorithms (default: all four supported). Never `none` or HMAC. */
  algorithms?: SigningAlgorithm[];
  /** How far `iat` may be from the verifier's clock, both ways (default 60 000). */
  clockSkewInMs?: number;
  /** Where seen signatures are remembered; default a bounded in-memory cache. `false` disables replay checks. */
  replayCache?: ReplayCache | false;
  /**
   * This server's own authority (`host[:port]` or its URL; several when it answers under several names). A signed
   * request must then be bound to one of them (`aud` in its protected header, which `createRequestSigner` writes
   * from the target authority): a request signed for another server that trusts the same key, replayed here, is
   * ERR_JWS_INVALID, and so is a signature bound to no authority. Unset: any binding, or none, is accepted
   * (`VerifiedSignature.authority` tells which). Not used by `verifyResponse` (a response is bound to its request ID).
   */
  expectedAuthority?: string | readonly string[];
}

/** Headers as a `Headers` object or a Node-style record. */
export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/** A received request as `SignatureVerifier.verify` checks it: method, target, headers and body. */
export interface VerifyRequestInput {
  method: string;
  /**
   * The request target as received: origin-form (`/path?query`), or absolute form (`http://host/path?query`, as a
   * proxy sends it), whose path and query are then taken literally: dot-segments, percent-encoding and backslashes
   * are compared as they are, never resolved, so the signature covers the target the application routes.
   */
  target: string;
  body?: Uint8Array | string;
  /** The received headers; `x-jws-signature`, `content-digest` and `x-request-id` are read from them. */
  headers: HeaderBag;
  now?: number | Date;
}

/** A received response as `SignatureVerifier.verifyResponse` checks it, with the request it answers. */
export interface VerifyResponseInput {
  /** Method of the request that was sent. */
  method: string;
  /** Target of the request that was sent. */
  target: string;
  /** Request id of the request that was sent (not taken from the response). */
  requestId: string;
  status: number;
  body?: Uint8Array | string;
  /** The response headers. */
  headers: HeaderBag;
  now?: number | Date;
}

/** What a valid signature proves: key ID, algorithm, when it was made and the request ID it covers. */
export interface VerifiedSignature {
  kid: string;
  alg: SigningAlgorithm;
  issuedAt: Date;
  /** The signature's unique id (the replay-cache key). */
  jti: string;
  requestId: string;
  /** The authority (`host[:port]`) the signature is bound to (its `aud`); undefined when bound to none. */
  authority?: string;
}

/** Verifies signed requests (server side) and responses (client side); made by `createSignatureVerifier`. */
export interface SignatureVerifier {
  /** Verifies a signed request (server side). */
  verify(input: VerifyRequestInput): Promise<VerifiedSignature>;
  /** Verifies a signed response against the request that was sent (client side). */
  verifyResponse(input: VerifyResponseInput): Promise<VerifiedSignature>;
}

/** A key ID as a signer writes it: printable ASCII, no space. */
export const KID = /^[\x21-\x7e]{1,256}$/;

/** A message refused: `ERR_JWS_INVALID`, with what failed as the cause (never key material). */
export function invalid(message: string, cause?: unknown): ThGovError {
  return new ThGovError('ERR_JWS_INVALID', message, cause === undefined ? {} : { cause });
}

/** A key to verify with, and the validity period of its certificate when it was given as one. */
export type ImportedKey = { key: KeyObject; validity: KeyValidity | undefined };

// Reading and checking a signature (the detached JWS, the digest, the key, freshness and replay) is needed only when
// a message is verified: it loads then, so importing @thgov/core does not compile it (cold start). Creating a
// verifier still checks its options and imports its keys at once.
type Steps = typeof import('./verify-run.js');
let steps: Steps | undefined;
let loading: Promise<Steps> | undefined;

function loadSteps(): Promise<Steps> {
  loading ??= import('./verify-run.js').then((m) => {
    steps = m;
    return m;
  });
  return loading;
}

/**
 * Builds a verifier for signatures made by `createRequestSigner`. Every failure is a ThGovError:
 * `ERR_JWS_INVALID` (missing, malformed, wrong key, tampered) or `ERR_JWS_REPLAY` (seen before, or
 * `iat` outside the clock-skew window). Messages never contain key material.
 */
export function createSignatureVerifier(options: SignatureVerifierOptions): SignatureVerifier {
  const settings = verifierSettings(options);
  const ctx: CheckContext = { ...settings, resolveKey: keyResolverOf(options, staticKeysOf(options)) };
  return {
    async verify(input) {
      const run = steps ?? (await loadSteps());
      return run.verifyRequestWith(ctx, input);
    },
    async verifyResponse(input) {
      const run = steps ?? (await loadSteps());
      return run.verifyResponseWith(ctx, input);
    },
  };
}

/** The checked verifier options: accepted algorithms, clock skew, the replay cache and the expected authorities. */
export interface VerifierSettings {
  allowed: Set<SigningAlgorithm>;
  skew: number;
  replayCache: ReplayCache | undefined;
  /** Normalised; undefined when no authority is expected. */
  authorities: ReadonlySet<string> | undefined;
}

/** What a verification needs: the settings and where a kid's key comes from. */
export interface CheckContext extends VerifierSettings {
  resolveKey: (kid: string, alg: SigningAlgorithm) => Promise<ImportedKey>;
}

/** The message fields the signature covers besides the body. */
export interface SignedFields {
  direction: 'request' | 'response';
  method: string;
  target: string;
  status?: number;
  requestId: string;
}

/** Validates the options (unknown keys, one key source, algorithms, skew, replay cache) in that order. */
function verifierSettings(options: SignatureVerifierOptions): VerifierSettings {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object');
  const known = new Set([
    'keys',
    'jwks',
    'keyResolver',
    'algorithms',
    'clockSkewInMs',
    'replayCache',
    'expectedAuthority',
  ]);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw invalidArgument(`Unknown verifier option "${name}"`);
  }
  const sources = [options.keys, options.jwks, options.keyResolver].filter((s) => s !== undefined);
  if (sources.length !== 1) throw invalidArgument('Give exactly one of keys, jwks or keyResolver');

  const algorithms = options.algorithms ?? [...SIGNING_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw invalidArgument('algorithms must be a non-empty array');
  for (const a of algorithms) {
    if (!isSigningAlgorithm(a))
      throw invalidArgument('algorithms may only contain ES256, PS256, RS256 and EdDSA');
  }
  const skew = options.clockSkewInMs ?? 60_000;
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0 || skew > 24 * 3600_000) {
    throw outOfRange('clockSkewInMs must be between 0 and 86 400 000');
  }
  const replayCache: ReplayCache | undefined =
    options.replayCache === false ? undefined : (options.replayCache ?? new MemoryReplayCache());
  if (replayCache !== undefined && typeof replayCache.remember !== 'function') {
    throw invalidArgument('replayCache must implement remember(id, expiresAtMs, nowMs)');
  }
  return {
    allowed: new Set<SigningAlgorithm>(algorithms),
    skew,
    replayCache,
    authorities: expectedAuthorities(options.expectedAuthority),
  };
}

function expectedAuthorities(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidArgument('expectedAuthority must be an authority or a non-empty array of them');
  }
  return new Set(list.map((a: unknown) => normalizeAuthority(a)));
}

/** JWK members that hold private or secret key material (RFC 7518 §6.2.2, §6.3.2 and §6.4; RFC 8037). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** The key type and curve each supported algorithm needs (RSA for RS256 and PS256). */
const SIGNATURE_CURVES: Record<string, string | undefined> = { EC: 'P-256', OKP: 'Ed25519' };

/**
 * Whether a key of a published set is for something other than the signatures this verifier checks: another
 * `use`, `key_ops` without `verify`, another algorithm, or a key type or curve none of ours uses (an ECDH key).
 */
function notForSignatures(jwk: JWK): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return true;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    return true;
  if (jwk.alg !== undefined && !isSigningAlgorithm(jwk.alg)) return true;
  if (typeof jwk.kty !== 'string' || jwk.kty === 'RSA') return false;
  const curve = SIGNATURE_CURVES[jwk.kty];
  return curve === undefined || (jwk.crv !== undefined && jwk.crv !== curve);
}

/**
 * An RSA key of a published set that no signature may be accepted under (under 2048 bits, an exponent of 1, an even
 * or oversized one): skipped like a key for another use, so a legacy key in the set does not stop the others, and a
 * message under its kid is refused as from an unknown key. A malformed key is left for the import to report.
 */
function tooWeakToVerify(jwk: JWK): boolean {
  if (jwk.kty !== 'RSA') return false;
  try {
    return rsaKeyWeakness(createPublicKey({ key: jwk as never, format: 'jwk' })) !== undefined;
  } catch {
    return false;
  }
}

type StaticKeys = Map<string, ImportedKey & { alg: SigningAlgorithm | undefined }>;

/** Static keys (`keys` or `jwks`) imported once, here, so configuration mistakes surface at start-up. */
function staticKeysOf(options: SignatureVerifierOptions): StaticKeys {
  const staticKeys: StaticKeys = new Map();
  const addStatic = (kid: unknown, input: unknown, alg: unknown): void => {
    if (typeof kid !== 'string' || !KID.test(kid))
      throw invalidArgument('Every verification key needs a kid');
    if (staticKeys.has(kid)) throw invalidArgument('Duplicate kid in verification keys');
    if (alg !== undefined && !isSigningAlgorithm(alg))
      throw invalidArgument('A verification key has an unsupported alg');
    const { key, validity } = importVerificationKey(input);
    for (const a of alg === undefined ? [] : [alg]) assertKeyFitsAlgorithm(key, a);
    staticKeys.set(kid, { key, validity, alg: alg as SigningAlgorithm | undefined });
  };
  if (options.keys !== undefined) {
    if (!Array.isArray(options.keys)) throw invalidArgument('keys must be an array of { kid, key, alg? }');
    for (const k of options.keys) {
      if (typeof k !== 'object' || k === null)
        throw invalidArgument('keys must be an array of { kid, key, alg? }');
      addStatic(k.kid, k.key, k.alg);
    }
  } else if (options.jwks !== undefined) {
    if (typeof options.jwks !== 'object' || options.jwks === null || !Array.isArray(options.jwks.keys)) {
      throw invalidArgument('jwks must be { keys: JWK[] }');
    }
    for (const jwk of options.jwks.keys) {
      if (typeof jwk !== 'object' || jwk === null)
        throw invalidArgument('jwks.keys must contain JWK objects');
      if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) {
        throw invalidArgument(
          'The JWKS holds private key material: a key set must hold public keys only (treat that key as compromised)',
        );
      }
    }
    // A published set often holds keys for other uses and algorithms: they are skipped, as jose does.
    for (const jwk of options.jwks.keys) {
      if (!notForSignatures(jwk) && !tooWeakToVerify(jwk)) addStatic(jwk.kid, jwk, jwk.alg);
    }
  } else if (typeof options.keyResolver !== 'function') {
    throw invalidArgument('keyResolver must be a function');
  }
  return staticKeys;
}

/** Where a kid's key comes from: the static keys, or the caller's resolver (its key imported per call). */
function keyResolverOf(
  options: SignatureVerifierOptions,
  staticKeys: StaticKeys,
): CheckContext['resolveKey'] {
  return async (kid, alg) => {
    if (options.keyResolver === undefined) {
      const entry = staticKeys.get(kid);
      if (!entry) throw invalid('No verification key is known for the signature kid');
      if (entry.alg !== undefined && entry.alg !== alg)
        throw invalid('The JWS algorithm does not match the key');
      return entry;
    }
    let input: unknown;
    try {
      input = await options.keyResolver({ kid, alg });
    } catch (cause) {
      throw invalid('The key resolver failed', cause);
    }
    if (input === undefined || input === null)
      throw invalid('No verification key is known for the signature kid');
    try {
      return importVerificationKey(input);
    } catch {
      throw invalid('The key resolver returned an unusable key');
    }
  };
}
