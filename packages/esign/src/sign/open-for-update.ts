import { EsignError } from '../errors.js';
import { type Anomaly, PdfDocument, XREF_STM_NOWHERE } from '../pdf/document.js';
import { docMdpLevel } from '../verify/docmdp.js';
import { discoverSignatures } from '../verify/steps/signature-discovery.js';

/**
 * An error-severity anomaly, except a hybrid trailer's /XRefStm that cannot be read: its revision is still read
 * through the classic table (as readers that predate xref streams do), and an xref stream written there later
 * lies outside the revision, which verification fails (XREF_OUTSIDE_REVISION).
 */
function isDamage(a: Anomaly): boolean {
  return a.severity === 'error' && !(a.code === 'BOGUS_STARTXREF' && a.message === XREF_STM_NOWHERE);
}

/**
 * Opens `pdf` to append an incremental update (a signature, /DSS, a document time-stamp). A file whose structure
 * is damaged (bytes before the header, a revision whose cross-reference section cannot be read, objects after the
 * last %%EOF, offsets that miss their objects…) is refused with ERR_PDF_FORMAT: an update appended to it would
 * not verify (verifiers fail such a file as a whole, and readers that repair it see other content than this
 * reader), so the key, the signing service and the TSA are never used for it.
 */
export function openForUpdate(pdf: Uint8Array): PdfDocument {
  const doc = new PdfDocument(pdf);
  const damage = [...new Set(doc.anomalies.filter(isDamage).map((a) => a.code))];
  if (damage.length)
    throw new EsignError(
      'ERR_PDF_FORMAT',
      `The PDF is damaged (${damage.join(', ')}): a signature or time-stamp appended to it would not verify`,
      {
        hint: 'Ask for an intact copy, or re-save the document (which repairs it) before anyone signs it.',
      },
    );
  return doc;
}

/**
 * Whether another signature may be added. A certification (DocMDP) signature must be the document's first signature
 * (ISO 32000-1 §12.8.2.2): added after an approval signature, a document time-stamp or another certification, its
 * /Perms entry changes the catalog behind them and they no longer verify. A document certified with no changes
 * allowed (P=1, by the catalog's certification or a signature's own DocMDP transform) takes no further signature:
 * it would break that certification (pyHanko refuses it too). Both are refused before the key is used; a document
 * time-stamp and /DSS (`extendPdf`) stay possible.
 */
export function checkCertificationFirst(doc: PdfDocument, certify: number | undefined): void {
  const found = discoverSignatures(doc).found;
  if (found.some((s) => docMdpLevel(doc, s) === 1))
    throw new EsignError(
      'ERR_ESIGN_DOCUMENT',
      'The PDF is certified with no changes allowed (DocMDP P=1): a further signature would break its certification',
      {
        hint: 'Sign the original before it is certified, or ask its certifier for a version that allows signing (P=2).',
      },
    );
  if (!certify || found.length === 0) return;
  throw new EsignError(
    'ERR_ESIGN_DOCUMENT',
    'The PDF is already signed or time-stamped: a certification signature (certify) must be its first signature',
    { hint: 'Sign it as an approval signature (without certify), or certify the unsigned original.' },
  );
}
