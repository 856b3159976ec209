import type { CryptoKey, CryptoKeyPair } from '../crypto-types.js';
import { type CertificateSpec, createCertificate } from './certificates.js';
import { generateSigningKeyPair } from './keys.js';

const DAY = 86_400_000;

/** A test certificate with its keys: what a test PKI hands to the next `issueTestIdentity` or to a signer. */
export interface TestIdentity {
  /** The certificate, DER. */
  cert: Uint8Array;
  key: CryptoKey;
  publicKey: CryptoKey;
  serial: number;
}

/** What `issueTestIdentity` lets a test set beyond the subject and serial (any certificate field, or the key pair). */
export type TestIdentityOptions = Partial<Omit<CertificateSpec, 'publicKey' | 'signingKey' | 'issuer'>> & {
  /** Reuse these keys (a re-issued certificate); default a fresh key pair. */
  keyPair?: CryptoKeyPair;
  /** The subject's organisation. Default `thgov test PKI (not for production)`. */
  organization?: string;
};

/**
 * Issues one test certificate under `issuer` (self-signed without one), valid from 30 days before `now` for a
 * year unless `options` says otherwise. For tests and fixtures only.
 *
 * @example
 * ```ts
 * const now = new Date();
 * const root = await issueTestIdentity(now, 'Test Root', 1, undefined, { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
 * const signer = await issueTestIdentity(now, 'Test Officer', 100, root, { keyUsage: ['digitalSignature'] });
 * ```
 */
export async function issueTestIdentity(
  now: Date,
  commonName: string,
  serial: number,
  issuer: Pick<TestIdentity, 'cert' | 'key'> | undefined,
  options: TestIdentityOptions = {},
): Promise<TestIdentity> {
  const { keyPair, organization, ...spec } = options;
  const kp = keyPair ?? (await generateSigningKeyPair());
  const cert = await createCertificate({
    subject: {
      commonName,
      organization: organization ?? 'thgov test PKI (not for production)',
      country: 'TH',
    },
    publicKey: kp.publicKey,
    signingKey: issuer ? issuer.key : kp.privateKey,
    ...(issuer ? { issuer: { certificate: issuer.cert } } : {}),
    serialNumber: serial,
    notBefore: new Date(now.getTime() - 30 * DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    ...spec,
  });
  return { cert, key: kp.privateKey, publicKey: kp.publicKey, serial };
}
