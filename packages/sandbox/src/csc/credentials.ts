import { KeyObject, webcrypto } from 'node:crypto';
import type { CryptoKey, CryptoKeyPair } from '@thgov/pki';
import { generateSigningKeyPair } from '@thgov/pki/testing';
import { dgaSubject } from '../digital-id/dga-provider.js';
import { englishFullName, type SandboxPerson } from '../people.js';
import type { SandboxPki } from '../pki/sandbox-pki.js';
import { createRandom } from '../random.js';

const DAY = 86_400_000;

/** One signing credential of an officer: a key held by the service, its certificate, how it is authorised. */
export interface SandboxCscCredential {
  credentialId: string;
  officer: SandboxPerson;
  /** The officer's `sub` at the DGA-like provider: who may list, authorise and sign with it. */
  subject: string;
  keyType: 'rsa' | 'ec';
  curve?: 'P-256' | 'P-384';
  privateKey: KeyObject;
  /** Signer certificate, then the issuing CA (DER). */
  chain: Uint8Array[];
  serialNumber: number;
  /** `oauth2code`: a `credential`-scope token from the DGA-like provider; `explicit`: PIN + OTP → SAD. */
  authMode: 'oauth2code' | 'explicit';
  status: 'valid' | 'expired' | 'revoked';
  multisign: number;
}

/** A test officer of the remote signing service: the person, the PIN and their credential IDs. */
export interface SandboxOfficer {
  person: SandboxPerson;
  /** PIN for the officer's explicit credentials (sandbox-visible, printed at start-up). */
  pin: string;
  credentialIds: string[];
}

type Spec = Pick<SandboxCscCredential, 'keyType' | 'curve' | 'authMode'> & {
  suffix: string;
  status?: 'expired' | 'revoked';
};

/** Every officer: RSA-2048 and P-384 authorised through digital ID, P-256 authorised with PIN + OTP. */
const PER_OFFICER: Spec[] = [
  { suffix: 'rsa', keyType: 'rsa', authMode: 'oauth2code' },
  { suffix: 'p256', keyType: 'ec', curve: 'P-256', authMode: 'explicit' },
  { suffix: 'p384', keyType: 'ec', curve: 'P-384', authMode: 'oauth2code' },
];
/** Negative cases on the first officer. */
const NEGATIVE: Spec[] = [
  { suffix: 'revoked', keyType: 'ec', curve: 'P-256', authMode: 'explicit', status: 'revoked' },
  { suffix: 'expired', keyType: 'ec', curve: 'P-256', authMode: 'oauth2code', status: 'expired' },
];

async function keyPair(spec: Spec): Promise<{ publicKey: CryptoKey; privateKey: KeyObject }> {
  // The PKI's own generator makes RSA-2048 and P-256 keys; P-384 is the one curve it does not offer.
  const pair =
    spec.curve === 'P-384'
      ? ((await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
          'sign',
          'verify',
        ])) as CryptoKeyPair)
      : await generateSigningKeyPair({ ec: spec.keyType === 'ec' });
  return { publicKey: pair.publicKey, privateKey: KeyObject.from(pair.privateKey as webcrypto.CryptoKey) };
}

/** Who the officers are, their PINs and credential IDs: known at once, without generating any key. */
export function planOfficers(
  people: readonly SandboxPerson[],
  count: number,
  seed: number,
): SandboxOfficer[] {
  const random = createRandom(seed ^ 0x5c5c5c);
  return people.slice(0, count).map((person, index) => ({
    person,
    pin: String(random.int(100_000, 999_999)),
    credentialIds: (index === 0 ? [...PER_OFFICER, ...NEGATIVE] : PER_OFFICER).map(
      (spec) => `officer${index + 1}-${spec.suffix}`,
    ),
  }));
}

/**
 * The officers' signing credentials: keys generated and certificates issued by the sandbox PKI's issuing CA
 * (OCSP and CRL know them). Seconds of RSA key generation, so the service does it on its first request.
 */
export async function issueOfficerCredentials(options: {
  officers: readonly SandboxOfficer[];
  pki: SandboxPki;
  now: () => Date;
}): Promise<Map<string, SandboxCscCredential>> {
  const credentials = new Map<string, SandboxCscCredential>();
  for (const [index, officer] of options.officers.entries()) {
    const { person } = officer;
    for (const spec of index === 0 ? [...PER_OFFICER, ...NEGATIVE] : PER_OFFICER) {
      const { publicKey, privateKey } = await keyPair(spec);
      const t = options.now();
      const expired = spec.status === 'expired';
      const { certificate, serialNumber } = await options.pki.issueSigningCertificate({
        commonName: englishFullName(person),
        organization: 'Sandbox Ministry (TEST ONLY)',
        publicKey,
        ...(expired
          ? { notBefore: new Date(t.getTime() - 400 * DAY), notAfter: new Date(t.getTime() - DAY) }
          : {}),
      });
      if (spec.status === 'revoked') options.pki.revoke(serialNumber, new Date(t.getTime() - 60_000));
      const credentialId = `officer${index + 1}-${spec.suffix}`;
      credentials.set(credentialId, {
        credentialId,
        officer: person,
        subject: dgaSubject(person),
        keyType: spec.keyType,
        ...(spec.curve ? { curve: spec.curve } : {}),
        privateKey,
        chain: [certificate, options.pki.issuingCa.certificate],
        serialNumber,
        authMode: spec.authMode,
        status: spec.status ?? 'valid',
        multisign: 10,
      });
    }
  }
  return credentials;
}
