import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type Key = webcrypto.CryptoKey;
type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];

/** EC P-256 (fast; what TLS tests use) or RSA 2048 (for XML signatures that want RSA). */
export type TestKeyType = 'ec' | 'rsa';

/** What a test certificate is for: it sets the key usages, extended key usages and names. */
export type TestCertificateUsage = 'server' | 'client' | 'signing';

/** A certificate with its private key, as PEM text (for Node's tls options) and as objects. */
export interface TestCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS#8 PEM. */
  key: string;
  /** The certificate, DER. */
  der: Uint8Array;
  privateKey: Key;
  publicKey: Key;
}

/** Options of a certificate issued by {@link TestCa.issue} or made by {@link createSelfSigned}. */
export interface TestCertificateOptions {
  commonName: string;
  usage: TestCertificateUsage;
  /** Host names and IP addresses a server certificate is for. Default: localhost and 127.0.0.1. */
  hosts?: string[];
  /** Default: an hour ago (60 days before `notAfter` when that is in the past). */
  notBefore?: Date;
  /** Default: `validForDays` after now. */
  notAfter?: Date;
  /** Default: 2. */
  validForDays?: number;
  /** Default: `ec`. */
  keyType?: TestKeyType;
}

/** A throw-away certificate authority; {@link TestCa.issue} signs leaf certificates with it. */
export interface TestCa extends TestCertificate {
  issue(options: TestCertificateOptions): Promise<TestCertificate>;
}

const DAY = 86_400_000;
const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;
/** KeyUsage bits, most significant first (RFC 5280 §4.2.1.3). */
const KU = {
  digitalSignature: 0x80,
  nonRepudiation: 0x40,
  keyEncipherment: 0x20,
  keyCertSign: 0x04,
  cRLSign: 0x02,
};

let engine: pkijs.CryptoEngine | undefined;
function cryptoEngine(): pkijs.CryptoEngine {
  engine ??= new pkijs.CryptoEngine({ name: 'thgov-testkit', crypto: webcrypto as unknown as EngineCrypto });
  return engine;
}

const ALGORITHMS = {
  ec: { name: 'ECDSA', namedCurve: 'P-256' },
  rsa: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
} as const;

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({
        type: OID.commonName,
        value: new asn1js.Utf8String({ value: commonName }),
      }),
    ],
  });
}

function extension(extnID: string, critical: boolean, value: { toBER(sizeOnly?: boolean): ArrayBuffer }) {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function keyUsage(bits: number): asn1js.BitString {
  let unusedBits = 0;
  while (unusedBits < 7 && ((bits >> unusedBits) & 1) === 0) unusedBits++;
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits });
}

function altNames(hosts: string[]): pkijs.GeneralNames {
  return new pkijs.GeneralNames({
    names: hosts.map((h) => {
      if (!isIP(h)) return new pkijs.GeneralName({ type: 2, value: h });
      const bytes = isIP(h) === 4 ? h.split('.').map(Number) : [...ipv6Bytes(h)];
      return new pkijs.GeneralName({
        type: 7,
        value: new asn1js.OctetString({ valueHex: new Uint8Array(bytes).buffer }),
      });
    }),
  });
}

function ipv6Bytes(ip: string): Uint8Array {
  const [head = '', tail = ''] = ip.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = parts(tail);
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return new Uint8Array(groups.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]));
}

/** The extensions of each kind of certificate: what a TLS stack or a signature checker looks at. */
function extensionsFor(usage: TestCertificateUsage | 'ca', hosts: string[]): pkijs.Extension[] {
  const ca = usage === 'ca';
  const list = [extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: ca }).toSchema())];
  const bits = {
    ca: KU.keyCertSign | KU.cRLSign,
    server: KU.digitalSignature | KU.keyEncipherment,
    client: KU.digitalSignature,
    signing: KU.digitalSignature | KU.nonRepudiation,
  }[usage];
  list.push(extension(OID.keyUsage, true, keyUsage(bits)));
  if (usage === 'server' || usage === 'client') {
    const purpose = usage === 'server' ? OID.serverAuth : OID.clientAuth;
    list.push(
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [purpose] }).toSchema()),
    );
  }
  if (usage === 'server') list.push(extension(OID.subjectAltName, false, altNames(hosts).toSchema()));
  return list;
}

interface Subject {
  commonName: string;
  usage: TestCertificateUsage | 'ca';
  hosts: string[];
  notBefore: Date;
  notAfter: Date;
  keyType: TestKeyType;
}

