import { createPublicKey, randomUUID } from 'node:crypto';
import { registerSecret, type TlsOptions } from '@thgov/core';
import { DigitalIdClient, type DigitalIdClientOptions, PROVIDER_PRESETS } from '@thgov/digital-id';
import { digitalIdClientOptions, digitalIdProviders, mergeTransport } from '../config/client-options.js';
import type { DigitalIdProviderConfig, ThgovConfig } from '../config/schema.js';
import { checkConfiguredEndpoint } from './endpoint-checks.js';
import { explain } from './explain.js';
import { htmlPage, type ProbeTransport, probe } from './http-probe.js';
import { checkPostgresStore } from './postgres-checks.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';
import { type DoctorSettings, withinCheck } from './settings.js';

interface Discovery {
  issuer?: unknown;
  jwks_uri?: unknown;
  token_endpoint?: unknown;
  scopes_supported?: unknown;
  id_token_signing_alg_values_supported?: unknown;
}

type Preset = (typeof PROVIDER_PRESETS)[keyof typeof PROVIDER_PRESETS];

/** One provider under test: what its checks share, filled in as they run. */
interface Provider {
  p: DigitalIdProviderConfig;
  preset: Preset;
  /** Config key of the provider (`digitalId.thaid`, `digitalId.providers.<name>`), for fixes. */
  key: string;
  issuer: string;
  options: DigitalIdClientOptions;
  pt: ProbeTransport;
  client?: DigitalIdClient;
  doc?: Discovery;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isLoopback(u: URL): boolean {
  return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
}

/** The checks of every configured digital-ID provider: its endpoint, then discovery to client authentication. */
export async function checkDigitalId(r: CheckRunner, config: ThgovConfig, s: DoctorSettings): Promise<void> {
  for (const { name, kind, provider } of digitalIdProviders(config)) {
    await checkProvider(r, config, s, name, kind, provider);
  }
  const db = config.digitalId?.stateStore?.postgres;
  if (db)
    await checkPostgresStore(r, {
      platform: 'digitalId',
      prefix: 'digitalId.stateStore',
      label: 'Digital ID login states',
      key: 'digitalId.stateStore.postgres',
      db,
      component: 'digital-id',
      migrations: async () => (await import('@thgov/digital-id/postgres')).DIGITAL_ID_MIGRATIONS,
      table: 'digital_id_states',
    });
}

/** An HTML page instead of the provider's JSON: something in the network answered, not the provider. */
const PORTAL_CAUSE =
  'Something else than the provider answered: a captive portal or proxy login/block page, or a web server at the wrong URL.';

async function discovery(x: Provider, signal: AbortSignal): Promise<Outcome> {
  x.client = new DigitalIdClient(x.options);
  const m = await x.client.metadata({ abortSignal: signal });
  const res = await probe(
    `${x.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    {},
    x.pt,
    signal,
  );
  x.doc = res.status === 200 ? (json(res.text) as Discovery | undefined) : undefined;
  const page = htmlPage(res);
  if (!m.discovered && page !== undefined) {
    return {
      status: 'warn',
      message: `an HTML page answered for .well-known/openid-configuration (HTTP ${res.status}${page ? ` "${page}"` : ''}); the client falls back to the preset endpoints`,
      cause: PORTAL_CAUSE,
      fix: `Open the issuer's .well-known/openid-configuration from this machine: log in to the network portal or ask for the proxy rule, or fix ${x.key}.issuer.`,
    };
  }
  if (!m.discovered) {
    return {
      status: 'warn',
      message: `discovery unavailable (HTTP ${res.status}); the client falls back to the preset endpoints`,
      cause: 'The provider did not serve .well-known/openid-configuration.',
      fix: 'Check the issuer URL; the static fallback works but misses endpoint changes.',
    };
  }
  return {
    message: `token endpoint ${m.tokenEndpoint}${m.par ? ', PAR' : ''}${m.dpop ? ', DPoP' : ''}`,
    data: { par: m.par, dpop: m.dpop },
  };
}

async function issuerMatch(x: Provider): Promise<Outcome> {
  if (!x.doc) return { status: 'skip', message: 'no discovery document to compare' };
  if (x.doc.issuer !== x.issuer) {
    throw new CheckFailure(
      `the provider says issuer "${String(x.doc.issuer)}", the configuration "${x.issuer}"`,
      {
        ...explain('ERR_DIGITAL_ID_ISSUER_MISMATCH'),
        errorCode: 'ERR_DIGITAL_ID_ISSUER_MISMATCH',
      },
    );
  }
  return { message: `issuer ${x.issuer}` };
}

