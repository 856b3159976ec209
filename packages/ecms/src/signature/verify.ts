import { X509Certificate } from 'node:crypto';
import { type OperationOptions, redactPreview } from '@thgov/core';
import { validateOptions } from '@thgov/core/internal';
import type { PathRevocationOptions } from '@thgov/pki';
import { certFromDer, extKeyUsage, keyUsage, xmlDsigSignerIndex } from '@thgov/pki/internal';
import type { Document, Element } from '@xmldom/xmldom';
import { findAncestorNs, SignedXml } from 'xml-crypto';
import { EcmsSignatureError, type SignatureFailureReason, type SignerEvidence } from '../errors.js';
import { descendantElements } from '../xml/dom.js';
import { resolveLimits, type XmlLimits } from '../xml/limits.js';
import { scanXml } from '../xml/scan.js';
import { type SignatureDom, signatureDom } from '../xml/signature-dom.js';
import { type ParsedXml, parseXml, sameName, soleChild, type XmlNode } from '../xml/tree.js';
import {
  configureAlgorithms,
  describeKey,
  digestVerdict,
  keyTypeFor,
  signatureMethodVerdict,
} from './algorithms.js';
import { verifyLetterOptionsSchema } from './options.js';
import type { SignerPolicy } from './signer.js';
import { inspectSignature, type SignatureStructure, structureError } from './structure.js';
import { validateSignerPath, withParsedRevocation } from './trust.js';

/** What to do with letter signatures: require one, verify when present, or ignore them. */
export type SignaturePolicy = 'require' | 'verify-if-present' | 'ignore';

/** What a certificate validator is given: the signer, the path built to the anchor, and the context. */
export interface CertificateValidationContext {
  signer: X509Certificate;
  /** Signer first, trust anchor last. */
  chain: readonly X509Certificate[];
  /** The verification time. */
  at: Date;
  /** The sending department (10 digits) as the signed letter states it. */
  departmentId: string | undefined;
  evidence: SignerEvidence;
}

/** What a `CertificateValidator` decides about a signer's certificate. */
export type CertificateValidationResult =
  | { valid: true; detail?: string }
  | { valid: false; detail?: string };

/**
 * Runs after every built-in check has passed (structure, algorithms, signature, key usage, chain, revocation,
 * signer policy): the hook for a policy of your own (a directory lookup, a register of authorised signers…).
 */
export type CertificateValidator = (
  context: CertificateValidationContext,
) => CertificateValidationResult | Promise<CertificateValidationResult>;

/** Who may sign letters, and how strictly. */
export interface LetterTrustOptions {
  /** PEM certificates trusted to sign letters: CA certificates or the signers' own. */
  trustAnchors: readonly string[];
  /** Binds signer certificates to sending departments (see `signerPolicyFromMap`). */
  signerPolicy?: SignerPolicy;
  /**
   * Extended key usages (OIDs) that allow signing, when a signer certificate has the extension at all.
   * Default `DOCUMENT_SIGNING_EXTENDED_KEY_USAGES`; a list given here replaces it.
   */
  extendedKeyUsages?: readonly string[];
  /** Most certificates in a path, signer and anchor included (1 to 10). Default 8. */
  maxChainLength?: number;
  /**
   * UNSAFE: accept SHA-1 digests and signatures (also in the chain and in revocation data) and RSA keys from 1024
   * bits. For archives of old letters only; what was relaxed is recorded in the evidence.
   */
  dangerouslyAllowWeakAlgorithms?: boolean;
  /**
   * Check the revocation of the signer and its CAs with @thgov/pki: the CRLs and OCSP responses you hold
   * (`crls`, `ocspResponses`), and opt-in online fetching of the certificates' OCSP and CRL URLs (`online`, or
   * your `fetch`). All evidence is weighed; a revocation at or before the verification time wins over any "good"
   * answer. `required` (default true) refuses a letter whose signer status stays unknown (`revocation-unknown`);
   * false accepts it with the unknown status in the evidence. Omitted: revocation is not checked, and the
   * evidence says so.
   */
  revocation?: PathRevocationOptions;
  /** Extra check after the built-in ones: see `CertificateValidator`. */
  certificateValidator?: CertificateValidator;
  /**
   * Verification time (certificate validity, revocation); default now, the time of receipt. Taken as given, never
   * as proven: nothing in a letter proves when it was signed, and its dates are the sender's claims.
   */
  at?: Date;
}

