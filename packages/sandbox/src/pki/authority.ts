import type { TimeStampFunction } from '@thgov/pki';
import {
  type CertificateSpec,
  createCertificate,
  createCrl,
  createTimeStampAuthority,
  generateSigningKeyPair,
} from '@thgov/pki/testing';
import type { SandboxIdentity, SandboxPki } from './sandbox-pki.js';

const DAY = 86_400_000;
const ORGANIZATION = 'thgov sandbox (TEST ONLY)';
const SIGNING_USAGE: CertificateSpec['keyUsage'] = ['digitalSignature', 'nonRepudiation'];

/**
 * The sandbox's certificate authority: root → issuing CA → university signer and TSA, what it has issued and
 * revoked, and its CRLs. The HTTP responders (responders.ts) answer from it.
 */
export class SandboxAuthority {
  /** Certificates the issuing CA answers OCSP for, by serial. */
  readonly issued = new Map<number, Uint8Array>();
  readonly revoked = new Map<number, Date>();
  readonly timeStamp: TimeStampFunction;
  #crlNumber = 1;

  private constructor(
    /** The start time: every certificate the authority makes itself is valid from a day before it. */
    readonly t0: Date,
    readonly base: string,
    readonly now: () => Date,
    readonly root: SandboxIdentity,
    readonly issuingCa: SandboxIdentity,
    readonly signer: SandboxIdentity,
    readonly tsa: SandboxIdentity,
  ) {
    this.issued.set(signer.serialNumber, signer.certificate);
    this.issued.set(tsa.serialNumber, tsa.certificate);
    this.timeStamp = createTimeStampAuthority({
      certificate: tsa.certificate,
      privateKey: tsa.privateKey,
      chain: [issuingCa.certificate],
      now,
    });
  }

  /** Generates the hierarchy (fresh keys) with CRL and OCSP URLs under `base`. */
  static async create(
    base: string,
    now: () => Date,
    institution: string | undefined,
  ): Promise<SandboxAuthority> {
    const t0 = now();
    const root = await identity(t0, 'Sandbox Root CA', 1, undefined, {
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      notAfter: new Date(t0.getTime() + 10 * 365 * DAY),
    });
    const issuingCa = await identity(t0, 'Sandbox Issuing CA', 2, root, {
      ca: true,
      pathLength: 0,
      keyUsage: ['keyCertSign', 'cRLSign'],
      crlUrl: `${base}/root.crl`,
    });
    const signer = await identity(t0, institution ?? 'Sandbox University Registrar', 1000, issuingCa, {
      keyUsage: SIGNING_USAGE,
      crlUrl: `${base}/ca.crl`,
      ocspUrl: `${base}/ocsp`,
    });
    const tsa = await identity(t0, 'Sandbox Time-Stamp Authority', 2000, issuingCa, {
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
      extendedKeyUsageCritical: true,
      crlUrl: `${base}/ca.crl`,
    });
    return new SandboxAuthority(t0, base, now, root, issuingCa, signer, tsa);
  }

  /** Current CRLs of the issuing CA and the root, signed now (each with the next CRL number). */
  async crls(): Promise<{ ca: Uint8Array; root: Uint8Array }> {
    const t = this.now();
    const ca = await createCrl({
      issuerCertificate: this.issuingCa.certificate,
      signingKey: this.issuingCa.privateKey,
      thisUpdate: new Date(t.getTime() - 60_000),
      nextUpdate: new Date(t.getTime() + 7 * DAY),
      revoked: [...this.revoked].map(([serialNumber, date]) => ({ serialNumber, date })),
      crlNumber: this.#crlNumber++,
    });
    const root = await createCrl({
      issuerCertificate: this.root.certificate,
      signingKey: this.root.privateKey,
      thisUpdate: new Date(t.getTime() - 60_000),
      nextUpdate: new Date(t.getTime() + 30 * DAY),
      crlNumber: this.#crlNumber++,
    });
    return { ca, root };
  }

  #nextSerial(): number {
    return Math.max(...this.issued.keys()) + 1;
  }

  /** See `SandboxPki.issueSigningCertificate`. */
  async issueSigningCertificate(
    spec: Parameters<SandboxPki['issueSigningCertificate']>[0],
  ): Promise<{ certificate: Uint8Array; serialNumber: number }> {
    const serialNumber = this.#nextSerial();
    const t = this.now();
    const certificate = await createCertificate({
      subject: {
        commonName: spec.commonName,
        organization: spec.organization ?? ORGANIZATION,
        country: 'TH',
      },
      publicKey: spec.publicKey,
      signingKey: this.issuingCa.privateKey,
      issuer: { certificate: this.issuingCa.certificate },
      serialNumber,
      notBefore: spec.notBefore ?? new Date(t.getTime() - DAY),
      notAfter: spec.notAfter ?? new Date(t.getTime() + 2 * 365 * DAY),
      keyUsage: SIGNING_USAGE,
      crlUrl: `${this.base}/ca.crl`,
      ocspUrl: `${this.base}/ocsp`,
    });
    this.issued.set(serialNumber, certificate);
    return { certificate, serialNumber };
  }

  /** See `SandboxPki.createSigner`. */
  async createSigner(commonName: string): Promise<SandboxIdentity> {
    const serial = this.#nextSerial();
    const created = await identity(this.t0, commonName, serial, this.issuingCa, {
      keyUsage: SIGNING_USAGE,
      crlUrl: `${this.base}/ca.crl`,
      ocspUrl: `${this.base}/ocsp`,
    });
    this.issued.set(serial, created.certificate);
    return created;
  }
}

/** A fresh key and its certificate, valid from a day before `t0` for two years unless `extra` says otherwise. */
async function identity(
  t0: Date,
  commonName: string,
  serialNumber: number,
  issuer: SandboxIdentity | undefined,
  extra: Partial<CertificateSpec>,
): Promise<SandboxIdentity> {
  const kp = await generateSigningKeyPair();
  const certificate = await createCertificate({
    subject: { commonName, organization: ORGANIZATION, country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: issuer ? issuer.privateKey : kp.privateKey,
    ...(issuer ? { issuer: { certificate: issuer.certificate } } : {}),
    serialNumber,
    notBefore: new Date(t0.getTime() - DAY),
    notAfter: new Date(t0.getTime() + 2 * 365 * DAY),
    ...extra,
  });
  return { certificate, privateKey: kp.privateKey, serialNumber };
}