/** The signing keys of a JWKS that can verify an id_token with the algorithms the provider advertises. */
function usableKeys(keys: Array<Record<string, unknown>>, doc: Discovery): string[] {
  const allowed = Array.isArray(doc.id_token_signing_alg_values_supported)
    ? (doc.id_token_signing_alg_values_supported as string[])
    : undefined;
  const usable: string[] = [];
  for (const k of keys) {
    if (k.use === 'enc' || k.d !== undefined) continue;
    try {
      createPublicKey({ key: k as never, format: 'jwk' });
    } catch {
      continue;
    }
    if (allowed && typeof k.alg === 'string' && !allowed.includes(k.alg)) continue;
    usable.push(typeof k.alg === 'string' ? k.alg : String(k.kty));
  }
  return usable;
}

async function jwks(x: Provider, signal: AbortSignal): Promise<Outcome> {
  const doc = x.doc;
  if (!doc) return { status: 'skip', message: 'no discovery document: JWKS location unknown' };
  if (typeof doc.jwks_uri !== 'string') {
    throw new CheckFailure('the discovery document has no jwks_uri', {
      cause: 'Without the provider keys no id_token can be verified.',
      fix: 'Report it to the provider; check that the issuer URL points at the OpenID provider.',
    });
  }
  const res = await probe(doc.jwks_uri, {}, x.pt, signal);
  const body = json(res.text) as { keys?: unknown } | undefined;
  if (res.status !== 200 || !body || !Array.isArray(body.keys)) {
    throw new CheckFailure(`the JWKS at ${doc.jwks_uri} answered HTTP ${res.status} without a key set`, {
      cause: 'The key set is not reachable (a proxy or firewall rule for that host) or not JSON.',
      fix: 'Allow the jwks_uri host through the proxy/firewall.',
    });
  }
  const usable = usableKeys(body.keys as Array<Record<string, unknown>>, doc);
  if (usable.length === 0) {
    throw new CheckFailure(`none of the ${body.keys.length} keys can verify an id_token`, {
      cause: 'The key set has no public signing key the advertised algorithms can use.',
      fix: 'Report it to the provider.',
    });
  }
  return {
    message: `${usable.length} signing key(s): ${[...new Set(usable)].join(', ')}`,
    data: { keys: usable.length },
  };
}

function redirectError(error: string, description: string | null): CheckFailure {
  const code =
    error === 'invalid_scope'
      ? 'ERR_DIGITAL_ID_INVALID_SCOPE'
      : error === 'unauthorized_client'
        ? 'ERR_DIGITAL_ID_INVALID_CLIENT'
        : 'ERR_DIGITAL_ID_PROVIDER_ERROR';
  return new CheckFailure(`the authorization endpoint answered ${error}: ${description ?? ''}`.trim(), {
    ...explain(code),
    errorCode: code,
  });
}

async function redirect(x: Provider, signal: AbortSignal): Promise<Outcome> {
  const { p, key } = x;
  const target = new URL(p.redirectUri);
  if (target.protocol !== 'https:' && !isLoopback(target)) {
    throw new CheckFailure(`the redirect URI ${p.redirectUri} is plain http`, {
      cause: 'Providers refuse plain-http redirect URIs outside localhost.',
      fix: `Use an https redirect URI in ${key}.redirectUri and register it with the provider.`,
    });
  }
  const scopes = p.scopes ?? [...x.preset.defaultScopes];
  const supported = Array.isArray(x.doc?.scopes_supported)
    ? (x.doc?.scopes_supported as string[])
    : undefined;
  const unknown = supported ? scopes.filter((sc) => sc !== 'openid' && !supported.includes(sc)) : [];
  if (unknown.length) {
    throw new CheckFailure(`scopes the provider does not offer: ${unknown.join(', ')}`, {
      ...explain('ERR_DIGITAL_ID_INVALID_SCOPE'),
      errorCode: 'ERR_DIGITAL_ID_INVALID_SCOPE',
    });
  }
  // Start a login the way the app will, and look only at the provider's first answer: a login page (or a
  // redirect to one) means client ID, redirect URI and scopes are accepted; nobody logs in.
  const login = await (x.client as DigitalIdClient).createLoginRequest({ scopes }, { abortSignal: signal });
  const res = await probe(login.url, {}, x.pt, signal);
  const location = res.headers.location;
  const accepted = `redirect URI ${p.redirectUri}, scopes ${scopes.join(' ')}`;
  if (res.status >= 300 && res.status < 400 && location) {
    const to = new URL(location, login.url);
    const error = to.searchParams.get('error');
    if (to.href.startsWith(p.redirectUri) && error)
      throw redirectError(error, to.searchParams.get('error_description'));
    if (isErrorPage(to, new URL(login.url))) throw await errorPageFailure(x, to, signal);
    return { message: `login starts (HTTP ${res.status} to the login page); ${accepted}` };
  }
  if (res.status === 200) return { message: `login page served; ${accepted}` };
  const code = refusalCode(res.text);
  throw new CheckFailure(`the authorization endpoint refused the login request (HTTP ${res.status})`, {
    ...explain(code),
    errorCode: code,
    data: { statusCode: res.status },
  });
}

