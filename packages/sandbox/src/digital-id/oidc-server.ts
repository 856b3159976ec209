import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { Middleware, ProviderContext } from 'oidc-provider';
import { listen } from '../http-server.js';
import type { SandboxPerson } from '../people.js';
import { escapeHtml, page } from './html.js';
import { handleLoginPage } from './login-page.js';
import { createMemoryStore } from './memory-adapter.js';
import { handleWebFont } from './web-font.js';

export type SigningAlg = 'ES256' | 'RS256';

/** What makes one sandbox provider look like ThaID, DGA or a plain OIDC provider. */
export interface ProviderProfile {
  title: string;
  routes: Record<string, string>;
  signingAlg: SigningAlg;
  /** scope → claims it releases. */
  claims: Record<string, string[]>;
  /** False puts the scope's claims into the id_token (ThaID); true keeps them in userinfo only (DGA). */
  conformIdTokenClaims: boolean;
  /** True: a refresh token for every code grant to a client allowed the refresh_token grant (oidc-provider
   * otherwise drops `offline_access` unless prompt=consent, which the sandbox login page does not show). */
  alwaysIssueRefreshToken: boolean;
  subjectFor(person: SandboxPerson): string;
  claimsFor(person: SandboxPerson): Record<string, unknown>;
  /** Runs before oidc-provider's own routes (API keys, parameter renames). */
  middleware?: Middleware[];
  par?: boolean;
  dpop?: boolean;
  /** Client metadata every registered client gets unless it says otherwise. */
  clientDefaults: Record<string, unknown>;
  /** Scopes that release no claims but are granted to clients allowed them (e.g. CSC's `service`, `credential`). */
  extraScopes?: string[];
  /**
   * RFC 9396 rich authorization requests: the accepted `authorization_details` types with their validation.
   * An authorization request that carries details always gets a fresh login (a transaction is authorised by
   * the person, not by a session cookie), and the details travel into the code, the access token and introspection.
   */
  authorizationDetailsTypes?: Record<string, (detail: Record<string, unknown>) => void>;
}

export interface PeopleSource {
  people: readonly SandboxPerson[];
  byCitizenId: ReadonlyMap<string, SandboxPerson>;
}

/** Client registration as the sandbox accepts it (snake_case: RFC 7591 metadata). */
export interface SandboxClientMetadata {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  /** Allowed scopes; asking for others gives `invalid_scope`. */
  scope?: string;
  [key: string]: unknown;
}

export interface RunningOidcProvider {
  issuer: string;
  /** Base URL of the server (same as the issuer for the sandbox providers). */
  url: string;
  /** Adds or replaces a client at run time (for an app whose callback port is only known later). */
  registerClient(metadata: SandboxClientMetadata): void;
  /** Lets a resource server's client introspect any token (by default a client may introspect only its own). */
  allowIntrospection(clientId: string): void;
  /**
   * Registers a resource server (RFC 8707) and the scopes it accepts: a login asking for one of these scopes,
   * or carrying authorization details, gets an access token for this resource (opaque, checked by introspection).
   */
  registerResourceServer(indicator: string, scopes: readonly string[]): void;
  close(): Promise<void>;
}

const INTERACTION_BASE = '/interaction';

async function ownTokenOnly(
  _ctx: ProviderContext,
  client: { clientId: string },
  token: { clientId?: string },
) {
  return token.clientId === client.clientId;
}

/** Rich authorization requests (RFC 9396): validated on the way in, carried from the code to the token. */
type OidcModule = typeof import('oidc-provider');

