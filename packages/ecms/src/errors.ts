import { isThGovError, ThGovError, type ThGovErrorOptions } from '@thgov/core';
import type { BlockIndication, CertificateRevocationStatus, SubIndication } from '@thgov/pki';

/** Every error code @thgov/ecms can raise (part of the semver contract). */
export const ECMS_ERROR_CODES = {
  ERR_ECMS_FAULT: 'The e-CMS node answered with an ErrorDetail or a SOAP fault; `nodeCode` holds its code.',
  ERR_ECMS_XML: 'An XML document is malformed or is not the e-CMS message that was expected.',
  ERR_ECMS_XML_HOSTILE:
    'An XML document was refused as hostile: DOCTYPE or entity declaration, or a size, depth, element-count or attribute limit passed.',
  ERR_ECMS_MESSAGE: 'A letter or notifier is invalid: a required field is missing or a value is malformed.',
  ERR_ECMS_BASE64: 'A binary object is not valid base64.',
  ERR_ECMS_MIME: 'A binary object has a MIME type that is not allowed.',
  ERR_ECMS_SECRECY:
    'The secrecy level is not allowed on the electronic channel (top secret) unless explicitly enabled.',
  ERR_ECMS_CODE: 'A speed or secrecy code is not in the node’s code list.',
  ERR_ECMS_SIGNATURE:
    'A letter signature is missing, malformed, does not verify, does not cover exactly the letter that is read (signature wrapping), or uses an algorithm or key that is too weak; `reason` says which.',
  ERR_ECMS_PDF_SIGNATURE:
    'The main letter PDF has no valid PDF signature by the sender department, as the inbox worker’s injected `pdfVerifier` with policy `require` decided (a letter status, `failed:ERR_ECMS_PDF_SIGNATURE`; the report is in the letter’s evidence).',
  ERR_ECMS_UNTRUSTED_SIGNER:
    'A letter signature verifies but its certificate may not sign letters: no valid chain to a trust anchor, a key usage or extended key usage that does not allow signing, a revoked certificate or (when revocation is required) an unknown revocation status, refused by the signer policy or the certificate validator; `reason` says which.',
  ERR_ECMS_STATE: 'A letter state transition is not allowed from the letter’s current state.',
  ERR_ECMS_NOT_FOUND: 'The letter is not in the journal.',
  ERR_ECMS_STORE: 'The letter store failed.',
  ERR_ECMS_LEASE_LOST:
    'A worker lost its lease on a letter (it expired and another worker claimed it with a newer fencing token): its change was refused.',
  ERR_ECMS_DUPLICATE:
    'Already in the journal, nothing was written: a queue item recorded under its ProcessID (another worker persisted it first), or an outbound letter submitted twice (same sender, book number, receiver and date, or the same `idempotencyKey`).',
  ERR_ECMS_LETTER_CONFLICT:
    'A received letter carries the natural key (book number, date, sender and receiver) of a letter already in the journal but is another letter: its subject, its document or its signature check differs (`reason`, LETTER_CONFLICT_REASONS). It is kept in quarantine with the raw answer and reported, never journalled beside the first or dropped as a duplicate.',
  ERR_ECMS_SUBMIT_AMBIGUOUS:
    'An ambiguous send cannot be attributed: the node’s outbound status lists the book number without receiver or date and several sends could own the entry (a circular letter, a book number reused in another BE year). The letter stays `submit_unknown`, listed by `EcmsOutbox.unresolved()`, until someone decides.',
} as const;

/** The codes of `ECMS_ERROR_CODES` an `EcmsError` may carry. */
export type EcmsErrorCode = keyof typeof ECMS_ERROR_CODES;

/** What an `EcmsFaultError` is built from: the node's ErrorDetail code and description. */
export interface EcmsFaultOptions extends ThGovErrorOptions {
  nodeCode: string;
  nodeDescription?: string;
  /** SOAP 1.2 `Code/Subcode/Value`, when the fault has one. */
  nodeSubcode?: string;
  /** A SOAP `Fault` (true) rather than the node's `ErrorDetail`. */
  soapFault?: boolean;
  operation?: string;
  statusCode?: number;
}

