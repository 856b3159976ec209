import { randomUUID } from '../builtins.js';
import { invalidArgument, ThGovError } from '../errors.js';
import {
  authorityOfTarget,
  CONTENT_DIGEST_HEADER,
  canonicalSigningInput,
  normalizeAuthority,
  normalizeMethod,
  normalizeRequestId,
  normalizeStatus,
  normalizeTarget,
  SIGNATURE_HEADER,
} from './canonical.js';
import { computeContentDigest } from './content-digest.js';
import {
  assertKeyFitsAlgorithm,
  importSigningKey,
  isSigningAlgorithm,
  type SigningAlgorithm,
  type SigningKeyInput,
} from './keys.js';

/** Options of `createRequestSigner`: the key, its ID and algorithm, and the clock. */
export interface RequestSignerOptions {
  /** Private key: PKCS#8 PEM, private JWK, KeyObject or CryptoKey. */
  key: SigningKeyInput;
  /** Key id the verifier looks the public key up by. */
  kid: string;
  alg: SigningAlgorithm;
}

/** The request fields `RequestSigner.signRequest` covers: method, target, body and request ID. */
export interface SignRequestInput {
  method: string;
  /**
   * Path and query exactly as sent on the request line. A full URL is reduced to them, and its authority is
   * bound as if given as `authority`.
   */
  target: string;
  body?: Uint8Array | string;
  requestId: string;
  /**
   * The server the request is sent to, `host[:port]` or a URL (`https://api.example.go.th`): bound into the
   * signature (`aud` in the JWS protected header), so a verifier with `expectedAuthority` refuses the request
   * replayed to another server. `Transport` passes its base URL's. Without it (and without a full-URL target) the
   * signature is bound to no server (as signatures were before `aud`): verifiers with `expectedAuthority` refuse it.
   */
  authority?: string;
  /** Signing time (ms since epoch or Date); defaults to now. */
  now?: number | Date;
}

/** The response fields `RequestSigner.signResponse` covers, tied to the request it answers. */
export interface SignResponseInput {
  /** Method of the request this response answers. */
  method: string;
  /** Target of the request this response answers. */
  target: string;
  status: number;
  body?: Uint8Array | string;
  /** Request id of the request this response answers. */
  requestId: string;
  now?: number | Date;
}

/** Headers to add to the message: `content-digest` and `x-jws-signature`. */
export interface SignedHeaders {
  headers: Record<string, string>;
}

/** Signs requests and responses with a detached JWS over Content-Digest (made by `createRequestSigner`). */
export interface RequestSigner {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Signs an outgoing request (client side). Sign each attempt: every signature is single-use. */
  sign(input: SignRequestInput): Promise<SignedHeaders>;
  /** Signs a response (server side), bound to the request's method, target and request id. */
  signResponse(input: SignResponseInput): Promise<SignedHeaders>;
}

const KID = /^[\x21-\x7e]{1,256}$/;

export function toEpochMs(now: unknown): number {
  if (now === undefined) return Date.now();
  if (now instanceof Date && !Number.isNaN(now.getTime())) return now.getTime();
  if (typeof now === 'number' && Number.isFinite(now)) return now;
  throw invalidArgument('now must be a Date or a finite number of milliseconds');
}

/** The authority a request signature binds: `authority`, or the target URL's; both given, they must agree. */
function authorityOf(input: SignRequestInput): string | undefined {
  const fromTarget = authorityOfTarget(input.target);
  if (input.authority === undefined) return fromTarget;
  const authority = normalizeAuthority(input.authority);
  if (fromTarget !== undefined && fromTarget !== authority) {
    throw invalidArgument('authority and the authority of the target URL differ');
  }
  return authority;
}

/**
 * Builds a signer for detached JWS (RFC 7515 with RFC 7797 `b64: false`) over the request line,
 * the RFC 9530 Content-Digest of the body and the request id. The protected header carries `alg`,
 * `kid`, `iat` (seconds) and a random `jti`, which the verifier uses for replay detection, and for a request the
 * server's authority as `aud` (see {@link SignRequestInput.authority}).
 */
export function createRequestSigner(options: RequestSignerOptions): RequestSigner {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object');
  const { kid, alg } = options;
  for (const name of Object.keys(options)) {
    if (name !== 'key' && name !== 'kid' && name !== 'alg')
      throw invalidArgument(`Unknown signer option "${name}"`);
  }
  if (!isSigningAlgorithm(alg)) throw invalidArgument('alg must be one of ES256, PS256, RS256, EdDSA');
  if (typeof kid !== 'string' || !KID.test(kid))
    throw invalidArgument('kid must be 1–256 visible ASCII characters');
  const key = importSigningKey(options.key, 'private');
  assertKeyFitsAlgorithm(key, alg);

  async function signBytes(payload: Uint8Array, nowMs: number, aud?: string): Promise<string> {
    // jose is loaded on the first signature, not when the package is imported (cold start).
    const { FlattenedSign } = await import('jose');
    try {
      const jws = await new FlattenedSign(payload)
        .setProtectedHeader({
          alg,
          kid,
          b64: false,
          crit: ['b64'],
          iat: Math.floor(nowMs / 1000),
          jti: randomUUID(),
          // Not in `crit`: a verifier that predates it ignores it and checks everything else as before.
          ...(aud === undefined ? {} : { aud }),
        })
        .sign(key);
      return `${jws.protected}..${jws.signature}`;
    } catch (cause) {
      // jose's messages name algorithms and key types, never key material.
      throw new ThGovError('ERR_JWS_INVALID', 'Could not create the detached JWS signature', { cause });
    }
  }

  return {
    kid,
    alg,
    async sign(input) {
      if (typeof input !== 'object' || input === null) throw invalidArgument('sign() expects an object');
      const contentDigest = computeContentDigest(input.body ?? '');
      const payload = canonicalSigningInput({
        direction: 'request',
        method: normalizeMethod(input.method),
        target: normalizeTarget(input.target),
        contentDigest,
        requestId: normalizeRequestId(input.requestId),
      });
      const signature = await signBytes(payload, toEpochMs(input.now), authorityOf(input));
      return { headers: { [CONTENT_DIGEST_HEADER]: contentDigest, [SIGNATURE_HEADER]: signature } };
    },
    async signResponse(input) {
      if (typeof input !== 'object' || input === null)
        throw invalidArgument('signResponse() expects an object');
      const contentDigest = computeContentDigest(input.body ?? '');
      const payload = canonicalSigningInput({
        direction: 'response',
        method: normalizeMethod(input.method),
        target: normalizeTarget(input.target),
        status: normalizeStatus(input.status),
        contentDigest,
        requestId: normalizeRequestId(input.requestId),
      });
      const signature = await signBytes(payload, toEpochMs(input.now));
      return { headers: { [CONTENT_DIGEST_HEADER]: contentDigest, [SIGNATURE_HEADER]: signature } };
    },
  };
}