function richAuthorization(
  { errors }: OidcModule,
  types: NonNullable<ProviderProfile['authorizationDetailsTypes']>,
) {
  const parse = (raw: unknown) => (typeof raw === 'string' ? (JSON.parse(raw) as unknown[]) : undefined);
  return {
    enabled: true,
    types: Object.fromEntries(
      Object.entries(types).map(([type, check]) => [
        type,
        {
          validate: async (_ctx: ProviderContext, detail: Record<string, unknown>) => {
            try {
              check(detail);
            } catch (err) {
              throw new errors.InvalidAuthorizationDetails((err as Error).message);
            }
          },
        },
      ]),
    ),
    authorizationDetailsForGrantSource: async (ctx: ProviderContext) =>
      parse(ctx.oidc.params?.authorization_details),
    authorizationDetailsForAccessToken: async (
      _ctx: ProviderContext,
      _token: unknown,
      source: { rar?: unknown },
    ) => source?.rar,
    authorizationDetailsForIntrospection: async (_ctx: ProviderContext, token: { rar?: unknown }) =>
      token.rar,
  };
}

/** The base interaction policy plus one login check: authorization details need a login of their own. */
function freshLoginForDetails({ interactionPolicy }: OidcModule) {
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'authorization_details',
        'Authorising a transaction needs the person to log in for it',
        (ctx: ProviderContext) =>
          ctx.oidc.params?.authorization_details !== undefined && !ctx.oidc.result?.login
            ? interactionPolicy.Check.REQUEST_PROMPT
            : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}

