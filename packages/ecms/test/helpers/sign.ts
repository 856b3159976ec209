// Signs a letter with any algorithm pair, weak ones included, for algorithm-policy tests. Production code signs
// with signGovernmentDocument (SHA-256 only); this is the "other signer" a receiver must judge.
import { SignedXml } from 'xml-crypto';
import { encodeGovernmentDocument, type LetterInput } from '../../src/index.js';
import { configureAlgorithms, XMLDSIG } from '../../src/signature/algorithms.js';
import type { TestCert } from './certs.js';
import { sampleLetter } from './letters.js';

export interface SignOptions {
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  letter?: LetterInput;
  /** PEM put into KeyInfo (default: the signer's certificate). */
  keyInfoPem?: string;
  /** The Reference's transforms (default: exclusive C14N, as `signGovernmentDocument` writes). */
  transforms?: string[];
  /** The unsigned document, signature block included, to sign as it is (default: `letter` encoded). */
  documentXml?: string;
}

export function signLetterWith(cert: TestCert, options: SignOptions = {}): Buffer {
  const xml =
    options.documentXml ??
    encodeGovernmentDocument(options.letter ?? sampleLetter(), { withSignatureBlock: true }).toString('utf8');
  const ec = cert.key.kind === 'p256' || cert.key.kind === 'p224';
  const sig = configureAlgorithms(
    new SignedXml({
      privateKey: cert.key.privatePem,
      publicCert: options.keyInfoPem ?? cert.pem,
      signatureAlgorithm: (options.signatureAlgorithm ??
        (ec ? XMLDSIG.ecdsaSha256 : XMLDSIG.rsaSha256)) as never,
      canonicalizationAlgorithm: XMLDSIG.excC14n,
    }),
    true,
  );
  sig.addReference({
    xpath: "//*[local-name(.)='CorrespondenceLetter' and @ID='Letter']",
    digestAlgorithm: (options.digestAlgorithm ?? XMLDSIG.sha256) as never,
    transforms: options.transforms ?? [XMLDSIG.excC14n],
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='GovernmentSignature']", action: 'append' },
  });
  return Buffer.from(sig.getSignedXml(), 'utf8');
}
