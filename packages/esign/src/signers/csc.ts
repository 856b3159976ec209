import type { X509Certificate } from 'node:crypto';
import { registerSecret, unregisterSecret } from '@thgov/core';
import { transportOptionsShape, validateOptions, z } from '@thgov/core/internal';
import {
  algoAllows,
  normaliseSignature,
  offeredDigests,
  offeredSchemes,
  signAlgorithmFor,
} from '../csc/algorithms.js';
import { type CscAuthData, CscClient, type CscClientOptions } from '../csc/client.js';
import type { CscCredentialInfo } from '../csc/schemas.js';
import { EsignError, isEsignError } from '../errors.js';
import { checkDigest, checkSchemeFits, describePublicKey, type KeyDescription } from './algorithms.js';
import { parseChain } from './chain.js';
import { openHolding } from './held-secret.js';
import type {
  DigestAlgorithm,
  KeyStoreSigner,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signer.js';
import { verifyDigestSignature } from './verify-digest.js';

/**
 * What the caller gets to authorise one signing transaction with the digital-ID provider: the hashes, and
 * the RFC 9396 `authorization_details` of type `credential` (CSC v2) to send in the authorization request.
 */
export interface CscCredentialTokenRequest {
  credentialId: string;
  numSignatures: number;
  /** Base64 hashes, in signing order. */
  hashes: string[];
  hashAlgorithmOid: string;
  authorizationDetails: Array<{
    type: 'credential';
    credentialID: string;
    documentDigests: Array<{ hash: string; label: string }>;
    hashAlgorithmOID: string;
    locations: string[];
  }>;
  abortSignal?: AbortSignal;
}

/** What the caller is asked for when a credential is authorised explicitly: the PIN and/or the OTP just sent. */
export interface CscAuthDataRequest {
  credentialId: string;
  numSignatures: number;
  /** The `authData` entries the credential expects (from `credentials/info`): `PIN`, `OTP`. */
  needs: string[];
  /** True when the service was just asked to send an OTP to the officer. */
  otpSent: boolean;
  abortSignal?: AbortSignal;
}

/** How a {@link cscSigner} is authorised: a service token, and the means for the credential's auth mode. */
export interface CscAuth {
  /** OAuth2 access token with scope `service` (list, info, authorize), or a function returning a fresh one. */
  serviceToken: string | ((request: { abortSignal?: AbortSignal }) => Promise<string>);
  /**
   * For `oauth2code` credentials: obtains an access token with scope `credential` bound to the request's
   * hashes (the officer logs in at the digital-ID provider with `authorization_details`).
   */
  credentialToken?: (request: CscCredentialTokenRequest) => Promise<string>;
  /** For `explicit` credentials: returns what the officer typed, by `authData` id (`{ PIN: '…', OTP: '…' }`). */
  authData?: (request: CscAuthDataRequest) => Promise<Record<string, string>>;
}

/** Options of {@link cscSigner}: the service, the credential, how to authorise, and core's transport options. */
export interface CscSignerOptions extends CscClientOptions {
  credentialId: string;
  auth: CscAuth;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const { baseUrl: _b, signer: _s, responseVerifier: _r, ...transportShape } = transportOptionsShape;
const optionsSchema = z
  .object({
    ...transportShape,
    serviceUrl: z.union([z.string().url(), z.instanceof(URL)]),
    credentialId: z.string().min(1).max(500),
    auth: z
      .object({
        serviceToken: z.union([z.string().min(1).max(16_384), fn]),
        credentialToken: fn.optional(),
        authData: fn.optional(),
      })
      .strict(),
  })
  .strict();

/**
 * A signer whose key is held by a remote signing service speaking the Cloud Signature Consortium API v2.
 * Reads the credential (`credentials/info`: certificates, key, auth mode), then per call (or per batch with
 * `signMany`: all hashes authorised together, `numSignatures`) authorises exactly those hashes — a
 * `credential`-scope token from the digital-ID provider, or PIN/OTP → `credentials/authorize` → SAD — and
 * calls `signatures/signHash` once. A SAD or credential token is used for one signHash only; when the service
 * reports it expired, the signer authorises afresh once. Every returned signature is verified against the
 * credential's certificate before it is handed out.
 *
 * @example
 * ```ts
 * const signer = await cscSigner({
 *   serviceUrl: 'https://rssp.example/csc/v2',
 *   credentialId: 'officer-rsa',
 *   auth: {
 *     serviceToken: () => getServiceToken(),
 *     credentialToken: (request) => loginAtDigitalId({ authorization_details: request.authorizationDetails }),
 *   },
 * });
 * const [a, b] = await signer.signMany!([digestA, digestB], { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' });
 * await signer.close!();
 * ```
 */
export async function cscSigner(
  options: CscSignerOptions,
): Promise<KeyStoreSigner & Required<Pick<Signer, 'signMany'>>> {
  // A fixed service token is masked for the signer's life, released by close().
  return openHolding(options?.auth?.serviceToken, () => openSigner(options));
}

async function openSigner(
  options: CscSignerOptions,
): Promise<KeyStoreSigner & Required<Pick<Signer, 'signMany'>>> {
  const o = validateOptions(optionsSchema, options, 'cscSigner options') as CscSignerOptions;
  const { credentialId, auth, ...clientOptions } = o;
  const client = new CscClient(clientOptions);
  try {
    const tokens = new ServiceToken(auth.serviceToken);
    const info = await tokens.use((accessToken) => client.credentialInfo(credentialId, { accessToken }));
    const chain = credentialChain(info);
    const key = describePublicKey((chain[0] as X509Certificate).publicKey);
    const schemes = offeredSchemes(key, info.key.algo);
    if (schemes.length === 0) {
      throw new EsignError(
        'ERR_ESIGN_ALGORITHM',
        "The credential's key algorithms do not fit its certificate's key",
      );
    }
    const mode = info.auth?.mode ?? 'explicit';
    if (mode === 'oauth2code' ? !auth.credentialToken : mode === 'explicit' && !auth.authData) {
      throw new EsignError(
        'ERR_ESIGN_CSC_AUTH_MODE',
        `The credential is authorised with ${mode}; the signer needs auth.${mode === 'oauth2code' ? 'credentialToken' : 'authData'}`,
      );
    }
    return new CscSigner(client, tokens, credentialId, String(o.serviceUrl), info, chain, key, schemes, auth);
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Refuses a credential the service will not sign with, and reads its certificate chain. */
function credentialChain(info: CscCredentialInfo): X509Certificate[] {
  if (info.key.status !== 'enabled') {
    throw new EsignError('ERR_ESIGN_CSC_CREDENTIAL', 'The credential key is disabled');
  }
  if (info.cert?.status !== undefined && info.cert.status !== 'valid') {
    throw new EsignError('ERR_ESIGN_CSC_CREDENTIAL', `The credential certificate is ${info.cert.status}`, {
      hint: 'A signature made now would not validate: renew the certificate at the signing service.',
    });
  }
  const certificates = info.cert?.certificates ?? [];
  if (certificates.length === 0) {
    throw new EsignError(
      'ERR_ESIGN_CSC_RESPONSE',
      'credentials/info returned no certificate for the credential',
    );
  }
  let parsed: X509Certificate[];
  try {
    parsed = parseChain(certificates.map((c) => new Uint8Array(Buffer.from(c, 'base64'))));
  } catch (cause) {
    throw new EsignError('ERR_ESIGN_CSC_RESPONSE', 'credentials/info returned an unreadable certificate', {
      cause,
    });
  }
  return leafFirst(parsed);
}

/**
 * CSC says leaf first, yet services send `certificates: "chain"` root first too. The leaf is the one
 * certificate that issued none of the others; the chain is then followed up from it. When no single leaf
 * stands out (one certificate, or unrelated ones), the service's order is kept.
 */
function leafFirst(certs: X509Certificate[]): X509Certificate[] {
  const issued = (child: X509Certificate, parent: X509Certificate) =>
    child !== parent && child.checkIssued(parent) && child.verify(parent.publicKey);
  const leaves = certs.filter((c) => !certs.some((o) => issued(o, c)));
  if (certs.length < 2 || leaves.length !== 1) return certs;
  const ordered = [leaves[0] as X509Certificate];
  const rest = certs.filter((c) => c !== ordered[0]);
  for (;;) {
    const at = rest.findIndex((c) => issued(ordered[ordered.length - 1] as X509Certificate, c));
    if (at < 0) break;
    ordered.push(...rest.splice(at, 1));
  }
  return [...ordered, ...rest];
}

/** The service token, fetched again once when the service refuses it (a function may return a fresh one). */
class ServiceToken {
  #current: string | undefined;
  constructor(private readonly source: CscAuth['serviceToken']) {}

  async #get(abortSignal: AbortSignal | undefined, fresh: boolean): Promise<string> {
    if (typeof this.source === 'string') return this.source;
    if (this.#current === undefined || fresh) {
      this.#current = await this.source(abortSignal ? { abortSignal } : {});
      registerSecret(this.#current, { kind: 'token' });
    }
    return this.#current;
  }

  async use<T>(call: (token: string) => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
    try {
      return await call(await this.#get(abortSignal, false));
    } catch (err) {
      if (typeof this.source === 'string' || !isEsignError(err, 'ERR_ESIGN_CSC_AUTH')) throw err;
      return call(await this.#get(abortSignal, true));
    }
  }
}

class CscSigner implements Signer {
  readonly certificateChain: readonly Uint8Array[];
  readonly schemes: Signer['schemes'];
  /** The digests the credential's `key/algo` offers with its first scheme. */
  readonly digests: readonly DigestAlgorithm[];
  #closed = false;

  constructor(
    private readonly client: CscClient,
    private readonly tokens: ServiceToken,
    private readonly credentialId: string,
    private readonly serviceUrl: string,
    private readonly info: CscCredentialInfo,
    private readonly chain: X509Certificate[],
    private readonly key: KeyDescription,
    schemes: SignatureScheme[],
    private readonly authFns: CscAuth,
  ) {
    this.certificateChain = Object.freeze(chain.map((c) => new Uint8Array(c.raw)));
    this.schemes = Object.freeze([...schemes]);
    this.digests = Object.freeze(offeredDigests(schemes[0] as SignatureScheme, info.key.algo));
  }

  async sign(digest: Uint8Array, algorithm: SignatureAlgorithm, context?: SignContext): Promise<Uint8Array> {
    const [signature] = await this.signMany([digest], algorithm, context);
    return signature as Uint8Array;
  }

  async signMany(
    digests: readonly Uint8Array[],
    algorithm: SignatureAlgorithm,
    context?: Omit<SignContext, 'toBeSigned'>,
  ): Promise<Uint8Array[]> {
    if (this.#closed) throw new EsignError('ERR_ESIGN_SIGNER_CLOSED', 'This CSC signer was closed');
    if (!Array.isArray(digests) || digests.length === 0)
      throw new EsignError('ERR_ESIGN_ALGORITHM', 'No digest to sign');
    for (const d of digests) checkDigest(d, algorithm);
    checkSchemeFits({ ...this.key, schemes: [...(this.schemes ?? [])] }, algorithm);
    this.#checkOffered(algorithm);
    // A service signs at most `multisign` hashes under one authorisation: larger batches go in chunks.
    const out: Uint8Array[] = [];
    for (let i = 0; i < digests.length; i += this.info.multisign) {
      out.push(
        ...(await this.#signBatch(
          digests.slice(i, i + this.info.multisign),
          algorithm,
          context?.abortSignal,
        )),
      );
    }
    return out;
  }

  /** A digest the credential does not offer is refused here: the service would refuse it after the OTP and PIN. */
  #checkOffered(algorithm: SignatureAlgorithm): void {
    if (algoAllows(algorithm, this.info.key.algo)) return;
    const offered = offeredDigests(algorithm.scheme, this.info.key.algo);
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `The credential signs ${algorithm.scheme} over ${offered.join(', ') || 'no digest thgov uses'} only, not ${algorithm.digest}`,
      { hint: 'Sign with one of the digests the credential offers (signPdf: digestAlgorithm).' },
    );
  }

  /** Authorises then signs one batch; a SAD or token reported expired is replaced once, never re-sent. */
  async #signBatch(digests: Uint8Array[], algorithm: SignatureAlgorithm, abortSignal?: AbortSignal) {
    const hashes = digests.map((d) => Buffer.from(d).toString('base64'));
    const algo = signAlgorithmFor(algorithm, this.info.key.algo);
    for (let attempt = 1; ; attempt++) {
      abortSignal?.throwIfAborted();
      try {
        const signatures = await this.#authorisedSignHash(hashes, algo, abortSignal);
        return this.#checked(signatures, digests, algorithm);
      } catch (err) {
        if (attempt >= 2 || !isEsignError(err, 'ERR_ESIGN_CSC_SAD_EXPIRED')) throw err;
      }
    }
  }

  async #authorisedSignHash(
    hashes: string[],
    algo: ReturnType<typeof signAlgorithmFor>,
    abortSignal: AbortSignal | undefined,
  ): Promise<string[]> {
    const ops = abortSignal ? { abortSignal } : {};
    const specVersion = this.info.specVersion;
    const base = {
      credentialId: this.credentialId,
      hashes,
      ...algo,
      ...(specVersion ? { specVersion } : {}),
    };
    if (this.info.auth?.mode === 'oauth2code') {
      const token = await this.#credentialToken(hashes, algo.hashAlgorithmOid, abortSignal);
      return this.client.signHash(base, { accessToken: token, ...ops });
    }
    const authData = await this.#authData(hashes.length, abortSignal);
    const sad = await this.tokens.use(
      (accessToken) =>
        this.client.authorize(
          {
            credentialId: this.credentialId,
            numSignatures: hashes.length,
            hashes,
            hashAlgorithmOid: algo.hashAlgorithmOid,
            ...(authData.length ? { authData } : {}),
            ...(specVersion ? { specVersion } : {}),
          },
          { accessToken, ...ops },
        ),
      abortSignal,
    );
    if (sad.expiresInMs !== undefined && sad.expiresInMs <= 0) {
      // Known dead on arrival: re-authorise rather than send it.
      throw new EsignError('ERR_ESIGN_CSC_SAD_EXPIRED', 'The service issued a SAD that is already expired');
    }
    return this.tokens.use(
      (accessToken) => this.client.signHash({ ...base, sad: sad.sad }, { accessToken, ...ops }),
      abortSignal,
    );
  }

  async #credentialToken(
    hashes: string[],
    hashAlgorithmOid: string,
    abortSignal?: AbortSignal,
  ): Promise<string> {
    const request: CscCredentialTokenRequest = {
      credentialId: this.credentialId,
      numSignatures: hashes.length,
      hashes,
      hashAlgorithmOid,
      authorizationDetails: [
        {
          type: 'credential',
          credentialID: this.credentialId,
          documentDigests: hashes.map((hash, i) => ({ hash, label: `document ${i + 1}` })),
          hashAlgorithmOID: hashAlgorithmOid,
          locations: [new URL(this.serviceUrl).origin],
        },
      ],
      ...(abortSignal ? { abortSignal } : {}),
    };
    const token = await (this.authFns.credentialToken as NonNullable<CscAuth['credentialToken']>)(request);
    if (typeof token !== 'string' || token.length === 0)
      throw new TypeError('auth.credentialToken must return a token');
    registerSecret(token, { kind: 'token' });
    return token;
  }

  async #authData(numSignatures: number, abortSignal?: AbortSignal): Promise<CscAuthData[]> {
    const needs = (this.info.auth?.objects ?? []).map((o) => o.id ?? o.type).filter(Boolean);
    if (this.info.auth?.mode === 'implicit' || needs.length === 0) return [];
    const otpSent = needs.includes('OTP');
    if (otpSent)
      await this.tokens.use(
        (accessToken) => this.client.sendOtp(this.credentialId, { accessToken }),
        abortSignal,
      );
    const given = await (this.authFns.authData as NonNullable<CscAuth['authData']>)({
      credentialId: this.credentialId,
      numSignatures,
      needs,
      otpSent,
      ...(abortSignal ? { abortSignal } : {}),
    });
    return needs.map((id) => {
      const value = given?.[id];
      if (typeof value !== 'string' || value.length === 0)
        throw new TypeError(`auth.authData returned no ${id}`);
      registerSecret(value, { kind: 'input' });
      return { id, value };
    });
  }

  /** One signature per hash, each made by the certificate's key over that very digest. */
  #checked(signatures: string[], digests: Uint8Array[], algorithm: SignatureAlgorithm): Uint8Array[] {
    if (signatures.length !== digests.length) {
      throw new EsignError(
        'ERR_ESIGN_CSC_RESPONSE',
        `signHash returned ${signatures.length} signatures for ${digests.length} hashes`,
      );
    }
    const publicKey = (this.chain[0] as X509Certificate).publicKey;
    return signatures.map((b64, i) => {
      const signature = normaliseSignature(new Uint8Array(Buffer.from(b64, 'base64')), this.key);
      if (!verifyDigestSignature(publicKey, digests[i] as Uint8Array, algorithm, signature)) {
        throw new EsignError(
          'ERR_ESIGN_CSC_RESPONSE',
          `Signature ${i + 1} from the service does not verify with the credential certificate over the digest sent`,
        );
      }
      return signature;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (typeof this.authFns.serviceToken === 'string') unregisterSecret(this.authFns.serviceToken);
    await this.client.close();
  }
}
