import { type OperationOptions, registerSecret, Transport, type TransportOptions } from '@thgov/core';
import { transportOptionsShape, validateOptions, z as zod } from '@thgov/core/internal';
import type { z } from 'zod';
import { isEsignError } from '../errors.js';
import { PACKAGE } from '../version.js';
import { classifyCscError } from './errors.js';
import {
  authorizeSchema,
  type CscCredentialInfo,
  type CscCredentialList,
  type CscInfo,
  credentialInfoSchema,
  credentialListSchema,
  infoSchema,
  signHashSchema,
} from './schemas.js';

/** Options of {@link CscClient}: the service's base URL (up to and including `/csc/v2`) and core's transport options. */
export interface CscClientOptions extends Omit<TransportOptions, 'baseUrl' | 'signer' | 'responseVerifier'> {
  /** Base URL of the CSC API, e.g. `https://rssp.example/csc/v2`. Methods are appended (`/credentials/info`). */
  serviceUrl: string | URL;
}

/** CSC's default SAD lifetime when `credentials/authorize` names none (`expiresIn`, 3600 s). */
const SAD_DEFAULT_LIFETIME_IN_MS = 3_600_000;
/** Kept registered a little past its lifetime, so an error quoting a just-expired SAD still masks it. */
const SECRET_MARGIN_IN_MS = 60_000;

const {
  baseUrl: _baseUrl,
  signer: _signer,
  responseVerifier: _verifier,
  ...transportShape
} = transportOptionsShape;
const optionsSchema = zod
  .object({ ...transportShape, serviceUrl: zod.union([zod.string().url(), zod.instanceof(URL)]) })
  .strict();

/** One entry of `authData` (CSC 11.9): the PIN and/or OTP of an explicitly authorised credential. */
export interface CscAuthData {
  id: 'PIN' | 'OTP' | (string & {});
  value: string;
}

/** `credentials/authorize` input (explicit mode): the credential, how many signatures, their hashes, PIN/OTP. */
export interface CscAuthorizeInput {
  credentialId: string;
  numSignatures: number;
  /** Base64 hashes the SAD is bound to (SCAL 2). */
  hashes?: string[];
  hashAlgorithmOid?: string;
  authData?: CscAuthData[];
  description?: string;
  /** `'1'`: a v1.0.4 service, sent `hash`, `PIN` and `OTP` instead of `hashes`, `hashAlgorithmOID` and `authData`. */
  specVersion?: '1' | '2';
}

/** `signatures/signHash` input: the credential, the SAD (unless the token is a credential token), hashes and algorithm. */
export interface CscSignHashInput {
  credentialId: string;
  /** Omitted when `accessToken` is a `credential`-scope token, which authorises by itself. */
  sad?: string;
  /** Base64 hashes. */
  hashes: string[];
  hashAlgorithmOid: string;
  signAlgo: string;
  /** Base64 DER parameters (RSASSA-PSS-params). */
  signAlgoParams?: string;
  /** `'1'`: a v1.0.4 service, sent `hash` and `hashAlgo` (and no `operationMode`). */
  specVersion?: '1' | '2';
}

/** Calls made with an OAuth2 access token (`service` or `credential` scope). */
export interface CscCallOptions extends OperationOptions {
  accessToken: string;
}

/**
 * A client of a Cloud Signature Consortium API v2 remote signing service: one method per CSC method,
 * parsed and validated answers, typed errors (`ERR_ESIGN_CSC_*`). Read-only methods are retried like any
 * idempotent call; `credentials/authorize` and `signatures/signHash` never are, as a repeat could consume an
 * OTP or a SAD. Tokens, SADs, PINs and OTPs are registered for redaction.
 *
 * @example
 * ```ts
 * const csc = new CscClient({ serviceUrl: 'https://rssp.example/csc/v2' });
 * const info = await csc.credentialInfo('officer-rsa', { accessToken: serviceToken });
 * console.log(info.key.algo, info.auth?.mode, info.multisign);
 * await csc.close();
 * ```
 */
