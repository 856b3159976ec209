import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SandboxCscCredential, SandboxOfficer } from './credentials.js';
import type { Caller } from './introspection.js';
import {
  CscFailure,
  DIGESTS,
  invalid,
  keyAlgorithms,
  readHashes,
  sign,
  signatureAlgorithm,
} from './protocol.js';

const MAX_PIN_FAILURES = 5;

interface Sad {
  credentialId: string;
  subject: string;
  hashes: Set<string>;
  hashAlgorithmOid: string;
  numSignatures: number;
  expiresAt: number;
}

type Body = Record<string, unknown>;

/**
 * What the service remembers between calls — SADs, OTPs sent, spent credential tokens, PIN failures — and
 * the CSC methods that use it. Every method takes the introspected caller and the JSON body, and throws a
 * {@link CscFailure} for CSC's error answer.
 */
export class CscState {
  credentials = new Map<string, SandboxCscCredential>();
  readonly #pins: Map<string, string>;
  readonly #sads = new Map<string, Sad>();
  readonly #otps = new Map<string, { otp: string; expiresAt: number }>();
  readonly #sentOtps = new Map<string, string>();
  readonly #usedTokens = new Set<string>();
  readonly #pinFailures = new Map<string, number>();

  constructor(
    officers: readonly SandboxOfficer[],
    private readonly now: () => number,
    private readonly ttl: { sadInMs: number; otpInMs: number },
  ) {
    this.#pins = new Map(officers.map((o) => [o.person.citizenId, o.pin]));
  }

  lastOtp(credentialId: string): string | undefined {
    return this.#sentOtps.get(credentialId);
  }

  expireAuthorizations(): void {
    for (const sad of this.#sads.values()) sad.expiresAt = 0;
  }

  async list(c: Caller, body: Body) {
    serviceCaller(c);
    const mine = [...this.credentials.values()].filter((x) => x.subject === c.subject);
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

  async info(c: Caller, body: Body) {
    return credentialInfo(this.#own(serviceCaller(c), body), body.certificates);
  }

  async sendOtp(c: Caller, body: Body) {
    const credential = this.#own(serviceCaller(c), body);
    if (credential.authMode !== 'explicit') throw invalid('This credential uses no OTP');
    const otp = String(randomInt(100_000, 1_000_000));
    this.#otps.set(credential.credentialId, { otp, expiresAt: this.now() + this.ttl.otpInMs });
    this.#sentOtps.set(credential.credentialId, otp);
    return {};
  }

  async authorize(c: Caller, body: Body) {
    const credential = this.#own(serviceCaller(c), body);
    usable(credential);
    if (credential.authMode !== 'explicit') {
      throw invalid('This credential is authorised through the digital-ID provider');
    }
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
    this.#checkAuthData(credential, body.authData);
    const sad = randomBytes(32).toString('base64url');
    this.#sads.set(sad, {
      credentialId: credential.credentialId,
      subject: c.subject,
      hashes: new Set(hashes),
      hashAlgorithmOid: hashOid,
      numSignatures,
      expiresAt: this.now() + this.ttl.sadInMs,
    });
    return { SAD: sad, expiresIn: Math.floor(this.ttl.sadInMs / 1000) };
  }

  async signHash(c: Caller, body: Body) {
    // A presented SAD is spent before anything else is checked: one that leaked is dead at its first use.
    const presented = typeof body.SAD === 'string' ? this.#sads.get(body.SAD) : undefined;
    if (typeof body.SAD === 'string') this.#sads.delete(body.SAD);
    const credential = this.#own(c, body);
    usable(credential);
    const algorithm = signatureAlgorithm(credential, body);
    const hashes = readHashes(body.hashes, algorithm.digest, credential.multisign);
    const granted =
      typeof body.SAD === 'string'
        ? this.#sadGrant(c, credential, presented)
        : this.#tokenGrant(c, credential);
    if (DIGESTS[granted.hashAlgorithmOid] !== algorithm.digest) {
      throw invalid('Hash is not authorized by the SAD: another hash algorithm');
    }
    if (hashes.length > granted.numSignatures || hashes.some((h) => !granted.hashes.has(h))) {
      throw invalid('Hash is not authorized by the SAD');
    }
    return { signatures: await sign(credential, hashes, algorithm) };
  }

  /** The caller's own credential; another officer's is answered as unknown (no probing of IDs). */
  #own(c: Caller, body: Body): SandboxCscCredential {
    const id = body.credentialID;
    if (typeof id !== 'string') throw invalid('Missing (or invalid type) string parameter credentialID');
    const credential = this.credentials.get(id);
    if (!credential || credential.subject !== c.subject) throw invalid('Invalid parameter credentialID');
    return credential;
  }

