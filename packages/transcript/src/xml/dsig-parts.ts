import { X509Certificate } from 'node:crypto';
import { redactPreview } from '@thgov/core';
import { XMLDSIG_ALGORITHMS as A, xmlDsigSignerIndex } from '@thgov/pki/internal';

/** The parts of a parsed node the XML-DSig checks read (xmldom's nodes have them). */
export type SigNode = {
  nodeType: number;
  localName?: string | null;
  namespaceURI?: string | null;
  childNodes?: ArrayLike<SigNode>;
  attributes?: ArrayLike<SigNode>;
  nodeValue?: string | null;
  textContent?: string | null;
};

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

const children = (n: SigNode): SigNode[] => Array.from(n.childNodes ?? []).filter((k) => k.nodeType === 1);

/**
 * Every element under `n` (itself included) whose local name is `name`, in any namespace, in document order. No
 * depth bound: xml-crypto's own searches have none, and the parse already bounded the element count.
 */
function descendants(n: SigNode, name: string): SigNode[] {
  const out: SigNode[] = [];
  const stack = [n];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.localName === name) out.push(e);
    stack.push(...children(e).reverse());
  }
  return out;
}

/** DER of every `ds:X509Certificate` in the signature's own `ds:KeyInfo`, in document order. */
export function keyInfoCertificates(sig: SigNode): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const keyInfo of children(sig).filter((k) => k.localName === 'KeyInfo' && k.namespaceURI === DSIG))
    for (const c of descendants(keyInfo, 'X509Certificate')) {
      if (c.namespaceURI !== DSIG) continue;
      const b64 = c.textContent?.replace(/\s+/g, '');
      if (b64) out.push(new Uint8Array(Buffer.from(b64, 'base64')));
    }
  return out;
}

/**
 * The certificate whose key must verify the signature, among those `ds:KeyInfo` lists (signers often add their
 * chain, in any order): the PDF signer's when it is one of them, else the leaf, as @thgov/pki's
 * `xmlDsigSignerIndex` picks it (the letters of @thgov/ecms use the same rule). Never "whichever key verifies":
 * the same-signer rule is then applied to the certificate chosen here. Throws when a listed certificate cannot be
 * read.
 */
export function chooseSignerCertificate(
  ders: Uint8Array[],
  pdfSigner: Uint8Array | undefined,
): { der: Uint8Array; pem: string } {
  const certs = ders.map((der) => new X509Certificate(Buffer.from(der)));
  const at = xmlDsigSignerIndex(certs, pdfSigner);
  const pick = certs[at];
  const der = ders[at];
  if (!pick || !der) throw new Error('no certificate');
  return { der, pem: pick.toString() };
}

/**
 * Digest and signature methods an XML-DSig may use here: SHA-2 only, with the RSA and ECDSA methods the PDF's CMS
 * accepts (other registrars sign with EC keys and SHA-384 too). The key is the PDF signer's, judged by the PDF's
 * algorithm policy: an XML signer that is another certificate is flagged by the caller.
 */
const STRONG_XML_ALGORITHMS = new Set<string>([
  A.sha256,
  A.sha384,
  A.sha512,
  A.rsaSha256,
  A.rsaSha384,
  A.rsaSha512,
  A.rsaPssSha256,
  A.ecdsaSha256,
  A.ecdsaSha384,
  A.ecdsaSha512,
]);

const algorithmOf = (n: SigNode) =>
  Array.from(n.attributes ?? []).find((a) => a.localName === 'Algorithm')?.nodeValue ?? '';
const isWeak = (uri: string) => /sha1$|md5$/i.test(uri);

/**
 * Why the signature's algorithms are refused (`refused`), and notes on weak digests it does not rely on
 * (`warnings`). Judged strictly: every SignatureMethod anywhere in the signature (xml-crypto takes the first one
 * it meets, in any namespace), and every DigestMethod inside SignedInfo (the references' digests, which xml-crypto
 * also reads in any namespace) — so a strong decoy cannot stand in for a weak method that is used. A SHA-1
 * digest elsewhere (a XAdES `CertDigest`, a `Manifest` reference xml-crypto never checks) is a warning, as EU DSS
 * treats the signing-certificate digest: the signature verifies with the key chosen from KeyInfo, whatever it says.
 */
export function xmlAlgorithmProblems(sig: SigNode): { refused?: string; warnings: string[] } {
  const signedInfos = children(sig).filter((k) => k.localName === 'SignedInfo');
  const judged = new Set([
    ...descendants(sig, 'SignatureMethod'),
    ...signedInfos.flatMap((s) => descendants(s, 'DigestMethod')),
  ]);
  const refused = [...judged].map(algorithmOf).filter((m) => !STRONG_XML_ALGORITHMS.has(m));
  if (refused.length > 0) {
    const weak = refused.find(isWeak);
    return {
      refused: weak
        ? `The XML-DSig uses SHA-1 or MD5 (${redactPreview(weak, 100)}), which is not accepted`
        : `The XML-DSig uses an algorithm that is not accepted (${redactPreview(refused[0] || 'none named', 100)})`,
      warnings: [],
    };
  }
  const elsewhere = descendants(sig, 'DigestMethod')
    .filter((n) => !judged.has(n))
    .map(algorithmOf)
    .filter(isWeak);
  return {
    warnings: [...new Set(elsewhere)].map(
      (m) =>
        `A digest outside SignedInfo (such as the XAdES signing-certificate digest) uses SHA-1 or MD5 (${redactPreview(m, 100)}); the signature does not rely on it`,
    ),
  };
}