export class CscClient {
  readonly #transport: Transport;
  /** Which name of the OTP method the service answered to: v2's `getChallenge` or v1's `sendOTP`. */
  #otpMethod: 'v1' | 'v2' | undefined;

  constructor(options: CscClientOptions) {
    const { serviceUrl, ...rest } = validateOptions(
      optionsSchema,
      options,
      'CscClient options',
    ) as CscClientOptions;
    const base = String(serviceUrl).replace(/\/+$/, '');
    this.#transport = new Transport({ ...rest, baseUrl: base }, PACKAGE);
  }

  /** `info`: the service's name, specification version and methods (no authentication). */
  async info(options: OperationOptions = {}): Promise<CscInfo> {
    return this.#call('/info', {}, infoSchema, true, undefined, options);
  }

  /** `credentials/list`: the credentials of the token's user, with their info when `credentialInfo` is set. */
  async listCredentials(
    input: {
      credentialInfo?: boolean;
      certificates?: 'none' | 'single' | 'chain';
      maxResults?: number;
      /** The previous answer's `nextPageToken`, for the next page. */
      pageToken?: string;
    },
    options: CscCallOptions,
  ): Promise<CscCredentialList> {
    return this.#call(
      '/credentials/list',
      { ...input },
      credentialListSchema,
      true,
      options.accessToken,
      options,
    );
  }

  /** `credentials/info`: key algorithms and size or curve, certificates, auth mode, SCAL and `multisign`. */
  async credentialInfo(
    credentialId: string,
    options: CscCallOptions & { certificates?: 'none' | 'single' | 'chain' },
  ): Promise<CscCredentialInfo> {
    const body = {
      credentialID: credentialId,
      certificates: options.certificates ?? 'chain',
      certInfo: true,
      authInfo: true,
    };
    return this.#call('/credentials/info', body, credentialInfoSchema, true, options.accessToken, options);
  }

  /**
   * Asks the service to send the officer a one-time password (by SMS, an app…): `credentials/getChallenge`, the
   * v2.0.0.2 method, or v1.0.4's `credentials/sendOTP` when the service does not know the v2 name (HTTP 404,
   * 405 or 501). The name that worked is remembered for the client's life. Never retried otherwise: a repeat
   * could send a second OTP.
   */
  async sendOtp(credentialId: string, options: CscCallOptions): Promise<void> {
    const body = { credentialID: credentialId };
    const call = (path: string) =>
      this.#call(path, body, undefined, false, options.accessToken, options).then(() => undefined);
    if (this.#otpMethod === 'v1') return call('/credentials/sendOTP');
    try {
      await call('/credentials/getChallenge');
      this.#otpMethod = 'v2';
    } catch (err) {
      if (this.#otpMethod === 'v2' || !unknownMethod(err)) throw err;
      await call('/credentials/sendOTP');
      this.#otpMethod = 'v1';
    }
  }

  /** `credentials/authorize`: exchanges PIN/OTP (explicit mode) for signature activation data, bound to `hashes`. */
  async authorize(
    input: CscAuthorizeInput,
    options: CscCallOptions,
  ): Promise<{ sad: string; expiresInMs: number | undefined }> {
    // A PIN or OTP is the caller's, handed in per call: held like any caller input (TTL, bounded store).
    for (const a of input.authData ?? []) registerSecret(a.value, { kind: 'input' });
    const body = input.specVersion === '1' ? authorizeBodyV1(input) : authorizeBodyV2(input);
    const out = await this.#call(
      '/credentials/authorize',
      body,
      authorizeSchema,
      false,
      options.accessToken,
      options,
    );
    const expiresInMs = out.expiresIn === undefined ? undefined : out.expiresIn * 1000;
    // One SAD per signing: kept for its own lifetime, not pinned (pinned entries are never evicted).
    registerSecret(out.SAD, {
      kind: 'token',
      ttlInMs: (expiresInMs ?? SAD_DEFAULT_LIFETIME_IN_MS) + SECRET_MARGIN_IN_MS,
    });
    return { sad: out.SAD, expiresInMs };
  }

  /** `signatures/signHash` in synchronous mode: one base64 signature per hash, in order. Never retried. */
  async signHash(input: CscSignHashInput, options: CscCallOptions): Promise<string[]> {
    const v1 = input.specVersion === '1';
    const body = {
      credentialID: input.credentialId,
      ...(input.sad ? { SAD: input.sad } : {}),
      ...(v1 ? { hash: input.hashes, hashAlgo: input.hashAlgorithmOid } : {}),
      ...(v1 ? {} : { hashes: input.hashes, hashAlgorithmOID: input.hashAlgorithmOid }),
      signAlgo: input.signAlgo,
      ...(input.signAlgoParams ? { signAlgoParams: input.signAlgoParams } : {}),
      ...(v1 ? {} : { operationMode: 'S' }),
    };
    const out = await this.#call(
      '/signatures/signHash',
      body,
      signHashSchema,
      false,
      options.accessToken,
      options,
    );
    return out.signatures;
  }

  /** Closes the client's connections. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  async #call<T>(
    path: string,
    body: Record<string, unknown>,
    schema: z.ZodType<T> | undefined,
    readOnly: boolean,
    accessToken: string | undefined,
    options: OperationOptions,
  ): Promise<T> {
    // Access tokens come and go (a credential token per signing): a TTL registration, never a pinned one.
    if (accessToken) registerSecret(accessToken, { kind: 'token' });
    const { abortSignal, timeoutInMs, requestId } = options;
    const res = await this.#transport.request<T>(
      {
        method: 'POST',
        path,
        // `application/json` exactly: some services refuse the `; charset=utf-8` core adds to JSON bodies.
        body: { raw: JSON.stringify(body), contentType: 'application/json' },
        headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
        // Reads may be repeated; authorize and signHash consume an OTP or a SAD, so they are sent once.
        idempotent: readOnly,
        classify: classifyCscError,
        operation: `csc${path.replace(/\//g, '.')}`,
        ...(schema ? { schema } : { responseType: 'text' as const }),
      },
      {
        ...(abortSignal ? { abortSignal } : {}),
        ...(timeoutInMs ? { timeoutInMs } : {}),
        ...(requestId ? { requestId } : {}),
      },
    );
    return res.body;
  }
}

function authorizeBodyV2(input: CscAuthorizeInput): Record<string, unknown> {
  return {
    credentialID: input.credentialId,
    numSignatures: input.numSignatures,
    ...(input.hashes ? { hashes: input.hashes } : {}),
    ...(input.hashAlgorithmOid ? { hashAlgorithmOID: input.hashAlgorithmOid } : {}),
    ...(input.authData ? { authData: input.authData } : {}),
    ...(input.description ? { description: input.description } : {}),
  };
}

/** v1.0.4 `credentials/authorize`: `hash`, and the PIN and OTP as members of their own. */
function authorizeBodyV1(input: CscAuthorizeInput): Record<string, unknown> {
  const value = (id: string) => input.authData?.find((a) => a.id === id)?.value;
  const pin = value('PIN');
  const otp = value('OTP');
  return {
    credentialID: input.credentialId,
    numSignatures: input.numSignatures,
    ...(input.hashes ? { hash: input.hashes } : {}),
    ...(pin ? { PIN: pin } : {}),
    ...(otp ? { OTP: otp } : {}),
    ...(input.description ? { description: input.description } : {}),
  };
}

/** A method the service does not offer: HTTP 404, 405 or 501 (a v1.0.4 service asked v2's `getChallenge`). */
function unknownMethod(err: unknown): boolean {
  return (
    isEsignError(err) &&
    err.code === 'ERR_ESIGN_CSC_REQUEST' &&
    (err.statusCode === 404 || err.statusCode === 405 || err.statusCode === 501)
  );
}
