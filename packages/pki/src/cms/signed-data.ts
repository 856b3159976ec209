import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certFromDer } from '../certificate/parse.js';
import { childrenOf, signedDataParts, type Tlv } from './der-walk.js';

const isCertificateSet = (b: asn1js.BaseBlock) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0;
const isUniversalSequence = (b: asn1js.BaseBlock) =>
  b.idBlock.tagClass === 1 && b.idBlock.tagNumber === 16 && b.idBlock.isConstructed;

/**
 * pkijs's `SignedData` from its parsed ASN.1 (a ContentInfo's `content`). pkijs alone would build every
 * certificate of the `certificates` set anew by schema matching (about half of the time of reading a signature
 * or a time-stamp token), and a certificate's DER could then only be had by encoding it again. Here each
 * certificate is read from its own bytes in the CMS through `certFromDer`: a certificate met before (the
 * issuing CA, the TSA, in every file) is parsed once per process, and its DER is the bytes as they are.
 * The rest is matched against pkijs's own SignedData schema, built once (pkijs builds it, certificate and CRL
 * schemas included, on every read: a fifth of a whole transcript verification), and its parts are read as
 * pkijs's `fromSchema` reads them (`readSignedData`).
 * A set that holds anything but X.509 certificates (attribute or other certificate formats) is left to pkijs,
 * as is a malformed one (pkijs then fails as before). Throws as pkijs does on a SignedData it cannot read.
 * BER's constructed OCTET STRINGs are read as the one OCTET STRING they spell (`primitiveOctetStrings`).
 */
export function signedDataFromSchema(content: unknown): pkijs.SignedData {
  if (content instanceof asn1js.BaseBlock) primitiveOctetStrings(content);
  const items = content instanceof asn1js.Sequence ? content.valueBlock.value : undefined;
  const at = items ? items.findIndex(isCertificateSet) : -1;
  const set = items?.[at] as asn1js.Constructed | undefined;
  const entries = set ? set.valueBlock?.value : [];
  if (!items || !Array.isArray(entries) || !entries.every(isUniversalSequence)) {
    return new pkijs.SignedData({ schema: content });
  }
  const certificates = entries.map((e) => certFromDer(new Uint8Array(e.valueBeforeDecodeView)).pkijs);
  const sd = readSignedData(
    at === -1 ? content : new asn1js.Sequence({ value: items.filter((_, i) => i !== at) }),
  );
  if (set) sd.certificates = certificates;
  return sd;
}

/**
 * The SignedData of a CMS ContentInfo given as bytes (a PDF signature's `/Contents`, zero padding allowed), read
 * as `signedDataFromSchema` reads asn1js's parse of the whole, but with the certificate set's entries taken as
 * DER slices straight to `certFromDer` (cached) rather than parsed by asn1js first and thrown away; only the
 * other parts go through asn1js. Undefined, for the caller to parse the whole as before, on any shape the
 * strict walker (`der-walk.ts`) does not accept, on a part asn1js cannot read, and on anything that throws (it
 * never throws itself):
 * so it never reads differently from the whole parse, only sooner.
 */
export function signedDataFromDer(contents: Uint8Array): pkijs.SignedData | undefined {
  const buf = Uint8Array.from(contents);
  const parts = signedDataParts(buf);
  if (!parts) return undefined;
  const at = parts.findIndex((p) => (p.tag & 0xdf) === 0x80);
  const certs = at === -1 ? [] : certificateSlices(buf, parts[at]!);
  if (!certs) return undefined;
  const blocks = parts.filter((_, i) => i !== at).map((p) => parsedPart(buf, p));
  if (!blocks.every((b): b is asn1js.BaseBlock => b !== undefined)) return undefined;
  try {
    const certificates = certs.map((der) => certFromDer(der).pkijs);
    const content = new asn1js.Sequence({ value: blocks });
    primitiveOctetStrings(content);
    const sd = readSignedData(content);
    if (at !== -1) sd.certificates = certificates;
    return sd;
  } catch {
    return undefined;
  }
}

