import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DgaProvider } from '../digital-id/dga-provider.js';
import { dgaHashSecret } from '../digital-id/dga-secret.js';
import type { SandboxOidcClient } from '../digital-id/people-source.js';
import { listen, readBody, sendJson } from '../http-server.js';
import type { SandboxPerson } from '../people.js';
import type { SandboxPki } from '../pki/sandbox-pki.js';
import {
  issueOfficerCredentials,
  planOfficers,
  type SandboxCscCredential,
  type SandboxOfficer,
} from './credentials.js';
import {
  CscFailure,
  DIGESTS,
  invalid,
  keyAlgorithms,
  readHashes,
  sign,
  signatureAlgorithm,
} from './protocol.js';

export interface CscServiceOptions {
  pki: SandboxPki;
  dga: DgaProvider;
  people: readonly SandboxPerson[];
  seed?: number;
  host?: string;
  port?: number;
  /** How many test people are officers with signing credentials (default 3). */
  officers?: number;
  /** Lifetime of a SAD (default 5 minutes). */
  sadTtlInMs?: number;
  /** Lifetime of an OTP (default 5 minutes). */
  otpTtlInMs?: number;
  now?: () => Date;
}

export interface CscService {
  /** Base URL of the CSC API: `${url}/info`, `${url}/credentials/list` … */
  url: string;
  officers: SandboxOfficer[];
  /** The credentials with their keys (generated on the service's first request, or by this call). */
  credentials(): Promise<ReadonlyMap<string, SandboxCscCredential>>;
  /** The OAuth2 client a signing application uses at the DGA-like provider (scopes `service`, `credential`). */
  signingClient: SandboxOidcClient;
  /** The sandbox's "SMS": the last OTP sent for a credential (also at GET `${url}/sandbox/otp/<credentialID>`). */
  lastOtp(credentialId: string): string | undefined;
  /** Makes every outstanding SAD expire now (what a slow officer or a long queue does). */
  expireAuthorizations(): void;
  close(): Promise<void>;
}

const METHODS = [
  'info',
  'credentials/list',
  'credentials/info',
  'credentials/authorize',
  'credentials/sendOTP',
  'signatures/signHash',
];
const MAX_PIN_FAILURES = 5;

interface Sad {
  credentialId: string;
  subject: string;
  hashes: Set<string> | undefined;
  hashAlgorithmOid: string | undefined;
  numSignatures: number;
  expiresAt: number;
}

interface Caller {
  subject: string;
  scopes: Set<string>;
  details: unknown[];
  tokenHash: string;
  expiresAt: number;
}

/**
 * The sandbox's remote signing service, speaking CSC API v2 (v2.0.0.2) under `/csc/v2`. Officers are the first
 * test people; their credentials' keys live here and their certificates come from the sandbox PKI (whose TSA,
 * OCSP responder and CRLs `info` advertises). Access tokens are the DGA-like provider's, checked by
 * introspection: scope `service` for list/info/authorize, or scope `credential` with `authorization_details`
 * naming the credential and the exact document digests. A SAD is bound to its hashes, single-use and
 * short-lived; signHash refuses any hash that was not authorised.
 */
