/** Likely cause and fix for an SDK error code met during a check; platform-specific text wins. */
export interface Explanation {
  cause: string;
  fix: string;
}

const GENERIC: Record<string, Explanation> = {
  ERR_TIMEOUT: {
    cause:
      'The platform did not answer in time: a firewall dropping packets, a proxy that is needed but not set, or the platform is overloaded.',
    fix: 'Check outbound firewall rules and `transport.proxy`; raise `transport.timeouts` if the platform is just slow.',
  },
  ERR_NETWORK: {
    cause: 'The connection failed or was reset before a complete answer arrived.',
    fix: 'Check the URL, outbound firewall rules and `transport.proxy`; a reset often means a proxy or load balancer refused the tunnel.',
  },
  ERR_TLS: {
    cause:
      'The TLS handshake failed: untrusted or expired server certificate, host name mismatch, or the client certificate was refused.',
    fix: 'Add the platform CA with `transport.tls.caFile`, check the host name, and renew the client certificate if it expired.',
  },
  ERR_HTTP: {
    cause: 'The platform answered with an unexpected HTTP status.',
    fix: 'Check that the base URL points at the right environment (production/UAT) and path.',
  },
  ERR_RESPONSE_SCHEMA: {
    cause:
      'The answer did not have the expected shape: the URL may point at another service, or the platform changed its format.',
    fix: 'Check the base URL; if it is right, report the response (its request ID) to the platform operator.',
  },
  ERR_RESPONSE_PARSE: {
    cause: 'The answer was not the expected format (often an HTML error page from a proxy or gateway).',
    fix: 'Check the base URL and whether a proxy intercepts the traffic.',
  },
  ERR_RETRY_BUDGET: {
    cause: 'Too many calls failed in a row, so retries were stopped.',
    fix: 'The platform is unstable right now; run doctor again later and check the platform status page.',
  },
  ERR_CATALOG_AUTH: {
    cause:
      'The catalog refused the call: no token, a token it does not know, or a user without a role in the organization.',
    fix: 'Check catalog.apiToken (CKAN user → API tokens), sent as "Authorization: <token>" without "Bearer".',
  },
  ERR_CATALOG_PROTOCOL: {
    cause: 'Something else than a CKAN Action API answered (an HTML page, a login portal, another service).',
    fix: 'Check catalog.baseUrl: the catalog root, without /api/3; check that no proxy rewrites the answer.',
  },
  ERR_CATALOG_WAF: {
    cause: 'A web application firewall in front of the catalog rejected the request.',
    fix: 'Ask the catalog operator to allow this host (quote the support ID of the page and the request ID).',
  },
  ERR_GDX_AUTH: {
    cause:
      'GDX refused the credentials: wrong Consumer-Key or Consumer-Secret, a key for another environment, or the consumer is not activated.',
    fix: 'Check exchange.consumerKey / exchange.consumerSecret (the secret is the one DGA issued for this environment); ask DGA to activate the consumer.',
  },
  ERR_GDX_FORBIDDEN: {
    cause: 'The consumer is not permitted this service (the data owner has not approved it).',
    fix: 'Request access to the service in the GDX catalog, or check which services your consumer was granted.',
  },
  ERR_GDX_BUSINESS: {
    cause:
      'The provider refused the request for a business reason (for DOPA Linkage: the AgentID has no active GovAMI session).',
    fix: 'Have the officer whose card is the AgentID log in to DOPA (GovAMI) with the card reader, or use an AgentID with a session.',
  },
  ERR_GDX_AGENT_ID: {
    cause: 'The AgentID is neither a valid 13-digit citizen ID nor a system name.',
    fix: 'Set exchange.agentId to the officer citizen ID (check digit included) or the system name DGA registered.',
  },
  ERR_GDX_XROAD: {
    cause: 'The X-Road Security Server refused the request.',
    fix: 'Check exchange.xroad.client and the service identifiers, and that the subsystem is registered with the provider.',
  },
  ERR_DIGITAL_ID_DISCOVERY: {
    cause: 'The provider metadata (.well-known/openid-configuration) could not be read.',
    fix: 'Check the issuer URL and environment (production vs sandbox/UAT) and outbound access to it.',
  },
  ERR_DIGITAL_ID_ISSUER_MISMATCH: {
    cause:
      'The discovery document names another issuer than the one configured (a trailing slash or another environment).',
    fix: 'Set the issuer exactly as the provider publishes it in its discovery document.',
  },
  ERR_DIGITAL_ID_INSECURE: {
    cause: 'The issuer or redirect URI is plain http.',
    fix: 'Use https; only the local sandbox may set allowInsecureHttp.',
  },
  ERR_DIGITAL_ID_INVALID_CLIENT: {
    cause:
      'The provider refused the client authentication: wrong client ID or secret (or API key), or the wrong authentication method.',
    fix: 'Check clientId / clientSecret (and apiKey for ThaID) for this environment, and tokenEndpointAuthMethod.',
  },
  ERR_DIGITAL_ID_REDIRECT_MISMATCH: {
    cause: 'The redirect URI is not registered for this client.',
    fix: 'Register the exact redirect URI (scheme, host, port, path) with the provider, or fix redirectUri.',
  },
  ERR_DIGITAL_ID_PROVIDER_ERROR: {
    cause:
      'The provider answered with an OAuth error other than the common ones (the check shows its error code and description).',
    fix: 'Look up the error code in the provider documentation; check the client registration (grant types, auth method) with the provider.',
  },
  ERR_DIGITAL_ID_INVALID_SCOPE: {
    cause: 'A configured scope is not approved for this client.',
    fix: 'Remove the scope or ask the provider to approve it for your client.',
  },
  ERR_ECMS_FAULT: {
    cause: 'The e-CMS node answered with an error (ErrorDetail or SOAP fault).',
    fix: 'Check ecms.organizationId and the node URL; the fault code in the message says more.',
  },
  ERR_ECMS_XML: {
    cause: 'The node answered with something that is not an e-CMS SOAP message (often an HTML error page).',
    fix: 'Check ecms.nodeUrl: it must be the node web service endpoint (…/ecms-ws01/service2).',
  },
  ERR_INVALID_ARG: {
    cause: 'The SDK client refused a configuration value.',
    fix: 'Fix the value the message names in thgov.config.json.',
  },
  ERR_CLI_CONFIG_FILE: {
    cause: 'A file the configuration points at cannot be read.',
    fix: 'Fix the path (relative paths are relative to the configuration file) and its permissions.',
  },
};

