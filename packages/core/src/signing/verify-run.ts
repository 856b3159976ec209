// The verification steps of `createSignatureVerifier`, loaded by a verifier's first verification (see verifier.ts).
import { invalidArgument, ThGovError } from '../errors.js';
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
  isSigningAlgorithm,
  type KeyValidity,
  type SigningAlgorithm,
} from './keys.js';
import type { ReplayCache } from './replay-cache.js';
import { toEpochMs } from './signer.js';
import type {
  CheckContext,
  HeaderBag,
  SignedFields,
  VerifiedSignature,
  VerifyRequestInput,
  VerifyResponseInput,
} from './verifier.js';
import { invalid, KID } from './verifier.js';

const MAX_SIGNATURE_LENGTH = 8192;
const DETACHED_JWS = /^([A-Za-z0-9_-]{2,2048})\.\.([A-Za-z0-9_-]{16,2048})$/;
const JTI = /^[\x21-\x7e]{8,128}$/;

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

/** `SignatureVerifier.verify`: a request's signature. */
export async function verifyRequestWith(
  ctx: CheckContext,
  input: VerifyRequestInput,
): Promise<VerifiedSignature> {
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
}

/** `SignatureVerifier.verifyResponse`: a response's signature, bound to its request. */
export async function verifyResponseWith(
  ctx: CheckContext,
  input: VerifyResponseInput,
): Promise<VerifiedSignature> {
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
