import { decodeCertificates } from '@thgov/pki';
import { TranscriptError } from '../errors.js';
import { checkXml, DEFAULT_MAX_XML_BYTES, DEFAULT_MAX_XML_DEPTH } from '../xml/check-xml.js';

/** The DER of the chain's first certificate (the PDF signer), or undefined when it cannot be read (signing says). */
function signerDer(first: string | Uint8Array | undefined): Uint8Array | undefined {
  if (first === undefined) return undefined;
  try {
    return decodeCertificates(first)[0];
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before anything is signed, transcript XML that verifyTranscript would refuse with its default limits and
 * the transcript policy: malformed, a DTD, characters XML forbids, too large or deep, bytes that are not the
 * encoding they claim, an XML-DSig that does not verify or was made by another signer than the PDF's. The message
 * is the verifier's (redacted: it never quotes the document).
 */
export async function assertVerifiableXml(
  xml: Uint8Array,
  signer: string | Uint8Array | undefined,
): Promise<void> {
  const result = await checkXml(xml, {
    maxBytes: DEFAULT_MAX_XML_BYTES,
    maxDepth: DEFAULT_MAX_XML_DEPTH,
    pdfSigner: signerDer(signer),
    strict: true,
  });
  if (result.status !== 'PASSED')
    throw new TranscriptError(
      'ERR_TRANSCRIPT_XML',
      `The transcript XML would not pass verification, so it was not signed: ${result.message}`,
      { hint: 'Fix the XML (or its XML-DSig) so that verifyTranscript accepts it, then issue again.' },
    );
}