const FALLBACK: Explanation = {
  cause: 'An unexpected error.',
  fix: 'Run again with THGOV_LOG_LEVEL=debug for details and report the request ID if it persists.',
};

/** The likely cause and fix for an SDK error code met during a check (a generic one for an unknown code). */
export function explain(
  code: string | undefined,
  override?: Partial<Record<string, Explanation>>,
): Explanation {
  if (code && override?.[code]) return override[code] as Explanation;
  return (code && GENERIC[code]) || FALLBACK;
}

/** Node's network error codes, as a cause and fix a developer can act on. */
export function explainSocketError(code: string | undefined, target: string): Explanation {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        cause: `The name of ${target} does not resolve (typo, internal DNS only, or no DNS access from this machine).`,
        fix: 'Check the host name and the DNS servers; inside an agency network the platform may only resolve through the proxy: set transport.proxy.',
      };
    case 'ECONNREFUSED':
      return {
        cause: `Nothing accepts connections at ${target} (wrong port, service down, or a firewall rejecting).`,
        fix: 'Check the port in the URL, whether the service is up, and outbound firewall rules; behind a proxy set transport.proxy.',
      };
    case 'ETIMEDOUT':
    case 'ERR_CHECK_TIMEOUT':
      return {
        cause: `No answer from ${target}: a firewall silently dropping the traffic, or a proxy is required.`,
        fix: 'Ask the network team to open the destination, or set transport.proxy.',
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        cause: `No route to ${target}.`,
        fix: 'Check the routing/VPN to the government network, or set transport.proxy.',
      };
    case 'ECONNRESET':
      return {
        cause: `The connection to ${target} was reset (a firewall, proxy or load balancer cut it).`,
        fix: 'Check the proxy and firewall logs; retry later if the platform is restarting.',
      };
    default:
      return { cause: `The connection to ${target} failed (${code ?? 'unknown error'}).`, fix: FALLBACK.fix };
  }
}

