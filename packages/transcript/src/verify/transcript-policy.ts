import { redactPreview } from '@thgov/core';
import type {
  PdfDocument,
  Revision,
  SignatureReport,
  SubIndication,
  VerificationPolicy,
  VerificationReport,
} from '@thgov/esign';
import { check, failed, indeterminate, type VerificationExtension } from '@thgov/esign/internal';
import { checkXml } from '../xml/check-xml.js';
import {
  ALLOWED_RELATIONSHIPS,
  type EmbeddedFile,
  isXmlAttachment,
  listEmbeddedFiles,
  pickTranscript,
  readXmp,
  unchangedSince,
  type XmpInfo,
  xmpUnchangedSince,
} from './attachment.js';
import type { NormalizedOptions } from './options.js';

/**
 * The transcript policy: after the last covering signature only security updates (`/DSS`, document
 * time-stamps); no XMP /Metadata change after any signature (an archival PDF/A-3 transcript's identification is
 * what was signed; the generic policy allows Acrobat's and iText's XMP rewrite); revocation evidence mandatory;
 * JavaScript, shadow-attack material and an invalid signature time-stamp refused. Steps 13 (PDF/A-3 attachment)
 * and 14 (XML) are added by `transcriptSteps` (verify-transcript.ts).
 */
export const TRANSCRIPT_POLICY: VerificationPolicy = Object.freeze({
  name: 'transcript',
  afterSigning: 'security-updates',
  requireRevocation: true,
  javaScript: 'refuse',
  shadowSignals: 'refuse',
  invalidSignatureTimeStamp: 'refuse',
  metadataUpdates: 'refuse',
});

/**
 * A name the document chose (AFRelationship, file name, XMP value), as the report shows it: citizen IDs and person
 * names masked (a registrar may name the file after the student), cut to `max` characters with "…". Of any length
 * in the PDF, it must not carry that length, nor the student's data, into a logged report.
 */
function shownName(text: string, max = 64): string {
  const cut = redactPreview(text, max + 1);
  return cut.length > max ? `${cut.slice(0, max)}…` : cut;
}

/** The XMP values for the report's evidence, each as `shownName` shows it. */
function shownXmp(xmp: XmpInfo | undefined): XmpInfo | undefined {
  if (!xmp) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(xmp)) out[k] = typeof v === 'string' ? shownName(v, 255) : v;
  return out as XmpInfo;
}

interface Problem {
  sub: SubIndication;
  fail: boolean;
  msg: string;
}

/**
 * Notes on the attachment's names. /UF is the file name (else /F): a Thai /UF with an ASCII /F fallback, or a
 * name-tree key such as `0001`, is how other tools write it, so a differing /F or key is only a warning.
 */
function nameWarnings(pick: EmbeddedFile, warnings: string[]): void {
  if (pick.ufName !== undefined && pick.fSpecName !== undefined && pick.fSpecName !== pick.ufName)
    warnings.push('The attachment /F (fallback file name) differs from its /UF');
  if (pick.treeName !== undefined && pick.treeName !== pick.fileName)
    warnings.push('The attachment name tree key differs from its file name');
  if (pick.ufName === undefined && pick.fSpecName === undefined)
    warnings.push('The file specification has no /UF or /F file name');
  if (pick.treeName === undefined)
    warnings.push('The attachment is not in /Names/EmbeddedFiles (only in /AF): some viewers do not list it');
}

/** Everything wrong with the picked attachment, hard failures marked `fail`; soft notes go to `warnings`. */
function attachmentProblems(
  doc: PdfDocument,
  pick: EmbeddedFile,
  xmlCount: number,
  signedRev: Revision | undefined,
  warnings: string[],
): Problem[] {
  const problems: Problem[] = [];
  const soft = (msg: string, sub: SubIndication = 'SIG_CONSTRAINTS_FAILURE') =>
    problems.push({ sub, fail: false, msg });
  if (xmlCount > 1) soft(`${xmlCount} XML attachments: ambiguous transcript`);
  if (pick.streamConflict)
    soft(
      'The attachment /EF /F and /UF are different streams (readers differ on which is the file): ambiguous transcript',
    );
  if (!pick.relationship || !ALLOWED_RELATIONSHIPS.has(pick.relationship))
    soft(
      `AFRelationship /${pick.relationship === undefined ? '(none)' : shownName(pick.relationship)} is not allowed`,
    );
  else if (pick.relationship !== 'Alternative')
    warnings.push(`AFRelationship is /${pick.relationship}, ETDA uses /Alternative`);
  if (!pick.inAf) soft('The file specification is not in the catalog /AF array');
  nameWarnings(pick, warnings);
  if (pick.declaredSize !== undefined && pick.declaredSize !== pick.bytes.length) {
    const msg = `Declared size ${pick.declaredSize} differs from the actual ${pick.bytes.length}`;
    problems.push({ sub: 'FORMAT_FAILURE', fail: true, msg });
  }
  if (!signedRev) soft('No valid signature covers the attachment', 'SIGNED_DATA_NOT_FOUND');
  else if (![pick.fileSpecNum, pick.streamNum].every((num) => unchangedSince(doc, num, signedRev))) {
    const msg = 'The attachment was not defined in the signed revision or was changed later';
    problems.push({ sub: 'FORMAT_FAILURE', fail: true, msg });
  }
  if (signedRev && !xmpUnchangedSince(doc, signedRev)) {
    const msg =
      "The XMP metadata (/Metadata) changed after the transcript signature: a transcript's PDF/A-3 identification must be what was signed";
    problems.push({ sub: 'FORMAT_FAILURE', fail: true, msg });
  }
  // The signed XMP: what a later revision writes there was never signed (and is refused above).
  const xmp = readXmp(doc, signedRev ?? doc.last);
  if (xmp?.pdfaPart !== 3) soft(`XMP pdfaid:part is ${xmp?.pdfaPart ?? 'missing'}, expected 3`);
  if (xmp?.documentFileName && xmp.documentFileName !== pick.fileName)
    warnings.push('XMP ed:DocumentFileName differs from the attachment name');
  return problems;
}

