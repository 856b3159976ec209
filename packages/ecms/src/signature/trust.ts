import { X509Certificate } from 'node:crypto';
import { invalidArgument, type OperationOptions } from '@thgov/core';
import {
  type AlgorithmPolicy,
  type CustomUsage,
  type PathCheck,
  type PathRevocationOptions,
  type PathValidationResult,
  validateCertificatePath,
} from '@thgov/pki';
import { toCrls, toOcspResponses } from '@thgov/pki/internal';
import { EcmsSignatureError, type SignatureFailureReason, type SignerEvidence } from '../errors.js';
import { DOCUMENT_SIGNING_EXTENDED_KEY_USAGES } from './signer.js';

/** What the path validation of a letter signer needs from the options (see `LetterTrustOptions`). */
export interface SignerTrustInput {
  trustAnchors: readonly string[];
  extendedKeyUsages?: readonly string[];
  maxChainLength?: number;
  dangerouslyAllowWeakAlgorithms?: boolean;
  revocation?: PathRevocationOptions;
  at?: Date;
}

/** The default most certificates in a letter signer's path, signer and anchor included. */
export const DEFAULT_MAX_CHAIN_LENGTH = 8;

/**
 * What "relaxed" means for archives of old letters: SHA-1 and RSA keys from 1024 bits on the path. Elliptic curves
 * stay @thgov/pki's (P-256, P-384, P-521): nothing smaller was ever issued for Thai government signing.
 */
const RELAXED_ALGORITHMS: AlgorithmPolicy = { acceptSha1: true, minRsaModulusBits: 1024 };

/** Each rule of @thgov/pki as the reason a letter gives (validity and revocation depend on the sub-indication). */
const REASON_BY_CHECK: Record<Exclude<PathCheck, 'validity' | 'revocation'>, SignatureFailureReason> = {
  'trust-anchors': 'no-path-to-anchor',
  chain: 'no-path-to-anchor',
  'chain-loop': 'chain-loop',
  'chain-length': 'chain-too-long',
  'public-key': 'weak-key',
  'signature-algorithm': 'weak-certificate-signature',
  'basic-constraints': 'issuer-not-ca',
  'key-cert-sign': 'issuer-key-usage',
  'path-length': 'path-length',
  'name-constraints': 'name-constraints',
  policy: 'certificate-policy',
  'critical-extension': 'unsupported-critical-extension',
  'key-usage': 'key-usage',
  'extended-key-usage': 'extended-key-usage',
};

function reasonOf(r: PathValidationResult): SignatureFailureReason {
  const check = r.failure?.check ?? 'chain';
  if (check === 'validity') return r.subIndication === 'NOT_YET_VALID' ? 'not-yet-valid' : 'expired';
  if (check === 'revocation') return r.subIndication === 'TRY_LATER' ? 'revocation-unknown' : 'revoked';
  return REASON_BY_CHECK[check];
}

/**
 * A letter signer's usage: key usage present with digitalSignature or nonRepudiation (stricter than RFC 5280,
 * where an absent extension allows anything: a saraban signing certificate must say it signs), and an
 * extended key usage, when present, among the document-signing ones or the configured list.
 */
function letterSignerUsage(extendedKeyUsages: readonly string[] | undefined): CustomUsage {
  return {
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: extendedKeyUsages ?? DOCUMENT_SIGNING_EXTENDED_KEY_USAGES,
    requireKeyUsage: true,
  };
}

function recordResult(evidence: SignerEvidence, r: PathValidationResult, revocationChecked: boolean): void {
  evidence.validation = {
    indication: r.indication,
    ...(r.subIndication ? { subIndication: r.subIndication } : {}),
    message: r.message,
    validatedAt: r.validatedAt,
    timeProven: r.timeProven,
    revocationChecked,
  };
  if (revocationChecked) evidence.revocation = r.revocation;
  evidence.weakAlgorithmsAccepted.push(...(r.weakAlgorithmsAccepted ?? []).map((w) => w.message));
}

/**
 * The signer's certificate path, judged by @thgov/pki — the same chain building, constraints, algorithm policy
 * and revocation evaluation as PDF signatures: path to `trustAnchors` through the KeyInfo certificates, basic
 * constraints, pathLen, name constraints, critical extensions, the letter-signer usage, validity at the
 * verification time, and (when `revocation` is configured) the status of every certificate from all the CRLs and
 * OCSP responses given or fetched. The time is never proven (no time-stamp in e-CMS), so a revocation at or
 * before it is `INDETERMINATE/REVOKED_NO_POE`, refused all the same. Records the result in `evidence` and
 * returns the path (signer first, anchor last); a refusal is an `EcmsSignatureError`.
 */
export async function validateSignerPath(
  signer: X509Certificate,
  keyInfoCertificates: readonly X509Certificate[],
  evidence: SignerEvidence,
  o: SignerTrustInput,
  op: OperationOptions = {},
): Promise<X509Certificate[]> {
  const r = await validateCertificatePath(signer, {
    trustAnchors: [...o.trustAnchors],
    intermediates: [...keyInfoCertificates],
    at: o.at ?? new Date(),
    timeProven: false,
    usage: letterSignerUsage(o.extendedKeyUsages),
    revocation: o.revocation ?? false,
    maxPathLength: o.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH,
    ...(o.dangerouslyAllowWeakAlgorithms ? { algorithmPolicy: RELAXED_ALGORITHMS } : {}),
    ...(op.abortSignal ? { abortSignal: op.abortSignal } : {}),
    ...(op.timeoutInMs ? { timeoutInMs: op.timeoutInMs } : {}),
  });
  recordResult(evidence, r, o.revocation !== undefined);
  if (r.indication === 'PASSED') {
    const chain = r.certificates.map((der) => new X509Certificate(der));
    evidence.chain = chain.map((c) => c.fingerprint256);
    return chain;
  }
  const reason = reasonOf(r);
  // The signing key itself is a property of the signature; everything else is about who signed.
  const ownKey = r.failure?.check === 'public-key' && r.failure.position === 0;
  throw new EcmsSignatureError(
    ownKey ? 'ERR_ECMS_SIGNATURE' : 'ERR_ECMS_UNTRUSTED_SIGNER',
    `The letter signer (certificate ${signer.fingerprint256.slice(0, 23)}…) is not trusted: ${r.message}`,
    { reason, signer: evidence },
  );
}

/**
 * The options with the supplied CRLs and OCSP responses parsed once (a CRL can hold many thousand entries: a
 * worker must not re-read it for every letter). An unreadable one is a configuration error, raised when the
 * client or worker is made or the verification starts.
 */
export function withParsedRevocation<T extends { revocation?: PathRevocationOptions }>(options: T): T {
  const rev = options.revocation;
  if (!rev) return options;
  const parse = <I, O>(list: readonly I[] | undefined, what: string, read: (item: I) => O[]) =>
    list?.flatMap((item, i) => {
      try {
        return read(item);
      } catch {
        throw invalidArgument(`revocation.${what}[${i}] is not readable (PEM or DER expected)`);
      }
    });
  const crls = parse(rev.crls, 'crls', (c) => toCrls([c], 'supplied'));
  const ocspResponses = parse(rev.ocspResponses, 'ocspResponses', (r) => toOcspResponses([r], 'supplied'));
  return {
    ...options,
    revocation: { ...rev, ...(crls ? { crls } : {}), ...(ocspResponses ? { ocspResponses } : {}) },
  };
}
