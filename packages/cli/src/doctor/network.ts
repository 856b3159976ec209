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
  tls: TlsOptions | undefined;
  connectTimeoutInMs: number;
}

/** A socket-level failure of a probe, with Node's code (ECONNREFUSED, ETIMEDOUT, …) or ERR_PROXY_CONNECT. */
export class NetworkProbeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'NetworkProbeError';
    this.code = code;
  }
}

/** The URL's port, or 443/80 for its scheme. */
export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
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
  if (!proxy) return undefined;
  if (proxy !== 'env') return new URL(proxy);
  const value = envProxyFor(url, env);
  return value ? new URL(value) : undefined;
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
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new NetworkProbeError('ETIMEDOUT', `connecting to ${target} took longer than ${timeoutInMs} ms`),
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
        ),
      );
    });
  });
}

/** Reads the proxy's answer to CONNECT up to the blank line; anything but 2xx is an error. */
function readConnectResponse(socket: Socket, timeoutInMs: number, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new NetworkProbeError('ETIMEDOUT', `the proxy did not answer CONNECT ${target} in time`));
    }, timeoutInMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length > 16 * 1024)
          fail(new NetworkProbeError('ERR_PROXY', 'the proxy answer to CONNECT is too large'));
        return;
      }
      cleanup();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1];
      if (status?.startsWith('2')) {
        const rest = buf.subarray(end + 4);
        if (rest.length) socket.unshift(rest);
        resolve();
      } else {
        socket.destroy();
        reject(
          new NetworkProbeError(
            'ERR_PROXY_CONNECT',
            `the proxy refused CONNECT ${target} (HTTP ${status ?? '?'})`,
          ),
        );
      }
    };
    const onError = (err: NodeJS.ErrnoException) =>
      fail(
        new NetworkProbeError(
          err.code ?? 'ERR_NETWORK',
          `proxy connection failed: ${err.code ?? err.message}`,
        ),
      );
    const onClose = () =>
      fail(new NetworkProbeError('ECONNRESET', `the proxy closed the connection during CONNECT ${target}`));
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
  const socket = netConnect({ host: proxyHost, port: defaultPort(ep.proxy) });
  await onceConnected(socket, ep.connectTimeoutInMs, signal, `proxy ${proxyHost}:${defaultPort(ep.proxy)}`);
  const auth =
    ep.proxy.username || ep.proxy.password
      ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(ep.proxy.username)}:${decodeURIComponent(ep.proxy.password)}`).toString('base64')}\r\n`
      : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  await readConnectResponse(socket, ep.connectTimeoutInMs, target);
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