export async function startOidcServer(
  profile: ProviderProfile,
  population: PeopleSource,
  options: { port?: number; host?: string; clients: SandboxClientMetadata[] },
): Promise<RunningOidcProvider> {
  const store = createMemoryStore();
  const key = await generateKeyPair(profile.signingAlg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(key.privateKey)), alg: profile.signingAlg, use: 'sig' };
  jwk.kid = randomBytes(8).toString('hex');

  const subjects = new Map<string, SandboxPerson>();
  for (const p of population.people) subjects.set(profile.subjectFor(p), p);

  // The port must be known before the Provider exists (the issuer contains it), so listen first and
  // route to the provider once it is built.
  let handler:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  let providerRef: Provider | undefined;
  const server = await listen(
    async (req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://sandbox').pathname;
      if (handleWebFont(req, res, pathname)) return;
      if (
        providerRef &&
        (await handleLoginPage(
          {
            provider: providerRef,
            basePath: INTERACTION_BASE,
            title: profile.title,
            people: population.people,
            byCitizenId: population.byCitizenId,
            accountIdFor: profile.subjectFor,
          },
          req,
          res,
          pathname,
        ))
      ) {
        return;
      }
      if (!handler) {
        res.writeHead(503).end();
        return;
      }
      handler(req, res);
    },
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    },
  );

  // Loaded here, not at module load: importing @thgov/sandbox for a helper (people, PKI, GDX) must neither pay
  // for oidc-provider nor print its runtime warning.
  const oidcModule = await import('oidc-provider');
  const { default: OidcProvider } = oidcModule;
  const introspectors = new Set<string>();
  const resourceServers = new Map<string, Set<string>>();
  /** The resource a login is for when it does not name one: the one whose scopes it asks for. */
  const impliedResource = (ctx: ProviderContext): string | undefined => {
    const scopes = String(ctx.oidc.params?.scope ?? '').split(' ');
    for (const [indicator, accepted] of resourceServers) {
      if (ctx.oidc.params?.authorization_details !== undefined || scopes.some((x) => accepted.has(x)))
        return indicator;
    }
    return undefined;
  };
  const rar = profile.authorizationDetailsTypes;
  const provider = new OidcProvider(server.url, {
    adapter: store.adapterClass,
    clients: [],
    clientDefaults: profile.clientDefaults,
    jwks: { keys: [jwk] },
    routes: profile.routes,
    claims: profile.claims,
    ...(profile.extraScopes ? { scopes: ['openid', 'offline_access', ...profile.extraScopes] } : {}),
    conformIdTokenClaims: profile.conformIdTokenClaims,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    enabledJWA: { idTokenSigningAlgValues: [profile.signingAlg] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 900,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      // A client may introspect or revoke only its own tokens.
      introspection: {
        enabled: true,
        allowedPolicy: async (
          ctx: ProviderContext,
          client: { clientId: string },
          token: { clientId?: string },
        ) => introspectors.has(client.clientId) || ownTokenOnly(ctx, client, token),
      },
      ...(rar ? { richAuthorizationRequests: richAuthorization(oidcModule, rar) } : {}),
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx: ProviderContext, _client: unknown, oneOf?: string) =>
          oneOf ?? impliedResource(ctx),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: ProviderContext, indicator: string) => {
          const scopes = resourceServers.get(indicator);
          if (!scopes) throw new oidcModule.errors.InvalidTarget();
          return {
            scope: [...scopes].join(' '),
            audience: indicator,
            accessTokenFormat: 'opaque',
            accessTokenTTL: 600,
          };
        },
      },
      revocation: { enabled: true, allowedPolicy: ownTokenOnly },
      userinfo: { enabled: true },
      pushedAuthorizationRequests: {
        enabled: profile.par === true,
        requirePushedAuthorizationRequests: false,
      },
      dPoP: { enabled: profile.dpop === true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: ProviderContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            `${profile.title}: sign out`,
            `<h1>Sign out of ${escapeHtml(profile.title)}?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout" id="logout-yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" id="logout-no">No, stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: ProviderContext) => {
          ctx.type = 'html';
          ctx.body = page(`${profile.title}: signed out`, '<h1 id="signed-out">You are signed out.</h1>');
        },
      },
    },
    interactions: {
      url: (_ctx: ProviderContext, interaction: { uid: string }) => `${INTERACTION_BASE}/${interaction.uid}`,
      ...(rar ? { policy: freshLoginForDetails(oidcModule) } : {}),
    },
    clientBasedCORS: () => false,
    issueRefreshToken: async (
      _ctx: ProviderContext,
      client: { grantTypeAllowed(type: string): boolean },
      code: { scopes: Set<string> },
    ) =>
      client.grantTypeAllowed('refresh_token') &&
      (profile.alwaysIssueRefreshToken || code.scopes.has('offline_access')),
    // The sandbox has no consent screen: whatever the client may ask for is granted once the citizen logs in.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const accountId = ctx.oidc.session.accountId;
      const client = ctx.oidc.client;
      const scope = ctx.oidc.params?.scope;
      if (!accountId || !client || typeof scope !== 'string') return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope(scope);
      for (const [indicator, rs] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        const accepted = new Set(rs.scope.split(' '));
        const wanted = scope.split(' ').filter((x) => accepted.has(x));
        if (wanted.length > 0) grant.addResourceScope(indicator, wanted.join(' '));
      }
      // Authorization details were shown on the login page and approved by logging in (see login-page.ts).
      const details = ctx.oidc.params?.authorization_details;
      if (typeof details === 'string' && ctx.oidc.result?.consent) {
        for (const detail of JSON.parse(details) as Record<string, unknown>[]) grant.addRar(detail);
      }
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx: ProviderContext, sub: string) => {
      const person = population.byCitizenId.get(sub) ?? subjects.get(sub);
      if (!person) return undefined;
      const accountId = profile.subjectFor(person);
      return { accountId, claims: async () => ({ sub: accountId, ...profile.claimsFor(person) }) };
    },
    renderError: async (ctx: ProviderContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        `${profile.title}: error`,
        `<h1>Login error</h1>
<p>error: <code id="error">${escapeHtml(out.error ?? '')}</code></p>
<p>description: <code id="error_description">${escapeHtml(out.error_description ?? '')}</code></p>`,
      );
    },
  });
  for (const mw of profile.middleware ?? []) provider.use(mw);
  providerRef = provider;
  handler = provider.callback();

  function registerClient(metadata: SandboxClientMetadata): void {
    store.putClient(metadata.client_id, { ...profile.clientDefaults, ...metadata });
  }
  for (const c of options.clients) registerClient(c);

  return {
    issuer: server.url,
    url: server.url,
    registerClient,
    allowIntrospection: (clientId) => void introspectors.add(clientId),
    registerResourceServer: (indicator, scopes) => void resourceServers.set(indicator, new Set(scopes)),
    close: () => server.close(),
  };
}
