import { generatePopulation, type Population } from '../people.js';
import type { PeopleSource } from './oidc-server.js';

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
