import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { createPublicKey } from '../builtins.js';
import { invalidArgument, outOfRange, ThGovError } from '../errors.js';
import {
  CONTENT_DIGEST_HEADER,
  canonicalSigningInput,
  isValidRequestId,
  normalizeAuthority,
  normalizeMethod,
  normalizeReceivedTarget,
  normalizeRequestId,
  normalizeStatus,
  normalizeTarget,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
} from './canonical.js';
import { computeContentDigest, verifyContentDigest } from './content-digest.js';
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
import { toEpochMs } from './signer.js';

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

const MAX_SIGNATURE_LENGTH = 8192;
const DETACHED_JWS = /^([A-Za-z0-9_-]{2,2048})\.\.([A-Za-z0-9_-]{16,2048})$/;
const KID = /^[\x21-\x7e]{1,256}$/;
const JTI = /^[\x21-\x7e]{8,128}$/;

function invalid(message: string, cause?: unknown): ThGovError {
  return new ThGovError('ERR_JWS_INVALID', message, cause === undefined ? {} : { cause });
}

function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  let found: string | string[] | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) {
      if (found !== undefined) throw invalid(`The ${name} header appears more than once`);
      found = v;
    }
  }
  if (Array.isArray(found)) {
    if (found.length !== 1) throw invalid(`The ${name} header appears more than once`);
    return found[0];
  }
  return found;
}

interface ProtectedHeader {
  alg: SigningAlgorithm;
  kid: string;
  iat: number;
  jti: string;
  /** The authority the message is bound to, normalised; undefined when the header has no `aud`. */
  aud: string | undefined;
}

function parseProtectedHeader(encoded: string, allowed: ReadonlySet<SigningAlgorithm>): ProtectedHeader {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw invalid('The JWS protected header is not valid base64url JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw invalid('The JWS protected header is not a JSON object');
  }
  const h = header as Record<string, unknown>;
  if (typeof h.alg !== 'string') throw invalid('The JWS protected header has no alg');
  if (!isSigningAlgorithm(h.alg) || !allowed.has(h.alg)) {
    const shown = /^[A-Za-z0-9+-]{1,16}$/.test(h.alg) ? h.alg : '(unprintable)';
    throw invalid(`The JWS algorithm ${shown} is not allowed`);
  }
  if (h.b64 !== false || !Array.isArray(h.crit) || h.crit.length !== 1 || h.crit[0] !== 'b64') {
    throw invalid('The JWS must be detached and unencoded (b64: false, crit: ["b64"])');
  }
  if (typeof h.kid !== 'string' || !KID.test(h.kid))
    throw invalid('The JWS protected header has no valid kid');
  if (typeof h.iat !== 'number' || !Number.isSafeInteger(h.iat) || h.iat < 0) {
    throw invalid('The JWS protected header has no valid iat');
  }
  if (typeof h.jti !== 'string' || !JTI.test(h.jti))
    throw invalid('The JWS protected header has no valid jti');
  return { alg: h.alg, kid: h.kid, iat: h.iat, jti: h.jti, aud: audOf(h.aud) };
}

/** A protected header's `aud`: an authority (normalised as the signer writes it), or absent. */
function audOf(aud: unknown): string | undefined {
  if (aud === undefined) return undefined;
  try {
    return normalizeAuthority(aud);
  } catch {
    throw invalid('The JWS protected header has an aud that is not an authority (host[:port])');
  }
}

