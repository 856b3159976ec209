// @thgov/esign/internal: the engine's parts that sibling thgov packages build on (the transcript profile, issuing).
// Not part of the semver contract: applications use the root entry.
// The values the root entry also exports, for packages whose import must not load the root entry's signing and
// remote-signing modules (importing @thgov/transcript, a verification): the same classes and functions.
export { FONT_ERROR_CODES, FontError, isFontError } from './appearance/font/errors.js';
export {
  type BundledWeight,
  bundledThaiFont,
  type GlyphRun,
  type LoadedFont,
  loadFont,
  PdfFontWriter,
  type PdfObjectSet,
  type ShowTextOptions,
  serializeValue,
  shapeText,
} from './appearance/font/index.js';
export { addCrl, addOcsp, type EvidencePool, emptyPool } from './cms/evidence.js';
export { type CmsSignOptions, signDetachedCms } from './cms/sign.js';
export { isEsignError } from './errors.js';
export { importOptional } from './optional-import.js';
export { PdfDocument } from './pdf/document.js';
export { decodeStream } from './pdf/filters.js';
export { Budget, DEFAULT_PDF_LIMITS } from './pdf/limits.js';
export {
  bytesEqual,
  collectRefs,
  dictOf,
  type IndirectObject,
  isName,
  PdfDict,
  PdfName,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
  pdfEquals,
} from './pdf/objects.js';
export { indexOfBytes, latin1 } from './pdf/parser.js';
export {
  type AppendResult,
  appendIncrementalUpdate,
  dict,
  type IncrementalUpdate,
  name,
  serialize,
  str,
  type UpdateObject,
} from './pdf/writer.js';
export { appendDss, type ValidationData, type VriEntry } from './pki/dss-write.js';
export {
  fillContents,
  type PreparedSignature,
  pdfDate,
  prepareSignature,
  type SignatureFieldSpec,
  textStringHex,
} from './sign/placeholder.js';
export { signingTimeAfterToken } from './time-order.js';
export { type VerificationExtension, verifyDocument } from './verify/engine.js';
export {
  certInput,
  isCertInputs,
  type NormalizedVerifyOptions,
  normalizeVerifyOptions,
  pdfLimitChecks,
  pdfLimitsSchema,
  revocationOptionChecks,
  revocationOptionsSchema,
  verifyOptionsSchema,
} from './verify/options.js';
export { aggregate, CHECK_STEP, check, failed, finish, indeterminate } from './verify/report.js';
