import { createHash } from 'node:crypto';
import { registerXmlDsigAlgorithms } from '@thgov/pki/internal';
import { SignedXml } from 'xml-crypto';
import { exportPkcs8Pem, toPem } from '../../src/index.js';
import type { TestIdentity } from './pki.js';

/**
 * `xml` with an enveloped XML-DSig (RSA-SHA256 and SHA-256, exclusive C14N, unless told) over the whole document,
 * made by `id`. With `xades`, shaped as XAdES-BES signers write it: a `ds:Object` holding the qualifying
 * properties, and a second reference covering their `SignedProperties`; `certDigest` adds the
 * `xades:SigningCertificate` with the signer's certificate digested by that method. `x509Data` lists these
 * certificates (DER) in `ds:X509Data` instead of the signer's alone, as signers that embed the chain do.
 */
export async function xmlSigned(
  xml: string,
  id: TestIdentity,
  algorithms: {
    signature?: string;
    digest?: string;
    xades?: boolean;
    certDigest?: string;
    x509Data?: Uint8Array[];
    /** SignedInfo's CanonicalizationMethod and the references' canonicalization transform (exclusive C14N). */
    c14n?: string;
  } = {},
): Promise<string> {
  // The methods xml-crypto does not ship (ECDSA, RSA-SHA384, SHA-384, C14N 1.1), so tests can sign as other
  // registrars do.
  const c14n = algorithms.c14n ?? 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const sig = registerXmlDsigAlgorithms(
    new SignedXml({
      privateKey: await exportPkcs8Pem(id.key),
      publicCert: toPem(id.cert),
      signatureAlgorithm: (algorithms.signature ??
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256') as never,
      canonicalizationAlgorithm: c14n,
      ...(algorithms.xades ? { objects: [{ content: xadesProperties(id, algorithms.certDigest) }] } : {}),
    }),
    { sha1: true, c14n11: true },
  );
  sig.addReference({
    xpath: '/*',
    digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', c14n],
    isEmptyUri: true,
  });
  if (algorithms.xades) {
    sig.addReference({
      xpath: "//*[local-name(.)='SignedProperties']",
      digestAlgorithm: (algorithms.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256') as never,
      transforms: [c14n],
      type: 'http://uri.etsi.org/01903#SignedProperties',
    });
  }
  sig.computeSignature(xml.replace(/^<\?xml[^>]*>\s*/, ''));
  const out = sig.getSignedXml();
  if (!algorithms.x509Data) return out;
  // KeyInfo is outside SignedInfo: listing other certificates there leaves the signature valid.
  const certs = algorithms.x509Data
    .map((der) => `<X509Certificate>${Buffer.from(der).toString('base64')}</X509Certificate>`)
    .join('');
  const replaced = out.replace(/<X509Data>[\s\S]*?<\/X509Data>/, `<X509Data>${certs}</X509Data>`);
  if (replaced === out) throw new Error('no X509Data to replace');
  return replaced;
}

const DIGEST_NODE: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

function xadesProperties(id: TestIdentity, certDigest: string | undefined): string {
  const signingCertificate = certDigest
    ? '<xades:SigningCertificate><xades:Cert><xades:CertDigest>' +
      `<ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="${certDigest}"/>` +
      `<ds:DigestValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${createHash(
        DIGEST_NODE[certDigest] ?? 'sha256',
      )
        .update(id.cert)
        .digest('base64')}</ds:DigestValue>` +
      '</xades:CertDigest></xades:Cert></xades:SigningCertificate>'
    : '';
  return (
    '<xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig">' +
    '<xades:SignedProperties Id="xades-signed-properties"><xades:SignedSignatureProperties>' +
    `<xades:SigningTime>2026-01-15T09:00:00Z</xades:SigningTime>${signingCertificate}` +
    '</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>'
  );
}
