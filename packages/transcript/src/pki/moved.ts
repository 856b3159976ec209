// Names that moved to @thgov/pki (and its /testing subpath), re-exported so that existing imports keep working.
import type {
  CryptoKey as PkiCryptoKey,
  CryptoKeyPair as PkiCryptoKeyPair,
  KeyUsageName as PkiKeyUsageName,
} from '@thgov/pki';
import { exportPkcs8Pem as pkiExportPkcs8Pem, toPem as pkiToPem } from '@thgov/pki';
import type * as PkiTesting from '@thgov/pki/testing';
import type {
  CertificateSpec as PkiCertificateSpec,
  CrlSpec as PkiCrlSpec,
  DistinguishedName as PkiDistinguishedName,
  OcspResponseSpec as PkiOcspResponseSpec,
  TimeStampAuthorityOptions as PkiTimeStampAuthorityOptions,
} from '@thgov/pki/testing';

// The test helpers load @thgov/pki/testing on first use: importing @thgov/transcript to verify a transcript
// does not load the code that makes certificates (about 10 ms of a cold start).
const testing = (): Promise<typeof PkiTesting> => import('@thgov/pki/testing');

/** @deprecated Import from `@thgov/pki/testing`. */
export async function createCertificate(spec: PkiCertificateSpec): Promise<Uint8Array> {
  return (await testing()).createCertificate(spec);
}
/** @deprecated Import from `@thgov/pki/testing`. */
export async function createCrl(spec: PkiCrlSpec): Promise<Uint8Array> {
  return (await testing()).createCrl(spec);
}
/** @deprecated Import from `@thgov/pki/testing`. */
export async function createOcspResponse(spec: PkiOcspResponseSpec): Promise<Uint8Array> {
  return (await testing()).createOcspResponse(spec);
}
/** @deprecated Import from `@thgov/pki/testing`. */
export function createTimeStampAuthority(
  options: PkiTimeStampAuthorityOptions,
): ReturnType<typeof PkiTesting.createTimeStampAuthority> {
  // One authority per call, made at its first time-stamp (it numbers its tokens).
  let tsa: Promise<ReturnType<typeof PkiTesting.createTimeStampAuthority>> | undefined;
  return async (request) => {
    tsa ??= testing().then((m) => m.createTimeStampAuthority(options));
    return (await tsa)(request);
  };
}
/** @deprecated Import from `@thgov/pki/testing`. */
export async function generateSigningKeyPair(
  ...args: Parameters<typeof PkiTesting.generateSigningKeyPair>
): ReturnType<typeof PkiTesting.generateSigningKeyPair> {
  return (await testing()).generateSigningKeyPair(...args);
}
/** @deprecated Import from `@thgov/pki`. */
export const exportPkcs8Pem = pkiExportPkcs8Pem;
/** @deprecated Import from `@thgov/pki`. */
export const toPem = pkiToPem;
/** @deprecated Import from `@thgov/pki/testing`. */
export type CertificateSpec = PkiCertificateSpec;
/** @deprecated Import from `@thgov/pki/testing`. */
export type CrlSpec = PkiCrlSpec;
/** @deprecated Import from `@thgov/pki/testing`. */
export type OcspResponseSpec = PkiOcspResponseSpec;
/** @deprecated Import from `@thgov/pki/testing`. */
export type DistinguishedName = PkiDistinguishedName;
/** @deprecated Import from `@thgov/pki/testing`. */
export type TimeStampAuthorityOptions = PkiTimeStampAuthorityOptions;
/** @deprecated Import from `@thgov/pki`. */
export type KeyUsageName = PkiKeyUsageName;
/** @deprecated Import from `@thgov/pki`. */
export type CryptoKey = PkiCryptoKey;
/** @deprecated Import from `@thgov/pki`. */
export type CryptoKeyPair = PkiCryptoKeyPair;