/**
 * Options of `verifyLetterSignature`. `abortSignal` and `timeoutInMs` bound online revocation fetching (the only
 * network use).
 */
export interface VerifyLetterOptions extends LetterTrustOptions, OperationOptions {
  policy: SignaturePolicy;
  limits?: Partial<XmlLimits>;
}

/** The outcome of a letter's signature check: valid, absent or ignored, with what is known of the signer. */
export interface SignatureCheck {
  status: 'valid' | 'absent' | 'ignored';
  signer?: SignerEvidence;
  /** What the certificate validator said, when there is one. */
  validatorDetail?: string;
}

/**
 * A signature that passed the synchronous checks (structure, algorithms, digest and signature), with what the
 * letter decoder needs next. Who signed is not judged yet: see `confirmSigner`.
 */
export interface VerifiedSignature {
  evidence: SignerEvidence;
  signer: X509Certificate;
  /** Every certificate KeyInfo carried, the signer first: the pool for path building. */
  certificates: X509Certificate[];
  /** Exclusive-C14N bytes (UTF-8) of the letter: the very buffer digested, the only letter content to decode. */
  signedLetter: Buffer;
}

type DomArg = Parameters<SignedXml['loadSignature']>[0];
type AncestorDoc = Parameters<typeof findAncestorNs>[0];

function untrusted(
  reason: SignatureFailureReason,
  message: string,
  signer: SignerEvidence,
): EcmsSignatureError {
  return new EcmsSignatureError('ERR_ECMS_UNTRUSTED_SIGNER', message, { reason, signer });
}

/** The signer's key usages by name and extended key usage OIDs (empty when the extension is absent). */
interface Usages {
  keyUsage: string[];
  extendedKeyUsage: string[];
}

/**
 * The KeyInfo certificates, the signer first: the leaf of those listed (signers list their chain in any order,
 * xmlsec1 and some Java signers the CA first), never whichever key happens to verify. The rest keep their order.
 */
function parseCertificates(structure: SignatureStructure): { certs: X509Certificate[]; usages: Usages } {
  try {
    const listed = structure.certificates.map((b64) => new X509Certificate(Buffer.from(b64, 'base64')));
    const at = xmlDsigSignerIndex(listed);
    const certs = [listed[at] as X509Certificate, ...listed.filter((_, i) => i !== at)];
    const signer = certFromDer((certs[0] as X509Certificate).raw).pkijs;
    const usages = {
      keyUsage: [...(keyUsage(signer) ?? [])],
      extendedKeyUsage: extKeyUsage(signer)?.oids ?? [],
    };
    return { certs, usages };
  } catch {
    throw structureError('certificate-unreadable', 'KeyInfo holds a certificate that cannot be parsed');
  }
}

function evidenceOf(signer: X509Certificate, usages: Usages, s: SignatureStructure): SignerEvidence {
  return {
    subject: signer.subject,
    issuer: signer.issuer,
    serialNumber: signer.serialNumber,
    fingerprint256: signer.fingerprint256,
    validFrom: signer.validFrom,
    validTo: signer.validTo,
    keyUsage: usages.keyUsage,
    extendedKeyUsage: usages.extendedKeyUsage,
    publicKey: describeKey(signer.publicKey),
    signatureAlgorithm: s.signatureMethod,
    digestAlgorithm: s.digestMethod,
    chain: [],
    weakAlgorithmsAccepted: [],
  };
}

/**
 * Digest and signature methods (XML-DSig URIs), and whether the signer's key can make that signature. The key's
 * size is judged with the rest of the path by @thgov/pki's algorithm policy.
 */
