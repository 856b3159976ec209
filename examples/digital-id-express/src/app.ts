import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type DigitalIdClient, type DigitalIdentity, isDigitalIdError } from '@thgov/digital-id';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { csrfValid, type SessionData, sessionOf, sessions } from './session.js';
import { SessionStore } from './session-store.js';
import { errorPage, homePage, profilePage } from './views.js';

const SARABUN_DIR = dirname(createRequire(import.meta.url).resolve('@fontsource/sarabun/package.json'));

/** Options of `createApp`. */
export interface AppOptions {
  client: DigitalIdClient;
  /**
   * The app's public base URL, as users' browsers see it, e.g. https://eservice.agency.go.th. Callback URLs are
   * rebuilt from it, never from the Host header, and its scheme decides the cookie: https gives a `Secure`,
   * `__Host-` prefixed session cookie. Behind a proxy that terminates TLS this is still the https URL, so the
   * cookie is Secure although the app itself is reached over http.
   */
  baseUrl: string;
  /** Where sessions live (default: a `SessionStore` with its default cap and lifetime). */
  sessionStore?: SessionStore<SessionData>;
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

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  next();
}

function callback(client: DigitalIdClient, baseUrl: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = sessionOf(req);
    const expectedState = session.data?.loginState;
    if (session.data) delete session.data.loginState;
    try {
      if (!expectedState) {
        res
          .status(400)
          .type('html')
          .send(errorPage('NO_LOGIN_IN_PROGRESS', 'Start the login from this site.'));
        return;
      }
      const identity = await client.handleCallback(new URL(req.originalUrl, baseUrl), { expectedState });
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
  };
}

function logout(client: DigitalIdClient) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = sessionOf(req);
    if (!csrfValid(session.data, (req.body as Record<string, unknown> | undefined)?.csrf)) {
      res.status(403).type('text').send('Invalid CSRF token');
      return;
    }
    const { idToken, refreshToken } = session.data ?? {};
    session.destroy();
    try {
      // Best effort: the refresh token dies with the session even if the provider logout is skipped.
      if (refreshToken)
        await client.revoke(refreshToken, { tokenTypeHint: 'refresh_token' }).catch(() => undefined);
      res.redirect(303, await client.logoutUrl(idToken ? { idToken } : {}));
    } catch (err) {
      if (isDigitalIdError(err) && err.code === 'ERR_DIGITAL_ID_UNSUPPORTED') {
        res.redirect(303, '/?signedOut');
        return;
      }
      next(err);
    }
  };
}

function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  // Only the code and hint reach the page; the error itself is already redacted for logs.
  const code =
    typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'ERR_INTERNAL';
  const hint = isDigitalIdError(err) ? err.hint : undefined;
  res
    .status(code.startsWith('ERR_DIGITAL_ID_') ? 400 : 500)
    .type('html')
    .send(errorPage(code, hint));
}

/**
 * An agency e-service that logs citizens in with ThaID (or DGA Digital ID): login, callback, profile,
 * logout. Tokens stay in the server-side session; the browser only holds an opaque session cookie.
 */
export function createApp(options: AppOptions): Express {
  const { client } = options;
  // The site's scheme, not NODE_ENV: an https site without NODE_ENV=production still needs Secure cookies, and
  // a plain-http development site with NODE_ENV=production would otherwise get cookies no browser sends back.
  const secure = new URL(options.baseUrl).protocol === 'https:';
  const store = options.sessionStore ?? new SessionStore<SessionData>();
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  // Self-hosted Thai web font (fontsource's CSS and WOFF2 files): legible Thai on any machine, no CDN.
  app.use(
    '/assets/sarabun',
    (req, res, next) =>
      /^\/(\d{3}\.css|files\/[\w-]+\.woff2?)$/.test(req.path) ? next() : res.status(404).end(),
    express.static(SARABUN_DIR, { index: false, maxAge: '1d', fallthrough: false }),
  );
  app.use(sessions({ store, secure }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', (req, res) => {
    res.type('html').send(homePage(req.query.signedOut !== undefined));
  });
  app.get('/login', async (req, res, next) => {
    try {
      const login = await client.createLoginRequest({ data: { returnTo: '/profile' } });
      // The only place a session is created: a login starts here.
      sessionOf(req).start({ loginState: login.state });
      res.redirect(303, login.url);
    } catch (err) {
      next(err);
    }
  });
  app.get('/auth/callback', callback(client, options.baseUrl));
  app.get('/profile', (req, res) => {
    const session = sessionOf(req).data;
    if (!session?.user) {
      res.redirect(303, '/');
      return;
    }
    res.type('html').send(profilePage(session.user, session.csrf));
  });
  app.post('/logout', logout(client));
  app.use(errorHandler);
  return app;
}
