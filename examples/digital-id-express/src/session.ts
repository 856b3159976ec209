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

/** A session as stored: its data and when it ends (epoch ms). */
export interface SessionEntry {
  data: SessionData;
  expiresAt: number;
}

/**
 * Where sessions live. In process memory by default (one instance); several instances behind a load
 * balancer share one store (see `PostgresSessionStore`), or a login started on one ends on another
 * without its session.
 */
export interface SessionStore {
  get(id: string): Promise<SessionEntry | undefined>;
  set(id: string, entry: SessionEntry): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Sessions in process memory, swept of expired entries at most once a second. */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, SessionEntry>();
  #lastSweep = 0;

  async get(id: string): Promise<SessionEntry | undefined> {
    const now = Date.now();
    if (now - this.#lastSweep > 1000) {
      this.#lastSweep = now;
      for (const [k, v] of this.#entries) if (v.expiresAt <= now) this.#entries.delete(k);
    }
    const e = this.#entries.get(id);
    return e && e.expiresAt > now ? e : undefined;
  }

  async set(id: string, entry: SessionEntry): Promise<void> {
    this.#entries.set(id, entry);
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id);
  }
}

export interface SessionOptions {
  cookieName?: string;
  /** Secure cookie (HTTPS only). True in production. */
  secure: boolean;
  ttlInMs?: number;
  /** Default: a `MemorySessionStore` of this app instance. */
  store?: SessionStore;
}

export interface SessionHandle {
  data: SessionData;
  /** Writes changes of `data` to the store (before a redirect: the next request may reach another instance). */
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
 * A minimal server-side session: an opaque random ID in an HttpOnly, SameSite=Lax cookie (Secure in
 * production), data in a `SessionStore`. Changes are written by `save()`, `regenerate()` and `destroy()`.
 */
export function sessions(options: SessionOptions) {
  const name = options.cookieName ?? (options.secure ? '__Host-sid' : 'sid');
  const ttl = options.ttlInMs ?? 30 * 60_000;
  const store = options.store ?? new MemorySessionStore();

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

  async function create(
    res: Response,
    data: Omit<SessionData, 'csrf'>,
  ): Promise<{ id: string; data: SessionData }> {
    const id = randomBytes(32).toString('base64url');
    const session: SessionData = { ...data, csrf: randomBytes(24).toString('base64url') };
    await store.set(id, { data: session, expiresAt: Date.now() + ttl });
    res.append('Set-Cookie', cookie(id, ttl));
    return { id, data: session };
  }

  async function load(req: Request, res: Response): Promise<SessionHandle> {
    const id = readCookie(req.headers.cookie, name);
    const found = id ? await store.get(id) : undefined;
    let current = found && id ? { id, data: found.data } : await create(res, {});
    // Sliding expiry, written at most every half period rather than on every request.
    if (found && id && found.expiresAt - Date.now() < ttl / 2)
      await store.set(id, { data: found.data, expiresAt: Date.now() + ttl });
    let live = true;
    const handle: SessionHandle = {
      data: current.data,
      async save() {
        if (live) await store.set(current.id, { data: handle.data, expiresAt: Date.now() + ttl });
      },
      async regenerate(data) {
        await store.delete(current.id);
        current = await create(res, data);
        live = true;
        handle.data = current.data;
      },
      async destroy() {
        await store.delete(current.id);
        live = false;
        res.append('Set-Cookie', cookie('', 0));
      },
    };
    return handle;
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
export function csrfValid(session: SessionData, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