/**
 * A typed failure of the e-CMS package: `code` is one of {@link EcmsErrorCode}. Messages never carry letter
 * content.
 *
 * @example
 * ```ts
 * try {
 *   verifyLetterSignature(xml, { policy: 'require', trustAnchors });
 * } catch (err) {
 *   if (err instanceof EcmsError && err.code === 'ERR_ECMS_UNTRUSTED_SIGNER') quarantine(xml);
 * }
 * ```
 */
export class EcmsError<C extends EcmsErrorCode = EcmsErrorCode> extends ThGovError<C> {
  constructor(code: C, message: string, options: ThGovErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EcmsError';
  }
}

/** An `ErrorDetail` (or SOAP fault) answered by an e-CMS node: `nodeCode` is the node's own code. */
export class EcmsFaultError extends EcmsError<'ERR_ECMS_FAULT'> {
  readonly nodeCode: string;
  readonly nodeDescription: string | undefined;
  /** SOAP 1.2 `Code/Subcode/Value`, when the fault has one. */
  readonly nodeSubcode: string | undefined;
  /** A SOAP `Fault` (true) rather than the node's own `ErrorDetail` (false). */
  readonly soapFault: boolean;
  readonly operation: string | undefined;
  readonly statusCode: number | undefined;
  constructor(options: EcmsFaultOptions) {
    super(
      'ERR_ECMS_FAULT',
      `e-CMS node fault ${options.nodeCode}${options.nodeDescription ? `: ${options.nodeDescription}` : ''}${
        options.operation ? ` (${options.operation})` : ''
      }`,
      options,
    );
    this.name = 'EcmsFaultError';
    this.nodeCode = options.nodeCode;
    this.nodeDescription = options.nodeDescription;
    this.nodeSubcode = options.nodeSubcode;
    this.soapFault = options.soapFault ?? false;
    this.operation = options.operation;
    this.statusCode = options.statusCode;
  }
}

/**
 * True for a SOAP fault whose code puts the failure on the server's side: SOAP 1.1 `Server` (and its dotted
 * refinements, `Server.Database`), SOAP 1.2 `Receiver`. Such a fault is "not directly attributable to the
 * contents of the message" (SOAP 1.1 §4.4.1): after a send, the node may have kept the letter or not.
 */
export function isServerFault(err: unknown): err is EcmsFaultError {
  if (!isThGovError(err, 'ERR_ECMS_FAULT') || (err as { soapFault?: unknown }).soapFault !== true)
    return false;
  const code = String((err as { nodeCode?: unknown }).nodeCode ?? '');
  const local = code.slice(code.indexOf(':') + 1);
  return /^(server|receiver)(\..*)?$/i.test(local);
}

/**
 * Why a received letter is not a duplicate of the journalled letter that holds its natural key
 * (`ERR_ECMS_LETTER_CONFLICT`), machine-readable: the first difference found, in this order.
 */
export const LETTER_CONFLICT_REASONS = {
  subject: 'The subject differs.',
  document:
    'The document differs (the SHA-256 of the letter as the journal stores it): the book number as written, a party, a reference, a date or a file.',
  signature:
    'The same document, but its signature check does not agree with the journalled copy’s (one signed and valid, the other unsigned or failing).',
} as const;

/** One of `LETTER_CONFLICT_REASONS`. */
export type LetterConflictReason = keyof typeof LETTER_CONFLICT_REASONS;

/**
 * Why a letter signature was refused, machine-readable. Structure, algorithms and cryptography give
 * `ERR_ECMS_SIGNATURE`; who signed (usage, chain, policy, validator) gives `ERR_ECMS_UNTRUSTED_SIGNER`.
 */
