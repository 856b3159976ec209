import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  KeyObject,
  X509Certificate,
} from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ecmsError } from './errors.js';
import { resolveLimits, type XmlLimits } from './xml/limits.js';
import { scanXml } from './xml/scan.js';

const C14N_EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/**
 * ECDSA-SHA256 for XML-DSig (RFC 4051): xml-crypto ships RSA only. XML-DSig carries the raw r||s
 * form (IEEE P1363), not DER.
 */
class EcdsaSha256 {
  getSignature(signedInfo: string | Uint8Array, privateKey: string | Buffer | KeyObject): string {
    const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
    return cryptoSign('sha256', Buffer.from(signedInfo), { key, dsaEncoding: 'ieee-p1363' }).toString(
      'base64',
    );
  }
  verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
    const k = key instanceof KeyObject ? key : createPublicKey(key);
    return cryptoVerify(
      'sha256',
      Buffer.from(material),
      { key: k, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureValue, 'base64'),
    );
  }
  getAlgorithmName(): string {
    return ECDSA_SHA256;
  }
}

function withEcdsa(sig: SignedXml): SignedXml {
  (sig.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = EcdsaSha256;
  return sig;
}

export type SignaturePolicy = 'require' | 'verify-if-present' | 'ignore';

export interface LetterSigningKey {
  /** PEM private key (RSA or EC) or a KeyObject. Never logged. */
  privateKey: string | Buffer | KeyObject;
  /** PEM certificate of the key, put into KeyInfo so receivers can check it against their trust anchors. */
  certificate: string;
}

export interface SignatureCheck {
  status: 'valid' | 'absent' | 'ignored';
  signer?: { subject: string; issuer: string; fingerprint256: string; validTo: string };
}

export interface VerifyLetterOptions {
  policy: SignaturePolicy;
  /** PEM certificates trusted to sign letters: CA certificates or the signers' own. */
  trustAnchors: readonly string[];
  /** Checked against the certificates' validity; default now. */
  at?: Date;
  limits?: Partial<XmlLimits>;
}

/**
 * Signs the `#Letter` element (`ram:CorrespondenceLetter ID="Letter"`) of a standalone
 * GovernmentDocument and appends `ds:Signature` to `ram:GovernmentSignature` (which must exist: encode
 * with `withSignatureBlock: true`). Exclusive C14N, so the signature survives being embedded in an
 * envelope that declares other namespaces.
 */
export function signGovernmentDocument(documentXml: string | Uint8Array, key: LetterSigningKey): Buffer {
  const xml = typeof documentXml === 'string' ? documentXml : Buffer.from(documentXml).toString('utf8');
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
    const sig = withEcdsa(
      new SignedXml({
        privateKey: pem,
        publicCert: key.certificate,
        signatureAlgorithm: isEc ? ECDSA_SHA256 : RSA_SHA256,
        canonicalizationAlgorithm: C14N_EXC,
      }),
    );
    sig.addReference({
      xpath: "//*[local-name(.)='CorrespondenceLetter' and @ID='Letter']",
      digestAlgorithm: SHA256,
      transforms: [C14N_EXC],
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

function toPem(b64: string): string {
  const body = b64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

interface DomNode {
  nodeType: number;
  localName?: string | null;
  namespaceURI?: string | null;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
  textContent?: string | null;
  getAttribute?(name: string): string | null;
}

function* walk(n: DomNode): Generator<DomNode> {
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) {
      yield c;
      yield* walk(c);
    }
  }
}

function chainTrusted(
  signer: X509Certificate,
  extra: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
): boolean {
  const valid = (c: X509Certificate) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);
  if (!valid(signer)) return false;
  let current = signer;
  for (let depth = 0; depth < 6; depth++) {
    for (const a of anchors) {
      if (a.fingerprint256 === current.fingerprint256) return true;
      if (current.checkIssued(a) && current.verify(a.publicKey) && valid(a)) return true;
    }
    const next = extra.find(
      (c) =>
        c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey),
    );
    if (!next || !valid(next) || !next.ca) return false;
    current = next;
  }
  return false;
}

/**
 * Verifies the XML-DSig signature of the letter in a document (a standalone GovernmentDocument or a
 * whole SOAP envelope that carries one). The reference must point at the one element with ID="Letter"
 * (a second one is a wrapping attack), the digest and signature must verify, and the certificate in
 * KeyInfo must chain to a trust anchor.
 */
export function verifyLetterSignature(
  xmlInput: string | Uint8Array,
  options: VerifyLetterOptions,
): SignatureCheck {
  if (options.policy === 'ignore') return { status: 'ignored' };
  // Same hostile-XML gate as the codec before xmldom sees the document.
  scanXml(xmlInput, resolveLimits(options.limits));
  const xml = typeof xmlInput === 'string' ? xmlInput : Buffer.from(xmlInput).toString('utf8');
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') throw ecmsError('ERR_ECMS_XML', `Malformed XML: ${msg.split('\n')[0]}`);
    },
  }).parseFromString(xml, 'text/xml') as unknown as DomNode;
  let signatureNode: DomNode | undefined;
  let letterIds = 0;
  for (const n of walk(doc)) {
    if (
      n.getAttribute?.('ID') === 'Letter' ||
      n.getAttribute?.('Id') === 'Letter' ||
      n.getAttribute?.('id') === 'Letter'
    )
      letterIds++;
    if (n.localName === 'GovernmentSignature') {
      for (let c = n.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 1 && c.localName === 'Signature') signatureNode = c;
      }
    }
  }
  if (!signatureNode) {
    if (options.policy === 'require')
      throw ecmsError('ERR_ECMS_SIGNATURE', 'The letter is not signed and the policy requires a signature');
    return { status: 'absent' };
  }
  if (letterIds !== 1)
    throw ecmsError('ERR_ECMS_SIGNATURE', 'The document must contain exactly one element with ID="Letter"');
  const certs: X509Certificate[] = [];
  for (const n of walk(signatureNode)) {
    if (n.localName === 'X509Certificate' && n.textContent) {
      try {
        certs.push(new X509Certificate(toPem(n.textContent)));
      } catch {
        throw ecmsError('ERR_ECMS_SIGNATURE', 'KeyInfo holds a certificate that cannot be parsed');
      }
    }
  }
  const signer = certs[0];
  if (!signer) throw ecmsError('ERR_ECMS_SIGNATURE', 'The signature carries no X509Certificate in KeyInfo');
  const verifier = withEcdsa(
    new SignedXml({ publicCert: signer.toString(), getCertFromKeyInfo: () => null }),
  );
  let ok = false;
  try {
    verifier.loadSignature(signatureNode as unknown as Parameters<SignedXml['loadSignature']>[0]);
    const refs = verifier.getReferences();
    if (refs.length !== 1 || refs[0]?.uri !== '#Letter') {
      throw ecmsError('ERR_ECMS_SIGNATURE', 'The signature must have exactly one reference, to #Letter');
    }
    ok = verifier.checkSignature(xml);
  } catch (cause) {
    if (cause instanceof Error && 'code' in cause) throw cause;
    throw ecmsError(
      'ERR_ECMS_SIGNATURE',
      'The letter signature does not verify (the letter or signature was altered)',
      {
        cause: cause instanceof Error ? new Error(cause.message.split('\n')[0]) : undefined,
      },
    );
  }
  if (!ok) throw ecmsError('ERR_ECMS_SIGNATURE', 'The letter signature does not verify');
  const anchors = options.trustAnchors.map((p) => new X509Certificate(p));
  if (!chainTrusted(signer, certs.slice(1), anchors, options.at ?? new Date())) {
    throw ecmsError(
      'ERR_ECMS_UNTRUSTED_SIGNER',
      `The letter is signed by "${signer.subject.replace(/\n/g, ', ')}", which is not trusted`,
    );
  }
  return {
    status: 'valid',
    signer: {
      subject: signer.subject,
      issuer: signer.issuer,
      fingerprint256: signer.fingerprint256,
      validTo: signer.validTo,
    },
  };
}
