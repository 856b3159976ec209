import { inspect } from 'node:util';
import { captureLogger, httpServer } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';

describe('an OAuth error_description quoting the holder', () => {
  it('has the names masked in ERR_DIGITAL_ID_INVALID_GRANT and the logs', async () => {
    let issuer = '';
    const server = await httpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/.well-known/openid-configuration'))
        return res.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          }),
        );
      if (req.url?.startsWith('/token')) {
        res.statusCode = 400;
        const description = 'refresh token of นายสมชาย ใจดี (Mr. Somchai Jaidee) was revoked';
        return res.end(JSON.stringify({ error: 'invalid_grant', error_description: description }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    issuer = server.url.replace(/\/$/, '');
    const { logger, lines } = captureLogger();
    const client = new DigitalIdClient({
      provider: 'generic',
      issuer,
      clientId: 'names-client',
      clientSecret: 'names-client-secret-123',
      redirectUri: 'http://127.0.0.1/cb',
      dangerouslyAllowInsecureHttp: true,
      logger,
      logLevel: 'debug',
    } as ConstructorParameters<typeof DigitalIdClient>[0]);
    try {
      const err = (await client.refresh('rt-names-refresh-token-0001').catch((e: unknown) => e)) as Error & {
        code: string;
      };
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
      expect(err.message).toContain('refresh token of [NAME] ([NAME]) was revoked');
      const seen = [
        err.message,
        JSON.stringify(err),
        inspect(err, { depth: 10 }),
        String(err.stack),
        JSON.stringify(lines),
      ].join('\n');
      expect(seen).not.toMatch(/Somchai|Jaidee|สมชาย|ใจดี/);
    } finally {
      await client.close?.();
      await server.close();
    }
  });
});
