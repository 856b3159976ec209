import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DgaProvider } from '../digital-id/dga-provider.js';
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
import { type Caller, connectToProvider, SIGNING_CLIENT } from './introspection.js';
import { CscFailure, invalid } from './protocol.js';
import { CscState } from './state.js';

/** Options of {@link startCscService}: the PKI and provider it builds on, its officers, lifetimes and clock. */
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

/** A running CSC v2 service: its URL, officers, the signing app's client, test controls and `close()`. */
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
  'credentials/getChallenge',
  'signatures/signHash',
];

/**
 * The sandbox's remote signing service, speaking CSC API v2 (v2.0.0.2) under `/csc/v2`. Officers are the first
 * test people; their credentials' keys live here and their certificates come from the sandbox PKI (whose TSA,
 * OCSP responder and CRLs `info` advertises). Access tokens are the DGA-like provider's, checked by
 * introspection: scope `service` for list/info/authorize, or scope `credential` with `authorization_details`
 * naming the credential and the exact document digests. A SAD is bound to its hashes, single-use and
 * short-lived; signHash refuses any hash that was not authorised.
 *
 * @example
 * ```ts
 * const csc = await startCscService({ pki, dga, people: population.people });
 * const signer = await cscSigner({ serviceUrl: csc.url, credentialId: 'officer1-p256', auth: { serviceToken, authData } });
 * ```
 */
export async function startCscService(options: CscServiceOptions): Promise<CscService> {
  const clock = options.now ?? (() => new Date());
  const officers = planOfficers(options.people, options.officers ?? 3, options.seed ?? 2026);
  const state = new CscState(officers, () => clock().getTime(), {
    sadInMs: options.sadTtlInMs ?? 300_000,
    otpInMs: options.otpTtlInMs ?? 300_000,
  });
  // Keys are made on first use: most sandbox users never sign, and RSA key generation takes seconds.
  let issuing: Promise<Map<string, SandboxCscCredential>> | undefined;
  const ready = (): Promise<Map<string, SandboxCscCredential>> => {
    if (!issuing) {
      issuing = issueOfficerCredentials({ officers, pki: options.pki, now: clock });
      issuing.then(
        (credentials) => {
          state.credentials = credentials;
        },
        () => {
          issuing = undefined; // a failed start is retried by the next request
        },
      );
    }
    return issuing;
  };
  let url = '';
  const caller = connectToProvider(options.dga, () => url);
  const routes: Record<string, (c: Caller, body: Record<string, unknown>) => Promise<unknown>> = {
    'credentials/list': (c, b) => state.list(c, b),
    'credentials/info': (c, b) => state.info(c, b),
    'credentials/authorize': (c, b) => state.authorize(c, b),
    // v2.0.0.2's name for "send the OTP"; v1.0.4's `credentials/sendOTP` is not a v2 method (unknown here).
    'credentials/getChallenge': (c, b) => state.sendOtp(c, b),
    'signatures/signHash': (c, b) => state.signHash(c, b),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const otpPath = /^\/csc\/v2\/sandbox\/otp\/([\w.-]{1,200})$/.exec(path);
    if (req.method === 'GET' && otpPath) {
      const otp = state.lastOtp(otpPath[1] ?? '');
      return otp ? sendJson(res, 200, { otp }) : sendJson(res, 404, { error: 'not_found' });
    }
    const method = path.startsWith('/csc/v2/') ? path.slice('/csc/v2/'.length) : '';
    const route = routes[method];
    if (req.method !== 'POST' || (method !== 'info' && !route)) {
      return sendJson(res, 404, { error: 'invalid_request', error_description: 'Unknown method' });
    }
    try {
      const body = await readJsonObject(req);
      if (!route) return sendJson(res, 200, info(options));
      await ready();
      sendJson(res, 200, await route(await caller(req), body));
    } catch (err) {
      if (err instanceof CscFailure) return err.send(res);
      throw err;
    }
  };
  const server = await listen(handle, {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  url = `${server.url}/csc/v2`;
  options.dga.registerResourceServer(url, ['service', 'credential']);
  return {
    url,
    officers,
    credentials: ready,
    signingClient: SIGNING_CLIENT,
    lastOtp: (id) => state.lastOtp(id),
    expireAuthorizations: () => state.expireAuthorizations(),
    close: () => server.close(),
  };
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, 1024 * 1024).catch(() => {
    throw invalid('The request body is too large');
  });
  let body: unknown = {};
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw invalid('The request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body is not a JSON object');
  }
  return body as Record<string, unknown>;
}

/** `info` (no authentication), with where B-T/B-LT/B-LTA get time-stamps and revocation data. */
function info(options: CscServiceOptions) {
  return {
    specs: '2.0.0.2',
    name: 'thgov sandbox remote signing service (TEST ONLY)',
    region: 'TH',
    lang: 'en-US',
    description: 'Synthetic officers and keys; nothing here is a real signature.',
    authType: ['oauth2code'],
    oauth2: options.dga.issuer,
    oauth2Issuer: options.dga.issuer,
    methods: METHODS,
    // The officers' certificates also name the OCSP responder and the CRL.
    'x-thgov-pki': {
      tsa: `${options.pki.url}/tsa`,
      ocsp: `${options.pki.url}/ocsp`,
      crls: [`${options.pki.url}/ca.crl`, `${options.pki.url}/root.crl`],
      rootCertificate: `${options.pki.url}/root.crt`,
    },
  };
}
