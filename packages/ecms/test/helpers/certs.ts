// In-process certificates for letter-trust tests: any key type and size, any hash, any extension, so the
// hostile cases (a TLS server certificate, a pathLen=0 CA issuing a sub-CA, SHA-1, RSA-1024, P-224, loops)
// can be made without a system tool. Test-only; nothing here is trusted anywhere.
import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KEY_USAGE_BITS } from '../../src/signature/certificate.js';

export type KeyKind = 'rsa2048' | 'rsa1024' | 'p256' | 'p224';

export interface TestKey {
  kind: KeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key (what `LetterSigningKey` takes). */
  privatePem: string;
}

export interface TestCert {
  key: TestKey;
  der: Buffer;
  pem: string;
  x509: X509Certificate;
}

export interface CertSpec {
  cn: string;
  organization?: string;
  key: TestKey;
  /** Omitted: self-signed with `key`. */
  issuer?: TestCert;
  serial?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Basic constraints; `null` leaves the extension out. */
  ca?: boolean | null;
  pathLength?: number;
  /** Key usage bit names; `null` leaves the extension out. */
  keyUsage?: string[] | null;
  extendedKeyUsage?: string[];
  hash?: 'sha1' | 'sha256';
  /** OID of an extra critical extension the verifier does not know. */
  unknownCritical?: string;
}

const DAY = 86_400_000;

let serial = 1000;
const keyCache = new Map<string, TestKey>();

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  documentSigning: '1.3.6.1.5.5.7.3.36',
  adobeAuthenticDocuments: '1.2.840.113583.1.1.5',
  any: '2.5.29.37.0',
} as const;

/** A key pair; `label` reuses one per test file (key generation is the slow part). */
export function testKey(kind: KeyKind, label: string = kind): TestKey {
  const cached = keyCache.get(`${kind}:${label}`);
  if (cached) return cached;
  const pair =
    kind === 'rsa2048' || kind === 'rsa1024'
      ? generateKeyPairSync('rsa', { modulusLength: kind === 'rsa2048' ? 2048 : 1024 })
      : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'prime256v1' : 'secp224r1' });
  const key: TestKey = {
    kind,
    ...pair,
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  keyCache.set(`${kind}:${label}`, key);
  return key;
}

/** One attribute per RDN (pkijs would put them all in one multi-valued RDN). */
function name(cn: string, organization: string): pkijs.RelativeDistinguishedNames {
  const rdns = [
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.6', value: new asn1js.PrintableString({ value: 'TH' }) }),
    new pkijs.AttributeTypeAndValue({
      type: '2.5.4.10',
      value: new asn1js.Utf8String({ value: organization }),
    }),
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) }),
  ].map((tv) => new asn1js.Set({ value: [tv.toSchema()] }));
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

function keyUsage(names: string[]): ArrayBuffer {
  const bits = names.map((n) => {
    const i = (KEY_USAGE_BITS as readonly string[]).indexOf(n);
    if (i > 7) throw new Error(`${n} needs a second key usage byte; not supported here`);
    if (i === -1) throw new Error(`unknown key usage ${n}`);
    return i;
  });
  let byte = 0;
  for (const b of bits) byte |= 0x80 >> b;
  let unused = 0;
  while (unused < 7 && ((byte >> unused) & 1) === 0) unused++;
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits: unused }).toBER(false);
}

function extensions(spec: CertSpec): pkijs.Extension[] {
  const ext: pkijs.Extension[] = [];
  if (spec.ca !== null) {
    const bc = new pkijs.BasicConstraints({
      cA: spec.ca ?? false,
      ...(spec.pathLength !== undefined ? { pathLenConstraint: spec.pathLength } : {}),
    });
    ext.push(
      new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: bc.toSchema().toBER(false) }),
    );
  }
  const ku =
    spec.keyUsage === undefined
      ? spec.ca
        ? ['keyCertSign', 'cRLSign']
        : ['digitalSignature']
      : spec.keyUsage;
  if (ku) ext.push(new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: keyUsage(ku) }));
  if (spec.extendedKeyUsage) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: spec.extendedKeyUsage });
    ext.push(new pkijs.Extension({ extnID: '2.5.29.37', extnValue: eku.toSchema().toBER(false) }));
  }
  if (spec.unknownCritical) {
    ext.push(
      new pkijs.Extension({
        extnID: spec.unknownCritical,
        critical: true,
        extnValue: new asn1js.Null().toBER(false),
      }),
    );
  }
  return ext;
}

function signatureAlgorithm(issuerKey: TestKey, hash: 'sha1' | 'sha256'): pkijs.AlgorithmIdentifier {
  const rsa = issuerKey.kind.startsWith('rsa');
  const oid = rsa
    ? hash === 'sha1'
      ? '1.2.840.113549.1.1.5'
      : '1.2.840.113549.1.1.11'
    : hash === 'sha1'
      ? '1.2.840.10045.4.1'
      : '1.2.840.10045.4.3.2';
  return new pkijs.AlgorithmIdentifier({
    algorithmId: oid,
    ...(rsa ? { algorithmParams: new asn1js.Null() } : {}),
  });
}

/** Issues a certificate (signed with the issuer's key, or self-signed). */
export function makeCert(spec: CertSpec): TestCert {
  const org = spec.organization ?? 'thgov e-CMS test (TEST ONLY)';
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: spec.serial ?? ++serial });
  cert.subject = name(spec.cn, org);
  cert.issuer = spec.issuer ? pkijs.Certificate.fromBER(spec.issuer.der).subject : name(spec.cn, org);
  cert.notBefore.value = spec.notBefore ?? new Date(Date.now() - DAY);
  cert.notAfter.value = spec.notAfter ?? new Date(Date.now() + 30 * DAY);
  const spki = spec.key.publicKey.export({ type: 'spki', format: 'der' });
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(spki).result });
  cert.extensions = extensions(spec);
  const signer = spec.issuer?.key ?? spec.key;
  const hash = spec.hash ?? 'sha256';
  cert.signature = signatureAlgorithm(signer, hash);
  cert.signatureAlgorithm = signatureAlgorithm(signer, hash);
  const tbs = Buffer.from(cert.encodeTBS().toBER(false));
  cert.signatureValue = new asn1js.BitString({ valueHex: sign(hash, tbs, signer.privateKey) });
  const der = Buffer.from(cert.toSchema(true).toBER(false));
  const x509 = new X509Certificate(der);
  return { key: spec.key, der, pem: x509.toString(), x509 };
}

/** A root CA, an issuing CA under it, and a letter signer under that: the everyday chain. */
export function standardChain(signerSpec: Partial<CertSpec> = {}): {
  root: TestCert;
  ca: TestCert;
  signer: TestCert;
} {
  const root = makeCert({ cn: 'Test Root CA', key: testKey('p256', 'root'), ca: true });
  const ca = makeCert({
    cn: 'Test Issuing CA',
    key: testKey('p256', 'ca'),
    issuer: root,
    ca: true,
    pathLength: 0,
  });
  const signer = makeCert({
    cn: 'Saraban Signer',
    key: testKey('p256', 'signer'),
    issuer: ca,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [EKU.documentSigning],
    ...signerSpec,
  });
  return { root, ca, signer };
}
