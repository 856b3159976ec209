import { generatePopulation, type Population } from '../people.js';
import type { PeopleSource, SandboxClientMetadata } from './oidc-server.js';

/** The population a provider logs people in from: the one given (shared with the GDX emulator) or a seeded one. */
export function resolvePeople(
  population: PeopleSource | Population | undefined,
  seed: number | undefined,
): PeopleSource {
  return population ?? generatePopulation(seed === undefined ? {} : { seed });
}

/** A 2.x test client exposed by a sandbox provider. Sandbox-only credentials: never real ones. */
export interface SandboxOidcClient {
  clientId: string;
  /** The raw secret the relying party is configured with. */
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Scopes the client may ask for; anything else gets `invalid_scope`. */
  scope: string;
}

export const DEFAULT_REDIRECT_URIS = [
  'http://127.0.0.1:3000/auth/callback',
  'http://localhost:3000/auth/callback',
];
export const DEFAULT_POST_LOGOUT_URIS = ['http://127.0.0.1:3000/', 'http://localhost:3000/'];

/**
 * What every sandbox provider passes to `startOidcServer` besides its profile: where to listen and its test
 * clients' registrations. `registeredSecret` is what the provider stores (DGA registers a transform of it).
 */
export function serverOptions(
  listenOn: { port?: number | undefined; host?: string | undefined },
  clients: readonly SandboxOidcClient[],
  registeredSecret: (secret: string) => string = (secret) => secret,
): { port?: number; host?: string; clients: SandboxClientMetadata[] } {
  return {
    ...(listenOn.port === undefined ? {} : { port: listenOn.port }),
    ...(listenOn.host === undefined ? {} : { host: listenOn.host }),
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: registeredSecret(c.clientSecret),
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      scope: c.scope,
    })),
  };
}