export const SIGNATURE_FAILURE_REASONS = {
  missing: 'The policy requires a signature and the letter has none.',
  malformed: 'The signature element is incomplete or cannot be read.',
  'document-count': 'The message does not carry exactly one GovernmentDocument to verify.',
  'letter-count': 'The GovernmentDocument does not hold exactly one letter element, as its child.',
  'signature-count': 'The GovernmentDocument holds more than one signature.',
  'signature-location':
    'The signature is not in the GovernmentSignature block of the same GovernmentDocument.',
  'reference-count': 'The signature has more than one Reference.',
  'reference-uri': 'The Reference is not a same-document `#id` reference.',
  'reference-target': 'The Reference does not point at the letter element of this GovernmentDocument.',
  'duplicate-id':
    'More than one element carries the referenced ID, in any spelling (ID, Id, id, xml:id, wsu:Id…).',
  'reference-transform':
    'The Reference uses a transform other than exclusive C14N and enveloped-signature (one that could leave part of the letter unsigned).',
  canonicalization:
    'SignedInfo uses a canonicalization other than C14N 1.0 or exclusive C14N, without comments.',
  'weak-digest-algorithm': 'The digest algorithm is SHA-1 (refused by default).',
  'weak-signature-algorithm': 'The signature algorithm uses SHA-1 (refused by default).',
  'unsupported-algorithm': 'The digest or signature algorithm is not one the verifier accepts.',
  'weak-key':
    'The signing key (or a key in the chain) is refused by the algorithm policy: RSA below 2048 bits, or an EC curve other than P-256, P-384 and P-521.',
  'key-mismatch': 'The certificate key does not fit the signature algorithm.',
  'no-certificate': 'KeyInfo carries no X509Certificate.',
  'certificate-unreadable': 'A certificate in KeyInfo cannot be parsed, or KeyInfo carries too many.',
  'digest-mismatch': 'The letter was changed after signing (the digest does not match).',
  'signature-invalid': 'The signature value does not verify with the certificate key.',
  'not-what-was-signed': 'The element that verified is not the letter element this document holds.',
  'key-usage': 'The signer certificate has no key usage, or one without digitalSignature and nonRepudiation.',
  'extended-key-usage':
    'The signer certificate has an extended key usage that does not allow document signing.',
  'signer-policy': 'The signer policy does not allow this certificate for the sending department.',
  'not-yet-valid': 'A certificate of the chain is not valid yet at the verification time.',
  expired: 'A certificate of the chain has expired at the verification time.',
  'issuer-not-ca': 'A certificate of the chain issues another without being a CA (basic constraints).',
  'issuer-key-usage': 'An issuing certificate has a key usage without keyCertSign.',
  'path-length': 'The chain is longer than a CA’s pathLenConstraint allows.',
  'name-constraints': 'A certificate of the chain is outside the name constraints of a CA above it.',
  'certificate-policy':
    'The chain breaks a certificate-policy rule of a CA above the signer (policyConstraints, inhibitAnyPolicy, policyMappings), or a policy extension cannot be read.',
  'weak-certificate-signature':
    'A certificate of the chain is signed with SHA-1, MD5 or another algorithm the policy refuses.',
  'unsupported-critical-extension':
    'A certificate of the chain has a critical extension the verifier does not process.',
  'chain-loop': 'The certificates in KeyInfo form a loop and no path reaches a trust anchor.',
  'chain-too-long': 'No path to a trust anchor within the maximum chain length.',
  'no-path-to-anchor': 'The signer does not chain to any trust anchor.',
  revoked:
    'The signer certificate, or a CA certificate of its chain, was revoked at or before the verification time according to a CRL or OCSP response (every piece of evidence is weighed; a revocation wins over any "good" answer).',
  'revocation-unknown':
    'Revocation is checked and required, and no usable (authentic, fresh) CRL or OCSP response gives the status of a certificate of the chain.',
  validator: 'The certificate validator (for example the revocation check) refused the signer.',
} as const;

/** Why a letter's signature failed (`SIGNATURE_FAILURE_REASONS`). */
export type SignatureFailureReason = keyof typeof SIGNATURE_FAILURE_REASONS;