  #checkAuthData(credential: SandboxCscCredential, authData: unknown): void {
    const id = credential.credentialId;
    const failures = this.#pinFailures.get(id) ?? 0;
    if (failures >= MAX_PIN_FAILURES) throw invalid('PIN locked');
    const entries = Array.isArray(authData) ? (authData as Array<{ id?: unknown; value?: unknown }>) : [];
    const value = (name: string) => entries.find((e) => e?.id === name)?.value;
    if (!same(value('PIN'), this.#pins.get(credential.officer.citizenId))) {
      this.#pinFailures.set(id, failures + 1);
      throw invalid(failures + 1 >= MAX_PIN_FAILURES ? 'PIN locked' : 'The PIN is invalid');
    }
    const otp = this.#otps.get(id);
    if (!otp || otp.expiresAt <= this.now() || !same(value('OTP'), otp.otp))
      throw invalid('The OTP is invalid');
    this.#otps.delete(id); // one OTP, one authorisation
    this.#pinFailures.delete(id);
  }

  #sadGrant(c: Caller, credential: SandboxCscCredential, sad: Sad | undefined): Sad {
    serviceCaller(c);
    if (!sad || sad.credentialId !== credential.credentialId || sad.subject !== c.subject) {
      throw invalid('Invalid parameter SAD');
    }
    if (sad.expiresAt <= this.now()) throw invalid('SAD expired');
    return sad;
  }

  /** A `credential`-scope token: single use, bound by its authorization details to a credential and hashes. */
  #tokenGrant(c: Caller, credential: SandboxCscCredential) {
    if (credential.authMode !== 'oauth2code') throw invalid('Missing (or invalid type) string parameter SAD');
    if (!c.scopes.has('credential')) {
      throw new CscFailure(403, 'insufficient_scope', 'The token lacks the credential scope');
    }
    if (this.#usedTokens.has(c.tokenHash)) throw invalid('The credential token was already used');
    this.#usedTokens.add(c.tokenHash);
    const detail = c.details.find(
      (d): d is { documentDigests: Array<{ hash: string }>; hashAlgorithmOID: string } =>
        (d as { type?: unknown })?.type === 'credential' &&
        (d as { credentialID?: unknown }).credentialID === credential.credentialId,
    );
    if (!detail)
      throw invalid('Hash is not authorized by the SAD: the token is not bound to this credential');
    const hashes = new Set(detail.documentDigests.map((d) => d.hash));
    return { hashes, hashAlgorithmOid: detail.hashAlgorithmOID, numSignatures: hashes.size };
  }
}

function serviceCaller(c: Caller): Caller {
  if (!c.scopes.has('service')) {
    throw new CscFailure(403, 'insufficient_scope', 'The token lacks the service scope');
  }
  return c;
}

function usable(credential: SandboxCscCredential): void {
  if (credential.status !== 'valid') throw invalid(`The signing certificate is ${credential.status}`);
}

function same(a: unknown, b: string | undefined): boolean {
  return (
    typeof a === 'string' &&
    b !== undefined &&
    a.length === b.length &&
    timingSafeEqual(Buffer.from(a), Buffer.from(b))
  );
}

/** `credentials/info` of one credential (CSC 11.5): key, certificates, auth mode and objects, SCAL, multisign. */
export function credentialInfo(credential: SandboxCscCredential, certificates: unknown) {
  const chain =
    certificates === 'none'
      ? []
      : certificates === 'single'
        ? credential.chain.slice(0, 1)
        : credential.chain;
  const curveOid = credential.curve === 'P-384' ? '1.3.132.0.34' : '1.2.840.10045.3.1.7';
  return {
    description: `Sandbox officer credential (${credential.keyType === 'rsa' ? 'RSA-2048' : credential.curve})`,
    key: {
      status: 'enabled',
      algo: keyAlgorithms(credential),
      len: credential.keyType === 'rsa' ? 2048 : credential.curve === 'P-384' ? 384 : 256,
      ...(credential.curve ? { curve: curveOid } : {}),
    },
    cert: {
      status: credential.status,
      certificates: chain.map((c) => Buffer.from(c).toString('base64')),
      serialNumber: String(credential.serialNumber),
    },
    auth:
      credential.authMode === 'explicit'
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
