import { SignedXml } from 'xml-crypto';
import { exportPkcs8Pem, toPem } from '../../src/index.js';
import type { TestIdentity } from './pki.js';

/**
 * `xml` with an enveloped XML-DSig (RSA-SHA256 and SHA-256 unless told, exclusive C14N) over the whole document,
 * made by `id`.
 */
export async function xmlSigned(
  xml: string,
  id: TestIdentity,
  algorithms: { signature?: string; digest?: string } = {},
): Promise<string> {
  const sig = new SignedXml({
    privateKey: await exportPkcs8Pem(id.key),
    publicCert: toPem(id.cert),
    signatureAlgorithm: (algorithms.signature ??
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256') as never,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: '/*',
    digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    isEmptyUri: true,
  });
  sig.computeSignature(xml.replace(/^<\?xml[^>]*>\s*/, ''));
  return sig.getSignedXml();
}
