import type { RawResponse } from '@thgov/core';
import { EsignError, type EsignErrorCode } from '../errors.js';
import { errorSchema } from './schemas.js';

/**
 * CSC answers nearly every failure as HTTP 400 `invalid_request` and says what went wrong in
 * `error_description` ("SAD expired", "Hash is not authorized by the SAD", "The PIN is invalid"…), so the
 * code is chosen from the description as much as from `error`. Order matters: the first rule that matches wins.
 */
const RULES: Array<{
  code: EsignErrorCode;
  test: (error: string, description: string, status: number) => boolean;
  message: string;
}> = [
  {
    code: 'ERR_ESIGN_CSC_AUTH',
    test: (e, _d, s) =>
      s === 401 || e === 'invalid_token' || e === 'access_denied' || e === 'insufficient_scope',
    message: 'The signing service refused the access token',
  },
  {
    code: 'ERR_ESIGN_CSC_SAD_EXPIRED',
    test: (_e, d) =>
      /\bsad\b.*\b(expired|used|consumed|invalid)\b|invalid parameter sad|\bsad expired|token .*(already used|expired)/.test(
        d,
      ),
    message: 'The signature activation data is expired or already used',
  },
  {
    code: 'ERR_ESIGN_CSC_HASH_MISMATCH',
    test: (_e, d) => /hash.*not (authori[sz]ed|bound)|not authori[sz]ed.*hash|hash.*mismatch/.test(d),
    message: 'The signing service refused a hash the authorisation is not bound to',
  },
  {
    code: 'ERR_ESIGN_CSC_PIN',
    test: (e, d) =>
      e === 'invalid_pin' ||
      e === 'invalid_otp' ||
      /\b(pin|otp)\b.*\b(invalid|locked|expired|wrong)\b|\b(invalid|wrong) (pin|otp)\b|\bpin locked\b/.test(
        d,
      ),
    message: 'The signing service refused the PIN or OTP',
  },
  {
    code: 'ERR_ESIGN_CSC_CREDENTIAL',
    test: (_e, d) =>
      /invalid parameter credentialid|credential.*(unknown|disabled|not found|locked)|certificate.*(expired|revoked|suspended|not valid)|key.*disabled/.test(
        d,
      ),
    message: 'The signing service refuses to sign with this credential',
  },
];

/** The `classify` hook of every CSC request: a CSC error body becomes a typed {@link EsignError}. */
export function classifyCscError(raw: RawResponse): EsignError | undefined {
  const failed = raw.statusCode >= 400 && raw.statusCode < 500;
  if (!failed && !(raw.statusCode >= 200 && raw.statusCode < 300 && isBareError(raw.json())))
    return undefined;
  const parsed = errorSchema.safeParse(raw.json());
  const error = parsed.success ? parsed.data.error : '';
  const description = parsed.success ? (parsed.data.error_description ?? '').toLowerCase() : '';
  const rule = RULES.find((r) => r.test(error, description, raw.statusCode));
  const code = rule?.code ?? 'ERR_ESIGN_CSC_REQUEST';
  // The service's own wording stays in `response` (truncated, redacted); the message is ours, since a
  // description may quote a certificate subject, i.e. the officer's name.
  const message = `${rule?.message ?? 'The signing service rejected the request'} (HTTP ${raw.statusCode}${error ? `, ${error}` : ''})`;
  return new EsignError(code, message, {
    ...raw.errorOptions({ retryable: false }),
    ...(error ? { serviceError: error } : {}),
  });
}

const ERROR_MEMBERS = new Set(['error', 'error_description', 'error_uri']);

/** Some services answer a failure with HTTP 200: a body of error members only (`error` a string) is one. */
function isBareError(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  return typeof (body as { error?: unknown }).error === 'string' && keys.every((k) => ERROR_MEMBERS.has(k));
}