/** The signer as the evidence records it (no private data beyond what the certificate itself publishes). */
export interface SignerEvidence {
  subject: string;
  issuer: string;
  serialNumber: string;
  fingerprint256: string;
  validFrom: string;
  validTo: string;
  /** Key usage bits by name (`digitalSignature`, `nonRepudiation`, …); empty when the extension is absent. */
  keyUsage: string[];
  /** Extended key usage OIDs; empty when the extension is absent. */
  extendedKeyUsage: string[];
  publicKey: { type: string; bits: number | undefined; curve: string | undefined };
  /** XML-DSig SignatureMethod and DigestMethod URIs. */
  signatureAlgorithm: string;
  digestAlgorithm: string;
  /** SHA-256 fingerprints from the signer to the trust anchor (empty until a chain was built). */
  chain: string[];
  /**
   * Weak algorithms accepted only because `dangerouslyAllowWeakAlgorithms` was set: XML-DSig URIs, and what the
   * path validation let through (for example "CA certificate #1: RSA key of 1024 bits is shorter than 2048").
   */
  weakAlgorithmsAccepted: string[];
  /**
   * The signer's path validation by `@thgov/pki` (ETSI EN 319 102-1 indication), once it ran. `validatedAt` is the
   * verification time (receipt, unless `at` was given): an e-CMS letter carries no time-stamp, so no earlier
   * signing time is ever proven.
   */
  validation?: SignerPathValidation;
  /**
   * Revocation of each certificate of the chain but the anchor (signer first) when `revocation` was configured:
   * status, the CRL or OCSP response that decided, and every piece of evidence considered, with why any was unusable.
   */
  revocation?: CertificateRevocationStatus[];
}

/** What the journal keeps of the signer's path validation. */
export interface SignerPathValidation {
  indication: BlockIndication;
  subIndication?: SubIndication;
  /** Why, without names (certificates by position: "CA certificate #1"). */
  message: string;
  /** The time validated at (ISO 8601). */
  validatedAt: string;
  /** Always false for letters: nothing in an e-CMS letter proves when it was signed. */
  timeProven: boolean;
  /** Whether revocation was checked (the `revocation` option). */
  revocationChecked: boolean;
}

/** What an `EcmsSignatureError` is built from: why the signature failed and what was known of the signer. */
export interface EcmsSignatureErrorOptions extends ThGovErrorOptions {
  reason: SignatureFailureReason;
  /** What was known of the signer when the check failed. */
  signer?: SignerEvidence;
}

/**
 * A letter signature refused: `reason` says why (see `SIGNATURE_FAILURE_REASONS`).
 *
 * @example
 * ```ts
 * try {
 *   await verifyLetterSignature(xml, { policy: 'require', trustAnchors: [caPem] });
 * } catch (err) {
 *   if (err instanceof EcmsSignatureError && err.reason === 'duplicate-id') quarantine(xml);
 * }
 * ```
 */
export class EcmsSignatureError extends EcmsError<'ERR_ECMS_SIGNATURE' | 'ERR_ECMS_UNTRUSTED_SIGNER'> {
  readonly reason: SignatureFailureReason;
  /** Not enumerable: kept out of `toJSON()` and logs, since a certificate subject names a person. */
  declare readonly signer: SignerEvidence | undefined;
  constructor(
    code: 'ERR_ECMS_SIGNATURE' | 'ERR_ECMS_UNTRUSTED_SIGNER',
    message: string,
    options: EcmsSignatureErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'EcmsSignatureError';
    this.reason = options.reason;
    Object.defineProperty(this, 'signer', { value: options.signer, enumerable: false });
  }
}

/** Shorthand for the package's own typed errors. */
export function ecmsError<C extends EcmsErrorCode>(
  code: C,
  message: string,
  options: ThGovErrorOptions = {},
): EcmsError<C> {
  return new EcmsError(code, message, options);
}

const ECMS_ERROR_NAMES = new Set(['EcmsError', 'EcmsFaultError', 'EcmsSignatureError']);

/**
 * True for an {@link EcmsError} (or its {@link EcmsFaultError} and {@link EcmsSignatureError}), also one from another installed copy of the
 * package (checked by the thgov brand and the name, not `instanceof`). With `code`, also checks the code and
 * narrows `err.code` to it; a code that is not an {@link EcmsErrorCode} fails to compile.
 *
 * @example
 * ```ts
 * if (isEcmsError(err, 'ERR_ECMS_UNTRUSTED_SIGNER')) await quarantine(letter);
 * ```
 */
export function isEcmsError<C extends EcmsErrorCode = EcmsErrorCode>(
  value: unknown,
  code?: C,
): value is EcmsError<C> {
  return isThGovError(value, code) && ECMS_ERROR_NAMES.has(value.name);
}
