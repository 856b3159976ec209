import { registerXmlDsigAlgorithms } from '@thgov/pki/internal';
import { SignedXml } from 'xml-crypto';
import { exportPkcs8Pem, toPem } from '../../src/index.js';
import type { TestIdentity } from './pki.js';

/**
 * `xml` with an enveloped XML-DSig (RSA-SHA256 and SHA-256 unless told, exclusive C14N) over the whole document,
 * made by `id`. With `xades`, shaped as XAdES-BES signers write it: a `ds:Object` holding the qualifying
 * properties, and a second reference covering their `SignedProperties`.
 */
export async function xmlSigned(
  xml: string,
  id: TestIdentity,
  algorithms: { signature?: string; digest?: string; xades?: boolean } = {},
): Promise<string> {
  // The methods xml-crypto does not ship (ECDSA, RSA-SHA384, SHA-384), so tests can sign as other registrars do.
  const sig = registerXmlDsigAlgorithms(
    new SignedXml({
      privateKey: await exportPkcs8Pem(id.key),
      publicCert: toPem(id.cert),
      signatureAlgorithm: (algorithms.signature ??
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256') as never,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      ...(algorithms.xades ? { objects: [{ content: XADES_PROPERTIES }] } : {}),
    }),
    { sha1: true },
  );
  sig.addReference({
    xpath: '/*',
    digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    isEmptyUri: true,
  });
  if (algorithms.xades) {
    sig.addReference({
      xpath: "//*[local-name(.)='SignedProperties']",
      digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
      transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
      type: 'http://uri.etsi.org/01903#SignedProperties',
    });
  }
  sig.computeSignature(xml.replace(/^<\?xml[^>]*>\s*/, ''));
  return sig.getSignedXml();
}

const XADES_PROPERTIES =
  '<xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig">' +
  '<xades:SignedProperties Id="xades-signed-properties"><xades:SignedSignatureProperties>' +
  '<xades:SigningTime>2026-01-15T09:00:00Z</xades:SigningTime>' +
  '</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>';