function checkAlgorithms(s: SignatureStructure, e: SignerEvidence, allowWeak: boolean): void {
  const verdicts: [string, 'ok' | 'weak' | 'unsupported', SignatureFailureReason][] = [
    [s.digestMethod, digestVerdict(s.digestMethod), 'weak-digest-algorithm'],
    [s.signatureMethod, signatureMethodVerdict(s.signatureMethod), 'weak-signature-algorithm'],
  ];
  for (const [uri, verdict, weakReason] of verdicts) {
    const fail = (reason: SignatureFailureReason) =>
      new EcmsSignatureError('ERR_ECMS_SIGNATURE', `The letter signature uses ${uri}, which is refused`, {
        reason,
        signer: e,
      });
    if (verdict === 'unsupported') throw fail('unsupported-algorithm');
    if (verdict === 'weak' && !allowWeak) throw fail(weakReason);
    if (verdict === 'weak') e.weakAlgorithmsAccepted.push(uri);
  }
  const key = e.publicKey;
  const wanted = keyTypeFor(s.signatureMethod);
  if (key.type !== wanted && !(wanted === 'rsa' && key.type === 'rsa-pss')) {
    throw new EcmsSignatureError(
      'ERR_ECMS_SIGNATURE',
      `A ${key.type} key cannot make a ${s.signatureMethod} signature`,
      {
        reason: 'key-mismatch',
        signer: e,
      },
    );
  }
}

/**
 * `/signature value .* is incorrect/` without its quadratic cost: xml-crypto puts the SignatureValue text of
 * the letter between the two (a hostile sender's "signature value signature value …" rescanned the rest of
 * the line from each). True when some line holds "signature value " and, after it, " is incorrect".
 */
function saysSignatureIncorrect(text: string): boolean {
  for (const line of text.split(/[\n\r\u2028\u2029]/)) {
    const at = line.indexOf('signature value ');
    if (at >= 0 && line.indexOf(' is incorrect', at + 'signature value '.length) >= 0) return true;
  }
  return false;
}

function cryptoFailure(cause: unknown, verifier: SignedXml, e: SignerEvidence): EcmsSignatureError {
  const text = cause instanceof Error ? cause.message : '';
  const refError = verifier.getReferences().find((r) => r.validationError)?.validationError?.message ?? '';
  const reason: SignatureFailureReason = saysSignatureIncorrect(text)
    ? 'signature-invalid'
    : /digest/.test(refError) || cause === false
      ? 'digest-mismatch'
      : 'malformed';
  const message =
    reason === 'signature-invalid'
      ? 'The letter signature does not verify with the certificate key'
      : reason === 'digest-mismatch'
        ? 'The letter signature does not verify (the letter was altered after signing)'
        : 'The letter signature cannot be checked (malformed signature)';
  return new EcmsSignatureError('ERR_ECMS_SIGNATURE', message, { reason, signer: e });
}

/** The bytes a digest method of `verifier` last digested, and the canonical text they were restored from. */
interface Digested {
  canonical?: string;
  bytes?: Buffer;
}

type HashClass = new () => { getHash(xml: string | Buffer): string; getAlgorithmName(): string };

/**
 * Makes every digest method of `verifier` digest `dom.restore(canonical)`, the canonical bytes with the letter's
 * long runs in place, and records them in `digested`: the letter is decoded from that very buffer.
 */
function digestRestored(verifier: SignedXml, dom: SignatureDom, digested: Digested): void {
  const table = verifier.HashAlgorithms as unknown as Record<string, HashClass>;
  for (const [uri, Method] of Object.entries(table)) {
    table[uri] = class {
      getHash(canonical: string): string {
        const bytes = dom.restore(canonical);
        digested.canonical = canonical;
        digested.bytes = bytes;
        return new Method().getHash(bytes);
      }
      getAlgorithmName(): string {
        return new Method().getAlgorithmName();
      }
    };
  }
}

/**
 * xml-crypto's digest and signature check, then the proof that what verified is the letter the structure
 * check chose: the reference xml-crypto resolved must be ours, and our letter element, canonicalized the way
 * the reference says, must be the signed text. Returns the bytes that were digested.
 */
