// Names that moved to @thgov/pki (and its /testing subpath), re-exported so that existing imports keep working.
import type {
  CryptoKey as PkiCryptoKey,
  CryptoKeyPair as PkiCryptoKeyPair,
  KeyUsageName as PkiKeyUsageName,
} from '@thgov/pki';
import { exportPkcs8Pem as pkiExportPkcs8Pem, toPem as pkiToPem } from '@thgov/pki';
import {
  type CertificateSpec as PkiCertificateSpec,
  type CrlSpec as PkiCrlSpec,
  type DistinguishedName as PkiDistinguishedName,
  type OcspResponseSpec as PkiOcspResponseSpec,
  type TimeStampAuthorityOptions as PkiTimeStampAuthorityOptions,
  createCertificate as pkiCreateCertificate,
  createCrl as pkiCreateCrl,
  createOcspResponse as pkiCreateOcspResponse,
  createTimeStampAuthority as pkiCreateTimeStampAuthority,
  generateSigningKeyPair as pkiGenerateSigningKeyPair,
} from '@thgov/pki/testing';

/** @deprecated Import from `@thgov/pki/testing`. */
export const createCertificate = pkiCreateCertificate;
/** @deprecated Import from `@thgov/pki/testing`. */
export const createCrl = pkiCreateCrl;
/** @deprecated Import from `@thgov/pki/testing`. */
export const createOcspResponse = pkiCreateOcspResponse;
/** @deprecated Import from `@thgov/pki/testing`. */
export const createTimeStampAuthority = pkiCreateTimeStampAuthority;
/** @deprecated Import from `@thgov/pki/testing`. */
export const generateSigningKeyPair = pkiGenerateSigningKeyPair;
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
