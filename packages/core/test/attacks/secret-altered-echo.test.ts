import { randomBytes, randomUUID } from 'node:crypto';
import { captureLogger, httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REDACTED,
  redactPreview,
  redactText,
  registerSecret,
  secretRegistryStats,
  Transport,
  unregisterSecret,
} from '../../src/index.js';
import { renderings } from '../helpers/renderings.js';

/**
 * A registered secret echoed back altered: a gateway that upper-cases its error page (`S3CR+T/VAL=UE&X`), lower-cases
 * a header value it quotes, or base64-encodes what it received (a token in a debug blob, a Basic credential). The raw,
 * percent- and form-encoded spellings were masked; these stayed in `err.response.body`, the message and the log.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function credential(): string {
  const s = `S3cr+t/Val=ue&x-${randomUUID().slice(0, 8)}`;
  registerSecret(s);
  cleanups.push(() => unregisterSecret(s));
  return s;
}

function token(value = `TOKEN-${randomUUID().replaceAll('-', '').slice(0, 12)}`): string {
  registerSecret(value, { kind: 'token', ttlInMs: 60_000 });
  cleanups.push(() => unregisterSecret(value));
  return value;
}

/** The ways a server echoes `value` altered, by name. */
function altered(value: string): Record<string, string> {
  return {
    'upper-cased': value.toUpperCase(),
    'lower-cased': value.toLowerCase(),
    base64: b64(value),
    'base64 without padding': b64(value).replace(/=+$/, ''),
    base64url: b64url(value),
    'base64 of id:value (Basic)': b64(`client-id:${value}`),
    'base64 of a JSON blob holding it': b64(JSON.stringify({ at: 'x', token: value })),
  };
}

describe('a registered secret echoed back altered', () => {
  it('is masked in the error and the log line of a failed call (consumer secret and GDX token)', async () => {
    const secret = credential();
    const tok = token();
    const echoes = { ...altered(secret), ...prefixed('token ', altered(tok)) };
    const s: TestServer = await httpServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream said: ${echoes[decodeURIComponent(req.url?.slice(1) ?? '')]} (end)`);
    });
    cleanups.push(() => s.close());
    const { lines, logger } = captureLogger();
    const t = new Transport(
      { baseUrl: s.url, logger, logLevel: 'debug', retry: false },
      { name: '@thgov/t', version: '0' },
    );
    cleanups.push(() => t.close());
    for (const [name, text] of Object.entries(echoes)) {
      const err = await t
        .request({ method: 'GET', path: `/${encodeURIComponent(name)}` })
        .catch((e: unknown) => e);
      const seen = renderings(err, lines);
      expect(seen, name).toContain('upstream said: ');
      expect(seen, name).toContain(' (end)');
      expect(seen, name).not.toContain(text);
      expect((err as { response?: { body?: string } }).response?.body, name).toBe(
        `upstream said: ${REDACTED} (end)`,
      );
    }
  });

  it('a long token in base64 is masked whole, at any byte alignment, padded or not', () => {
    const jwt = token(
      `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${randomBytes(450).toString('base64url')}.${randomBytes(256).toString('base64url')}`,
    );
    for (const prefix of ['', 'a', 'ab', 'Bearer ']) {
      for (const encoded of [b64(prefix + jwt), b64url(prefix + jwt)]) {
        const out = redactText(`debug=${encoded}; next`);
        expect(out, prefix).toBe(`debug=${REDACTED}; next`);
      }
    }
    expect(redactText(`x ${jwt.toUpperCase()} y ${jwt.toLowerCase()} z`)).toBe(
      `x ${REDACTED} y ${REDACTED} z`,
    );
  });

  it('the base64 of a token that straddles a preview cut is masked before the cut', () => {
    const long = token(randomBytes(3000).toString('base64url'));
    const encoded = b64(long);
    expect(redactPreview(`${'x'.repeat(100)} ${encoded} tail`, 2048)).toBe(
      `${'x'.repeat(100)} ${REDACTED} tail`,
    );
    expect(redactPreview(`${'x'.repeat(2000)} ${encoded}`, 2048)).toBe(`${'x'.repeat(2000)} ${REDACTED}`);
  });

  it('masks only the secret: neighbouring words, other base64 and ordinary text stay', () => {
    const tok = token('TOKEN-abcdef123456');
    const other = b64('another value entirely, not registered');
    expect(redactText(`tokB64=${b64(tok)} upper=X lowertok=${tok.toLowerCase()} other=${other}`)).toBe(
      `tokB64=${REDACTED} upper=X lowertok=${REDACTED} other=${other}`,
    );
    expect(redactText('An ordinary TOKEN message with token-abcdef words')).toBe(
      'An ordinary TOKEN message with token-abcdef words',
    );
  });

  it('a short secret (the 6-character minimum) is matched in any case too, and nothing shorter is', () => {
    const short = 'Zq7wPk';
    registerSecret(short);
    cleanups.push(() => unregisterSecret(short));
    expect(redactText('a ZQ7WPK b zq7wpk c')).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactText(`d ${b64(short)} e`)).toBe(`d ${REDACTED} e`);
    registerSecret('Zq7wP');
    cleanups.push(() => unregisterSecret('Zq7wP'));
    expect(redactText('f ZQ7WP g Zq7wP h')).toBe('f ZQ7WP g Zq7wP h');
  });

  it('the altered spellings stay within the token pool budget: 20,000 JWT-sized tokens fit', () => {
    const before = secretRegistryStats().pooledChars;
    const jwt = token(
      `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${randomBytes(450).toString('base64url')}.${randomBytes(256).toString('base64url')}`,
    );
    const perToken = secretRegistryStats().pooledChars - before;
    expect(perToken).toBeGreaterThanOrEqual(jwt.length);
    expect(perToken * secretRegistryStats().maxTokens).toBeLessThanOrEqual(
      secretRegistryStats().maxPooledChars,
    );
  });
});

function prefixed(prefix: string, echoes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(echoes).map(([k, v]) => [prefix + k, v]));
}
