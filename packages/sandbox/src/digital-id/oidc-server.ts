import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { IdTokenInstance, Middleware } from 'oidc-provider';
import { listen } from '../http-server.js';
import type { SandboxPerson } from '../people.js';
import { ErrorPages } from './error-page.js';
import { handleLoginPage } from './login-page.js';
import { createMemoryStore } from './memory-adapter.js';
import { INTERACTION_BASE, providerConfiguration } from './provider-config.js';
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
  /**
   * IdentityServer: an error the provider cannot send back to the client (unknown client, unregistered
   * redirect URI) redirects to the provider's own error page at this path (`?errorId=…`, HTTP 200). Without
   * it the error is shown in the authorization request's answer (HTTP 400), as oidc-provider does.
   */
  errorPagePath?: string;
  /**
   * IdentityServer: the id_token of every token response that carries an access token (code exchange,
   * refresh) has `at_hash`, the access token's hash (OIDC Core §3.1.3.6). oidc-provider adds it only to
   * id_tokens from the authorization endpoint.
   */
  accessTokenHash?: boolean;
}

/** The people a sandbox provider can log in: a list and an index by citizen ID. */
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

/** A running sandbox OIDC provider: its issuer, and run-time client and resource-server registration. */
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

/**
 * Starts one oidc-provider based sandbox provider: the listener first (the issuer contains its port), then the
 * provider configured by provider-config.ts, then the registered clients.
 */
export async function startOidcServer(
  profile: ProviderProfile,
  population: PeopleSource,
  options: { port?: number; host?: string; clients: SandboxClientMetadata[] },
): Promise<RunningOidcProvider> {
  const store = createMemoryStore();
  const jwk = await signingJwk(profile.signingAlg);
  const subjects = new Map<string, SandboxPerson>();
  for (const p of population.people) subjects.set(profile.subjectFor(p), p);

  const errorPages = profile.errorPagePath ? new ErrorPages(profile.errorPagePath, profile.title) : undefined;
  const front = new FrontDoor(profile, population, errorPages);
  const server = await listen((req, res) => front.handle(req, res), {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });

  // Loaded here, not at module load: importing @thgov/sandbox for a helper (people, PKI, GDX) must neither pay
  // for oidc-provider nor print its runtime warning.
  const oidcModule = await import('oidc-provider');
  const introspectors = new Set<string>();
  const resourceServers = new Map<string, Set<string>>();
  const provider = new oidcModule.default(
    server.url,
    providerConfiguration({
      profile,
      population,
      subjects,
      oidcModule,
      jwk,
      store,
      introspectors,
      resourceServers,
      ...(errorPages ? { errorPages } : {}),
    }),
  );
  for (const mw of profile.middleware ?? []) provider.use(mw);
  if (profile.accessTokenHash) hashAccessTokens(provider);
  front.ready(provider);

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

/**
 * Puts `at_hash` into the id_tokens the token endpoint issues: each access token remembers the value its
 * `save()` returned (opaque or JWT), and an id_token issued in the same request names it under `at_hash`,
 * which oidc-provider then hashes with the id_token's algorithm as it does at the authorization endpoint.
 */
function hashAccessTokens(provider: Provider): void {
  const issued = new WeakMap<object, string>();
  const save = provider.AccessToken.prototype.save;
  provider.AccessToken.prototype.save = async function (this: object) {
    const value = await save.call(this);
    issued.set(this, value);
    return value;
  };
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = function (this: IdTokenInstance, options) {
    const at = this.ctx?.oidc.route === 'token' ? this.ctx.oidc.entities?.AccessToken : undefined;
    const value = at === undefined ? undefined : issued.get(at);
    if (options?.use === 'idtoken' && value !== undefined) this.set('at_hash', value);
    return issue.call(this, options);
  };
}

/** A fresh signing key for the id_tokens, as a private JWK with a random key id. */
async function signingJwk(alg: SigningAlg): Promise<JWK> {
  // jose (about 80 modules, 30-40 ms to load) is loaded when a provider starts, not when the sandbox is imported.
  const { exportJWK, generateKeyPair } = await import('jose');
  const key = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(key.privateKey)), alg, use: 'sig' };
  jwk.kid = randomBytes(8).toString('hex');
  return jwk;
}

/**
 * What answers before oidc-provider: the bundled web font and the login page; everything else goes to the
 * provider once it exists (503 until then).
 */
class FrontDoor {
  #provider: Provider | undefined;
  #callback: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  constructor(
    private readonly profile: ProviderProfile,
    private readonly population: PeopleSource,
    private readonly errorPages: ErrorPages | undefined,
  ) {}

  ready(provider: Provider): void {
    this.#provider = provider;
    this.#callback = provider.callback();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (handleWebFont(req, res, pathname)) return;
    if (this.errorPages?.handle(req, res, pathname)) return;
    const provider = this.#provider;
    if (provider) {
      const login = {
        provider,
        basePath: INTERACTION_BASE,
        title: this.profile.title,
        people: this.population.people,
        byCitizenId: this.population.byCitizenId,
        accountIdFor: this.profile.subjectFor,
      };
      if (await handleLoginPage(login, req, res, pathname)) return;
    }
    if (!this.#callback) {
      res.writeHead(503).end();
      return;
    }
    this.#callback(req, res);
  }
}
