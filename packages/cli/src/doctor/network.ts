import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import {
  checkServerIdentity,
  type DetailedPeerCertificate,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { TlsOptions } from '@thgov/core';
import { envProxyFor } from '@thgov/core/internal';

/** How doctor reaches one platform endpoint: the same URL, proxy and TLS settings its client uses. */
export interface Endpoint {
  url: URL;
  /** Resolved proxy URL (after `env`), or undefined for a direct connection. */
  proxy: URL | undefined;
  /** Where the proxy came from, for fixes: `transport.proxy`, or the variable (`https_proxy`, `HTTP_PROXY`…). */
  proxySource?: string;
  tls: TlsOptions | undefined;
  connectTimeoutInMs: number;
}

/** What went wrong on the way to the proxy (not to the platform behind it), for the explanation. */
export interface ProxyFailure {
  /** `host:port` of the proxy, never its credentials. */
  proxy: string;
  /** The proxy URL carried a user name or password (sent as Basic Proxy-Authorization). */
  credentialsSent: boolean;
  /** For a 407: the schemes of its Proxy-Authenticate headers (Basic, Negotiate, NTLM…). */
  schemes?: string[];
}

/**
 * A socket-level failure of a probe, with Node's code (ECONNREFUSED, ETIMEDOUT, …), ERR_PROXY_CONNECT or
 * ERR_PROXY_AUTH; `proxy` is set when the proxy itself failed (down, silent, refusing), not the platform.
 */
export class NetworkProbeError extends Error {
  readonly code: string;
  readonly proxy: ProxyFailure | undefined;
  constructor(code: string, message: string, proxy?: ProxyFailure) {
    super(message);
    this.name = 'NetworkProbeError';
    this.code = code;
    this.proxy = proxy;
  }
}

/** A proxy setting that is no proxy URL (`proxy.agency.go.th:3128` without its scheme, as curl accepts). */
export class ProxySettingError extends Error {
  readonly code = 'ERR_INVALID_ARG';
  /** `transport.proxy` or the environment variable that holds the value. */
  readonly source: string;
  constructor(source: string) {
    // The value is not quoted: it may carry a password.
    super(
      `${source} is not an http:// or https:// proxy URL with a host name; its value is not shown (it may hold a password)`,
    );
    this.name = 'ProxySettingError';
    this.source = source;
  }
}

/** The URL's port, or 443/80 for its scheme. */
export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** A proxy as `host:port`, never with its user name or password. */
export function proxyName(proxy: URL): string {
  return `${proxy.hostname}:${defaultPort(proxy)}`;
}

/** The URL's host name without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * The proxy a client would use for `url`: an explicit URL, or for `env` the one its dispatcher picks (core's
 * rules: lower-case variables first, NO_PROXY names, ports, addresses and CIDR ranges, loopback always direct).
 */
export function resolveProxy(proxy: string | undefined, url: URL, env = process.env): URL | undefined {
  return proxyFor(proxy, url, env).proxy;
}

/** The variable core's `env` dispatcher reads the proxy for `url` from: lower case first, https falls back to http. */
function proxyVariable(url: URL, env: NodeJS.ProcessEnv): string {
  const set = (name: string) => (env[name] ?? '') !== '';
  const http = env.http_proxy !== undefined ? 'http_proxy' : 'HTTP_PROXY';
  if (url.protocol !== 'https:') return http;
  if (env.https_proxy !== undefined ? set('https_proxy') : set('HTTPS_PROXY'))
    return env.https_proxy !== undefined ? 'https_proxy' : 'HTTPS_PROXY';
  return http;
}

/**
 * `resolveProxy` with where the proxy came from. A value that is not an http(s) URL with a host is an error naming
 * its source, as core's dispatcher refuses it: `new URL('proxy:3128')` parses, as a scheme without a host, and a
 * probe would go to port 80 of this machine instead.
 */
export function proxyFor(
  proxy: string | undefined,
  url: URL,
  env = process.env,
): { proxy: URL | undefined; source: string | undefined } {
  if (!proxy) return { proxy: undefined, source: undefined };
  const source = proxy === 'env' ? proxyVariable(url, env) : 'transport.proxy';
  const value = proxy === 'env' ? envProxyFor(url, env) : proxy;
  if (!value) return { proxy: undefined, source: undefined };
  const parsed = URL.canParse(value) ? new URL(value) : undefined;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname)
    throw new ProxySettingError(source);
  return { proxy: parsed, source };
}

