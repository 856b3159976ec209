import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type DigitalIdClient, type DigitalIdentity, isDigitalIdError } from '@thgov/digital-id';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { csrfValid, type SessionData, sessionOf, sessions } from './session.js';
import { errorPage, homePage, profilePage } from './views.js';

const SARABUN_DIR = dirname(createRequire(import.meta.url).resolve('@fontsource/sarabun/package.json'));

export interface AppOptions {
  client: DigitalIdClient;
  /** The app's public base URL, e.g. https://eservice.agency.go.th. Callback URLs are rebuilt from it,
   * never from the Host header. */
  baseUrl: string;
  /** Production: Secure cookies (HTTPS only). Default: NODE_ENV === 'production'. */
  production?: boolean;
}

function userFrom(identity: DigitalIdentity): NonNullable<SessionData['user']> {
  const th = identity.names.th;
  const en = identity.names.en;
  return {
    nameTh: [th.title ? `${th.title}${th.given ?? ''}` : th.given, th.family].filter(Boolean).join(' '),
    nameEn: [en.title, en.given, en.family].filter(Boolean).join(' '),
    birthdate: identity.birthdate,
    citizenIdMasked: identity.citizenId
      ? `x-xxxx-xxxxx-${identity.citizenId.slice(9, 11)}-${identity.citizenId.slice(12)}`
      : undefined,
    ial: identity.ial,
  };
}

/**
 * An agency e-service that logs citizens in with ThaID (or DGA Digital ID): login, callback, profile,
 * logout. Tokens stay in the server-side session; the browser only holds an opaque session cookie.
 */
export function createApp(options: AppOptions): Express {
  const { client } = options;
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  // Self-hosted Thai web font (fontsource's CSS and WOFF2 files): legible Thai on any machine, no CDN.
  app.use(
    '/assets/sarabun',
    (req, res, next) =>
      /^\/(\d{3}\.css|files\/[\w-]+\.woff2?)$/.test(req.path) ? next() : res.status(404).end(),
    express.static(SARABUN_DIR, { index: false, maxAge: '1d', fallthrough: false }),
  );
  app.use(sessions({ secure: production }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', (req, res) => {
    res.type('html').send(homePage(req.query.signedOut !== undefined));
  });

  app.get('/login', async (req, res, next) => {
    try {
      const login = await client.createLoginRequest({ data: { returnTo: '/profile' } });
      sessionOf(req).data.loginState = login.state;
      res.redirect(303, login.url);
    } catch (err) {
      next(err);
    }
  });

  app.get('/auth/callback', async (req, res, next) => {
    const session = sessionOf(req);
    const expectedState = session.data.loginState;
    delete session.data.loginState;
    try {
      if (!expectedState) {
        res
          .status(400)
          .type('html')
          .send(errorPage('NO_LOGIN_IN_PROGRESS', 'Start the login from this site.'));
        return;
      }
      const callbackUrl = new URL(req.originalUrl, options.baseUrl);
      const identity = await client.handleCallback(callbackUrl, { expectedState });
      // A new session ID after login: a session fixed by an attacker before login is worthless.
      session.regenerate({
        user: userFrom(identity),
        ...(identity.tokens.idToken ? { idToken: identity.tokens.idToken } : {}),
        accessToken: identity.tokens.accessToken,
        ...(identity.tokens.refreshToken ? { refreshToken: identity.tokens.refreshToken } : {}),
      });
      res.redirect(303, identity.data?.returnTo ?? '/profile');
    } catch (err) {
      next(err);
    }
  });

  app.get('/profile', (req, res) => {
    const session = sessionOf(req).data;
    if (!session.user) {
      res.redirect(303, '/');
      return;
    }
    res.type('html').send(profilePage(session.user, session.csrf));
  });

  app.post('/logout', async (req, res, next) => {
    const session = sessionOf(req);
    if (!csrfValid(session.data, (req.body as Record<string, unknown> | undefined)?.csrf)) {
      res.status(403).type('text').send('Invalid CSRF token');
      return;
    }
    const { idToken, refreshToken } = session.data;
    session.destroy();
    try {
      // Best effort: the refresh token dies with the session even if the provider logout is skipped.
      if (refreshToken)
        await client.revoke(refreshToken, { tokenTypeHint: 'refresh_token' }).catch(() => undefined);
      const url = await client.logoutUrl(idToken ? { idToken } : {});
      res.redirect(303, url);
    } catch (err) {
      if (isDigitalIdError(err) && err.code === 'ERR_DIGITAL_ID_UNSUPPORTED') {
        res.redirect(303, '/?signedOut');
        return;
      }
      next(err);
    }
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // Only the code and hint reach the page; the error itself is already redacted for logs.
    const code =
      typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'ERR_INTERNAL';
    const hint = isDigitalIdError(err) ? err.hint : undefined;
    res
      .status(code.startsWith('ERR_DIGITAL_ID_') ? 400 : 500)
      .type('html')
      .send(errorPage(code, hint));
  });
  return app;
}