function checkCryptography(
  dom: SignatureDom,
  s: SignatureStructure,
  signer: X509Certificate,
  e: SignerEvidence,
  allowWeak: boolean,
): Buffer {
  const verifier = configureAlgorithms(
    new SignedXml({ publicCert: signer.toString(), getCertFromKeyInfo: () => null }),
    allowWeak,
  );
  const digested: Digested = {};
  digestRestored(verifier, dom, digested);
  let ok: boolean;
  try {
    verifier.loadSignature(s.signature as unknown as DomArg);
    ok = verifier.checkSignature(dom.xml);
  } catch (cause) {
    throw cryptoFailure(cause, verifier, e);
  }
  if (!ok) throw cryptoFailure(false, verifier, e);
  const signed = verifier.getSignedReferences();
  const refs = verifier.getReferences();
  const ref = refs[0];
  if (signed.length !== 1 || refs.length !== 1 || !ref || ref.uri !== s.referenceUri || !ref.xpath) {
    throw new EcmsSignatureError('ERR_ECMS_SIGNATURE', 'The verified reference is not the letter', {
      reason: 'not-what-was-signed',
      signer: e,
    });
  }
  const ours = verifier.getCanonXml(ref.transforms, s.letter as unknown as DomArg, {
    inclusiveNamespacesPrefixList: ref.inclusiveNamespacesPrefixList,
    ancestorNamespaces: findAncestorNs(dom.doc as unknown as AncestorDoc, ref.xpath),
  });
  if (ours !== signed[0] || digested.canonical !== ours || !digested.bytes) {
    throw new EcmsSignatureError(
      'ERR_ECMS_SIGNATURE',
      'The element that verified is not the letter of this document',
      {
        reason: 'not-what-was-signed',
        signer: e,
      },
    );
  }
  return digested.bytes;
}

/**
 * The synchronous checks of one GovernmentDocument's signature: structure (signature wrapping), algorithms,
 * digest and signature. Returns `undefined` when the document is not signed. Who signed — path, usage,
 * revocation, signer policy, certificate validator — is asynchronous and needs the sending department read
 * from the signed bytes: see `confirmSigner`.
 */
export function verifyDocumentElement(
  dom: SignatureDom,
  govDoc: Element,
  options: Pick<LetterTrustOptions, 'dangerouslyAllowWeakAlgorithms'>,
): VerifiedSignature | undefined {
  const structure = inspectSignature(dom.doc, govDoc);
  if (!structure) return undefined;
  const allowWeak = options.dangerouslyAllowWeakAlgorithms === true;
  const { certs, usages } = parseCertificates(structure);
  const signer = certs[0] as X509Certificate;
  const evidence = evidenceOf(signer, usages, structure);
  checkAlgorithms(structure, evidence, allowWeak);
  const signedLetter = checkCryptography(dom, structure, signer, evidence, allowWeak);
  return { evidence, signer, certificates: certs, signedLetter };
}

/** The signer policy, with the sending department read from the signed letter. */
function checkSignerPolicy(
  v: VerifiedSignature,
  departmentId: string | undefined,
  o: LetterTrustOptions,
): void {
  if (!o.signerPolicy) return;
  let allowed = false;
  try {
    allowed = departmentId !== undefined && o.signerPolicy(v.signer, departmentId) === true;
  } catch {
    allowed = false;
  }
  if (!allowed) {
    throw untrusted(
      'signer-policy',
      'The signer policy does not allow this certificate for the sending department',
      v.evidence,
    );
  }
}

/** Runs the certificate validator (when configured) and returns its detail; a refusal is ERR_ECMS_UNTRUSTED_SIGNER. */
async function runCertificateValidator(
  v: VerifiedSignature,
  chain: readonly X509Certificate[],
  departmentId: string | undefined,
  o: LetterTrustOptions,
): Promise<string | undefined> {
  if (!o.certificateValidator) return undefined;
  let result: CertificateValidationResult;
  try {
    result = await o.certificateValidator({
      signer: v.signer,
      chain,
      at: o.at ?? new Date(),
      departmentId,
      evidence: v.evidence,
    });
  } catch (cause) {
    throw new EcmsSignatureError('ERR_ECMS_UNTRUSTED_SIGNER', 'The certificate validator failed', {
      reason: 'validator',
      signer: v.evidence,
      cause,
    });
  }
  if (result?.valid !== true) {
    const detail = result?.detail ? `: ${redactPreview(result.detail, 200)}` : '';
    throw untrusted('validator', `The certificate validator refused the signer${detail}`, v.evidence);
  }
  return result.detail;
}

