/** Where a headless walk through a provider ended. */
export type BrowserOutcome =
  /** The provider redirected back out of its own origin (to the app's callback or logout target). */
  | { kind: 'redirect'; url: string }
  /**
   * The provider showed an error page instead of redirecting back (e.g. unregistered redirect_uri): in its answer
   * (HTTP 400), or on its own error page after a redirect (DGA, as IdentityServer: HTTP 200).
   */
  | { kind: 'error-page'; status: number; error: string; errorDescription: string }
  /** The provider showed some other page and stopped (e.g. "You are signed out"). */
  | { kind: 'page'; status: number; url: string; html: string };

/** Which test citizen the sandbox login page logs in as, and how (for browser tests). */
export interface LoginStepOptions {
  /** Which test citizen to log in as. */
  citizenId: string;
  /** Press "Cancel" on the login page instead (the app then gets `access_denied`). */
  cancel?: boolean;
}

const MAX_STEPS = 12;

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A tiny scripted browser for the sandbox providers: a cookie jar and manual redirects, enough to drive
 * the login page and the logout confirmation headlessly in tests and demos (no real browser needed).
 * Keep one instance per simulated browser: the provider's session cookie lives in it.
 */
export class SandboxBrowser {
  readonly #cookies = new Map<string, string>();

  /** Follows an authorization URL through the login page until the provider redirects back out. */
  login(authorizationUrl: string | URL, options: LoginStepOptions): Promise<BrowserOutcome> {
    return this.#walk(new URL(authorizationUrl), options);
  }

  /** Follows an end-session URL through the logout confirmation ("Yes, sign me out"). */
  logout(endSessionUrl: string | URL): Promise<BrowserOutcome> {
    return this.#walk(new URL(endSessionUrl), undefined);
  }

  async #walk(start: URL, login: LoginStepOptions | undefined): Promise<BrowserOutcome> {
    const origin = start.origin;
    let next: { url: URL; method: 'GET' | 'POST'; body?: URLSearchParams } = { url: start, method: 'GET' };
    for (let step = 0; step < MAX_STEPS; step++) {
      const res = await fetch(next.url, {
        method: next.method,
        redirect: 'manual',
        headers: {
          cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(next.body ? { body: next.body.toString() } : {}),
      });
      this.#store(res.headers.getSetCookie());
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        if (!location) throw new Error(`redirect without Location from ${next.url.pathname}`);
        const target = new URL(location, next.url);
        if (target.origin !== origin) return { kind: 'redirect', url: target.href };
        next = { url: target, method: 'GET' };
        continue;
      }
      const html = await res.text();
      // An error shown in the answer (HTTP 400), or on an error page the provider redirected to (IdentityServer's
      // /home/error, HTTP 200).
      if (res.status >= 400 || /id="error">/.test(html)) {
        return {
          kind: 'error-page',
          status: res.status,
          error: decodeEntities(/id="error">([^<]*)</.exec(html)?.[1] ?? ''),
          errorDescription: decodeEntities(
            /id="error_description">([^<]*)</.exec(html)?.[1] ?? html.slice(0, 200),
          ),
        };
      }
      const loginForm = /<form method="post" action="([^"]+)\/login" id="login-form">/.exec(html);
      if (loginForm?.[1] && login) {
        const base = decodeEntities(loginForm[1]);
        next = login.cancel
          ? { url: new URL(`${base}/abort`, next.url), method: 'POST', body: new URLSearchParams() }
          : {
              url: new URL(`${base}/login`, next.url),
              method: 'POST',
              body: new URLSearchParams({ citizenId: login.citizenId }),
            };
        continue;
      }
      const logoutForm = /<form[^>]*id="op\.logoutForm"[^>]*>/.exec(html);
      if (logoutForm) {
        const action = /action="([^"]+)"/.exec(logoutForm[0])?.[1];
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
        if (!action || !xsrf) throw new Error('logout form without action or xsrf token');
        next = {
          url: new URL(decodeEntities(action), next.url),
          method: 'POST',
          body: new URLSearchParams({ xsrf: decodeEntities(xsrf), logout: 'yes' }),
        };
        continue;
      }
      return { kind: 'page', status: res.status, url: next.url.href, html };
    }
    throw new Error(`no outcome after ${MAX_STEPS} steps`);
  }

  #store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v] = a.split('=').map((s) => s.trim().toLowerCase());
        if (k === 'max-age') return Number(v) <= 0;
        if (k === 'expires' && v) return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
