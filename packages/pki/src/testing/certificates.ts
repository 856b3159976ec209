import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KEY_USAGE_NAMES, type KeyUsageName } from '../certificate/types.js';
import type { CryptoKey } from '../crypto-types.js';
import { cryptoEngine, OID, toArrayBuffer } from '../engine.js';
import { importPrivateKey } from '../keys.js';
import {
  buildName,
  type DistinguishedName,
  type GeneralNameSpec,
  generalName,
  integerFromNumber,
} from './names.js';

/** Digest used to sign test objects; SHA-1 only to build weak-crypto fixtures. */
export type TestSignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A raw extension to add as it is (unknown critical extensions, malformed values…). */
export interface RawExtension {
  oid: string;
  critical?: boolean;
  /** DER of the extension value (inside the OCTET STRING). */
  value: Uint8Array;
}

/** What `createCertificate` issues. */
export interface CertificateSpec {
  subject: DistinguishedName;
  publicKey: CryptoKey;
  /** The issuer; omitted for a self-signed root (then `signingKey` is the subject's own private key). */
  issuer?: { certificate: Uint8Array };
  signingKey: CryptoKey;
  serialNumber: number;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  pathLength?: number;
  /** Leave out basicConstraints altogether (a v3 "CA" without it must be refused). */
  omitBasicConstraints?: boolean;
  keyUsage?: KeyUsageName[];
  extendedKeyUsage?: string[];
  /** Mark the extended key usage critical (RFC 3161 wants it so for TSAs). */
  extendedKeyUsageCritical?: boolean;
  crlUrl?: string;
  ocspUrl?: string;
  /** Where the issuer's certificate can be fetched (authorityInfoAccess caIssuers, RFC 5280 §4.2.2.1). */
  caIssuersUrl?: string;
  ocspNoCheck?: boolean;
  subjectAltName?: GeneralNameSpec[];
  nameConstraints?: { permitted?: GeneralNameSpec[]; excluded?: GeneralNameSpec[] };
  extensions?: RawExtension[];
  /** Default SHA-256. */
  signatureHash?: TestSignatureHash;
}

function ext(extnID: string, value: ArrayBuffer, critical = false): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value });
}

function keyUsageExtension(names: KeyUsageName[]): pkijs.Extension {
  const bytes = new Uint8Array(names.includes('decipherOnly') ? 2 : 1);
  for (const n of names) {
    const i = KEY_USAGE_NAMES.indexOf(n);
    bytes[i >> 3]! |= 0x80 >> (i & 7);
  }
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && ((last >> unused) & 1) === 0) unused++;
  return ext(
    OID.keyUsage,
    new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: unused }).toBER(false),
    true,
  );
}

async function keyIdentifier(key: CryptoKey): Promise<Buffer> {
  const spki = pkijs.PublicKeyInfo.fromBER(await webcrypto.subtle.exportKey('spki', key));
  return createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest();
}

function urlExtensions(spec: CertificateSpec): pkijs.Extension[] {
  const out: pkijs.Extension[] = [];
  if (spec.crlUrl) {
    const dp = new pkijs.DistributionPoint({
      distributionPoint: [new pkijs.GeneralName({ type: 6, value: spec.crlUrl })],
    });
    out.push(
      ext(
        OID.crlDistributionPoints,
        new pkijs.CRLDistributionPoints({ distributionPoints: [dp] }).toSchema().toBER(false),
      ),
    );
  }
  const access = [
    ...(spec.ocspUrl ? [{ method: OID.accessOcsp, url: spec.ocspUrl }] : []),
    ...(spec.caIssuersUrl ? [{ method: OID.accessCaIssuers, url: spec.caIssuersUrl }] : []),
  ].map(
    (a) =>
      new pkijs.AccessDescription({
        accessMethod: a.method,
        accessLocation: new pkijs.GeneralName({ type: 6, value: a.url }),
      }),
  );
  if (access.length)
    out.push(
      ext(
        OID.authorityInfoAccess,
        new pkijs.InfoAccess({ accessDescriptions: access }).toSchema().toBER(false),
      ),
    );
  return out;
}