/**
 * The asynchronous half of a letter-signature check, in order: the signer's path with @thgov/pki (chain, usage,
 * algorithm policy, validity and, when configured, revocation), the signer policy, then the certificate
 * validator. Records the outcome in `v.evidence` and returns the validator's detail; a refusal is an
 * `EcmsSignatureError` (`ERR_ECMS_UNTRUSTED_SIGNER`, or `ERR_ECMS_SIGNATURE` for a refused signing key).
 */
export async function confirmSigner(
  v: VerifiedSignature,
  departmentId: string | undefined,
  o: LetterTrustOptions,
  op: OperationOptions = {},
): Promise<string | undefined> {
  const chain = await validateSignerPath(v.signer, v.certificates.slice(1), v.evidence, o, op);
  checkSignerPolicy(v, departmentId, o);
  return runCertificateValidator(v, chain, departmentId, o);
}

/** The one GovernmentDocument of a message (the root, or exactly one inside an envelope). */
function soleGovernmentDocument(doc: Document): Element {
  const root = doc.documentElement;
  if (root && sameName(root.localName, 'GovernmentDocument')) return root;
  const found = root
    ? [...descendantElements(root)].filter((e) => sameName(e.localName, 'GovernmentDocument'))
    : [];
  const [only] = found;
  if (found.length !== 1 || !only) {
    throw structureError('document-count', `Expected exactly one GovernmentDocument, found ${found.length}`);
  }
  return only;
}

/** Sender department of a signed letter, from its exclusive-C14N bytes. */
export function signedSenderDepartment(parsed: ParsedXml): string | undefined {
  // The decoder's rule for a field written twice (`soleChild`); two different departments name none.
  let id: XmlNode | undefined;
  try {
    const sender = soleChild(parsed, parsed.root, 'SenderParty');
    id = soleChild(parsed, soleChild(parsed, sender, 'DepartmentOrganization'), 'ID');
  } catch {
    return undefined;
  }
  const text = id?.text.trim();
  return text && /^\d{10}$/.test(text) ? text : undefined;
}

/**
 * Verifies the XML-DSig signature of the letter in a document (a standalone GovernmentDocument, or a message
 * such as a SOAP envelope that carries exactly one): signature wrapping, algorithms, digest and signature, who
 * signed (the path to `trustAnchors` with @thgov/pki: key usage, extended key usage, constraints, algorithm
 * policy, validity, revocation when `revocation` is given; then the signer policy) and, last, the optional
 * `certificateValidator`. A refusal is an `EcmsSignatureError` whose `reason` says why; the signer evidence
 * records the path validation and the revocation status of each certificate.
 *
 * @example
 * ```ts
 * const check = await verifyLetterSignature(documentXml, {
 *   policy: 'require',
 *   trustAnchors: [thaiGovCaPem],
 *   signerPolicy: signerPolicyFromMap({ '0031500001': [signerFingerprint] }),
 *   revocation: { crls: [await readFile('crl/issuing-ca.crl')] },
 * });
 * check.signer?.fingerprint256; // the evidence of who signed
 * check.signer?.revocation?.[0]?.decidedBy; // the CRL that said "good"
 * ```
 */
export async function verifyLetterSignature(
  xmlInput: string | Uint8Array,
  options: VerifyLetterOptions,
): Promise<SignatureCheck> {
  validateOptions(verifyLetterOptionsSchema, options, 'verifyLetterSignature options');
  if (options.policy === 'ignore') return { status: 'ignored' };
  const trust = withParsedRevocation(options);
  const limits = resolveLimits(options.limits);
  const dom = signatureDom(scanXml(xmlInput, limits));
  const verified = verifyDocumentElement(dom, soleGovernmentDocument(dom.doc), options);
  if (!verified) {
    if (options.policy === 'require') {
      throw structureError('missing', 'The letter is not signed and the policy requires a signature');
    }
    return { status: 'absent' };
  }
  const department = signedSenderDepartment(parseXml(verified.signedLetter, limits));
  const validatorDetail = await confirmSigner(verified, department, trust, options);
  return {
    status: 'valid',
    signer: verified.evidence,
    ...(validatorDetail ? { validatorDetail } : {}),
  };
}
