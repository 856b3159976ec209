import type { CmsOutcome } from '../cms/verify-cms.js';
import type { PdfDocument, Revision } from '../pdf/document.js';
import type { PdfDict, PdfRef, PdfString } from '../pdf/objects.js';
import type { NormalizedVerifyOptions } from './options.js';
import type { RevocationEvidence, SignatureReport } from './report.js';
import type { TrustContext } from './trust.js';

/** A signature field with a value, as step 3 found it through the AcroForm field tree. */
export interface FoundSignature {
  fieldName: string;
  /** The field object whose /V holds the signature dictionary. */
  fieldNum: number;
  /** Object holding the signature dictionary (the dictionary itself or the field when /V is direct). */
  containerNum: number;
  sigRef?: PdfRef;
  sig: PdfDict;
  kind: 'signature' | 'document-timestamp';
}

/** The shape step 4 accepted: a direct four-integer /ByteRange and a direct hex /Contents. */
export interface SignatureGeometry {
  byteRange: [number, number, number, number];
  contents: PdfString;
  subFilter: string;
  filter: string;
}

/** Times proven by the file's document time-stamps, with the revision each covers. */
export type ProvenTimes = { revision: number; genTime: Date }[];

/** The earliest time a verified document time-stamp covering revision `from` (or a later one) proves. */
export function earliestProof(times: ProvenTimes, from: number): Date | undefined {
  return times
    .filter((t) => t.revision >= from)
    .map((t) => t.genTime)
    .sort((x, y) => x.getTime() - y.getTime())[0];
}

/** What every signature of one document is checked against, shared by the signature steps. */
export interface DocumentContext {
  doc: PdfDocument;
  options: NormalizedVerifyOptions;
  trust: TrustContext;
  /** Filled by document time-stamps, which are verified first, the latest first (each one proves the earlier). */
  docTimeStamps: ProvenTimes;
  /** Every signature and document time-stamp step 3 found. */
  found: FoundSignature[];
  /** The DocMDP level of the document's certification signature, if any. */
  certificationLevel: 1 | 2 | 3 | undefined;
  /** The signer certificate (DER) of each signature that got that far. */
  signerCertificates: Map<SignatureReport, Uint8Array>;
  /**
   * The revocation evidence of each verified signature time-stamp's TSA path (one list per token), for the
   * level: B-LT needs the time-stamp's validation data in /DSS as well as the signer's.
   */
  timeStampRevocation: Map<SignatureReport, RevocationEvidence[][]>;
}

/** One signature on its way through the steps: each step reads what earlier ones found and adds its own. */
export interface SignatureState {
  found: FoundSignature;
  report: SignatureReport;
  geometry?: SignatureGeometry;
  revision?: Revision;
  /** The two signed byte ranges and the /Contents bytes, once coverage passed. */
  signedParts?: Uint8Array[];
  contents?: Uint8Array;
  cms?: CmsOutcome;
  /** The time proven by a time-stamp (step 9), else undefined. */
  provenTime?: Date;
}

/** One step of a signature's verification: records its check in `state.report`; false stops the signature there. */
export type SignatureStep = (state: SignatureState, ctx: DocumentContext) => boolean | Promise<boolean>;
