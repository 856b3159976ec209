import { captureLogger, httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isSensitiveName,
  REDACTED,
  redactText,
  redactUrl,
  redactValue,
  ThGovError,
  Transport,
} from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';

/**
 * Sensitive key names in other spellings (camelCase, kebab-case, SCREAMING_SNAKE, `id_token_hint`) used to
 * pass the name check, so an object logged with `accessToken` showed it; so did names the list never had
 * (a signing PIN or OTP, CSC's `SAD`, a client assertion, a session id, an ID-card number). And the opposite fault: every
 * `code` key was masked, so debug lines never said which error happened.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const SENSITIVE = [
  'accessToken',
  'access_token',
  'ACCESS-TOKEN',
  'refreshToken',
  'idToken',
  'idTokenHint',
  'id_token_hint',
  'clientSecret',
  'client-secret',
  'CLIENT_SECRET',
  'consumerSecret',
  'ConsumerSecret',
  'apiKey',
  'api_key',
  'X-Api-Key',
  'codeVerifier',
  'code_verifier',
  'privateKey',
  'citizenId',
  'CitizenID',
  'citizen-id',
  'firstName',
  'first_name',
  'lastName',
  'laserCode',
  'gdxToken',
  'subjectToken',
  'pin',
  'PIN',
  'otp',
  'SAD',
  'clientAssertion',
  'samlResponse',
  'sessionId',
  'session_id',
  'personalId',
  'idCard',
  'id_card_number',
];

describe('sensitive key names', () => {
  it('matches camelCase, snake_case, kebab-case and upper-case spellings of the same name', () => {
    for (const name of SENSITIVE) expect(isSensitiveName(name), name).toBe(true);
    for (const name of [
      'accept',
      'content-type',
      'x-request-id',
      'requestId',
      'keyId',
      'tokenType',
      'expiresIn',
      'status',
      'code',
      'errorCode',
    ]) {
      expect(isSensitiveName(name), name).toBe(false);
    }
  });

  it('masks those keys in logged objects, in URLs and in key=value or JSON text', () => {
    const value = 'v4lue-that-is-secret';
    const obj = Object.fromEntries(SENSITIVE.map((k) => [k, value]));
    expect(JSON.stringify(redactValue(obj))).not.toContain(value);
    const url = redactUrl(`https://op.example/logout?id_token_hint=${value}&idTokenHint=${value}&state=ok`);
    expect(url).not.toContain(value);
    expect(url).toContain('state=ok');
    expect(redactText(`GET /token?clientSecret=${value}&x=1`)).toBe(
      `GET /token?clientSecret=${REDACTED}&x=1`,
    );
    expect(redactText(`{"accessToken": "${value}", "n": 1}`)).toBe(`{"accessToken": "${REDACTED}", "n": 1}`);
  });

  it('`code` is an OAuth code only as a query parameter or form field', () => {
    const code = 'SplxlOBeZQQYbYS6WxSbIA';
    expect(redactUrl(`https://rp.example/cb?code=${code}&state=s`)).not.toContain(code);
    expect(redactText(`grant_type=authorization_code&code=${code}&redirect_uri=x`)).not.toContain(code);
    // Everywhere else `code` is the error code, the thing a reader needs.
    expect(redactValue({ code: 'ERR_HTTP', statusCode: 502 })).toEqual({ code: 'ERR_HTTP', statusCode: 502 });
    expect(redactText('{"code":"ERR_TIMEOUT","message":"slow"}')).toBe(
      '{"code":"ERR_TIMEOUT","message":"slow"}',
    );
  });

  it('the logger writes a thgov error with its code under `errorCode`', () => {
    const { lines, logger } = captureLogger();
    const log = new SafeLogger(logger, 'debug');
    const err = new ThGovError('ERR_GDX_AUTH', 'GDX refused the token');
    log.debug('call failed', { err });
    expect(lines.join('\n')).toContain('"errorCode":"ERR_GDX_AUTH"');
    expect(lines.join('\n')).toContain('GDX refused the token');
  });

  it('a failed call’s debug line says which error happened', async () => {
    const s: TestServer = await httpServer((_req, res) => {
      res.statusCode = 418;
      res.end();
    });
    cleanups.push(() => s.close());
    const { lines, logger } = captureLogger();
    const t = new Transport(
      { baseUrl: s.url, logger, logLevel: 'debug' },
      { name: '@thgov/t', version: '0' },
    );
    cleanups.push(() => t.close());
    await t.request({ method: 'GET', path: '/teapot', operation: 'teapot.get' }).catch(() => undefined);
    const failed = lines.find((l) => l.includes('teapot.get failed'));
    expect(failed).toBeDefined();
    expect(failed).toContain('"errorCode":"ERR_HTTP"');
    expect(failed).not.toContain(REDACTED);
  });
});