/** The addresses a name resolves to (an IP address resolves to itself). */
export async function resolveName(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  const all = await lookup(host, { all: true });
  return all.map((a) => a.address);
}

function onceConnected(
  socket: Socket,
  timeoutInMs: number,
  signal: AbortSignal,
  target: string,
  proxy?: ProxyFailure,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new NetworkProbeError(
          'ETIMEDOUT',
          `connecting to ${target} took longer than ${timeoutInMs} ms`,
          proxy,
        ),
      );
    }, timeoutInMs);
    const abort = () => {
      socket.destroy();
      reject(
        signal.reason instanceof Error ? signal.reason : new NetworkProbeError('ERR_ABORTED', 'aborted'),
      );
    };
    signal.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      reject(
        new NetworkProbeError(
          err.code ?? 'ERR_NETWORK',
          `cannot connect to ${target}: ${err.code ?? err.message}`,
          proxy,
        ),
      );
    });
  });
}

/** The auth schemes of the Proxy-Authenticate headers of a CONNECT answer (tokens only: no server prose). */
function authSchemes(head: string): string[] {
  const schemes = [...head.matchAll(/^proxy-authenticate:[ \t]*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/gim)].map(
    (m) => m[1] as string,
  );
  return [...new Set(schemes)].slice(0, 5);
}

/** The proxy's refusal of CONNECT: 407 is about credentials, anything else about the tunnel itself. */
function connectRefused(head: string, status: string | undefined, target: string, p: ProxyFailure) {
  if (status === '407') {
    const schemes = authSchemes(head);
    const asks = schemes.length ? `; it asks for ${schemes.join(', ')} authentication` : '';
    return new NetworkProbeError(
      'ERR_PROXY_AUTH',
      `the proxy ${p.proxy} refused CONNECT ${target} (HTTP 407 Proxy Authentication Required${asks})`,
      { ...p, schemes },
    );
  }
  return new NetworkProbeError(
    'ERR_PROXY_CONNECT',
    `the proxy ${p.proxy} refused CONNECT ${target} (HTTP ${status ?? '?'})`,
    p,
  );
}

/** Reads the proxy's answer to CONNECT up to the blank line; anything but 2xx is an error. */
function readConnectResponse(
  socket: Socket,
  timeoutInMs: number,
  target: string,
  p: ProxyFailure,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(
        new NetworkProbeError(
          'ETIMEDOUT',
          `the proxy ${p.proxy} did not answer CONNECT ${target} within ${timeoutInMs} ms`,
          p,
        ),
      );
    }, timeoutInMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length > 16 * 1024)
          fail(new NetworkProbeError('ERR_PROXY', `the proxy ${p.proxy} answer to CONNECT is too large`, p));
        return;
      }
      cleanup();
      const head = buf.subarray(0, end).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      if (status?.startsWith('2')) {
        const rest = buf.subarray(end + 4);
        if (rest.length) socket.unshift(rest);
        resolve();
      } else {
        socket.destroy();
        reject(connectRefused(head, status, target, p));
      }
    };
    const onError = (err: NodeJS.ErrnoException) =>
      fail(
        new NetworkProbeError(
          err.code ?? 'ERR_NETWORK',
          `connection to the proxy ${p.proxy} failed: ${err.code ?? err.message}`,
          p,
        ),
      );
    const onClose = () =>
      fail(
        new NetworkProbeError(
          'ECONNRESET',
          `the proxy ${p.proxy} closed the connection during CONNECT ${target}`,
          p,
        ),
      );
    const fail = (e: Error) => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** A TCP connection to the endpoint, directly or as a CONNECT tunnel through the proxy. */
export async function openTcp(ep: Endpoint, signal: AbortSignal): Promise<Socket> {
  const host = hostOf(ep.url);
  const port = defaultPort(ep.url);
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!ep.proxy) {
    const socket = netConnect({ host, port });
    await onceConnected(socket, ep.connectTimeoutInMs, signal, target);
    return socket;
  }
  const proxyHost = hostOf(ep.proxy);
  const credentialsSent = ep.proxy.username !== '' || ep.proxy.password !== '';
  const p: ProxyFailure = { proxy: proxyName(ep.proxy), credentialsSent };
  const socket = netConnect({ host: proxyHost, port: defaultPort(ep.proxy) });
  await onceConnected(socket, ep.connectTimeoutInMs, signal, `the proxy ${p.proxy}`, p);
  const auth = credentialsSent
    ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(ep.proxy.username)}:${decodeURIComponent(ep.proxy.password)}`).toString('base64')}\r\n`
    : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  await readConnectResponse(socket, ep.connectTimeoutInMs, target, p);
  return socket;
}

