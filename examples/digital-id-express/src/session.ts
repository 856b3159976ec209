import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { SessionStore } from './session-store.js';

/**
 * A session store shared by several instances of the app (`PostgresSessionStore`): the same operations as
 * `SessionStore`, asynchronous, plus `update` (a shared store holds copies, not the objects routes change).
 */
export interface SharedSessionStore<T> {
  readonly ttlInMs: number;
  create(data: T): Promise<string>;
  get(id: string): Promise<T | undefined>;
  update(id: string, data: T): Promise<void>;
  delete(id: string): Promise<void>;
}

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
  store: SessionStore<SessionData> | SharedSessionStore<SessionData>;
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
  /** Creates a session (at login) or updates the current one with `data`; stored before it resolves. */
  start(data: Omit<SessionData, 'csrf'>): Promise<SessionData>;
  /** Stores changes made to `data` (before a redirect: the next request may reach another instance). */
  save(): Promise<void>;
  /** Replaces the session ID (after login: no session fixation) with fresh data. */
  regenerate(data: Omit<SessionData, 'csrf'>): Promise<void>;
  destroy(): Promise<void>;
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

  async function load(req: Request, res: Response): Promise<SessionHandle> {
    const cookieId = readCookie(req.headers.cookie, name);
    let data = cookieId ? await store.get(cookieId) : undefined;
    let id = data ? cookieId : undefined;
    const create = async (fields: Omit<SessionData, 'csrf'>): Promise<SessionData> => {
      const fresh: SessionData = { ...fields, csrf: randomBytes(24).toString('base64url') };
      id = await store.create(fresh);
      data = fresh;
      res.append('Set-Cookie', cookie(id, store.ttlInMs));
      return fresh;
    };
    const save = async () => {
      // The in-memory store holds the very object routes change; a shared one needs the copy written.
      if (id && data && 'update' in store) await store.update(id, data);
    };
    return {
      get data() {
        return data;
      },
      async start(fields) {
        if (!data) return create(fields);
        Object.assign(data, fields);
        await save();
        return data;
      },
      save,
      async regenerate(fields) {
        if (id) await store.delete(id);
        await create(fields);
      },
      async destroy() {
        if (id) await store.delete(id);
        id = undefined;
        data = undefined;
        res.append('Set-Cookie', cookie('', 0));
      },
    };
  }

  return function sessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    load(req, res).then((handle) => {
      handles.set(req, handle);
      next();
    }, next);
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
