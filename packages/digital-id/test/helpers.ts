import type { Logger } from '@thgov/core';
import type { BrowserOutcome, SandboxBrowser } from '@thgov/sandbox';
import { afterAll, beforeAll, expect } from 'vitest';
import { DigitalIdClient, type DigitalIdClientOptions, type HandleCallbackOptions } from '../src/index.js';
import { type CraftedProvider, type CraftedScenario, startCraftedProvider } from './crafted-provider.js';

export const REDIRECT = 'http://127.0.0.1:3000/auth/callback';
export const AFTER_LOGOUT = 'http://127.0.0.1:3000/';

export function redirected(outcome: BrowserOutcome): string {
  if (outcome.kind !== 'redirect')
    throw new Error(`expected a redirect, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return outcome.url;
}

/** Starts a login with the client and walks the provider's login page as `citizenId`; returns the callback URL. */
export async function loginAs(
  client: DigitalIdClient,
  browser: SandboxBrowser,
  citizenId: string,
  input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {},
): Promise<{ callbackUrl: string; state: string; url: string }> {
  const req = await client.createLoginRequest(input);
  const callbackUrl = redirected(await browser.login(req.url, { citizenId }));
  return { callbackUrl, state: req.state, url: req.url };
}

/** Runs `fn` and returns the error it throws, failing the test when it does not throw. */
export async function failure(fn: () => Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to fail');
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
  options: { code?: string } & HandleCallbackOptions = {},
) {
  const { code = 'crafted-code-1', ...callbackOptions } = options;
  const req = await client.createLoginRequest();
  op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  op.scenario = scenario;
  const cb = `${REDIRECT}?code=${encodeURIComponent(code)}&state=${req.state}`;
  return client.handleCallback(cb, { expectedState: req.state, ...callbackOptions });
}

/** Captures log lines as `level message {context JSON}` for leak checks. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, context?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${context ? JSON.stringify(context) : ''}`);
  return {
    logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
    lines,
  };
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
