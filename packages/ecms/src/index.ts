export { type BackoffOptions, backoffDelay } from './backoff.js';
export {
  EcmsClient,
  type EcmsClientOptions,
  type FetchOptions,
  type NotifierInput,
  type NotifyOptions,
  type SendLetterOptions,
  type TimeCheckResult,
  type WithExchange,
} from './client.js';
export { type AgencyDate, parseAgencyDate } from './codec/dates.js';
export {
  type EncodeLetterOptions,
  encodeGovernmentDocument,
  parseLetter,
} from './codec/encode.js';
export { type DecodeOptions, decodeGovernmentDocument } from './codec/letter.js';
export {
  buildCodeBook,
  type CodeBook,
  DEFAULT_CODE_BOOK,
  secrecyFromCode,
  speedFromCode,
} from './codes.js';
export {
  ECMS_ERROR_CODES,
  EcmsError,
  type EcmsErrorCode,
  EcmsFaultError,
  type EcmsFaultOptions,
  EcmsSignatureError,
  type EcmsSignatureErrorOptions,
  isEcmsError,
  LETTER_CONFLICT_REASONS,
  type LetterConflictReason,
  SIGNATURE_FAILURE_REASONS,
  type SignatureFailureReason,
  type SignerEvidence,
  type SignerPathValidation,
} from './errors.js';
export { type ExchangeEvidence, sha256Hex } from './evidence.js';
export {
  EcmsInboxWorker,
  type EcmsInboxWorkerOptions,
  type InboxLetterEvent,
  type InboxNotifierEvent,
  type InboxRejectedEvent,
} from './inbox-worker.js';
export {
  assertTransition,
  canTransition,
  type Direction,
  INBOUND_STATES,
  INBOUND_TRANSITIONS,
  type InboundState,
  type LetterState,
  OUTBOUND_STATES,
  OUTBOUND_TRANSITIONS,
  type OutboundState,
} from './journal.js';
export {
  ALLOWED_MIME_TYPES,
  type BinaryObject,
  bookNumberKey,
  bookNumberSchema,
  type CodeEntry,
  type DateText,
  departmentIdSchema,
  type ErrorDetail,
  INBOUND_ITEM_KINDS,
  type InboundItem,
  type InboundItemKind,
  LETTER_TYPES,
  type Letter,
  type LetterInput,
  type LetterKey,
  type LetterReference,
  type LetterType,
  letterKeySchema,
  letterSchema,
  type MimeEntry,
  type Ministry,
  NOTIFIER_ELEMENTS,
  NOTIFIER_KINDS,
  type Notifier,
  type NotifierKind,
  type NotifierResult,
  normalizeBookNumber,
  notifierSchema,
  type Organization,
  type OutboundStatusEntry,
  outgoingLetterSchema,
  type Party,
  type PoisonItem,
  type PoisonLetterKey,
  type ProcessAck,
  partySchema,
  SECRECIES,
  type Secrecy,
  type SendLetterResult,
  type SignatureInfo,
  type Signer,
  SPEEDS,
  type Speed,
} from './model.js';
export {
  applyOutboundNotifier,
  EcmsOutbox,
  type EcmsOutboxOptions,
  type OutboxSubmitOptions,
  type OutboxUnresolvedEvent,
} from './outbox.js';
export {
  PDF_VERIFICATION_OPERATION,
  type PdfSignatureCheck,
  type PdfVerifierOptions,
} from './pdf-verification.js';
export {
  allocateRegistrationNumber,
  formatRegistrationNumber,
  type RegistrationOptions,
  thaiBuddhistYear,
  thaiLocalDateTime,
} from './registration.js';
export type { SignatureEvidence } from './signature/evidence.js';
export type { LetterVerification } from './signature/options.js';
export { type LetterSigningKey, signGovernmentDocument } from './signature/sign.js';
export {
  DOCUMENT_SIGNING_EXTENDED_KEY_USAGES,
  type SignerPolicy,
  signerPolicyFromMap,
} from './signature/signer.js';
export {
  type CertificateValidationContext,
  type CertificateValidationResult,
  type CertificateValidator,
  type LetterTrustOptions,
  type SignatureCheck,
  type SignaturePolicy,
  type VerifyLetterOptions,
  verifyLetterSignature,
} from './signature/verify.js';
export type {
  ClaimInput,
  EvidenceRecord,
  LeaseFence,
  LetterLease,
  LetterPatch,
  LetterRecord,
  LetterStore,
  NaturalKeyQuery,
  QuarantinedItem,
  QuarantinePatch,
  TransitionInput,
  TransitionRecord,
  WaitingLetters,
} from './store/letter-store.js';
export { newLetterRecord } from './store/letter-store.js';
export { MemoryLetterStore } from './store/memory-store.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml/limits.js';
