import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { toArrayBuffer } from '@thgov/pki/internal';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EsignError } from '../errors.js';
import { keyObjectSigner } from './local.js';
import { cbcDecrypt, macMatches, pbkdf2, pkcs12Kdf, rc2CbcDecrypt } from './pkcs12-crypto.js';
import type { Signer } from './signer.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;

/** The legacy PKCS#12 PBE algorithms: key length in bytes and the cipher (RFC 7292 Appendix C). */
const LEGACY_PBE: Record<string, { keyBytes: number; cipher: 'des-ede3-cbc' | 'rc2' }> = {
  '1.2.840.113549.1.12.1.3': { keyBytes: 24, cipher: 'des-ede3-cbc' },
  '1.2.840.113549.1.12.1.5': { keyBytes: 16, cipher: 'rc2' },
  '1.2.840.113549.1.12.1.6': { keyBytes: 5, cipher: 'rc2' },
};
const PBES2_CIPHERS: Record<string, { cipher: string; keyBytes: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyBytes: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyBytes: 24 },
};
const HMAC_PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const MAC_HASH: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const bad = (message: string) => new EsignError('ERR_ESIGN_PKCS12', message);

/** The bytes of an OCTET STRING, primitive or constructed (BER chunks, as some exporters write). */
function octets(v: unknown): Uint8Array {
  const block = v as {
    getValue?: () => ArrayBuffer;
    valueBlock?: { valueHexView?: Uint8Array; value?: unknown[] };
  };
  if (typeof block.getValue === 'function') return new Uint8Array(block.getValue());
  const parts = block.valueBlock?.value;
  if (Array.isArray(parts) && parts.length) return new Uint8Array(Buffer.concat(parts.map((p) => octets(p))));
  if (block.valueBlock?.valueHexView) return new Uint8Array(block.valueBlock.valueHexView);
  throw bad('The PKCS#12 file has a malformed OCTET STRING');
}

function decryptLegacy(
  oid: string,
  params: asn1js.Sequence,
  password: string,
  data: Uint8Array,
): Buffer | undefined {
  const spec = LEGACY_PBE[oid]!;
  const [salt, iter] = params.valueBlock.value as [asn1js.OctetString, asn1js.Integer];
  const iterations = iter.valueBlock.valueDec;
  const key = pkcs12Kdf(password, octets(salt), iterations, 1, spec.keyBytes);
  const iv = pkcs12Kdf(password, octets(salt), iterations, 2, 8);
  return spec.cipher === 'rc2'
    ? rc2CbcDecrypt(key, spec.keyBytes * 8, iv, data)
    : cbcDecrypt(spec.cipher, key, iv, data);
}

function decryptPbes2(params: asn1js.BaseBlock, password: string, data: Uint8Array): Buffer | undefined {
  const p = new pkijs.PBES2Params({ schema: params });
  if (p.keyDerivationFunc.algorithmId !== OID.pbkdf2)
    throw bad('The PKCS#12 file uses a key derivation other than PBKDF2');
  const kdf = new pkijs.PBKDF2Params({ schema: p.keyDerivationFunc.algorithmParams });
  const enc = PBES2_CIPHERS[p.encryptionScheme.algorithmId];
  if (!enc) throw bad('The PKCS#12 file is encrypted with a cipher thgov does not read (AES-CBC or 3DES)');
  const prf = kdf.prf ? HMAC_PRF[kdf.prf.algorithmId] : 'sha1';
  if (!prf) throw bad('The PKCS#12 file uses an unknown PBKDF2 PRF');
  const salt = octets(kdf.salt as asn1js.OctetString);
  const key = pbkdf2(password, salt, kdf.iterationCount, enc.keyBytes, prf);
  const iv = octets(p.encryptionScheme.algorithmParams as asn1js.OctetString);
  return cbcDecrypt(enc.cipher, key, iv, data);
}

/** Decrypts PBE-protected bytes (a shrouded key or an encrypted SafeContents). */
function decrypt(alg: pkijs.AlgorithmIdentifier, password: string, data: Uint8Array): Uint8Array {
  const out =
    alg.algorithmId === OID.pbes2
      ? decryptPbes2(alg.algorithmParams, password, data)
      : LEGACY_PBE[alg.algorithmId]
        ? decryptLegacy(alg.algorithmId, alg.algorithmParams as asn1js.Sequence, password, data)
        : (() => {
            throw bad(`The PKCS#12 file uses an unsupported encryption (${alg.algorithmId})`);
          })();
  if (!out) throw wrongPassword();
  return out;
}

const wrongPassword = () =>
  new EsignError('ERR_ESIGN_PKCS12_PASSWORD', 'The passphrase does not open the PKCS#12 file');

interface Contents {
  keys: Uint8Array[];
  certs: Uint8Array[];
  /** Whether a MAC proved the password; without one, only the CBC padding did, which 1 in 256 passes. */
  macChecked: boolean;
}

function readSafeContents(bytes: Uint8Array, password: string, into: Contents): void {
  try {
    readBags(bytes, password, into);
  } catch (err) {
    if (err instanceof EsignError) throw err;
    // Decrypted bytes that do not parse: without a MAC that is how a wrong password shows, with one the file
    // is damaged. The parser's message is left out (it may quote the bytes).
    throw into.macChecked ? bad('The PKCS#12 file has a malformed SafeContents') : wrongPassword();
  }
}

