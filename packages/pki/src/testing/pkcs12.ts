import { createHash, createHmac, KeyObject, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { CryptoKey } from '../crypto-types.js';
import { toArrayBuffer } from '../engine.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const octets = (b: Uint8Array) => new asn1js.OctetString({ valueHex: toArrayBuffer(b) });
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const explicit0 = (inner: asn1js.BaseBlock) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [inner] });
const der = (block: asn1js.BaseBlock) => new Uint8Array(block.toBER(false));

function safeBag(bagId: string, value: asn1js.BaseBlock): asn1js.Sequence {
  return new asn1js.Sequence({ value: [oid(bagId), explicit0(value)] });
}

function dataContentInfo(content: Uint8Array): asn1js.Sequence {
  return new asn1js.Sequence({ value: [oid(OID.data), explicit0(octets(content))] });
}

/** RFC 7292 Appendix B key derivation (ID 3: MAC key), SHA-256. */
function macKey(passphrase: string, salt: Uint8Array, iterations: number): Buffer {
  const u = 32;
  const v = 64;
  const pw = Buffer.alloc((passphrase.length + 1) * 2);
  for (let i = 0; i < passphrase.length; i++) pw.writeUInt16BE(passphrase.charCodeAt(i), i * 2);
  const fill = (src: Uint8Array) => {
    const n = v * Math.ceil(src.length / v);
    return Buffer.from(Array.from({ length: n }, (_, i) => src[i % src.length] as number));
  };
  let a: Buffer = Buffer.concat([Buffer.alloc(v, 3), fill(salt), fill(pw)]);
  for (let i = 0; i < iterations; i++) a = createHash('sha256').update(a).digest();
  return a.subarray(0, u);
}

/**
 * A PKCS#12 (.p12) file holding `privateKey` and `chain` (signer first), as a user's or officer's exported
 * signing identity: the key in a PBES2 shrouded key bag (PBKDF2-SHA256, AES-256-CBC), the certificates in
 * plain certificate bags, and a SHA-256 password MAC. For tests of code that reads PKCS#12 files.
 *
 * @example
 * ```ts
 * import { createPkcs12 } from '@thgov/pki/testing';
 * const pfx = await createPkcs12(officer.privateKey, [officer.certificate, ca.certificate], 'test-pass');
 * ```
 */
export async function createPkcs12(
  privateKey: CryptoKey | KeyObject,
  chain: Uint8Array[],
  passphrase: string,
): Promise<Uint8Array> {
  const key = privateKey instanceof KeyObject ? privateKey : KeyObject.from(privateKey as never);
  const encrypted = key.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase });
  const keyInfo = asn1js.fromBER(toArrayBuffer(new Uint8Array(encrypted))).result;
  const keyBags = new asn1js.Sequence({ value: [safeBag(OID.shroudedKeyBag, keyInfo)] });
  const certBags = new asn1js.Sequence({
    value: chain.map((c) =>
      safeBag(OID.certBag, new asn1js.Sequence({ value: [oid(OID.x509Certificate), explicit0(octets(c))] })),
    ),
  });
  const authSafe = der(
    new asn1js.Sequence({ value: [dataContentInfo(der(keyBags)), dataContentInfo(der(certBags))] }),
  );
  const salt = randomBytes(16);
  const iterations = 2048;
  const mac = createHmac('sha256', macKey(passphrase, salt, iterations))
    .update(authSafe)
    .digest();
  const macData = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Sequence({ value: [oid(OID.sha256), new asn1js.Null()] }), octets(mac)],
      }),
      octets(salt),
      new asn1js.Integer({ value: iterations }),
    ],
  });
  return der(
    new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 }), dataContentInfo(authSafe), macData] }),
  );
}