/**
 * @internal Exported for its test only.
 * A certificate serial from random bytes: positive (top bit clear) and minimal (first byte not zero), since
 * DER forbids a leading zero byte before one below 0x80 and OpenSSL refuses such a certificate.
 */
export function serialNumber(random: Uint8Array): asn1js.Integer {
  const bytes = Uint8Array.from(random);
  bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return new asn1js.Integer({ valueHex: bytes.buffer });
}

async function makeCertificate(subject: Subject, issuer?: { cert: pkijs.Certificate; key: Key }) {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHMS[subject.keyType], true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = serialNumber(randomBytes(16));
  cert.subject = name(subject.commonName);
  cert.issuer = issuer ? issuer.cert.subject : name(subject.commonName);
  cert.notBefore.value = subject.notBefore;
  cert.notAfter.value = subject.notAfter;
  cert.extensions = extensionsFor(subject.usage, subject.hosts);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey as never, cryptoEngine());
  await cert.sign((issuer?.key ?? keys.privateKey) as never, 'SHA-256', cryptoEngine());
  const der = new Uint8Array(cert.toSchema(true).toBER(false));
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const made: TestCertificate = {
    cert: pem('CERTIFICATE', der),
    key: pem('PRIVATE KEY', pkcs8),
    der,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
  return { made, parsed: cert };
}

function subjectOf(o: TestCertificateOptions): Subject {
  const now = Date.now();
  const notAfter = o.notAfter ?? new Date(now + (o.validForDays ?? 2) * DAY);
  // An expired certificate given only its end date was valid for the 60 days before it.
  const notBefore = o.notBefore ?? new Date(Math.min(now - 3_600_000, notAfter.getTime() - 60 * DAY));
  return {
    commonName: o.commonName,
    usage: o.usage,
    hosts: o.hosts ?? ['localhost', '127.0.0.1'],
    notBefore,
    notAfter,
    keyType: o.keyType ?? 'ec',
  };
}

/**
 * A throw-away certificate authority made in process (no openssl CLI): WebCrypto keys, pkijs for the
 * X.509 encoding. Its `issue` makes server certificates (serverAuth, names for localhost and 127.0.0.1),
 * client certificates (clientAuth) and signing certificates (digitalSignature, nonRepudiation).
 *
 * @example
 * ```ts
 * const ca = await createTestCa({ commonName: 'Test CA' });
 * const server = await ca.issue({ commonName: 'server', usage: 'server' });
 * const expired = await ca.issue({ commonName: 'old', usage: 'client', notAfter: new Date('2024-03-01') });
 * https.createServer({ key: server.key, cert: server.cert, ca: ca.cert }, handler);
 * ```
 */
export async function createTestCa(
  options: { commonName: string; keyType?: TestKeyType; validForDays?: number } = { commonName: 'Test CA' },
): Promise<TestCa> {
  const base = subjectOf({ ...options, validForDays: options.validForDays ?? 30, usage: 'signing' });
  const { made, parsed } = await makeCertificate({ ...base, usage: 'ca' });
  return {
    ...made,
    issue: async (o) => (await makeCertificate(subjectOf(o), { cert: parsed, key: made.privateKey })).made,
  };
}

/**
 * A self-signed leaf certificate that no test CA vouches for (a stranger's).
 *
 * @example
 * ```ts
 * const stranger = await createSelfSigned({ commonName: 'Stranger', usage: 'signing' });
 * ```
 */
export async function createSelfSigned(options: TestCertificateOptions): Promise<TestCertificate> {
  return (await makeCertificate(subjectOf(options))).made;
}

/** One DER item: tag, definite length, content. */
function derItem(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/**
 * A certificates-only PKCS#7 SignedData (a `.p7b`/`.p7c`), as a CA portal or Windows' certificate export writes
 * it (`openssl crl2pkcs7 -nocrl`): made by hand, so a test needs no tool.
 *
 * @example
 * ```ts
 * writeFileSync('chain.p7b', certsOnlyPkcs7([caDer, leafDer]));
 * ```
 */
export function certsOnlyPkcs7(certificates: readonly Uint8Array[]): Uint8Array {
  const oid = (hex: string) => derItem(0x06, Buffer.from(hex, 'hex'));
  const signedData = derItem(
    0x30,
    derItem(0x02, Buffer.from([1])),
    derItem(0x31),
    derItem(0x30, oid('2a864886f70d010701')),
    derItem(0xa0, ...certificates),
    derItem(0x31),
  );
  return new Uint8Array(derItem(0x30, oid('2a864886f70d010702'), derItem(0xa0, signedData)));
}
