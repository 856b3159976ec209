import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { ProviderContext } from 'oidc-provider';
import type { SandboxPerson } from '../people.js';
import { type ErrorPages, errorPageHtml } from './error-page.js';
import { escapeHtml, page } from './html.js';
import type { createMemoryStore } from './memory-adapter.js';
import type { PeopleSource, ProviderProfile } from './oidc-server.js';

export const INTERACTION_BASE = '/interaction';

/** What the provider's configuration reads: the profile, the people, and the run-time registries. */
export interface ConfigContext {
  profile: ProviderProfile;
  population: PeopleSource;
  /** People by the subject the profile gives them (DGA's subjects are not citizen IDs). */
  subjects: ReadonlyMap<string, SandboxPerson>;
  oidcModule: OidcModule;
  jwk: JWK;
  store: ReturnType<typeof createMemoryStore>;
  /** Clients allowed to introspect any token (`allowIntrospection`). */
  introspectors: ReadonlySet<string>;
  /** Resource servers (RFC 8707) and the scopes each accepts (`registerResourceServer`). */
  resourceServers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Where errors not sent back to the client are shown, for a profile with `errorPagePath`. */
  errorPages?: ErrorPages;
}

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

/** The resource a login is for when it does not name one: the one whose scopes it asks for. */
function impliedResource(c: ConfigContext, ctx: ProviderContext): string | undefined {
  const scopes = String(ctx.oidc.params?.scope ?? '').split(' ');
  for (const [indicator, accepted] of c.resourceServers) {
    if (ctx.oidc.params?.authorization_details !== undefined || scopes.some((x) => accepted.has(x)))
      return indicator;
  }
  return undefined;
}

function resourceIndicators(c: ConfigContext) {
  return {
    enabled: true,
    defaultResource: async (ctx: ProviderContext, _client: unknown, oneOf?: string) =>
      oneOf ?? impliedResource(c, ctx),
    useGrantedResource: async () => true,
    getResourceServerInfo: async (_ctx: ProviderContext, indicator: string) => {
      const scopes = c.resourceServers.get(indicator);
      if (!scopes) throw new c.oidcModule.errors.InvalidTarget();
      return {
        scope: [...scopes].join(' '),
        audience: indicator,
        accessTokenFormat: 'opaque',
        accessTokenTTL: 600,
      };
    },
  };
}

/** The sign-out question and answer pages, in the profile's name. */
function logoutPages(profile: ProviderProfile) {
  return {
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
  };
}

function features(c: ConfigContext) {
  const { profile } = c;
  const rar = profile.authorizationDetailsTypes;
  return {
    devInteractions: { enabled: false },
    // A client may introspect or revoke only its own tokens.
    introspection: {
      enabled: true,
      allowedPolicy: async (
        ctx: ProviderContext,
        client: { clientId: string },
        token: { clientId?: string },
      ) => c.introspectors.has(client.clientId) || ownTokenOnly(ctx, client, token),
    },
    ...(rar ? { richAuthorizationRequests: richAuthorization(c.oidcModule, rar) } : {}),
    resourceIndicators: resourceIndicators(c),
    revocation: { enabled: true, allowedPolicy: ownTokenOnly },
    userinfo: { enabled: true },
    pushedAuthorizationRequests: { enabled: profile.par === true, requirePushedAuthorizationRequests: false },
    dPoP: { enabled: profile.dpop === true },
    rpInitiatedLogout: logoutPages(profile),
  };
}

/** The sandbox has no consent screen: whatever the client may ask for is granted once the citizen logs in. */
async function loadExistingGrant(ctx: ProviderContext) {
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
}

function renderError(c: ConfigContext) {
  return async (ctx: ProviderContext, out: Record<string, string>) => {
    if (c.errorPages) {
      c.errorPages.redirect(ctx, out);
      return;
    }
    ctx.type = 'html';
    ctx.body = errorPageHtml(c.profile.title, out);
  };
}

/** The oidc-provider configuration of one sandbox provider (the profile decides what differs between them). */
export function providerConfiguration(c: ConfigContext): Record<string, unknown> {
  const { profile, population } = c;
  return {
    adapter: c.store.adapterClass,
    clients: [],
    clientDefaults: profile.clientDefaults,
    jwks: { keys: [c.jwk] },
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
    features: features(c),
    interactions: {
      url: (_ctx: ProviderContext, interaction: { uid: string }) => `${INTERACTION_BASE}/${interaction.uid}`,
      ...(profile.authorizationDetailsTypes ? { policy: freshLoginForDetails(c.oidcModule) } : {}),
    },
    clientBasedCORS: () => false,
    issueRefreshToken: async (
      _ctx: ProviderContext,
      client: { grantTypeAllowed(type: string): boolean },
      code: { scopes: Set<string> },
    ) =>
      client.grantTypeAllowed('refresh_token') &&
      (profile.alwaysIssueRefreshToken || code.scopes.has('offline_access')),
    loadExistingGrant,
    findAccount: async (_ctx: ProviderContext, sub: string) => {
      const person = population.byCitizenId.get(sub) ?? c.subjects.get(sub);
      if (!person) return undefined;
      const accountId = profile.subjectFor(person);
      return { accountId, claims: async () => ({ sub: accountId, ...profile.claimsFor(person) }) };
    },
    renderError: renderError(c),
  };
}