/** Which setting a provider's refusal page names: the redirect URI, the client, a scope, or none of them. */
function refusalCode(page: string): string {
  const text = page.slice(0, 4000);
  return /redirect_uri/i.test(text)
    ? 'ERR_DIGITAL_ID_REDIRECT_MISMATCH'
    : /invalid_client|unauthorized_client|client_id/i.test(text)
      ? 'ERR_DIGITAL_ID_INVALID_CLIENT'
      : /invalid_scope/i.test(text)
        ? 'ERR_DIGITAL_ID_INVALID_SCOPE'
        : 'ERR_DIGITAL_ID_PROVIDER_ERROR';
}

/**
 * A redirect to the provider's own error page rather than to its login page: IdentityServer (DGA) answers an
 * unknown client or an unregistered redirect URI with a redirect to `/home/error?errorId=…`, which shows the
 * error with HTTP 200. Only on the authorization endpoint's own origin.
 */
function isErrorPage(to: URL, from: URL): boolean {
  if (to.origin !== from.origin) return false;
  return to.searchParams.has('errorId') || to.searchParams.has('error') || /\/error\/?$/i.test(to.pathname);
}

/** The failure an error page means, read once: the setting it names, else both the provider can refuse so. */
async function errorPageFailure(x: Provider, to: URL, signal: AbortSignal): Promise<CheckFailure> {
  const page = await probe(to.href, {}, x.pt, signal);
  const code = refusalCode(page.text);
  const message = `the authorization endpoint sent the login to the provider's error page (${to.pathname})`;
  if (code !== 'ERR_DIGITAL_ID_PROVIDER_ERROR')
    return new CheckFailure(message, { ...explain(code), errorCode: code });
  // IdentityServer shows the reason only in development; in production the page says "there was an error".
  return new CheckFailure(message, {
    cause:
      'The provider refused the client ID or the redirect URI before any login; its error page does not say which.',
    fix: `Check ${x.key}.clientId for this environment, and register the exact redirect URI ${x.p.redirectUri} with the provider.`,
    errorCode: code,
  });
}

/** A token request with a code that cannot exist, authenticated the way the client is configured. */
function probeTokenRequest(
  x: Provider,
  method: string,
): { headers: Record<string, string>; form: Record<string, string> } {
  const { p, preset } = x;
  const secret =
    p.clientSecret && preset.transformClientSecret
      ? preset.transformClientSecret(p.clientSecret)
      : p.clientSecret;
  registerSecret(secret);
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: `thgov-doctor-${randomUUID()}`,
    redirect_uri: p.redirectUri,
  };
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(p.clientId)}:${formEncode(secret ?? '')}`).toString('base64')}`;
  } else {
    form.client_id = p.clientId;
    form.client_secret = secret ?? '';
  }
  if (p.apiKey) headers[(p.apiKeyHeader ?? preset.apiKeyHeader ?? 'x-api-key').toLowerCase()] = p.apiKey;
  return { headers, form };
}

