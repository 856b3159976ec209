import { HttpError, type HttpErrorOptions, isThGovError } from '@thgov/core';

/**
 * Error codes of @thgov/exchange (in addition to core's ERR_HTTP, ERR_TIMEOUT, ERR_NETWORK, …).
 * Part of the semver contract: never renamed, never reused.
 */
export const EXCHANGE_ERROR_CODES = {
  ERR_GDX_AUTH:
    'GDX rejected the credentials: unknown Consumer-Key (403 consumer not found), wrong Consumer-Secret, or a token that stayed "not found" after one re-validation.',
  ERR_GDX_FORBIDDEN:
    'The consumer (or X-Road client) has no right to this service or data (HTTP 401/403 from the gateway, X-Road AccessDenied).',
  ERR_GDX_NOT_FOUND: 'The provider has no such data (HTTP 404, or an empty result list).',
  ERR_GDX_BUSINESS:
    "The provider answered with a business error (`{Code, Message}`, a `[n]` body, a payment envelope with a non-zero status); `providerCode` holds the provider's code. Never retried.",
  ERR_GDX_XROAD:
    'An X-Road Security Server reported an error (`X-Road-Error` header); `xroadType` holds its type.',
  ERR_GDX_INTEGRITY:
    'A downloaded document does not match its declared size or hash, or is not what it claims to be.',
  ERR_GDX_AGENT_ID: 'The AgentID is missing, or is neither a valid 13-digit citizen ID nor a system name.',
} as const;

/** The codes of `EXCHANGE_ERROR_CODES` a `GdxError` may carry. */
export type ExchangeErrorCode = keyof typeof EXCHANGE_ERROR_CODES;

/** Which envelope the error was read from (the reference lists them all). */
export type GdxEnvelope = 'status' | 'gateway' | 'linkage' | 'bracket' | 'payment' | 'xroad' | 'document';

/** What a `GdxError` is built from: the envelope it was read from and the provider's or X-Road's code. */
export interface GdxErrorOptions extends HttpErrorOptions {
  envelope: GdxEnvelope;
  providerCode?: string;
  xroadType?: string;
  /** The `detail` of an X-Road error body (redacted). */
  xroadDetail?: string;
  /** Service name as in the audit log ("dopa.linkage.001"). */
  service?: string;
  /** True when GDX said "token not found": the client re-validates once and replays the call. */
  tokenRejected?: boolean;
}

/** One error type for every envelope GDX, its providers and X-Road answer with; `code` is one of {@link ExchangeErrorCode}. */
export class GdxError extends HttpError<ExchangeErrorCode> {
  readonly envelope: GdxEnvelope;
  readonly providerCode: string | undefined;
  readonly xroadType: string | undefined;
  /** The `detail` of an X-Road error body (a Security Server's fault id), redacted. */
  readonly xroadDetail: string | undefined;
  readonly service: string | undefined;
  readonly tokenRejected: boolean;

  constructor(code: ExchangeErrorCode, message: string, options: GdxErrorOptions) {
    super(code, message, options);
    this.name = 'GdxError';
    this.envelope = options.envelope;
    this.providerCode = options.providerCode;
    this.xroadType = options.xroadType;
    this.xroadDetail = options.xroadDetail;
    this.service = options.service;
    this.tokenRejected = options.tokenRejected ?? false;
  }
}

/**
 * True for a {@link GdxError}, also one from another installed copy of the package (checked by the thgov
 * brand and the name, not `instanceof`). With `code`, also checks the code and narrows `err.code` to it;
 * a code that is not an {@link ExchangeErrorCode} fails to compile.
 *
 * @example
 * ```ts
 * if (isGdxError(err, 'ERR_GDX_BUSINESS') && err.providerCode === '90001') return undefined;
 * ```
 */
export function isGdxError<C extends ExchangeErrorCode = ExchangeErrorCode>(
  value: unknown,
  code?: C,
): value is GdxError & { readonly code: C } {
  return isThGovError(value, code) && value.name === 'GdxError';
}

/**
 * True when the provider said it has no such record, in whichever envelope it used: HTTP 404 and an empty
 * DBD result list (`ERR_GDX_NOT_FOUND`), and DOPA's laser-code check `[4]` (`ERR_GDX_BUSINESS` with
 * providerCode `4`: DOPA uses it for "no such card" and for "data do not match" alike). A voided card
 * (`[2]`), an officer without a session (`90001`) and every other failure are not "not found", also when
 * they come with HTTP 404: a `[n]` or a Linkage code in the body outranks the status. Nor is a 404 that is the
 * gateway's own page (HTML, a WSO2 fault such as "No matching resource found": a wrong baseUrl, path prefix or
 * path): that is core's ERR_HTTP, with a hint to check the configuration.
 *
 * @example
 * ```ts
 * try {
 *   return await client.getPerson({ citizenId });
 * } catch (err) {
 *   if (isGdxNotFound(err)) return undefined;
 *   throw err;
 * }
 * ```
 */
export function isGdxNotFound(value: unknown): value is GdxError {
  if (!isGdxError(value)) return false;
  if (value.code === 'ERR_GDX_NOT_FOUND') return true;
  return value.code === 'ERR_GDX_BUSINESS' && value.envelope === 'bracket' && value.providerCode === '4';
}