/** The DER of each certificate in a constructed `[0]` set of definite-length SEQUENCEs; undefined otherwise. */
function certificateSlices(buf: Uint8Array, set: Tlv): Uint8Array[] | undefined {
  const entries = set.tag === 0xa0 ? childrenOf(buf, set, 3) : undefined;
  if (!entries?.every((e) => e.tag === 0x30 && e.valueEnd === e.end)) return undefined;
  return entries.map((e) => buf.subarray(e.start, e.end));
}

/** asn1js's reading of one part, which must be exactly its bytes; undefined when it is not. */
function parsedPart(buf: Uint8Array, part: Tlv): asn1js.BaseBlock | undefined {
  const bytes = buf.subarray(part.start, part.end);
  try {
    const asn = asn1js.fromBER(bytes);
    return asn.offset === bytes.length ? asn.result : undefined;
  } catch {
    // asn1js throws on some malformed values (a GeneralizedTime): the whole parse meets it as before.
    return undefined;
  }
}

/** pkijs's SignedData schema; matching leaves it as it was (results go to the root object given). */
let cachedSchema: asn1js.Sequence | undefined;

function signedDataSchema(): asn1js.Sequence {
  const schema = cachedSchema ?? (pkijs.SignedData.schema() as asn1js.Sequence);
  cachedSchema = schema;
  return schema;
}

/** Names pkijs gives the parts in its SignedData schema. */
const PART = {
  version: 'SignedData.version',
  digestAlgorithms: 'SignedData.digestAlgorithms',
  encapContentInfo: 'SignedData.encapContentInfo',
  certificates: 'SignedData.certificates',
  crls: 'SignedData.crls',
  signerInfos: 'SignedData.signerInfos',
} as const;

/** What pkijs's `SignedData.fromSchema` does, against the schema built once; throws when it does not match. */
function readSignedData(block: unknown): pkijs.SignedData {
  const found: Record<string, unknown> = {};
  const match = asn1js.compareSchema(found as never, block as asn1js.AsnType, signedDataSchema());
  if (!match.verified) throw new Error("Object's schema was not verified against input data for SignedData");
  const part = <T>(name: string) => found[name] as T;
  const sd = new pkijs.SignedData();
  sd.version = part<asn1js.Integer>(PART.version).valueBlock.valueDec;
  const algorithms = part<asn1js.BaseBlock[] | undefined>(PART.digestAlgorithms);
  if (algorithms) sd.digestAlgorithms = algorithms.map((a) => new pkijs.AlgorithmIdentifier({ schema: a }));
  sd.encapContentInfo = new pkijs.EncapsulatedContentInfo({ schema: part(PART.encapContentInfo) });
  const set = part<asn1js.Constructed | undefined>(PART.certificates);
  if (set) {
    const value = new asn1js.Set({ value: set.valueBlock.value });
    sd.certificates = new pkijs.CertificateSet({ schema: value }).certificates.slice(0);
  }
  const crls = part<asn1js.BaseBlock[] | undefined>(PART.crls);
  if (crls) sd.crls = crls.map(revocationInfo);
  const signerInfos = part<asn1js.BaseBlock[] | undefined>(PART.signerInfos);
  if (signerInfos) sd.signerInfos = signerInfos.map((s) => new pkijs.SignerInfo({ schema: s }));
  return sd;
}

/** One RevocationInfoChoice, as pkijs reads it: a CRL, or [1] OtherRevocationInfoFormat (re-tagged in place). */
function revocationInfo(
  crl: asn1js.BaseBlock,
): pkijs.CertificateRevocationList | pkijs.OtherRevocationInfoFormat {
  if (crl.idBlock.tagClass === 1) return new pkijs.CertificateRevocationList({ schema: crl });
  crl.idBlock.tagClass = 1;
  crl.idBlock.tagNumber = 16;
  return new pkijs.OtherRevocationInfoFormat({ schema: crl });
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
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    // Only constructed blocks hold anything to replace: the (many) primitive ones are passed over at once.
    if (!child.idBlock.isConstructed) continue;
    if (child instanceof asn1js.OctetString) {
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
