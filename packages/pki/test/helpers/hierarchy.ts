import type { CryptoKey } from '../../src/crypto-types.js';
import {
  type CertificateSpec,
  type CrlSpec,
  createCertificate,
  createCrl,
  generateSigningKeyPair,
} from '../../src/testing.js';

export const DAY = 86_400_000;

/** A certificate and its keys. */
export interface Identity {
  cert: Uint8Array;
  key: CryptoKey;
  publicKey: CryptoKey;
  serial: number;
}

type Extra = Partial<Omit<CertificateSpec, 'publicKey' | 'signingKey' | 'issuer'>> & {
  keyPair?: { publicKey: CryptoKey; privateKey: CryptoKey };
  /** Sign with this identity's key instead of the issuer's (forged certificates). */
  signer?: Identity;
};

/**
 * Issues one certificate under `issuer` (self-signed when absent). Fresh P-256 keys unless `keyPair` is given
 * (EC keys are quick to make; RSA ones are used where the key type matters). Nothing is committed.
 */
export async function issue(
  now: Date,
  cn: string,
  serial: number,
  issuer: Identity | undefined,
  extra: Extra = {},
): Promise<Identity> {
  const kp = extra.keyPair ?? (await generateSigningKeyPair({ ec: true }));
  const { keyPair: _k, signer, ...spec } = extra;
  const cert = await createCertificate({
    subject: { commonName: cn, organization: 'thgov pki tests', country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: signer?.key ?? issuer?.key ?? kp.privateKey,
    ...(issuer ? { issuer: { certificate: issuer.cert } } : {}),
    serialNumber: serial,
    notBefore: new Date(now.getTime() - 30 * DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    ...spec,
  });
  return { cert, key: kp.privateKey, publicKey: kp.publicKey, serial };
}

export const CA_USAGE = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] } as const satisfies Extra;
export const SIGNER_USAGE = { keyUsage: ['digitalSignature', 'nonRepudiation'] } as const satisfies Extra;

/** Root → issuing CA → document signer, the shape every test starts from. */
export interface Hierarchy {
  now: Date;
  root: Identity;
  ca: Identity;
  signer: Identity;
  /** A CRL of `issuer` with the given revocations, fresh around `now` unless told otherwise. */
  crl(
    issuer: Identity,
    spec?: Partial<Omit<CrlSpec, 'issuerCertificate' | 'signingKey'>> & { signer?: Identity },
  ): Promise<Uint8Array>;
}

/** `now` defaults to the current second: certificates and CRLs carry whole seconds. */
export async function createHierarchy(
  now = new Date(Math.floor(Date.now() / 1000) * 1000),
): Promise<Hierarchy> {
  const root = await issue(now, 'Test Root', 1, undefined, {
    ...CA_USAGE,
    notAfter: new Date(now.getTime() + 3650 * DAY),
  });
  const ca = await issue(now, 'Test CA', 2, root, CA_USAGE);
  const signer = await issue(now, 'Test Signer', 100, ca, SIGNER_USAGE);
  return {
    now,
    root,
    ca,
    signer,
    crl: (issuer, spec = {}) => {
      const { signer: by, ...rest } = spec;
      return createCrl({
        issuerCertificate: issuer.cert,
        signingKey: (by ?? issuer).key,
        thisUpdate: new Date(now.getTime() - DAY),
        nextUpdate: new Date(now.getTime() + 7 * DAY),
        ...rest,
      });
    },
  };
}
