import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

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

export interface SessionOptions {
  cookieName?: string;
  /** Secure cookie (HTTPS only). True in production. */
  secure: boolean;
  ttlInMs?: number;
}

export interface SessionHandle {
  data: SessionData;
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

interface Entry {
  data: SessionData;
  expiresAt: number;
}

/**
 * A minimal server-side session: an opaque random ID in an HttpOnly, SameSite=Lax cookie (Secure in
 * production), data in process memory. Real deployments use a shared store; the cookie rules stay.
 */
export function sessions(options: SessionOptions) {
  const name = options.cookieName ?? (options.secure ? '__Host-sid' : 'sid');
  const ttl = options.ttlInMs ?? 30 * 60_000;
  const store = new Map<string, Entry>();

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

  function create(res: Response, data: Omit<SessionData, 'csrf'>): { id: string; data: SessionData } {
    const id = randomBytes(32).toString('base64url');
    const session: SessionData = { ...data, csrf: randomBytes(24).toString('base64url') };
    store.set(id, { data: session, expiresAt: Date.now() + ttl });
    res.append('Set-Cookie', cookie(id, ttl));
    return { id, data: session };
  }

  return function sessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    const now = Date.now();
    for (const [k, v] of store) if (v.expiresAt <= now) store.delete(k);
    const id = readCookie(req.headers.cookie, name);
    let current = id ? store.get(id) : undefined;
    let currentId = current ? id : undefined;
    if (!current) {
      const made = create(res, {});
      currentId = made.id;
      current = store.get(made.id)!;
    }
    current.expiresAt = now + ttl;
    const handle: SessionHandle = {
      data: current.data,
      regenerate(data) {
        if (currentId) store.delete(currentId);
        const made = create(res, data);
        currentId = made.id;
        handle.data = made.data;
      },
      destroy() {
        if (currentId) store.delete(currentId);
        currentId = undefined;
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
export function csrfValid(session: SessionData, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