function nameExtensions(spec: CertificateSpec): pkijs.Extension[] {
  const out: pkijs.Extension[] = [];
  if (spec.subjectAltName?.length) {
    const alt = new pkijs.AltName({ altNames: spec.subjectAltName.map((g) => generalName(g)) });
    out.push(ext(OID.subjectAltName, alt.toSchema().toBER(false)));
  }
  if (spec.nameConstraints) {
    const subtrees = (list: GeneralNameSpec[] | undefined) =>
      list?.length ? list.map((g) => new pkijs.GeneralSubtree({ base: generalName(g, true) })) : undefined;
    const permitted = subtrees(spec.nameConstraints.permitted);
    const excluded = subtrees(spec.nameConstraints.excluded);
    const nc = new pkijs.NameConstraints({
      ...(permitted ? { permittedSubtrees: permitted } : {}),
      ...(excluded ? { excludedSubtrees: excluded } : {}),
    });
    out.push(ext(OID.nameConstraints, nc.toSchema().toBER(false), true));
  }
  return out;
}

async function extensionsFor(
  spec: CertificateSpec,
  issuerCert: pkijs.Certificate | undefined,
): Promise<pkijs.Extension[]> {
  const out: pkijs.Extension[] = [];
  if (!spec.omitBasicConstraints) {
    const bc = new pkijs.BasicConstraints({
      cA: spec.ca ?? false,
      ...(spec.ca && spec.pathLength !== undefined ? { pathLenConstraint: spec.pathLength } : {}),
    });
    out.push(ext(OID.basicConstraints, bc.toSchema().toBER(false), true));
  }
  if (spec.keyUsage?.length) out.push(keyUsageExtension(spec.keyUsage));
  if (spec.extendedKeyUsage?.length) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: spec.extendedKeyUsage });
    out.push(ext(OID.extKeyUsage, eku.toSchema().toBER(false), spec.extendedKeyUsageCritical ?? false));
  }
  const ski = await keyIdentifier(spec.publicKey);
  out.push(
    ext(OID.subjectKeyIdentifier, new asn1js.OctetString({ valueHex: toArrayBuffer(ski) }).toBER(false)),
  );
  if (issuerCert) {
    const issuerKeyId = createHash('sha1')
      .update(issuerCert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
      .digest();
    const aki = new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(issuerKeyId) }),
    });
    out.push(ext(OID.authorityKeyIdentifier, aki.toSchema().toBER(false)));
  }
  out.push(...urlExtensions(spec), ...nameExtensions(spec));
  if (spec.ocspNoCheck) out.push(ext(OID.ocspNoCheck, new asn1js.Null().toBER(false)));
  for (const r of spec.extensions ?? []) out.push(ext(r.oid, toArrayBuffer(r.value), r.critical ?? false));
  return out;
}

/**
 * Issues an X.509 v3 certificate for tests and the sandbox's test PKI: CA or end entity, key usage, EKU,
 * pathLenConstraint, name constraints, subjectAltName, CRL and OCSP URLs, ocsp-nocheck and raw extensions.
 *
 * @example
 * ```ts
 * import { createCertificate, generateSigningKeyPair } from '@thgov/pki/testing';
 * const kp = await generateSigningKeyPair();
 * const root = await createCertificate({
 *   subject: { commonName: 'Test Root' }, publicKey: kp.publicKey, signingKey: kp.privateKey, serialNumber: 1,
 *   notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 365 * 86_400_000),
 *   ca: true, keyUsage: ['keyCertSign', 'cRLSign'],
 * });
 * ```
 */
export async function createCertificate(spec: CertificateSpec): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = integerFromNumber(spec.serialNumber);
  cert.subject = buildName(spec.subject);
  const issuerCert = spec.issuer
    ? pkijs.Certificate.fromBER(toArrayBuffer(spec.issuer.certificate))
    : undefined;
  cert.issuer = issuerCert ? issuerCert.subject : buildName(spec.subject);
  cert.notBefore.value = spec.notBefore;
  cert.notAfter.value = spec.notAfter;
  await cert.subjectPublicKeyInfo.importKey(spec.publicKey, engine);
  cert.extensions = await extensionsFor(spec, issuerCert);
  const hash = spec.signatureHash ?? 'SHA-256';
  await cert.sign(await importPrivateKey(spec.signingKey, hash), hash, engine);
  return new Uint8Array(cert.toSchema(true).toBER(false));
}
