import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { SessionStore } from './session-store.js';

/** What the app keeps per browser, server side. Provider tokens live here and never go to the browser. */
export interface SessionData {
  /** Anti-CSRF token for the app's own POST forms (synchronizer token). */
  csrf: string;
  /** The `state` of a login in progress, bound to this browser (login-CSRF defence). */
  loginState?: string;
  user?: {
    nameTh: string;
    nameEn: string;
    birthdate: string | undefined;
    /** Masked for display: only the last four digits. */
    citizenIdMasked: string | undefined;
    ial: string | undefined;
  };
  idToken?: string;
  accessToken?: string;
  refreshToken?: string;
}

/** Options of the `sessions()` middleware. */
export interface SessionOptions {
  store: SessionStore<SessionData>;
  /**
   * Secure cookie (sent over HTTPS only), with the `__Host-` prefix (no Domain, Path=/, Secure: a sibling
   * subdomain cannot plant or read it). Follows the site's public scheme, not NODE_ENV.
   */
  secure: boolean;
  cookieName?: string;
}

/** What a route sees of the session (`sessionOf(req)`). */
export interface SessionHandle {
  /** This browser's session, or undefined: a request without a valid session cookie gets none. */
  readonly data: SessionData | undefined;
  /** Creates a session (at login) or updates the current one with `data`. */
  start(data: Omit<SessionData, 'csrf'>): SessionData;
  /** Replaces the session ID (after login: no session fixation) with fresh data. */
  regenerate(data: Omit<SessionData, 'csrf'>): void;
  destroy(): void;
}

const handles = new WeakMap<Request, SessionHandle>();

/** The session of a request that went through the `sessions()` middleware. */
export function sessionOf(req: Request): SessionHandle {
  const h = handles.get(req);
  if (!h) throw new Error('sessions() middleware is not installed');
  return h;
}

/**
 * A minimal server-side session: an opaque random ID in an HttpOnly, SameSite=Lax cookie, data in a bounded
 * store. Nothing is created for a request that does not log in: a crawler or a flood of cookie-less requests
 * costs no memory. Real deployments use a shared store; the cookie rules stay.
 */
export function sessions(options: SessionOptions) {
  const { store } = options;
  const name = options.cookieName ?? (options.secure ? '__Host-sid' : 'sid');

  function cookie(id: string, maxAgeInMs: number): string {
    return [
      `${name}=${id}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      `Max-Age=${Math.floor(maxAgeInMs / 1000)}`,
      ...(options.secure ? ['Secure'] : []),
    ].join('; ');
  }

  return function sessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    const cookieId = readCookie(req.headers.cookie, name);
    let id = cookieId && store.get(cookieId) ? cookieId : undefined;
    const create = (data: Omit<SessionData, 'csrf'>): SessionData => {
      const fresh: SessionData = { ...data, csrf: randomBytes(24).toString('base64url') };
      id = store.create(fresh);
      res.append('Set-Cookie', cookie(id, store.ttlInMs));
      return fresh;
    };
    const handle: SessionHandle = {
      get data() {
        return id ? store.get(id) : undefined;
      },
      start(data) {
        const current = id ? store.get(id) : undefined;
        return current ? Object.assign(current, data) : create(data);
      },
      regenerate(data) {
        if (id) store.delete(id);
        create(data);
      },
      destroy() {
        if (id) store.delete(id);
        id = undefined;
        res.append('Set-Cookie', cookie('', 0));
      },
    };
    handles.set(req, handle);
    next();
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfValid(session: SessionData | undefined, submitted: unknown): boolean {
  if (!session || typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
