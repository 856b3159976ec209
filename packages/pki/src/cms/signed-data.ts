import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certFromDer } from '../certificate/parse.js';

const isCertificateSet = (b: asn1js.BaseBlock) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0;
const isUniversalSequence = (b: asn1js.BaseBlock) =>
  b.idBlock.tagClass === 1 && b.idBlock.tagNumber === 16 && b.idBlock.isConstructed;

/**
 * pkijs's `SignedData` from its parsed ASN.1 (a ContentInfo's `content`). pkijs alone would build every
 * certificate of the `certificates` set anew by schema matching (about half of the time of reading a signature
 * or a time-stamp token), and a certificate's DER could then only be had by encoding it again. Here each
 * certificate is read from its own bytes in the CMS through `certFromDer`: a certificate met before (the
 * issuing CA, the TSA, in every file) is parsed once per process, and its DER is the bytes as they are.
 * A set that holds anything but X.509 certificates (attribute or other certificate formats) is left to pkijs,
 * as is a malformed one (pkijs then fails as before). Throws as pkijs does on a SignedData it cannot read.
 * BER's constructed OCTET STRINGs are read as the one OCTET STRING they spell (`primitiveOctetStrings`).
 */
export function signedDataFromSchema(content: unknown): pkijs.SignedData {
  if (content instanceof asn1js.BaseBlock) primitiveOctetStrings(content);
  const items = content instanceof asn1js.Sequence ? content.valueBlock.value : undefined;
  const at = items ? items.findIndex(isCertificateSet) : -1;
  const set = items?.[at] as asn1js.Constructed | undefined;
  const entries = set?.valueBlock?.value;
  if (!items || !Array.isArray(entries) || !entries.every(isUniversalSequence)) {
    return new pkijs.SignedData({ schema: content });
  }
  const certificates = entries.map((e) => certFromDer(new Uint8Array(e.valueBeforeDecodeView)).pkijs);
  const sd = new pkijs.SignedData({
    schema: new asn1js.Sequence({ value: items.filter((_, i) => i !== at) }),
  });
  sd.certificates = certificates;
  return sd;
}

/**
 * Replaces, in the parsed tree under `block`, every constructed OCTET STRING (BER: the value in chunks, which
 * streaming encoders such as Windows CryptoAPI or Bouncy Castle write) with the primitive OCTET STRING of its
 * concatenated chunks. pkijs's schemas expect the primitive form (a constructed signature value failed to
 * parse) and `valueBlock.valueHexView` of a constructed one is empty (a constructed messageDigest read as no
 * digest). Only the parsed view changes: every block keeps the bytes it was decoded from (`valueBeforeDecode`),
 * so the signed attributes are still hashed as they were sent.
 */
function primitiveOctetStrings(block: asn1js.BaseBlock): void {
  const children = (block as asn1js.Constructed).valueBlock?.value;
  if (!block.idBlock.isConstructed || !Array.isArray(children)) return;
  for (const [i, child] of children.entries()) {
    if (child instanceof asn1js.OctetString && child.idBlock.isConstructed) {
      const value = octetsOf(child);
      if (value) children[i] = new asn1js.OctetString({ valueHex: value });
    } else primitiveOctetStrings(child);
  }
}

/** The octets a (possibly constructed, nested) OCTET STRING spells; undefined when a chunk is not one. */
function octetsOf(block: asn1js.BaseBlock): Uint8Array | undefined {
  if (!(block instanceof asn1js.OctetString)) return undefined;
  if (!block.idBlock.isConstructed) return block.valueBlock.valueHexView;
  const parts: Uint8Array[] = [];
  for (const chunk of block.valueBlock.value) {
    const p = octetsOf(chunk);
    if (!p) return undefined;
    parts.push(p);
  }
  return Buffer.concat(parts);
}

/** Time-stamp tokens whose ASN.1 the caller already parsed (a signature's time-stamp attribute). */
const PARSED_TOKENS = new WeakMap<Uint8Array, asn1js.BaseBlock>();

/**
 * Tells the next `verifyTimeStampToken` of `token` that `block` is its parsed ASN.1, so that a token read as
 * part of a signature's CMS is not parsed a second time. Used once; used only while `token` still holds the
 * very bytes `block` was read from. Returns `token`.
 */
export function withParsedToken(token: Uint8Array, block: asn1js.BaseBlock): Uint8Array {
  PARSED_TOKENS.set(token, block);
  return token;
}

/** The parsed ASN.1 of `token` given by `withParsedToken`, if its bytes are unchanged (forgotten after this call). */
export function takeParsedToken(token: Uint8Array): asn1js.BaseBlock | undefined {
  const block = PARSED_TOKENS.get(token);
  if (!block) return undefined;
  PARSED_TOKENS.delete(token);
  return Buffer.from(block.valueBeforeDecodeView).equals(token) ? block : undefined;
}
