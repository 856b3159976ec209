// oidc-provider ships no type declarations; this is the small surface the sandbox uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderContext {
    path: string;
    method: string;
    status: number;
    body: unknown;
    type: string;
    host: string;
    querystring: string;
    query: Record<string, string | string[] | undefined>;
    get(name: string): string;
    set(name: string, value: string): void;
    /** Koa's Node request: a middleware may rewrite a header before the provider reads it. */
    req: { headers: Record<string, string | string[] | undefined> };
    oidc: {
      provider: Provider;
      route: string | undefined;
      client: { clientId: string } | undefined;
      session: { accountId: string | undefined };
      params: Record<string, unknown> | undefined;
      /** The result of the interaction just finished, when the request resumes after one. */
      result?: { login?: unknown; consent?: unknown };
      /** Resource servers (RFC 8707) the request is for, by indicator. */
      resourceServers?: Record<string, { scope: string }>;
      /** The models this request made or loaded (the access token being issued, ...). */
      entities?: { AccessToken?: object };
    };
  }

  /** An id_token being built: extra claims are `set`, then `issue` signs it. */
  export interface IdTokenInstance {
    ctx: ProviderContext | undefined;
    set(claim: string, value: unknown): void;
    issue(options?: { use?: string }): Promise<string>;
  }

  export type Middleware = (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>;

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string };
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    addResourceScope(indicator: string, scope: string): void;
    addRar(detail: Record<string, unknown>): void;
    addOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  }

  export interface AdapterPayload {
    [key: string]: unknown;
    consumed?: number;
    grantId?: string;
    uid?: string;
    userCode?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** Interaction policy building blocks (prompts and their checks). */
  export namespace interactionPolicy {
    class Check {
      static readonly REQUEST_PROMPT: boolean;
      static readonly NO_NEED_TO_PROMPT: boolean;
      constructor(
        reason: string,
        description: string,
        check: (ctx: ProviderContext) => boolean | Promise<boolean>,
      );
    }
    interface Prompt {
      checks: { add(check: Check): void };
    }
    interface Policy {
      get(name: string): Prompt | undefined;
    }
    function base(): Policy;
  }

  /** OAuth error classes the provider answers with. */
  export namespace errors {
    class InvalidAuthorizationDetails extends Error {
      constructor(description: string);
    }
    class InvalidTarget extends Error {
      constructor(description?: string);
    }
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    /** The provider's token models: their prototypes may be wrapped (see the sandbox's at_hash). */
    AccessToken: { prototype: { save(): Promise<string> } };
    IdToken: { prototype: IdTokenInstance };
    Grant: new (init: {
      clientId: string;
      accountId: string;
    }) => GrantInstance;
  }
}