export async function startCscService(options: CscServiceOptions): Promise<CscService> {
  const now = () => (options.now ?? (() => new Date()))().getTime();
  const officers = planOfficers(options.people, options.officers ?? 3, options.seed ?? 2026);
  // Keys are made on first use: most sandbox users never sign, and RSA key generation takes seconds.
  let issuing: Promise<Map<string, SandboxCscCredential>> | undefined;
  const ready = (): Promise<Map<string, SandboxCscCredential>> => {
    if (!issuing) {
      issuing = issueOfficerCredentials({
        officers,
        pki: options.pki,
        now: options.now ?? (() => new Date()),
      });
      issuing.catch(() => {
        issuing = undefined; // a failed start is retried by the next request
      });
    }
    return issuing;
  };
  let credentials = new Map<string, SandboxCscCredential>();
  const pins = new Map(officers.map((o) => [o.person.citizenId, o.pin]));
  const sads = new Map<string, Sad>();
  const otps = new Map<string, { otp: string; expiresAt: number }>();
  const sentOtps = new Map<string, string>();
  const usedTokens = new Set<string>();
  const pinFailures = new Map<string, number>();
  const rs = { clientId: 'thgov-sandbox-csc-service', secret: randomBytes(24).toString('base64url') };
  options.dga.registerClient({
    client_id: rs.clientId,
    client_secret: dgaHashSecret(rs.secret),
    redirect_uris: ['http://127.0.0.1/unused'],
    grant_types: [],
    response_types: [],
  });
  options.dga.allowIntrospection(rs.clientId);
  // The service's URL is only known once it listens: it is registered as a resource server right after.
  const signingClient: SandboxOidcClient = {
    clientId: 'thgov-sandbox-signing-app',
    clientSecret: 'sandbox-signing-app-secret-1',
    redirectUris: ['http://127.0.0.1:3000/sign/callback', 'http://localhost:3000/sign/callback'],
    postLogoutRedirectUris: [],
    scope: 'openid profile service credential',
  };
  options.dga.registerClient({
    client_id: signingClient.clientId,
    client_secret: dgaHashSecret(signingClient.clientSecret),
    redirect_uris: signingClient.redirectUris,
    scope: signingClient.scope,
    authorization_details_types: ['credential'],
  });

  /** Introspection at the DGA-like provider: the token's subject, scopes and authorization details. */
  async function caller(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer ([\x21-\x7e]{10,4096})$/.exec(header)?.[1];
    if (!token) throw new CscFailure(401, 'invalid_token', 'Missing or malformed bearer token');
    const res = await fetch(`${options.dga.issuer}/connect/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${rs.clientId}:${dgaHashSecret(rs.secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || body.active !== true || typeof body.sub !== 'string') {
      throw new CscFailure(401, 'invalid_token', 'The access token is not active');
    }
    // A token issued for another resource (the provider's userinfo, another service) is not ours to honour.
    const aud = Array.isArray(body.aud) ? body.aud : [body.aud];
    if (!aud.includes(audience))
      throw new CscFailure(401, 'invalid_token', 'The access token is for another audience');
    return {
      subject: body.sub,
      scopes: new Set(String(body.scope ?? '').split(' ')),
      details: Array.isArray(body.authorization_details) ? body.authorization_details : [],
      tokenHash: createHash('sha256').update(token).digest('hex'),
      expiresAt: typeof body.exp === 'number' ? body.exp * 1000 : now() + 60_000,
    };
  }

  function serviceCaller(c: Caller): Caller {
    if (!c.scopes.has('service'))
      throw new CscFailure(403, 'insufficient_scope', 'The token lacks the service scope');
    return c;
  }

  /** The caller's own credential; another officer's is answered as unknown (no probing of IDs). */
  function ownCredential(c: Caller, body: Record<string, unknown>): SandboxCscCredential {
    const id = body.credentialID;
    if (typeof id !== 'string') throw invalid('Missing (or invalid type) string parameter credentialID');
    const credential = credentials.get(id);
    if (!credential || credential.subject !== c.subject) throw invalid('Invalid parameter credentialID');
    return credential;
  }

  function usable(credential: SandboxCscCredential): void {
    if (credential.status !== 'valid') throw invalid(`The signing certificate is ${credential.status}`);
  }

  function credentialInfo(credential: SandboxCscCredential, certificates: unknown) {
    const chain =
      certificates === 'none'
        ? []
        : certificates === 'single'
          ? credential.chain.slice(0, 1)
          : credential.chain;
    const explicit = credential.authMode === 'explicit';
    return {
      description: `Sandbox officer credential (${credential.keyType === 'rsa' ? 'RSA-2048' : credential.curve})`,
      key: {
        status: 'enabled',
        algo: keyAlgorithms(credential),
        len: credential.keyType === 'rsa' ? 2048 : credential.curve === 'P-384' ? 384 : 256,
        ...(credential.curve
          ? { curve: credential.curve === 'P-384' ? '1.3.132.0.34' : '1.2.840.10045.3.1.7' }
          : {}),
      },
      cert: {
        status: credential.status,
        certificates: chain.map((c) => Buffer.from(c).toString('base64')),
        serialNumber: String(credential.serialNumber),
      },
      auth: explicit
        ? {
            mode: 'explicit',
            expression: 'PIN AND OTP',
            objects: [
              { type: 'Password', id: 'PIN', format: 'N', label: 'PIN' },
              { type: 'Password', id: 'OTP', format: 'N', generator: 'sandbox-sms', label: 'OTP' },
            ],
          }
        : { mode: 'oauth2code' },
      SCAL: '2',
      multisign: credential.multisign,
    };
  }

  function checkAuthData(credential: SandboxCscCredential, authData: unknown): void {
    const failures = pinFailures.get(credential.credentialId) ?? 0;
    if (failures >= MAX_PIN_FAILURES) throw invalid('PIN locked');
    const entries = Array.isArray(authData) ? (authData as Array<{ id?: unknown; value?: unknown }>) : [];
    const value = (id: string) => entries.find((e) => e?.id === id)?.value;
    const same = (a: unknown, b: string | undefined) =>
      typeof a === 'string' &&
      b !== undefined &&
      a.length === b.length &&
      timingSafeEqual(Buffer.from(a), Buffer.from(b));
    if (!same(value('PIN'), pins.get(credential.officer.citizenId))) {
      pinFailures.set(credential.credentialId, failures + 1);
      throw invalid(failures + 1 >= MAX_PIN_FAILURES ? 'PIN locked' : 'The PIN is invalid');
    }
    const otp = otps.get(credential.credentialId);
    if (!otp || otp.expiresAt <= now() || !same(value('OTP'), otp.otp)) throw invalid('The OTP is invalid');
    otps.delete(credential.credentialId); // one OTP, one authorisation
    pinFailures.delete(credential.credentialId);
  }

  async function authorize(c: Caller, body: Record<string, unknown>) {
    const credential = ownCredential(serviceCaller(c), body);
    usable(credential);
    if (credential.authMode !== 'explicit')
      throw invalid('This credential is authorised through the digital-ID provider');
    const numSignatures = body.numSignatures;
    if (typeof numSignatures !== 'number' || !Number.isInteger(numSignatures) || numSignatures < 1) {
      throw invalid('Missing (or invalid type) integer parameter numSignatures');
    }
    if (numSignatures > credential.multisign) throw invalid('Numbers of signatures is too high');
    const hashOid = typeof body.hashAlgorithmOID === 'string' ? body.hashAlgorithmOID : undefined;
    if (!hashOid || !DIGESTS[hashOid]) throw invalid('Invalid parameter hashAlgorithmOID');
    // SCAL 2: the SAD is bound to the hashes, so they are required here.
    const hashes = readHashes(body.hashes, DIGESTS[hashOid], numSignatures);
    if (hashes.length !== numSignatures) throw invalid('Invalid value for parameter numSignatures');
    checkAuthData(credential, body.authData);
    const sad = randomBytes(32).toString('base64url');
    const ttl = options.sadTtlInMs ?? 300_000;
    sads.set(sad, {
      credentialId: credential.credentialId,
      subject: c.subject,
      hashes: new Set(hashes),
      hashAlgorithmOid: hashOid,
      numSignatures,
      expiresAt: now() + ttl,
    });
    return { SAD: sad, expiresIn: Math.floor(ttl / 1000) };
  }

  /** The hashes a SAD or a credential token allows for this credential; consumes it. */
  function authorisedHashes(
    c: Caller,
    credential: SandboxCscCredential,
    body: Record<string, unknown>,
    sad: Sad | undefined,
  ) {
    if (typeof body.SAD === 'string') {
      serviceCaller(c);
      if (!sad || sad.credentialId !== credential.credentialId || sad.subject !== c.subject)
        throw invalid('Invalid parameter SAD');
      if (sad.expiresAt <= now()) throw invalid('SAD expired');
      return sad;
    }
    if (credential.authMode !== 'oauth2code') throw invalid('Missing (or invalid type) string parameter SAD');
    if (!c.scopes.has('credential'))
      throw new CscFailure(403, 'insufficient_scope', 'The token lacks the credential scope');
    if (usedTokens.has(c.tokenHash)) throw invalid('The credential token was already used');
    usedTokens.add(c.tokenHash);
    const detail = c.details.find(
      (
        d,
      ): d is { credentialID: string; documentDigests: Array<{ hash: string }>; hashAlgorithmOID: string } =>
        (d as { type?: unknown })?.type === 'credential' &&
        (d as { credentialID?: unknown }).credentialID === credential.credentialId,
    );
    if (!detail)
      throw invalid('Hash is not authorized by the SAD: the token is not bound to this credential');
    const hashes = new Set(detail.documentDigests.map((d) => d.hash));
    return { hashes, hashAlgorithmOid: detail.hashAlgorithmOID, numSignatures: hashes.size };
  }

  async function signHash(c: Caller, body: Record<string, unknown>) {
    // A presented SAD is spent before anything else is checked: one that leaked is dead at its first use.
    const presented = typeof body.SAD === 'string' ? sads.get(body.SAD) : undefined;
    if (typeof body.SAD === 'string') sads.delete(body.SAD);
    const credential = ownCredential(c, body);
    usable(credential);
    const algorithm = signatureAlgorithm(credential, body);
    const hashes = readHashes(body.hashes, algorithm.digest, credential.multisign);
    const granted = authorisedHashes(c, credential, body, presented);
    if (granted.hashAlgorithmOid !== undefined && DIGESTS[granted.hashAlgorithmOid] !== algorithm.digest) {
      throw invalid('Hash is not authorized by the SAD: another hash algorithm');
    }
    if (hashes.length > granted.numSignatures || hashes.some((h) => !granted.hashes?.has(h))) {
      throw invalid('Hash is not authorized by the SAD');
    }
    return { signatures: sign(credential, hashes, algorithm) };
  }

  async function sendOtp(c: Caller, body: Record<string, unknown>) {
    const credential = ownCredential(serviceCaller(c), body);
    if (credential.authMode !== 'explicit') throw invalid('This credential uses no OTP');
    const otp = String(randomInt(100_000, 1_000_000));
    otps.set(credential.credentialId, { otp, expiresAt: now() + (options.otpTtlInMs ?? 300_000) });
    sentOtps.set(credential.credentialId, otp);
    return {};
  }

  async function list(c: Caller, body: Record<string, unknown>) {
    serviceCaller(c);
    const mine = [...credentials.values()].filter((x) => x.subject === c.subject);
    const chosen = body.onlyValid === true ? mine.filter((x) => x.status === 'valid') : mine;
    return {
      credentialIDs: chosen.map((x) => x.credentialId),
      ...(body.credentialInfo === true
        ? {
            credentialInfos: chosen.map((x) => ({
              credentialID: x.credentialId,
              ...credentialInfo(x, body.certificates),
            })),
          }
        : {}),
    };
  }

  const routes: Record<string, (c: Caller, body: Record<string, unknown>) => Promise<unknown>> = {
    'credentials/list': list,
    'credentials/info': async (c, body) =>
      credentialInfo(ownCredential(serviceCaller(c), body), body.certificates),
    'credentials/authorize': authorize,
    'credentials/sendOTP': sendOtp,
    'signatures/signHash': signHash,
  };
  const info = () => ({
    specs: '2.0.0.2',
    name: 'thgov sandbox remote signing service (TEST ONLY)',
    region: 'TH',
    lang: 'en-US',
    description: 'Synthetic officers and keys; nothing here is a real signature.',
    authType: ['oauth2code'],
    oauth2: options.dga.issuer,
    oauth2Issuer: options.dga.issuer,
    methods: METHODS,
    // Where B-T/B-LT/B-LTA get their time-stamps and revocation data (the certificates also name them).
    'x-thgov-pki': {
      tsa: `${options.pki.url}/tsa`,
      ocsp: `${options.pki.url}/ocsp`,
      crls: [`${options.pki.url}/ca.crl`, `${options.pki.url}/root.crl`],
      rootCertificate: `${options.pki.url}/root.crt`,
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const otpPath = /^\/csc\/v2\/sandbox\/otp\/([\w.-]{1,200})$/.exec(path);
    if (req.method === 'GET' && otpPath) {
      const otp = sentOtps.get(otpPath[1] ?? '');
      return otp ? sendJson(res, 200, { otp }) : sendJson(res, 404, { error: 'not_found' });
    }
    const method = path.startsWith('/csc/v2/') ? path.slice('/csc/v2/'.length) : undefined;
    if (req.method !== 'POST' || !method || !(method === 'info' || method in routes)) {
      return sendJson(res, 404, { error: 'invalid_request', error_description: 'Unknown method' });
    }
    try {
      const raw = await readBody(req, 1024 * 1024).catch(() => {
        throw invalid('The request body is too large');
      });
      let body: unknown = {};
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw invalid('The request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw invalid('The request body is not a JSON object');
      if (method === 'info') return sendJson(res, 200, info());
      credentials = await ready();
      const route = routes[method] as (c: Caller, b: Record<string, unknown>) => Promise<unknown>;
      sendJson(res, 200, await route(await caller(req), body as Record<string, unknown>));
    } catch (err) {
      if (err instanceof CscFailure) return err.send(res);
      throw err;
    }
  }

  const server = await listen(handle, {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const audience = `${server.url}/csc/v2`;
  options.dga.registerResourceServer(audience, ['service', 'credential']);
  return {
    url: audience,
    officers,
    credentials: ready,
    signingClient,
    lastOtp: (id) => sentOtps.get(id),
    expireAuthorizations: () => {
      for (const sad of sads.values()) sad.expiresAt = 0;
    },
    close: () => server.close(),
  };
}
