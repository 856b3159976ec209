import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { TlsOptions } from '@thgov/core';
import { explainProxyError, explainSocketError } from './explain.js';
import {
  type Endpoint,
  handshake,
  hostOf,
  NetworkProbeError,
  openTcp,
  ProxySettingError,
  proxyFor,
  proxyName,
  resolveName,
  serverDate,
} from './network.js';
import type { Platform } from './report.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';
import type { DoctorSettings } from './settings.js';

/** One endpoint to check and how to name its checks and fixes. */
export interface EndpointCheckOptions {
  platform: Platform;
  /** Check id prefix: `exchange`, `digitalId.thaid`. */
  prefix: string;
  /** What the endpoint is, for titles: "GDX gateway". */
  label: string;
  endpoint: Endpoint;
  expiryWarningDays: number;
  maxClockSkewInMs: number;
  /** Config key of the TLS settings, for fixes ("transport.tls"). */
  tlsKey: string;
}

function codeOf(err: unknown): string | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Where the endpoint's proxy is set, for fixes. */
function proxySource(ep: Endpoint): string {
  return ep.proxySource ?? 'transport.proxy';
}

/**
 * A probe's failure as a check failure. A failure of the proxy itself is explained as one (`proxy`): the platform
 * was never reached, and platform advice ("nothing accepts connections at the platform") would send the reader
 * to the wrong machine.
 */
function fail(
  err: unknown,
  target: string,
  data?: Record<string, string | number | boolean>,
  ep?: Endpoint,
): never {
  if (err instanceof CheckFailure) throw err;
  const code = codeOf(err);
  const atProxy = err instanceof NetworkProbeError ? err.proxy : undefined;
  const x = atProxy
    ? explainProxyError(code, { ...atProxy, source: ep ? proxySource(ep) : 'transport.proxy' })
    : explainSocketError(code, target);
  throw new CheckFailure((err as Error)?.message ?? String(err), {
    ...x,
    ...(code ? { errorCode: code } : {}),
    ...(data ? { data } : {}),
  });
}

