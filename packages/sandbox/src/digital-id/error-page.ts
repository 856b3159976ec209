import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderContext } from 'oidc-provider';
import { escapeHtml, page } from './html.js';

/** Errors kept for their page at once; the oldest go first (a page is read once, right after its redirect). */
const MAX_KEPT = 256;

/** The HTML of a provider's error page: the error and its description, in elements a test browser can find. */
export function errorPageHtml(title: string, out: { error?: string; error_description?: string }): string {
  return page(
    `${title}: error`,
    `<h1>Login error</h1>
<p>error: <code id="error">${escapeHtml(out.error ?? '')}</code></p>
<p>description: <code id="error_description">${escapeHtml(out.error_description ?? '')}</code></p>`,
  );
}

/**
 * IdentityServer's error page. An error the provider cannot send back to the client (an unknown client, an
 * unregistered redirect URI) is not shown in the authorization request's own answer: the browser is redirected
 * to the provider's error page, `/home/error?errorId=…`, which shows it with HTTP 200. The sandbox's DGA
 * provider does the same; ThaID's shows the error in the answer itself (HTTP 400).
 */
export class ErrorPages {
  readonly #kept = new Map<string, { error?: string; error_description?: string }>();

  constructor(
    readonly path: string,
    private readonly title: string,
  ) {}

  /** Keeps the error and answers the request with a redirect to the page that shows it. */
  redirect(ctx: ProviderContext, out: Record<string, string>): void {
    const id = randomBytes(16).toString('base64url');
    this.#kept.set(id, { error: out.error, error_description: out.error_description });
    while (this.#kept.size > MAX_KEPT) {
      const oldest = this.#kept.keys().next().value;
      if (oldest === undefined) break;
      this.#kept.delete(oldest);
    }
    ctx.status = 302;
    ctx.set('location', `${this.path}?errorId=${id}`);
    ctx.type = 'html';
    ctx.body = '';
  }

  /** Serves the error page when `pathname` is its path (true), else leaves the request alone (false). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname !== this.path || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const id = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('errorId') ?? '';
    const out = this.#kept.get(id);
    // An errorId never issued (or long gone) shows the page without any detail, as IdentityServer does.
    const html = out
      ? errorPageHtml(this.title, out)
      : page(`${this.title}: error`, '<h1>Sorry, there was an error</h1>');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : html);
    return true;
  }
}