/** What a TLS handshake found: verification results are data, not exceptions. */
export interface TlsFacts {
  authorized: boolean;
  authorizationError: string | undefined;
  hostnameError: string | undefined;
  protocol: string | null;
  chain: Array<{ subject: string; issuer: string; validTo: Date; daysLeft: number }>;
  socket: TLSSocket;
}

function cn(name: Record<string, string | string[] | undefined> | undefined): string {
  const v = name?.CN ?? name?.O;
  return Array.isArray(v) ? (v[0] ?? '?') : (v ?? '?');
}

/** TLS handshake over `socket` with the client's settings; verification results are returned, not thrown. */
export function handshake(socket: Socket, ep: Endpoint, signal: AbortSignal): Promise<TlsFacts> {
  const servername = ep.tls?.servername ?? (isIP(hostOf(ep.url)) ? undefined : hostOf(ep.url));
  return new Promise((resolve, reject) => {
    const t = tlsConnect({
      socket,
      ...(servername ? { servername } : {}),
      ca: ep.tls?.ca,
      cert: ep.tls?.cert,
      key: ep.tls?.key,
      pfx: ep.tls?.pfx,
      passphrase: ep.tls?.passphrase,
      // Verification is inspected below so the report can say what exactly is wrong.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      t.destroy();
      reject(
        new NetworkProbeError('ETIMEDOUT', `the TLS handshake did not finish in ${ep.connectTimeoutInMs} ms`),
      );
    }, ep.connectTimeoutInMs);
    const abort = () => {
      clearTimeout(timer);
      t.destroy();
      reject(
        signal.reason instanceof Error ? signal.reason : new NetworkProbeError('ERR_ABORTED', 'aborted'),
      );
    };
    signal.addEventListener('abort', abort, { once: true });
    t.once('secureConnect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      const peer = t.getPeerCertificate(true) as DetailedPeerCertificate;
      const chain: TlsFacts['chain'] = [];
      const seen = new Set<string>();
      let c: DetailedPeerCertificate | undefined = peer && Object.keys(peer).length ? peer : undefined;
      while (c && !seen.has(c.fingerprint256) && chain.length < 10) {
        seen.add(c.fingerprint256);
        const validTo = new Date(c.valid_to);
        chain.push({
          subject: cn(c.subject as unknown as Record<string, string>),
          issuer: cn(c.issuer as unknown as Record<string, string>),
          validTo,
          daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
        });
        c = c.issuerCertificate;
      }
      // The name the certificate must carry: the configured servername, else the URL's host (an IP address is
      // checked against the certificate's IP entries).
      const identity = ep.tls?.servername ?? hostOf(ep.url);
      const hostErr = peer && Object.keys(peer).length ? checkServerIdentity(identity, peer) : undefined;
      resolve({
        authorized: t.authorized,
        authorizationError: t.authorizationError ? String(t.authorizationError) : undefined,
        hostnameError: hostErr?.message,
        protocol: t.getProtocol(),
        chain,
        socket: t,
      });
    });
    t.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      reject(
        new NetworkProbeError(
          err.code ?? 'ERR_TLS',
          `TLS handshake failed: ${err.code ?? ''} ${err.message}`.trim(),
        ),
      );
    });
  });
}

/** One HEAD request over an open connection; returns the server's Date and the local time it corresponds to. */
export function serverDate(
  socket: Socket,
  url: URL,
  signal: AbortSignal,
): Promise<{ status: number; serverDate: Date | undefined; localMidpoint: number }> {
  return new Promise((resolve, reject) => {
    const sent = Date.now();
    const req = httpRequest(
      {
        method: 'HEAD',
        host: url.hostname,
        port: defaultPort(url),
        path: url.pathname || '/',
        headers: { host: url.host, 'user-agent': 'thgov-doctor', connection: 'close' },
        createConnection: () => socket,
        signal,
      },
      (res) => {
        const received = Date.now();
        res.resume();
        const d = res.headers.date ? new Date(res.headers.date) : undefined;
        resolve({
          status: res.statusCode ?? 0,
          serverDate: d && !Number.isNaN(d.getTime()) ? d : undefined,
          localMidpoint: Math.round((sent + received) / 2),
        });
        socket.destroy();
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(
        new NetworkProbeError(err.code ?? 'ERR_NETWORK', `HTTP request failed: ${err.code ?? err.message}`),
      );
    });
    req.end();
  });
}