/** Step 13: the XML attachment, defined in the first covering signature's revision and unchanged since. */
function attachmentCheck(
  doc: PdfDocument,
  report: VerificationReport,
  pick: EmbeddedFile,
  xmlCount: number,
  strict: boolean,
): void {
  const covered = report.signatures
    .filter((s) => s.kind === 'signature' && s.revision !== undefined)
    .map((s) => s.revision!)
    .sort((a, b) => a - b);
  const signedRev = covered.length ? doc.revisions[covered[0]!] : undefined;
  const warnings: string[] = [];
  const problems = attachmentProblems(doc, pick, xmlCount, signedRev, warnings);
  const { relationship, mimeType, inAf } = pick;
  const evidence = {
    fileName: shownName(pick.fileName, 255),
    relationship: relationship === undefined ? undefined : shownName(relationship),
    mimeType: mimeType === undefined ? undefined : shownName(mimeType),
    size: pick.bytes.length,
    inAf,
    xmp: shownXmp(readXmp(doc, signedRev ?? doc.last)),
  };
  const all = problems.map((p) => p.msg);
  const hard = problems.find((p) => p.fail);
  const soft = problems[0];
  if (hard) report.checks.push(failed('pdfa-attachment', hard.sub, hard.msg, { evidence, warnings: all }));
  else if (soft && (strict || soft.sub === 'SIGNED_DATA_NOT_FOUND'))
    report.checks.push(indeterminate('pdfa-attachment', soft.sub, soft.msg, { evidence, warnings: all }));
  else {
    report.checks.push(
      check('pdfa-attachment', 'PASSED', 'PDF/A-3 with the transcript XML attached in the signed revision', {
        evidence,
        warnings: [...warnings, ...all],
      }),
    );
    report.attachment = shownAttachment(pick);
  }
}

/**
 * `report.attachment`, set only once step 13 passed: the signed, unchanged file. A failed or indeterminate step
 * describes the file in its own evidence, under its status, so that no reader takes a replaced or ambiguous file's
 * names for the transcript's. Names the document chose are bounded and redacted (extractTranscript returns them
 * as they are).
 */
function shownAttachment(pick: EmbeddedFile): NonNullable<VerificationReport['attachment']> {
  return {
    fileName: shownName(pick.fileName, 255),
    size: pick.bytes.length,
    ...(pick.relationship ? { relationship: shownName(pick.relationship) } : {}),
    ...(pick.mimeType ? { mimeType: shownName(pick.mimeType) } : {}),
  };
}

/** Steps 13 and 14 of a transcript: the PDF/A-3 attachment, then its XML (signed by the PDF signer if XML-DSig). */
export function transcriptSteps(o: NormalizedOptions): VerificationExtension {
  const strict = o.policy.name === TRANSCRIPT_POLICY.name;
  return {
    async afterSignatures({ doc, report, signerCertificate }) {
      const files = listEmbeddedFiles(doc, doc.last);
      const xmlFiles = files.filter(isXmlAttachment);
      if (xmlFiles.length === 0) {
        report.checks.push(
          indeterminate(
            'pdfa-attachment',
            'SIGNED_DATA_NOT_FOUND',
            'No XML attachment (/EmbeddedFiles or /AF)',
            {
              evidence: { errorCode: 'ERR_TRANSCRIPT_NO_ATTACHMENT', attachments: files.length },
            },
          ),
        );
        report.checks.push(check('xml', 'NOT_APPLICABLE', 'No XML to check'));
        return;
      }
      // The same pick as extractTranscript's: what is checked here is what it returns.
      const pick = pickTranscript(xmlFiles)!;
      attachmentCheck(doc, report, pick, xmlFiles.length, strict);
      const first = report.signatures.find(
        (x: SignatureReport) => x.kind === 'signature' && signerCertificate(x),
      );
      const pdfSigner = first ? signerCertificate(first) : undefined;
      report.checks.push(
        await checkXml(pick.bytes, {
          maxBytes: o.maxXmlBytes,
          maxDepth: o.maxXmlDepth,
          validator: o.xmlValidator,
          schema: o.xmlSchema,
          namespaces: o.xmlNamespaces,
          pdfSigner,
          strict,
        }),
      );
    },
  };
}
