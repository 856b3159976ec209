import type { DgaProvider, SandboxBrowser, ThaidProvider } from '@thgov/sandbox';
import { loginAs as walkLogin } from '@thgov/testkit';
import { afterAll, beforeAll } from 'vitest';
import { DigitalIdClient, type DigitalIdClientOptions, type HandleCallbackOptions } from '../src/index.js';
import { type CraftedProvider, type CraftedScenario, startCraftedProvider } from './crafted-provider.js';

export { caught as failure, expectRedirect as redirected } from '@thgov/testkit';

export const REDIRECT = 'http://127.0.0.1:3000/auth/callback';
export const AFTER_LOGOUT = 'http://127.0.0.1:3000/';

/** Starts a login with the client and walks the provider's login page as `citizenId`; returns the callback URL. */
export function loginAs(
  client: DigitalIdClient,
  browser: SandboxBrowser,
  citizenId: string,
  input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {},
): Promise<{ callbackUrl: string; state: string; url: string }> {
  return walkLogin(client, browser, citizenId, input);
}

/**
 * A client for a sandbox ThaID or DGA provider (plain http on 127.0.0.1) as one of its registered apps: the ThaID
 * one sends the provider's API key. `overrides` adds to or replaces any option (a state store, logout URI…).
 */
export function sandboxClient(
  op: ThaidProvider | DgaProvider,
  overrides: Partial<DigitalIdClientOptions> = {},
  app: 'default' | 'restricted' = 'default',
): DigitalIdClient {
  const registered = op.clients[app];
  const provider =
    'apiKey' in op ? { provider: 'thaid' as const, apiKey: op.apiKey } : { provider: 'dga' as const };
  return new DigitalIdClient({
    ...provider,
    issuer: op.issuer,
    clientId: registered.clientId,
    clientSecret: registered.clientSecret,
    redirectUri: REDIRECT,
    dangerouslyAllowInsecureHttp: true,
    ...overrides,
  });
}

/** A generic-provider client for the crafted provider (plain http on 127.0.0.1, claims from the id_token). */
export function craftedClient(
  op: CraftedProvider,
  overrides: Partial<DigitalIdClientOptions> = {},
): DigitalIdClient {
  return new DigitalIdClient({
    provider: 'generic',
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    redirectUri: REDIRECT,
    claimsSource: 'id_token',
    dangerouslyAllowInsecureHttp: true,
    ...overrides,
  });
}

/** Starts a login, lets the crafted provider "approve" it, and hands the callback (with `code`) to the client. */
export async function craftedCallback(
  client: DigitalIdClient,
  op: CraftedProvider,
  scenario: CraftedScenario,
  options: { code?: string } & Partial<HandleCallbackOptions> = {},
) {
  const { code = 'crafted-code-1', ...callbackOptions } = options;
  const req = await client.createLoginRequest();
  op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  op.scenario = scenario;
  const cb = `${REDIRECT}?code=${encodeURIComponent(code)}&state=${req.state}`;
  return client.handleCallback(cb, { expectedState: req.state, ...callbackOptions });
}

/**
 * The crafted provider for one test file: started before its tests, closed after them together with every
 * client made through `client()`.
 */
export function useCraftedProvider(): {
  provider(): CraftedProvider;
  client(overrides?: Partial<DigitalIdClientOptions>): DigitalIdClient;
} {
  let op: CraftedProvider | undefined;
  const clients: DigitalIdClient[] = [];
  beforeAll(async () => {
    op = await startCraftedProvider();
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await op?.close();
  });
  const provider = () => {
    if (!op) throw new Error('the crafted provider starts in beforeAll');
    return op;
  };
  return {
    provider,
    client: (overrides = {}) => {
      const c = craftedClient(provider(), overrides);
      clients.push(c);
      return c;
    },
  };
}