async function clientAuth(x: Provider, signal: AbortSignal): Promise<Outcome> {
  const m = await (x.client as DigitalIdClient).metadata({ abortSignal: signal });
  const method = x.p.tokenEndpointAuthMethod ?? x.preset.tokenEndpointAuthMethod;
  if (method === 'none')
    return {
      status: 'skip',
      message: 'public client (tokenEndpointAuthMethod none): no client authentication to test',
    };
  // The provider authenticates the client first, then rejects the code: invalid_grant therefore proves the
  // credentials; invalid_client disproves them. Nobody is logged in.
  const res = await probe(m.tokenEndpoint, { method: 'POST', ...probeTokenRequest(x, method) }, x.pt, signal);
  const body = json(res.text) as { error?: unknown; error_description?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : undefined;
  const desc = typeof body?.error_description === 'string' ? `: ${body.error_description}` : '';
  if (error === 'invalid_grant')
    return { message: `client credentials accepted (${method}); the probe code was rejected as expected` };
  if (error === 'invalid_client' || res.status === 401) {
    throw new CheckFailure(
      `the token endpoint refused the client (${error ?? `HTTP ${res.status}`}${desc})`,
      {
        ...explain('ERR_DIGITAL_ID_INVALID_CLIENT'),
        errorCode: 'ERR_DIGITAL_ID_INVALID_CLIENT',
        data: { statusCode: res.status },
      },
    );
  }
  const page = htmlPage(res);
  if (page !== undefined && !error) {
    throw new CheckFailure(
      `an HTML page answered at the token endpoint: HTTP ${res.status}${page ? ` "${page}"` : ''}`,
      {
        cause: PORTAL_CAUSE,
        fix: `Open ${m.tokenEndpoint} from this machine to see the page: log in to the network portal or ask for the proxy rule; otherwise check ${x.key}.issuer.`,
        errorCode: 'ERR_RESPONSE_PARSE',
        data: { statusCode: res.status },
      },
    );
  }
  throw new CheckFailure(
    `unexpected token endpoint answer: HTTP ${res.status}${error ? ` ${error}${desc}` : ''}`,
    {
      cause:
        'The provider answered neither invalid_grant nor invalid_client, so client authentication is unproven.',
      fix: `Check ${x.key}.tokenEndpointAuthMethod and that the token endpoint is the provider's.`,
      ...(error ? { errorCode: 'ERR_DIGITAL_ID_PROVIDER_ERROR' } : {}),
      data: { statusCode: res.status },
    },
  );
}

async function checkProvider(
  r: CheckRunner,
  config: ThgovConfig,
  s: DoctorSettings,
  name: string,
  kind: 'thaid' | 'dga' | 'generic',
  p: DigitalIdProviderConfig,
): Promise<void> {
  const preset = PROVIDER_PRESETS[kind];
  const key = kind === 'generic' ? `digitalId.providers.${name}` : `digitalId.${name}`;
  const prefix = `digitalId.${name}`;
  const label = `${preset.displayName}${kind === 'generic' ? ` (${name})` : ''}`;
  const env = p.environment ?? preset.defaultEnvironment;
  const issuer = p.issuer ?? (env !== undefined ? preset.issuers[env] : undefined);
  const platform = 'digitalId' as const;
  if (!issuer) {
    await r.run({ id: `${prefix}.config`, platform, title: `${label}: configuration` }, async () => {
      throw new CheckFailure(`no issuer for environment "${env}"`, {
        cause: 'The environment is not one of the preset ones and no issuer is set.',
        fix: `Set ${key}.issuer or ${key}.environment (${Object.keys(preset.issuers).join(', ')}).`,
      });
    });
    return;
  }
  const t = mergeTransport(config.transport, p.transport);
  const timeouts = withinCheck(t.timeouts, s.checkTimeoutInMs);
  const options = { ...digitalIdClientOptions(config, name), timeouts };
  const tls: TlsOptions | undefined = options.tls?.ca ? { ca: options.tls.ca } : undefined;
  const x: Provider = {
    p,
    preset,
    key,
    issuer,
    options,
    pt: { proxy: t.proxy, tls, timeouts, retry: t.retry },
  };
  const issuerUrl = new URL(issuer);
  await checkConfiguredEndpoint(r, s, {
    platform,
    prefix,
    label,
    tlsKey: p.transport?.tls ? `${key}.transport.tls` : 'transport.tls',
    url: issuerUrl,
    proxy: t.proxy,
    tls,
    connectTimeoutInMs: timeouts.connectInMs,
  });
  const afterDiscovery = { platform, requires: [`${prefix}.discovery`] };
  try {
    await r.run(
      { id: `${prefix}.discovery`, platform, title: `${label}: discovery`, requires: [`${prefix}.tcp`] },
      (signal) => discovery(x, signal),
    );
    await r.run({ id: `${prefix}.issuer`, title: `${label}: issuer match`, ...afterDiscovery }, () =>
      issuerMatch(x),
    );
    await r.run(
      { id: `${prefix}.jwks`, title: `${label}: JWKS reachable and usable`, ...afterDiscovery },
      (signal) => jwks(x, signal),
    );
    await r.run(
      { id: `${prefix}.redirect`, title: `${label}: redirect URI and scopes`, ...afterDiscovery },
      (signal) => redirect(x, signal),
    );
    await r.run(
      {
        id: `${prefix}.clientAuth`,
        title: `${label}: client authentication (token endpoint probe)`,
        ...afterDiscovery,
      },
      (signal) => clientAuth(x, signal),
    );
  } finally {
    await x.client?.close();
  }
}

/** RFC 6749 §2.3.1: client_id and secret are form-encoded before Basic. */
function formEncode(v: string): string {
  return encodeURIComponent(v).replace(/%20/g, '+');
}
