/** Where a sandbox login walk ended (the shape of `@thgov/sandbox`'s `BrowserOutcome`). */
export interface LoginOutcome {
  kind: string;
  url?: string;
}

/** Anything that walks a provider's login page (the sandbox's `SandboxBrowser`). */
export interface LoginWalker {
  login(url: string, options: { citizenId: string }): Promise<LoginOutcome>;
}

/** Anything that starts a login (a `DigitalIdClient`). */
export interface LoginStarter<Input> {
  createLoginRequest(input: Input): Promise<{ url: string; state: string }>;
}

/**
 * The URL a login walk was redirected to; throws (failing the test) when it ended elsewhere: an error
 * page, a consent screen, a provider that stopped answering.
 *
 * @example
 * ```ts
 * const callbackUrl = expectRedirect(await new SandboxBrowser().login(url, { citizenId }));
 * ```
 */
export function expectRedirect(outcome: LoginOutcome): string {
  if (outcome.kind !== 'redirect' || outcome.url === undefined)
    throw new Error(`expected a redirect, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return outcome.url;
}

/**
 * Starts a login with `client` and walks the provider's login page as `citizenId` with `browser`; returns
 * the callback URL the provider redirected to, the state and the authorization URL.
 *
 * @example
 * ```ts
 * const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
 * const identity = await client.handleCallback(callbackUrl, { expectedState: state });
 * ```
 */
export async function loginAs<Input>(
  client: LoginStarter<Input>,
  browser: LoginWalker,
  citizenId: string,
  input: Input,
): Promise<{ callbackUrl: string; state: string; url: string }> {
  const req = await client.createLoginRequest(input);
  const callbackUrl = expectRedirect(await browser.login(req.url, { citizenId }));
  return { callbackUrl, state: req.state, url: req.url };
}