function tlsName(ep: Endpoint): string {
  return ep.tls?.servername ?? hostOf(ep.url);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * How to trust the CA of an untrusted chain. Node (like the clients) reads NODE_EXTRA_CA_CERTS only into the
 * default trust store: a configured caFile replaces that store, so the variable is silently ignored then.
 */
function trustFix(o: EndpointCheckOptions): string {
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (o.endpoint.tls?.ca !== undefined && extra) {
    return `NODE_EXTRA_CA_CERTS is not used for this connection because ${o.tlsKey}.caFile replaces the trusted CAs: add the missing CA (for a TLS-inspecting proxy: the proxy's CA) to ${o.tlsKey}.caFile, which takes a list of files.`;
  }
  return `Add the CA certificate (PEM) with ${o.tlsKey}.caFile, or for every connection of this machine (a TLS-inspecting proxy's CA) with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; do not disable verification.`;
}

/** The TLS check: chain trusted, host name, days until the soonest expiry in the chain. */
async function tlsOutcome(o: EndpointCheckOptions, signal: AbortSignal): Promise<Outcome> {
  const ep = o.endpoint;
  const host = hostOf(ep.url);
  const target = `${ep.url.host}`;
  if (ep.url.protocol !== 'https:') {
    if (isLoopback(host))
      return { status: 'skip', message: 'plain http on a loopback address (local sandbox): no TLS' };
    return {
      status: 'warn',
      message: `plain http to ${host}: traffic (credentials included) is not encrypted`,
      cause: 'The URL uses http:// on a non-local host.',
      fix: 'Use the https:// URL the platform publishes.',
    };
  }
  const socket = await openTcp(ep, signal).catch((err) => fail(err, target, undefined, ep));
  const facts = await handshake(socket, ep, signal).catch((err) => fail(err, target, undefined, ep));
  facts.socket.destroy();
  const leaf = facts.chain[0];
  const soonest = facts.chain.reduce<number | undefined>(
    (m, c) => (m === undefined ? c.daysLeft : Math.min(m, c.daysLeft)),
    undefined,
  );
  const data: Record<string, string | number | boolean> = {
    protocol: facts.protocol ?? '',
    chainLength: facts.chain.length,
    ...(leaf
      ? {
          subject: leaf.subject,
          issuer: leaf.issuer,
          daysLeft: leaf.daysLeft,
          validTo: leaf.validTo.toISOString(),
        }
      : {}),
  };
  // Node reports a host name mismatch as the authorization error when the chain itself is trusted.
  const nameOnly = facts.authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  if (nameOnly || (facts.authorized && facts.hostnameError)) {
    throw new CheckFailure(`host name mismatch: ${facts.hostnameError ?? facts.authorizationError}`, {
      cause: `The certificate is for another host name than the one connected to (${tlsName(ep)}); the chain itself is trusted.`,
      fix: `Use the host name the certificate names in the URL, or set ${o.tlsKey}.servername when connecting by IP address or through another name.`,
      errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      data,
    });
  }
  if (!facts.authorized) {
    const e = facts.authorizationError ?? 'unknown';
    const expired = e === 'CERT_HAS_EXPIRED';
    const alsoName = facts.hostnameError ? ` (and ${facts.hostnameError})` : '';
    throw new CheckFailure(`server certificate not trusted: ${e}${alsoName}`, {
      cause: expired
        ? 'The platform server certificate has expired.'
        : 'The server certificate chain does not lead to a CA this machine trusts (a private government CA, or a TLS-inspecting proxy).',
      fix: expired ? 'Tell the platform operator; do not disable verification.' : trustFix(o),
      errorCode: 'ERR_TLS',
      data,
    });
  }
  const chainText = facts.chain.map((c) => c.subject).join(' ← ');
  if (leaf && soonest !== undefined && soonest < o.expiryWarningDays) {
    return {
      status: 'warn',
      message: `${facts.protocol}, chain ${chainText}; a certificate in the chain expires in ${soonest} days`,
      cause: 'The platform certificate is close to its expiry.',
      fix: 'Nothing to do on your side unless you pin it; tell the platform operator if it is not renewed in time.',
      data,
    };
  }
  return {
    message: `${facts.protocol}, chain ${chainText}, server certificate valid for ${leaf?.daysLeft ?? '?'} more days`,
    data,
  };
}

/** One HTTP request for the Date header; a reset or a dropped connection says nothing about the clock. */
async function clockCheckOutcome(o: EndpointCheckOptions, signal: AbortSignal): Promise<Outcome> {
  const ep = o.endpoint;
  const once = async () => {
    let socket = await openTcp(ep, signal);
    if (ep.url.protocol === 'https:') socket = (await handshake(socket, ep, signal)).socket;
    return serverDate(socket, ep.url, signal);
  };
  let res: Awaited<ReturnType<typeof once>> | undefined;
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await once();
    } catch (err) {
      if (attempt >= 3 || signal.aborted) fail(err, `${ep.url.host}`, undefined, ep);
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  if (!res.serverDate)
    return { status: 'skip', message: `HTTP ${res.status} without a Date header: skew unknown` };
  return clockOutcome(res.serverDate.getTime() - res.localMidpoint, o.maxClockSkewInMs, 'HTTP Date');
}

/** A configured platform section's endpoint: its URL, the merged transport's proxy setting, TLS and connect time. */
export interface ConfiguredEndpoint
  extends Omit<EndpointCheckOptions, 'endpoint' | 'expiryWarningDays' | 'maxClockSkewInMs'> {
  url: URL;
  /** The configuration's `proxy`: a URL, `env`, or none. */
  proxy: string | undefined;
  tls: TlsOptions | undefined;
  connectTimeoutInMs: number;
}

/** The proxy for `url`, or a failure of the platform's configuration check naming the setting that is wrong. */
function configuredProxy(proxy: string | undefined, url: URL): ReturnType<typeof proxyFor> {
  try {
    return proxyFor(proxy, url);
  } catch (err) {
    if (!(err instanceof ProxySettingError)) throw err;
    throw new CheckFailure(err.message, {
      cause: `The proxy in ${err.source} is not a URL: a scheme-less host:port (which curl accepts) is not taken.`,
      fix: `Write ${err.source} as http://host:port (with credentials: http://user:password@host:port, percent-encoded).`,
      errorCode: err.code,
    });
  }
}

/** `checkEndpoint` for one platform of the configuration, with the doctor's expiry and clock-skew settings. */
export function checkConfiguredEndpoint(
  r: CheckRunner,
  s: DoctorSettings,
  o: ConfiguredEndpoint,
): Promise<boolean> {
  const { url, proxy, tls, connectTimeoutInMs, ...naming } = o;
  const route = configuredProxy(proxy, url);
  return checkEndpoint(r, {
    ...naming,
    endpoint: {
      url,
      proxy: route.proxy,
      ...(route.source ? { proxySource: route.source } : {}),
      tls,
      connectTimeoutInMs,
    },
    expiryWarningDays: s.expiryWarningDays,
    maxClockSkewInMs: s.maxClockSkewInMs,
  });
}

/** DNS, TCP (through the proxy when one is set), TLS chain and expiry, client certificate, clock skew. */
export async function checkEndpoint(r: CheckRunner, o: EndpointCheckOptions): Promise<boolean> {
  const { endpoint: ep, platform, prefix } = o;
  const host = hostOf(ep.url);
  const target = `${ep.url.host}`;
  const viaProxy = ep.proxy ? ` via proxy ${ep.proxy.host}` : '';

  await r.run({ id: `${prefix}.dns`, platform, title: `${o.label}: DNS` }, async () => {
    const name = ep.proxy ? hostOf(ep.proxy) : host;
    try {
      const addresses = await resolveName(name);
      return {
        message: ep.proxy
          ? `proxy ${name} → ${addresses.join(', ')} (the proxy resolves ${host})`
          : isIP(name)
            ? `${name} is an IP address: nothing to resolve`
            : `${name} → ${addresses.join(', ')}`,
        data: { addresses: addresses.length },
      };
    } catch (err) {
      if (!ep.proxy) fail(err, name);
      // The proxy's name is what failed to resolve: the platform's is the proxy's business.
      const p = { proxy: proxyName(ep.proxy), credentialsSent: false };
      fail(
        new NetworkProbeError(codeOf(err) ?? 'ERR_NETWORK', (err as Error).message, p),
        name,
        undefined,
        ep,
      );
    }
  });

  const afterTcp = { platform, requires: [`${prefix}.tcp`] };
  await r.run(
    {
      id: `${prefix}.tcp`,
      platform,
      title: `${o.label}: TCP connect${viaProxy}`,
      requires: [`${prefix}.dns`],
    },
    async (signal) => {
      const started = performance.now();
      try {
        const s = await openTcp(ep, signal);
        s.destroy();
        return {
          message: `connected to ${target}${viaProxy} in ${Math.round(performance.now() - started)} ms`,
        };
      } catch (err) {
        fail(err, ep.proxy ? `${target} through the proxy` : target, undefined, ep);
      }
    },
  );
  await r.run({ id: `${prefix}.tls`, title: `${o.label}: TLS certificate`, ...afterTcp }, (signal) =>
    tlsOutcome(o, signal),
  );
  const ownCert = ep.tls?.cert ?? ep.tls?.pfx;
  if (ownCert !== undefined) {
    await r.run(
      { id: `${prefix}.clientCertificate`, platform, title: `${o.label}: agency client certificate (mTLS)` },
      async () => clientCertificate(ep.tls as TlsOptions, o.expiryWarningDays, o.tlsKey),
    );
  }
  await r.run({ id: `${prefix}.clock`, title: `${o.label}: clock skew (HTTP Date)`, ...afterTcp }, (signal) =>
    clockCheckOutcome(o, signal),
  );
  return r.passed(`${prefix}.tcp`);
}

/** Skew verdict shared by the HTTP Date and e-CMS time checks. HTTP dates have one-second resolution. */
export function clockOutcome(skewInMs: number, maxInMs: number, source: string) {
  const s = (skewInMs / 1000).toFixed(1);
  const data = { skewInMs: Math.round(skewInMs) };
  if (Math.abs(skewInMs) > maxInMs) {
    throw new CheckFailure(
      `${source} differs from this machine's clock by ${s} s (limit ${maxInMs / 1000} s)`,
      {
        cause:
          'This machine (or the platform) has the wrong time: tokens look expired or not yet valid, and signatures and time stamps fail.',
        fix: 'Synchronise the clock with NTP (e.g. `timedatectl set-ntp true`, or the agency NTP server); containers take the host clock.',
        errorCode: 'ERR_CLOCK_SKEW',
        data,
      },
    );
  }
  return { message: `${source} is ${s} s from this machine's clock`, data };
}

/** The configured key belongs to the client certificate (often it is an old key after a renewal). */
function keyMatches(cert: X509Certificate, tls: TlsOptions, tlsKey: string): void {
  let matches = false;
  try {
    matches = cert.checkPrivateKey(
      createPrivateKey({
        key: tls.key as string | Buffer,
        ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
      }),
    );
  } catch (err) {
    throw new CheckFailure(`the client key cannot be read: ${(err as Error).message}`, {
      cause: 'The key file is not a PEM private key, or it is encrypted and the passphrase is wrong.',
      fix: `Check ${tlsKey}.keyFile and ${tlsKey}.passphrase.`,
    });
  }
  if (!matches) {
    throw new CheckFailure('the client key does not belong to the client certificate', {
      cause: 'certFile and keyFile are from different key pairs (often an old key after a renewal).',
      fix: `Point ${tlsKey}.keyFile at the key the certificate was issued for.`,
    });
  }
}

function clientCertificate(tls: TlsOptions, warnDays: number, tlsKey: string) {
  if (tls.pfx) {
    try {
      createSecureContext({ pfx: tls.pfx, passphrase: tls.passphrase });
    } catch (err) {
      throw new CheckFailure(`the PKCS#12 file cannot be opened: ${(err as Error).message}`, {
        cause: 'Wrong passphrase, or the file is not PKCS#12.',
        fix: `Check ${tlsKey}.pfxFile and ${tlsKey}.passphrase.`,
      });
    }
    return {
      status: 'warn' as const,
      message: 'PKCS#12 bundle loads; its expiry is not read from PKCS#12',
      fix: 'Use certFile + keyFile (PEM) to have the expiry checked.',
    };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(tls.cert as string | Buffer);
  } catch (err) {
    throw new CheckFailure(`the client certificate cannot be parsed: ${(err as Error).message}`, {
      cause: 'The certificate file is not a PEM or DER X.509 certificate.',
      fix: `Point ${tlsKey}.certFile at the certificate (PEM), not the key or a CSR.`,
    });
  }
  const validTo = new Date(cert.validTo);
  const validFrom = new Date(cert.validFrom);
  const daysLeft = Math.floor((validTo.getTime() - Date.now()) / 86_400_000);
  const subject = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? cert.subject.split('\n')[0] ?? '';
  const data = { subject, validTo: validTo.toISOString(), daysLeft };
  if (validTo.getTime() < Date.now()) {
    throw new CheckFailure(
      `the agency client certificate "${subject}" expired on ${validTo.toISOString().slice(0, 10)}`,
      {
        cause: 'An expired client certificate is refused by the platform during the TLS handshake.',
        fix: `Renew the certificate with the issuing CA and update ${tlsKey}.certFile / keyFile.`,
        errorCode: 'ERR_TLS',
        data,
      },
    );
  }
  if (validFrom.getTime() > Date.now()) {
    throw new CheckFailure(
      `the agency client certificate "${subject}" is not valid before ${validFrom.toISOString()}`,
      {
        cause: 'The certificate is not yet valid (or this machine clock is behind).',
        fix: 'Check the system clock, or wait until the certificate becomes valid.',
        errorCode: 'ERR_TLS',
        data,
      },
    );
  }
  if (tls.key) keyMatches(cert, tls, tlsKey);
  if (daysLeft < warnDays) {
    return {
      status: 'warn' as const,
      message: `"${subject}" expires in ${daysLeft} days (${validTo.toISOString().slice(0, 10)})`,
      cause: 'The agency client certificate is close to its expiry.',
      fix: 'Start the renewal now: platforms refuse expired client certificates.',
      data,
    };
  }
  return { message: `"${subject}" valid for ${daysLeft} more days; key matches`, data };
}