/** A key to verify with, and the validity period of its certificate when it was given as one. */
type ImportedKey = { key: KeyObject; validity: KeyValidity | undefined };

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
      if (typeof input !== 'object' || input === null) throw invalidArgument('verify() expects an object');
      const headers = headersOf(input.headers);
      if (typeof input.method !== 'string' || typeof input.target !== 'string') {
        throw invalidArgument('verify() needs method and target strings');
      }
      // On a server these come off the wire: a shape we never sign is a bad message, not a programming error.
      let method: string;
      let target: string;
      try {
        method = normalizeMethod(input.method);
        target = normalizeReceivedTarget(input.target);
      } catch {
        throw invalid('The request method or target cannot carry a signature');
      }
      const body = bodyOf(input.body);
      const requestId = readHeader(headers, REQUEST_ID_HEADER);
      if (!isValidRequestId(requestId)) throw invalid('The x-request-id header is missing or malformed');
      return check(ctx, headers, { direction: 'request', method, target, requestId }, body, input.now);
    },
    async verifyResponse(input) {
      if (typeof input !== 'object' || input === null)
        throw invalidArgument('verifyResponse() expects an object');
      const headers = headersOf(input.headers);
      const fields = {
        direction: 'response' as const,
        method: normalizeMethod(input.method),
        target: normalizeTarget(input.target),
        status: normalizeStatus(input.status),
        requestId: normalizeRequestId(input.requestId),
      };
      const echoed = readHeader(headers, REQUEST_ID_HEADER);
      if (echoed !== undefined && echoed !== fields.requestId) {
        throw invalid('The response x-request-id does not match the request');
      }
      return check(ctx, headers, fields, bodyOf(input.body), input.now);
    },
  };
}

/** The checked verifier options: accepted algorithms, clock skew, the replay cache and the expected authorities. */
interface VerifierSettings {
  allowed: Set<SigningAlgorithm>;
  skew: number;
  replayCache: ReplayCache | undefined;
  /** Normalised; undefined when no authority is expected. */
  authorities: ReadonlySet<string> | undefined;
}

/** What a verification needs: the settings and where a kid's key comes from. */
interface CheckContext extends VerifierSettings {
  resolveKey: (kid: string, alg: SigningAlgorithm) => Promise<ImportedKey>;
}

