import { isHttpError, type RawResponse, type TlsOptions, Transport } from '@thgov/core';
import { CLI_VERSION } from '../version.js';

const PACKAGE = { name: '@thgov/cli', version: CLI_VERSION };

/** The final response of a probe, whatever its status. */
export interface ProbeResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The connection settings a probe shares with the platform's client. */
export interface ProbeTransport {
  proxy?: string;
  /** The platform's retry settings: a passing probe should not hinge on one 503. */
  retry?: false | { maxRetries?: number; baseDelayInMs?: number; maxDelayInMs?: number };
  tls?: TlsOptions;
  timeouts?: { connectInMs?: number; headersInMs?: number; bodyInMs?: number; totalInMs?: number };
}

/**
 * One HTTP exchange through core's transport (same proxy, TLS, timeouts and retries on 5xx/429/network
 * errors as the clients), returning the final response whatever its status: doctor wants to see a 400 or
 * 401, not an error.
 */
export async function probe(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; form?: Record<string, string> },
  t: ProbeTransport,
  signal: AbortSignal,
): Promise<ProbeResponse> {
  const u = new URL(url);
  const transport = new Transport(
    {
      baseUrl: u.origin,
      retry: t.retry ?? { maxRetries: 2, baseDelayInMs: 200, maxDelayInMs: 2000, budget: false },
      maxResponseBytes: 1024 * 1024,
      ...(t.proxy ? { proxy: t.proxy } : {}),
      ...(t.tls ? { tls: t.tls } : {}),
      ...(t.timeouts ? { timeouts: t.timeouts } : {}),
    },
    PACKAGE,
  );
  let raw: RawResponse | undefined;
  try {
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const res = await transport.request<string>(
      {
        method: init.method ?? 'GET',
        path: u.pathname,
        query,
        headers: init.headers,
        ...(init.form ? { body: { form: init.form } } : {}),
        responseType: 'text',
        idempotent: true,
        classify: (r) => {
          raw = r;
          return undefined;
        },
        operation: 'doctor.probe',
      },
      { abortSignal: signal },
    );
    return { status: res.statusCode, headers: res.headers, text: res.body };
  } catch (err) {
    if (isHttpError(err) && raw) return { status: raw.statusCode, headers: raw.headers, text: raw.text() };
    throw err;
  } finally {
    await transport.close();
  }
}

/**
 * The title of an HTML page that answered instead of an API (a captive portal, a proxy's login or block page, a
 * web server at the wrong URL), or undefined when the answer is no HTML page. An untitled page is `''`.
 */
export function htmlPage(res: ProbeResponse): string | undefined {
  const type = Object.entries(res.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const start = res.text.trimStart().slice(0, 64).toLowerCase();
  const html = /^text\/html|^application\/xhtml/i.test(type) || /^<(!doctype html|html)[\s>]/.test(start);
  if (!html) return undefined;
  const title = /<title[^>]*>([^<]{0,200})/i.exec(res.text)?.[1] ?? '';
  return title.replace(/\s+/g, ' ').trim().slice(0, 80);
}
