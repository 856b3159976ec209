import { isCitizenId, redactPreview, registerSecret, type TlsOptions } from '@thgov/core';
import { ExchangeClient } from '@thgov/exchange';
import { exchangeClientOptions, mergeTransport } from '../config/client-options.js';
import type { ThgovConfig } from '../config/schema.js';
import { checkConfiguredEndpoint } from './endpoint-checks.js';
import { explain } from './explain.js';
import { htmlPage, type ProbeTransport, probe } from './http-probe.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';
import { type DoctorSettings, withinCheck } from './settings.js';

/** The GDX checks: the gateway endpoint, a token validate, and a harmless permitted read. */
export async function checkExchange(r: CheckRunner, config: ThgovConfig, s: DoctorSettings): Promise<void> {
  const x = config.exchange;
  if (!x) return;
  const t = mergeTransport(config.transport, x.transport);
  const timeouts = withinCheck(t.timeouts, s.checkTimeoutInMs);
  // A connection test neither depends on nor writes the audit log: its probes are not records of processing,
  // and it must still diagnose GDX where the log is not writable.
  const { audit: _audit, ...clientOptions } = exchangeClientOptions(config);
  const options = { ...clientOptions, timeouts };
  const url = new URL(x.baseUrl);
  await checkConfiguredEndpoint(r, s, {
    platform: 'exchange',
    prefix: 'exchange',
    label: 'GDX',
    tlsKey: x.transport?.tls ? 'exchange.transport.tls' : 'transport.tls',
    url,
    proxy: t.proxy,
    tls: options.tls as TlsOptions | undefined,
    connectTimeoutInMs: timeouts.connectInMs,
  });

  const client = new ExchangeClient(options);
  const probeTransport = {
    proxy: t.proxy,
    tls: options.tls as TlsOptions | undefined,
    timeouts,
    retry: t.retry,
  };
  const afterTcp = { platform: 'exchange' as const, requires: ['exchange.tcp'] };
  try {
    await r.run(
      { id: 'exchange.validate', title: 'GDX: token validate for the AgentID', ...afterTcp },
      (signal) => validate(x, url, probeTransport, signal),
    );
    await r.run(
      { id: 'exchange.read', title: 'GDX: a permitted read (DOPA agent permission)', ...afterTcp },
      (signal) => agentRead(x, client, signal),
    );
  } finally {
    await client.close();
  }
}

type ExchangeSection = NonNullable<ThgovConfig['exchange']>;

/**
 * The documented validate call itself (the client keeps its tokens private): a token back means the
 * Consumer-Key, Consumer-Secret and AgentID are accepted for this environment.
 */
async function validate(
  x: ExchangeSection,
  url: URL,
  pt: ProbeTransport,
  signal: AbortSignal,
): Promise<Outcome> {
  if (x.xroad)
    return {
      status: 'skip',
      message: 'X-Road mode: no GDX token (the Security Server authenticates the subsystem)',
    };
  const query = new URLSearchParams({ ConsumerSecret: x.consumerSecret ?? '', AgentID: x.agentId });
  const path = `${url.pathname.replace(/\/$/, '')}${gdxPath('/ws/auth/validate', x.pathPrefixes)}?${query}`;
  const res = await probe(
    new URL(path, url).href,
    {
      headers: {
        'consumer-key': x.consumerKey ?? '',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
    },
    pt,
    signal,
  );
  const token = readToken(res.text);
  if (res.status === 200 && token) {
    registerSecret(token);
    return { message: `token issued for AgentID ${x.agentId} (Consumer-Key and Consumer-Secret accepted)` };
  }
  const page = htmlPage(res);
  if (page !== undefined) {
    // A portal or proxy page is no answer from GDX: "refused the credentials" or "busy" would mislead.
    throw new CheckFailure(
      `an HTML page answered instead of GDX: HTTP ${res.status}${page ? ` "${page}"` : ''}`,
      {
        cause:
          'Something else than the GDX API answered: a captive portal or proxy login/block page, or a web server at the wrong URL.',
        fix: 'Open exchange.baseUrl from this machine to see the page: log in to the network portal or ask for the proxy rule; otherwise fix exchange.baseUrl (the gateway root, e.g. https://api.egov.go.th).',
        errorCode: 'ERR_RESPONSE_PARSE',
        data: { statusCode: res.status },
      },
    );
  }
  throw new CheckFailure(`GDX refused validate: HTTP ${res.status} ${redactPreview(res.text, 200)}`.trim(), {
    ...(res.status === 200
      ? {
          cause: 'GDX answered 200 without a token (it does this under load, or for an inactive consumer).',
          fix: 'Run doctor again; if it persists ask DGA whether the consumer is active.',
        }
      : explain('ERR_GDX_AUTH')),
    errorCode: 'ERR_GDX_AUTH',
    data: { statusCode: res.status },
  });
}

/**
 * The officer's own DOPA session state: allowed to every DOPA consumer and touches no citizen's data. A
 * failure is explained from its error code by the runner.
 */
async function agentRead(x: ExchangeSection, client: ExchangeClient, signal: AbortSignal): Promise<Outcome> {
  if (!isCitizenId(x.agentId)) {
    return {
      status: 'skip',
      message: 'exchange.agentId is a system name: no harmless read to try',
      fix: 'Use an officer citizen ID as exchange.agentId to probe DOPA Linkage access.',
    };
  }
  const { sessionState: state } = await client.getAgentPermission(
    {},
    { agentId: x.agentId, abortSignal: signal },
  );
  if (state === 'AgentNotAvailable') {
    return {
      status: 'warn',
      message: `read permitted; officer ${x.agentId} has no DOPA session (AgentNotAvailable)`,
      cause: 'DOPA Linkage answers 90001 for an AgentID without a GovAMI session.',
      fix: 'The officer logs in to DOPA (GovAMI) with the ID card before Linkage calls.',
      data: { state },
    };
  }
  return { message: `read permitted; officer session ${state}`, data: { state } };
}

function gdxPath(path: string, prefixes: Record<string, string> | undefined): string {
  for (const [base, prefix] of Object.entries(prefixes ?? {})) {
    if (path === base || path.startsWith(`${base}/`)) return base + prefix + path.slice(base.length);
  }
  return path;
}

/** GDX answers `{"Result": token}` (sometimes `result`). */
function readToken(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const [k, v] of Object.entries(body))
      if (k.toLowerCase() === 'result' && typeof v === 'string' && v) return v;
  } catch {
    // not JSON: no token
  }
  return undefined;
}
