import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { ecmsError } from '../errors.js';
import { escapeLineSeparators } from '../xml/line-separators.js';
import { configureAlgorithms, XMLDSIG } from './algorithms.js';

/** The key and certificate chain that sign letters (XML-DSig); the private key is never logged. */
export interface LetterSigningKey {
  /** PEM private key (RSA or EC) or a KeyObject. Never logged. */
  privateKey: string | Buffer | KeyObject;
  /** PEM certificate of the key, put into KeyInfo so receivers can check it against their trust anchors. */
  certificate: string;
}

/**
 * Signs the `#Letter` element (`ram:CorrespondenceLetter ID="Letter"`) of a standalone
 * GovernmentDocument and appends `ds:Signature` to `ram:GovernmentSignature` (which must exist: encode
 * with `withSignatureBlock: true`). Exclusive C14N, so the signature survives being embedded in an
 * envelope that declares other namespaces.
 *
 * @example
 * ```ts
 * const doc = encodeGovernmentDocument(letter, { withSignatureBlock: true });
 * const signed = signGovernmentDocument(doc, { privateKey: keyPem, certificate: certPem });
 * ```
 */
export function signGovernmentDocument(documentXml: string | Uint8Array, key: LetterSigningKey): Buffer {
  // xml-crypto's parser would turn a raw U+0085/U+2028 into "\n" and sign that, not the character.
  const xml = escapeLineSeparators(
    typeof documentXml === 'string' ? documentXml : Buffer.from(documentXml).toString('utf8'),
  );
  let keyObject: KeyObject;
  try {
    keyObject =
      typeof key.privateKey === 'object' && !Buffer.isBuffer(key.privateKey)
        ? key.privateKey
        : createPrivateKey(key.privateKey);
  } catch {
    throw ecmsError('ERR_ECMS_SIGNATURE', 'The signing key cannot be read');
  }
  const isEc = keyObject.asymmetricKeyType === 'ec';
  const pem = keyObject.export({ format: 'pem', type: 'pkcs8' });
  try {
    const sig = configureAlgorithms(
      new SignedXml({
        privateKey: pem,
        publicCert: key.certificate,
        signatureAlgorithm: isEc ? XMLDSIG.ecdsaSha256 : XMLDSIG.rsaSha256,
        canonicalizationAlgorithm: XMLDSIG.excC14n,
      }),
      false,
    );
    sig.addReference({
      xpath: "//*[local-name(.)='CorrespondenceLetter' and @ID='Letter']",
      digestAlgorithm: XMLDSIG.sha256,
      transforms: [XMLDSIG.excC14n],
    });
    sig.computeSignature(xml, {
      prefix: 'ds',
      location: { reference: "//*[local-name(.)='GovernmentSignature']", action: 'append' },
    });
    return Buffer.from(sig.getSignedXml(), 'utf8');
  } catch (cause) {
    throw ecmsError(
      'ERR_ECMS_SIGNATURE',
      'Could not sign the letter (check the key, the certificate and the signature block)',
      {
        cause: cause instanceof Error ? new Error(cause.message.split('\n')[0]) : undefined,
      },
    );
  }
}
