import { constants, createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { DigitalIdClient, type DigitalIdClientOptions } from '../src/index.js';
import { REDIRECT } from './helpers.js';

/**
 * A test-only OpenID provider whose every answer can be changed per test: the discovery document (fields
 * removed or added, or the whole response), the signing keys and algorithm (ES256, PS256, EdDSA, RS256),
 * the token and userinfo endpoints (status, body, headers; the request's headers are visible, for
 * providers that echo them). A real server on 127.0.0.1, so the whole client stack is exercised.
 */
export type QuirkAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface QuirkKey {
  alg: QuirkAlg;
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export interface QuirkAnswer {
  status: number;
  body: unknown;
  type?: string;
  headers?: Record<string, string>;
}

export interface QuirkProvider {
  issuer: string;
  clientId: string;
  /** The nonce of the latest authorization request the test registered. */
  nonce: string | undefined;
  keys: QuirkKey[];
  /** Index in `keys` of the key that signs id_tokens (and userinfo JWTs). */
  signWith: number;
  /** Published in the JWKS; default every key in `keys`. */
  jwksKeys: (() => QuirkKey[]) | undefined;
  /** Take over the JWKS response (a blip, another content type). */
  jwksRaw: ((res: ServerResponse) => void | Promise<void>) | undefined;
  /** Discovery fields to add or (with `undefined`) remove. */
  discovery: Record<string, unknown>;
  /** Take over the discovery response (a blip, a huge body). */
  discoveryRaw: ((res: ServerResponse) => void | Promise<void>) | undefined;
  /** Claims overriding the valid defaults; `undefined` removes one. */
  claims: Record<string, unknown>;
  token:
    | ((form: URLSearchParams, headers: IncomingHttpHeaders) => QuirkAnswer | Promise<QuirkAnswer>)
    | undefined;
  userinfo: (() => QuirkAnswer | Promise<QuirkAnswer>) | undefined;
  /** Method and path of every request, in order. */
  seen: Array<{ method: string; path: string }>;
  idToken(claims?: Record<string, unknown>): string;
  /** A JWT signed like the id_token, with exactly these claims. */
  jwt(claims: Record<string, unknown>, key?: QuirkKey): string;
  /** A JWT signed like the id_token whose payload is exactly this JSON text (shapes JSON.stringify cannot make). */
  jwtText(payload: string, key?: QuirkKey): string;
  /** Every knob back to its start: claims, answers, discovery, JWKS, the keys it started with, `seen`. */
  reset(): void;
  close(): Promise<void>;
}

export function quirkKey(alg: QuirkAlg, kid = `k-${alg}-${randomBytes(3).toString('hex')}`): QuirkKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  // An empty kid: a key published (and tokens signed) without any kid, as some providers do.
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), ...(kid ? { kid } : {}), alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, jwk };
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function signJwt(claims: Record<string, unknown> | string, key: QuirkKey): string {
  const header = { alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) };
  const input = `${b64(header)}.${b64(claims)}`;
  const data = Buffer.from(input);
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : key.alg === 'PS256'
        ? sign('sha256', data, {
            key: key.privateKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: 32,
          })
        : key.alg === 'EdDSA'
          ? sign(null, data, key.privateKey)
          : sign('sha256', data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** What `reset` puts back. */
type Knob =
  | 'keys'
  | 'signWith'
  | 'jwksKeys'
  | 'jwksRaw'
  | 'discovery'
  | 'discoveryRaw'
  | 'claims'
  | 'token'
  | 'userinfo'
  | 'seen';

export async function startQuirkProvider(init: { keys?: QuirkKey[] } = {}): Promise<QuirkProvider> {
  const sockets = new Set<Socket>();
  const startKeys = init.keys ?? [quirkKey('RS256', 'k1')];
  // The knobs a test turns, as the provider starts (and `reset` puts them back).
  const knobs = (): Pick<QuirkProvider, Knob> => ({
    keys: [...startKeys],
    signWith: 0,
    jwksKeys: undefined,
    jwksRaw: undefined,
    discovery: {},
    discoveryRaw: undefined,
    claims: {},
    token: undefined,
    userinfo: undefined,
    seen: [],
  });
  const op: QuirkProvider = {
    issuer: '',
    clientId: 'quirk-client',
    nonce: undefined,
    ...knobs(),
    idToken(extra = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: op.issuer,
        aud: op.clientId,
        sub: 'user-1',
        iat: now,
        exp: now + 300,
        nonce: op.nonce,
      };
      for (const [k, v] of Object.entries({ ...op.claims, ...extra })) {
        if (v === undefined) delete claims[k];
        else claims[k] = v;
      }
      return op.jwt(claims);
    },
    jwt(claims, key = op.keys[op.signWith] as QuirkKey) {
      return signJwt(claims, key);
    },
    jwtText(payload, key = op.keys[op.signWith] as QuirkKey) {
      return signJwt(payload, key);
    },
    reset() {
      Object.assign(op, knobs());
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', op.issuer);
    op.seen.push({ method: req.method ?? 'GET', path: url.pathname });
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (a: QuirkAnswer) => {
      if (res.destroyed) return;
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json', ...a.headers });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      if (op.discoveryRaw) return op.discoveryRaw(res);
      const d: Record<string, unknown> = {
        issuer: op.issuer,
        authorization_endpoint: `${op.issuer}/auth`,
        token_endpoint: `${op.issuer}/token`,
        userinfo_endpoint: `${op.issuer}/userinfo`,
        jwks_uri: `${op.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [...new Set(op.keys.map((k) => k.alg))],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      };
      for (const [k, v] of Object.entries(op.discovery)) {
        if (v === undefined) delete d[k];
        else d[k] = v;
      }
      return send({ status: 200, body: d });
    }
    if (url.pathname === '/jwks') {
      if (op.jwksRaw) return op.jwksRaw(res);
      return send({ status: 200, body: { keys: (op.jwksKeys?.() ?? op.keys).map((k) => k.jwk) } });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      if (op.token) return send(await op.token(new URLSearchParams(body), req.headers));
      return send({
        status: 200,
        body: {
          access_token: `quirk-access-${createHash('sha256').update(randomBytes(8)).digest('hex')}`,
          token_type: 'Bearer',
          expires_in: 300,
          id_token: op.idToken(),
        },
      });
    }
    if (url.pathname === '/userinfo') {
      if (op.userinfo) return send(await op.userinfo());
      return send({ status: 200, body: { sub: 'user-1', email: 'someone@example.test' } });
    }
    send({ status: 404, body: { error: 'not_found' } });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  op.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return op;
}

/**
 * A generic-preset client of `op` over plain http (claims from the id_token), added to `clients` so the suite
 * closes it after each test.
 */
export function quirkClient(
  op: QuirkProvider,
  clients: DigitalIdClient[],
  overrides: Partial<DigitalIdClientOptions> = {},
): DigitalIdClient {
  const c = new DigitalIdClient({
    provider: 'generic',
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: 'quirk-client-secret',
    redirectUri: REDIRECT,
    claimsSource: 'id_token',
    dangerouslyAllowInsecureHttp: true,
    ...overrides,
  });
  clients.push(c);
  return c;
}

/**
 * A whole login at `op` through client `c`: the login request, the provider's nonce, and the callback with the
 * code the quirk provider accepts. Returns what `handleCallback` returns.
 */
export async function quirkLogin(op: QuirkProvider, c: DigitalIdClient) {
  const req = await c.createLoginRequest();
  op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

/**
 * The quirk provider of one test file: started before its tests; after each test the clients made through
 * `quirkClient(quirks.op, quirks.clients)` are closed and every knob is reset; stopped after all of them.
 */
export function useQuirkProvider(): { readonly op: QuirkProvider; clients: DigitalIdClient[] } {
  let started: QuirkProvider | undefined;
  const clients: DigitalIdClient[] = [];
  beforeAll(async () => {
    started = await startQuirkProvider();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    started?.reset();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get op() {
      if (!started) throw new Error('the quirk provider starts in beforeAll: use it inside tests and hooks');
      return started;
    },
    clients,
  };
}
