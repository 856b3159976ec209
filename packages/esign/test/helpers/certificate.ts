import { type KeyObject, sign, X509Certificate } from 'node:crypto';
import { SIGNATURE_OID } from '../../src/signers/algorithms.js';
import { derSequence, derTagged } from '../../src/signers/der.js';

/**
 * A minimal X.509 v3 builder for the signer tests (subject, issuer, validity, public key, one basic
 * constraints extension), so @thgov/esign's own tests need no PKI package: the test PKIs of the workspace
 * depend on esign, and a test dependency back on them would close a cycle.
 */

function oid(value: string): Uint8Array {
  const parts = value.split('.').map(Number);
  const bytes = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return derTagged(0x06, Uint8Array.from(bytes));
}

const utf8 = (s: string) => derTagged(0x0c, Buffer.from(s, 'utf8'));

function name(commonName: string): Uint8Array {
  const rdn = (type: string, value: Uint8Array) => derTagged(0x31, derSequence(oid(type), value));
  return derSequence(rdn('2.5.4.10', utf8('thgov esign tests')), rdn('2.5.4.3', utf8(commonName)));
}

function time(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return derTagged(0x17, Buffer.from(`${s}Z`, 'ascii'));
}

export interface TestCertificate {
  der: Uint8Array;
  /** The subject Name's DER (a PKCS#11 certificate object needs it as CKA_SUBJECT). */
  subject: Uint8Array;
  x509: X509Certificate;
}

export interface IssueOptions {
  subject: string;
  publicKey: KeyObject;
  /** Omitted: self-signed with `signingKey`. */
  issuer?: TestCertificate;
  signingKey: KeyObject;
  /** 1–127: one content byte, which DER's minimal INTEGER encoding needs no more than. */
  serial: number;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

/** Issues a certificate signed with an RSA (sha256WithRSAEncryption) or EC (ecdsa-with-SHA256) issuer key. */
export function issueCertificate(o: IssueOptions): TestCertificate {
  const ec = o.signingKey.asymmetricKeyType === 'ec';
  const sigAlg = ec
    ? derSequence(oid(SIGNATURE_OID.ecdsaWithSha256))
    : derSequence(oid(SIGNATURE_OID.sha256WithRsa), Uint8Array.of(5, 0));
  const spki = new Uint8Array(o.publicKey.export({ format: 'der', type: 'spki' }));
  const basicConstraints = derSequence(
    oid('2.5.29.19'),
    Uint8Array.of(0x01, 0x01, 0xff),
    derTagged(0x04, derSequence(...(o.ca ? [Uint8Array.of(0x01, 0x01, 0xff)] : []))),
  );
  const notBefore = o.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = o.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const tbs = derSequence(
    derTagged(0xa0, Uint8Array.of(0x02, 0x01, 0x02)),
    derTagged(0x02, Uint8Array.of(o.serial & 0x7f)),
    sigAlg,
    o.issuer ? issuerName(o.issuer) : name(o.subject),
    derSequence(time(notBefore), time(notAfter)),
    name(o.subject),
    spki,
    derTagged(0xa3, derSequence(basicConstraints)),
  );
  const signature = sign('sha256', tbs, o.signingKey);
  const der = derSequence(tbs, sigAlg, derTagged(0x03, Uint8Array.of(0), signature));
  return { der, subject: name(o.subject), x509: new X509Certificate(der) };
}

/** The issuer's subject Name: every name here is built by `name()`, so rebuilding it from the CN gives the same bytes. */
function issuerName(issuer: TestCertificate): Uint8Array {
  const subject = issuer.x509.subject.split('\n');
  const cn = subject.find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  return name(cn);
}

/** An officer's certificate (serial 2) issued by a self-signed CA (serial 1), both with the given key pairs. */
export function issueOfficerCertificate(
  ca: { publicKey: KeyObject; privateKey: KeyObject },
  officer: { publicKey: KeyObject },
): TestCertificate {
  const root = issueCertificate({
    subject: 'Crafted CA',
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    serial: 1,
    ca: true,
  });
  return issueCertificate({
    subject: 'Officer',
    publicKey: officer.publicKey,
    issuer: root,
    signingKey: ca.privateKey,
    serial: 2,
  });
}