/** The message fields the signature covers besides the body. */
interface SignedFields {
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

/** The stages of one verification: read the detached JWS, check the digest, verify, then freshness and replay. */
async function check(
  ctx: CheckContext,
  headers: HeaderBag,
  fields: SignedFields,
  body: Uint8Array | string,
  nowInput: unknown,
): Promise<VerifiedSignature> {
  const nowMs = toEpochMs(nowInput);
  const jws = readDetachedJws(headers, ctx.allowed);
  const digestHeader = readHeader(headers, CONTENT_DIGEST_HEADER);
  if (!verifyContentDigest(digestHeader, body))
    throw invalid('The content-digest header is missing or does not match the body');
  await verifyJws(ctx, jws, fields, body);
  // After the signature (`aud` is then the signer's own) and before the replay cache records the jti.
  if (fields.direction === 'request') checkAuthority(ctx, jws.header.aud);
  const issuedAtMs = await checkFreshness(ctx, jws.header, nowMs);
  return {
    kid: jws.header.kid,
    alg: jws.header.alg,
    issuedAt: new Date(issuedAtMs),
    jti: jws.header.jti,
    requestId: fields.requestId,
    ...(jws.header.aud === undefined ? {} : { authority: jws.header.aud }),
  };
}

/** With `expectedAuthority` set, a request must be bound to one of those authorities. */
function checkAuthority(ctx: CheckContext, aud: string | undefined): void {
  if (ctx.authorities === undefined) return;
  if (aud === undefined) {
    throw invalid(
      'The signature is not bound to an authority (no aud), and this verifier expects one: it could be a request signed for another server',
    );
  }
  if (!ctx.authorities.has(aud)) {
    throw invalid(
      'The signature is bound to another authority (aud): the request was signed for another server',
    );
  }
}

/** The x-jws-signature header as a detached JWS: its encoded parts and its checked protected header. */
function readDetachedJws(headers: HeaderBag, allowed: Set<SigningAlgorithm>) {
  const signature = readHeader(headers, SIGNATURE_HEADER);
  if (typeof signature !== 'string' || signature.length === 0)
    throw invalid('The x-jws-signature header is missing');
  if (signature.length > MAX_SIGNATURE_LENGTH) throw invalid('The x-jws-signature header is too long');
  const m = DETACHED_JWS.exec(signature.trim());
  if (!m) throw invalid('The x-jws-signature header is not a detached JWS (header..signature)');
  const encodedHeader = m[1] as string;
  const encodedSignature = m[2] as string;
  return { encodedHeader, encodedSignature, header: parseProtectedHeader(encodedHeader, allowed) };
}

type DetachedJws = ReturnType<typeof readDetachedJws>;

/** The signature over the canonical signing input, with the kid's key and the header's algorithm only. */
async function verifyJws(
  ctx: CheckContext,
  jws: DetachedJws,
  fields: SignedFields,
  body: Uint8Array | string,
): Promise<void> {
  const { key, validity } = await ctx.resolveKey(jws.header.kid, jws.header.alg);
  try {
    assertKeyFitsAlgorithm(key, jws.header.alg);
  } catch {
    throw invalid('The JWS algorithm does not match the key');
  }
  const payload = canonicalSigningInput({ ...fields, contentDigest: computeContentDigest(body) });
  // jose is loaded on the first verification, not when the package is imported (cold start).
  const { flattenedVerify } = await import('jose');
  try {
    await flattenedVerify({ protected: jws.encodedHeader, payload, signature: jws.encodedSignature }, key, {
      algorithms: [jws.header.alg],
    });
  } catch (cause) {
    throw invalid('The detached JWS signature does not verify', cause);
  }
  if (validity) checkKeyValidity(ctx, jws.header.iat * 1000, validity);
}

/**
 * A key given as a certificate signs only within the certificate's validity period (tolerating the clock skew):
 * a signature made after the certificate expired, or before it was valid, is refused like one by an unknown key.
 */
function checkKeyValidity(ctx: CheckContext, issuedAtMs: number, validity: KeyValidity): void {
  if (issuedAtMs - ctx.skew > validity.notAfter) {
    throw invalid('The signature was made after the certificate of its key expired (notAfter)');
  }
  if (issuedAtMs + 1000 + ctx.skew < validity.notBefore) {
    throw invalid('The signature was made before the certificate of its key was valid (notBefore)');
  }
}

/** iat inside the clock-skew window, and a (kid, jti) not seen before; returns iat in milliseconds. */
async function checkFreshness(
  ctx: CheckContext,
  header: DetachedJws['header'],
  nowMs: number,
): Promise<number> {
  const issuedAtMs = header.iat * 1000;
  // iat has one-second resolution: allow the rounding on the "future" side. The message is accepted up to
  // and including `lastAcceptedMs`; the replay entry must outlive that instant.
  const lastAcceptedMs = issuedAtMs + 1000 + ctx.skew;
  if (issuedAtMs > nowMs + ctx.skew || nowMs > lastAcceptedMs) {
    throw new ThGovError(
      'ERR_JWS_REPLAY',
      'The signature time (iat) is outside the accepted clock-skew window',
    );
  }
  if (ctx.replayCache && !(await rememberOnce(ctx.replayCache, header, lastAcceptedMs, nowMs)))
    throw new ThGovError('ERR_JWS_REPLAY', 'This signed message was already accepted once (replay)');
  return issuedAtMs;
}

/**
 * Records the message in the replay cache; false when it was there already. A store that fails (connection refused,
 * a timeout) refuses the message with a typed error, its own message kept as the cause only: a driver's message
 * may name the store's URL with its password.
 */
async function rememberOnce(
  cache: ReplayCache,
  header: DetachedJws['header'],
  lastAcceptedMs: number,
  nowMs: number,
): Promise<boolean> {
  try {
    // Expiry is exclusive (live while now < expiresAtMs), as TTL stores count it: one past the last accepted ms.
    return Boolean(await cache.remember(`${header.kid}\u0000${header.jti}`, lastAcceptedMs + 1, nowMs));
  } catch (cause) {
    throw invalid(
      'The replay cache failed: the message cannot be checked for replay, so it is refused',
      cause,
    );
  }
}

function bodyOf(body: unknown): Uint8Array | string {
  if (body === undefined) return '';
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw invalidArgument('body must be a string or a Uint8Array');
}

function headersOf(headers: unknown): HeaderBag {
  if (typeof headers !== 'object' || headers === null)
    throw invalidArgument('headers must be an object or a Headers');
  return headers as HeaderBag;
}