function readBags(bytes: Uint8Array, password: string, into: Contents): void {
  const safe = pkijs.SafeContents.fromBER(toArrayBuffer(bytes));
  for (const bag of safe.safeBags) {
    if (bag.bagId === OID.shroudedKeyBag) {
      const v = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
      into.keys.push(decrypt(v.encryptionAlgorithm, password, octets(v.encryptedData)));
    } else if (bag.bagId === OID.keyBag) {
      into.keys.push(new Uint8Array((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
    } else if (bag.bagId === OID.certBag) {
      const cert = (bag.bagValue as pkijs.CertBag).parsedValue ?? (bag.bagValue as pkijs.CertBag).certValue;
      if (cert instanceof pkijs.Certificate) into.certs.push(new Uint8Array(cert.toSchema().toBER(false)));
    }
  }
}

/** Parses a PFX: checks its MAC with `password`, decrypts every bag, returns the keys and certificates (DER). */
export function readPkcs12(pfx: Uint8Array, password: string): Contents {
  let parsed: pkijs.PFX;
  try {
    parsed = pkijs.PFX.fromBER(toArrayBuffer(pfx));
  } catch {
    throw bad('The bytes are not a PKCS#12 (PFX) file');
  }
  if (parsed.authSafe.contentType !== OID.data)
    throw bad('Only password-integrity PKCS#12 files are supported');
  const authBytes = octets(parsed.authSafe.content as asn1js.OctetString);
  const mac = parsed.macData;
  if (mac) {
    const hash = MAC_HASH[mac.mac.digestAlgorithm.algorithmId];
    if (!hash) throw bad('The PKCS#12 MAC uses an unknown digest');
    const ok = macMatches(password, authBytes, {
      digest: octets(mac.mac.digest),
      salt: octets(mac.macSalt),
      iterations: mac.iterations ?? 1,
      hash,
    });
    if (!ok) throw wrongPassword();
  }
  const out: Contents = { keys: [], certs: [], macChecked: mac !== undefined };
  let auth: pkijs.AuthenticatedSafe;
  try {
    auth = pkijs.AuthenticatedSafe.fromBER(toArrayBuffer(authBytes));
  } catch {
    throw bad('The PKCS#12 file has a malformed AuthenticatedSafe');
  }
  for (const ci of auth.safeContents) {
    if (ci.contentType === OID.data)
      readSafeContents(octets(ci.content as asn1js.OctetString), password, out);
    else if (ci.contentType === OID.encryptedData) {
      const ed = new pkijs.EncryptedData({ schema: ci.content });
      const eci = ed.encryptedContentInfo;
      const data = eci.encryptedContent ? octets(eci.encryptedContent) : new Uint8Array();
      readSafeContents(decrypt(eci.contentEncryptionAlgorithm, password, data), password, out);
    }
  }
  return out;
}

/**
 * A {@link Signer} from a PKCS#12 (.p12/.pfx) file: the key and the certificate that matches it, with the other
 * certificates of the file as its chain. Reads modern files (PBES2 with PBKDF2 and AES) and the legacy
 * 3DES/RC2 PBE that `openssl pkcs12 -legacy` and most exported .p12 files use; the MAC is checked first.
 * A wrong passphrase is ERR_ESIGN_PKCS12_PASSWORD; the passphrase is never kept or logged.
 *
 * @example
 * ```ts
 * const signer = pkcs12Signer(await readFile('officer.p12'), process.env.P12_PASSPHRASE!);
 * const signed = await signPdf(pdf, { signer, level: 'B-T', tsa, trustAnchors: rootPem });
 * ```
 */
export function pkcs12Signer(pfx: Uint8Array, passphrase: string): Signer {
  if (!(pfx instanceof Uint8Array)) throw invalidArgument('pfx must be a Uint8Array');
  if (typeof passphrase !== 'string') throw invalidArgument('passphrase must be a string');
  const { keys, certs, macChecked } = readPkcs12(pfx, passphrase);
  if (keys.length !== 1)
    throw bad(`The PKCS#12 file holds ${keys.length} private keys; exactly one is needed`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(keys[0]!), format: 'der', type: 'pkcs8' });
  } catch {
    // Without a MAC, a wrong password whose padding happened to fit decrypts to a key that is not one.
    throw macChecked ? bad('The private key in the PKCS#12 file is unreadable') : wrongPassword();
  }
  const own = certs.findIndex((c) => new X509Certificate(Buffer.from(c)).checkPrivateKey(key));
  if (own < 0) throw bad('The PKCS#12 file has no certificate for its private key');
  return keyObjectSigner(key, signerFirst(certs, own));
}

/**
 * The certificates with the signer's first, then its issuer, that one's issuer and so on, then any others in
 * file order: exporters store the chain in any order (Windows and keytool often root first), and the chain is
 * embedded and checked in this order.
 */
function signerFirst(certs: Uint8Array[], own: number): Uint8Array[] {
  const x509 = certs.map((c) => new X509Certificate(Buffer.from(c)));
  const order = [own];
  for (let at = own; ; ) {
    const next = x509.findIndex((c, i) => !order.includes(i) && x509[at]!.checkIssued(c));
    if (next < 0) break;
    order.push(next);
    at = next;
  }
  return [...order, ...certs.map((_, i) => i).filter((i) => !order.includes(i))].map((i) => certs[i]!);
}
