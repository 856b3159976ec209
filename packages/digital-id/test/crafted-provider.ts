import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A test-only OpenID provider that answers the token and userinfo endpoints with crafted responses:
 * the attacks a real provider never produces (alg none, HS256 keyed with the public key, wrong nonce,
 * wrong audience, expired or foreign id_tokens, a userinfo for someone else). A real server on
 * 127.0.0.1, so the whole client stack (HTTP, engine, mapping) is exercised.
 */
export interface CraftedScenario {
  header?: Record<string, unknown>;
  /** Claims overriding the valid defaults; `undefined` values remove the claim. */
  claims?: Record<string, unknown>;
  signing?: 'rs256' | 'none' | 'hs256-public-key' | 'other-key';
  userinfoSub?: string;
  /**
   * Replace the whole token response (status + JSON body); a function sees the token request's form
   * (providers that echo the code or verifier in `error_description`).
   */
  tokenResponse?:
    | { status: number; body: unknown }
    | ((form: URLSearchParams) => { status: number; body: unknown });
  /** Hold the token response this long (timeouts). */
  tokenDelayInMs?: number;
  /** Send the token response's body one byte every this many ms (a trickling upstream). */
  tokenTrickleEveryInMs?: number;
}

export interface CraftedProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The nonce of the latest authorization request the test registered. */
  nonce: string | undefined;
  scenario: CraftedScenario;
  /** Authorization header and body of the latest introspection / revocation / token call. */
  seen: Record<
    'introspect' | 'revoke' | 'token',
    { authorization: string | undefined; body: string } | undefined
  >;
  close(): Promise<void>;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Headers at once, then the body one byte at a time until it is sent or the client goes away. */
function trickle(res: ServerResponse, text: string, everyInMs: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= text.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(text[at++]);
  }, everyInMs);
  res.on('close', () => clearInterval(timer));
}

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

export async function startCraftedProvider(): Promise<CraftedProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const sockets = new Set<Socket>();
  const state: CraftedProvider = {
    issuer: '',
    clientId: 'crafted-client',
    clientSecret: 'crafted-client-secret',
    nonce: undefined,
    scenario: {},
    seen: { introspect: undefined, revoke: undefined, token: undefined },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  function idToken(s: CraftedScenario): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: state.issuer,
      aud: state.clientId,
      sub: 'user-1',
      iat: now,
      exp: now + 300,
      nonce: state.nonce,
      name: 'Test Person',
    };
    for (const [k, v] of Object.entries(s.claims ?? {})) {
      if (v === undefined) delete claims[k];
      else claims[k] = v;
    }
    const signing = s.signing ?? 'rs256';
    const alg = signing === 'none' ? 'none' : signing === 'hs256-public-key' ? 'HS256' : 'RS256';
    const header = { alg, typ: 'JWT', kid: 'k1', ...s.header };
    const input = `${b64(header)}.${b64(claims)}`;
    if (signing === 'none') return `${input}.`;
    if (signing === 'hs256-public-key') {
      const secret = (publicKey as KeyObject).export({ format: 'pem', type: 'spki' });
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    }
    const key = signing === 'other-key' ? other : privateKey;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/auth`,
        token_endpoint: `${state.issuer}/token`,
        userinfo_endpoint: `${state.issuer}/userinfo`,
        jwks_uri: `${state.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        introspection_endpoint: `${state.issuer}/introspect/`,
        revocation_endpoint: `${state.issuer}/revoke/`,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if ((url.pathname === '/introspect/' || url.pathname === '/revoke/') && req.method === 'POST') {
      const which = url.pathname === '/introspect/' ? 'introspect' : 'revoke';
      state.seen[which] = { authorization: req.headers.authorization, body: await body(req) };
      if (which === 'revoke') {
        res.writeHead(200).end();
        return;
      }
      return json(200, {
        active: true,
        sub: 'user-1',
        scope: 'openid',
        client_id: state.clientId,
        exp: 4102444800,
      });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      state.seen.token = { authorization: req.headers.authorization, body: await body(req) };
      const s = state.scenario;
      if (s.tokenDelayInMs) await new Promise((r) => setTimeout(r, s.tokenDelayInMs));
      if (res.destroyed) return;
      if (s.tokenResponse) {
        const r =
          typeof s.tokenResponse === 'function'
            ? s.tokenResponse(new URLSearchParams(state.seen.token?.body ?? ''))
            : s.tokenResponse;
        return json(r.status, r.body);
      }
      const tokens = {
        access_token: 'crafted-access-token-123',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken(s),
      };
      if (s.tokenTrickleEveryInMs) return trickle(res, JSON.stringify(tokens), s.tokenTrickleEveryInMs);
      return json(200, tokens);
    }
    if (url.pathname === '/userinfo') {
      return json(200, { sub: state.scenario.userinfoSub ?? 'user-1', email: 'someone@example.test' });
    }
    json(404, { error: 'not_found' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
