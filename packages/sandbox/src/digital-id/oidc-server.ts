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
  const { default: OidcProvider } = await import('oidc-provider');
  const provider = new OidcProvider(server.url, {
    adapter: store.adapterClass,
    clients: [],
    clientDefaults: profile.clientDefaults,
    jwks: { keys: [jwk] },
    routes: profile.routes,
    claims: profile.claims,
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
      introspection: { enabled: true, allowedPolicy: ownTokenOnly },
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

  return { issuer: server.url, url: server.url, registerClient, close: () => server.close() };
}