/** What failed on the way to a proxy: its name, whether credentials were sent, what a 407 asked for. */
export interface ProxyProblem {
  /** `host:port`, without credentials. */
  proxy: string;
  /** Where the proxy is set: `transport.proxy`, or the variable (`https_proxy`…) for `"env"`. */
  source: string;
  credentialsSent: boolean;
  schemes?: string[];
}

const PROXY_CREDENTIALS =
  'put them in the proxy variable as http://user:password@proxy:port (percent-encode @ : / % in them) and set transport.proxy to "env"; transport.proxy itself must not hold a password';

/** A 407 from the proxy: no credentials, refused ones, or a scheme other than Basic. */
function explainProxyAuth(p: ProxyProblem): Explanation {
  const schemes = p.schemes ?? [];
  if (schemes.length > 0 && !schemes.some((s) => s.toLowerCase() === 'basic')) {
    return {
      cause: `The proxy ${p.proxy} accepts only ${schemes.join(', ')} authentication; thgov sends Basic credentials.`,
      fix: 'Ask the network team to allow this host without authentication (by address or a service account with Basic), or use a local proxy that authenticates for you (e.g. cntlm).',
    };
  }
  if (p.credentialsSent) {
    return {
      cause: `The proxy ${p.proxy} refused the user name and password given in ${p.source} (wrong, expired or locked account, or not percent-encoded).`,
      fix: `Check the credentials in ${p.source}: http://user:password@host:port with special characters percent-encoded (@ as %40, : as %3A); ask the network team whether the account may use the proxy.`,
    };
  }
  return {
    cause: `The proxy ${p.proxy} needs credentials (HTTP 407) and none were given.`,
    fix: `Give the proxy user name and password: ${PROXY_CREDENTIALS} (HTTPS_PROXY or https_proxy, HTTP_PROXY for http URLs).`,
  };
}

/**
 * A failure of the proxy itself (down, silent, refusing or wanting credentials), explained as such: the platform
 * behind it was never reached, so the network advice for a platform ("set transport.proxy") would mislead.
 */
export function explainProxyError(code: string | undefined, p: ProxyProblem): Explanation {
  const check = `Check the proxy host and port in ${p.source}`;
  switch (code) {
    case 'ERR_PROXY_AUTH':
      return explainProxyAuth(p);
    case 'ERR_PROXY_CONNECT':
      return {
        cause: `The proxy ${p.proxy} refused to open a tunnel to the platform (the host or port is not on its allow-list).`,
        fix: 'Ask the network team to allow CONNECT to this host and port through the proxy.',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        cause: `The name of the proxy ${p.proxy} does not resolve (typo, or a name only the agency DNS knows).`,
        fix: `${check}, and the DNS servers of this machine.`,
      };
    case 'ECONNREFUSED':
      return {
        cause: `Nothing accepts connections at the proxy ${p.proxy} (wrong port, or the proxy is down).`,
        fix: `${check}, and whether the proxy is running (ask the network team).`,
      };
    case 'ETIMEDOUT':
    case 'ERR_CHECK_TIMEOUT':
      return {
        cause: `No answer from the proxy ${p.proxy}: traffic to it is dropped, or it is overloaded or hung.`,
        fix: `${check}; ask the network team whether this machine may use the proxy.`,
      };
    default:
      return {
        cause: `The connection to the proxy ${p.proxy} failed or was cut (${code ?? 'unknown error'}).`,
        fix: `${check}; the proxy logs say why it closed the connection.`,
      };
  }
}
