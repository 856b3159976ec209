// A minimal TLV reader and writer for spelling a DER CMS the way other encoders do (BER indefinite lengths,
// constructed OCTET STRINGs, non-minimal lengths, attributes in another order). It keeps every byte it is not
// told to change, so the certificates and whatever a signature covers stay as they were.

/** One TLV: its identifier octets, and either its content octets (primitive) or its children (constructed). */
export interface Tlv {
  tag: Buffer;
  constructed: boolean;
  content?: Buffer;
  children?: Tlv[];
  /** How the length is written: minimal DER (default), indefinite, or long form in this many octets. */
  length?: 'indefinite' | number;
}

/** Reads one TLV at `at` (DER or BER); `end` is the offset after it. */
export function readTlv(buf: Uint8Array, at = 0): { tlv: Tlv; end: number } {
  const b = Buffer.from(buf);
  let p = at;
  const first = b[p++]!;
  if ((first & 0x1f) === 0x1f) while (b[p++]! & 0x80);
  const tag = b.subarray(at, p);
  const constructed = (first & 0x20) !== 0;
  const l0 = b[p++]!;
  if (l0 === 0x80) {
    const children: Tlv[] = [];
    while (!(b[p] === 0 && b[p + 1] === 0)) {
      const r = readTlv(b, p);
      children.push(r.tlv);
      p = r.end;
    }
    return { tlv: { tag, constructed, children, length: 'indefinite' }, end: p + 2 };
  }
  let len = l0;
  if (l0 & 0x80) {
    len = 0;
    for (let i = 0; i < (l0 & 0x7f); i++) len = len * 256 + b[p++]!;
  }
  const end = p + len;
  if (!constructed) return { tlv: { tag, constructed, content: b.subarray(p, end) }, end };
  const children: Tlv[] = [];
  for (let q = p; q < end; ) {
    const r = readTlv(b, q);
    children.push(r.tlv);
    q = r.end;
  }
  return { tlv: { tag, constructed, children }, end };
}

export function parseTlv(buf: Uint8Array): Tlv {
  return readTlv(buf).tlv;
}

function lengthOctets(n: number, form: Tlv['length']): Buffer {
  if (form === 'indefinite') return Buffer.from([0x80]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  if (typeof form === 'number') {
    while (bytes.length < form) bytes.unshift(0);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function writeTlv(t: Tlv): Buffer {
  const body = t.children ? Buffer.concat(t.children.map(writeTlv)) : (t.content ?? Buffer.alloc(0));
  const eoc = t.length === 'indefinite' ? Buffer.from([0, 0]) : Buffer.alloc(0);
  return Buffer.concat([t.tag, lengthOctets(body.length, t.length), body, eoc]);
}

export const prim = (tag: number, content: Uint8Array): Tlv => ({
  tag: Buffer.from([tag]),
  constructed: false,
  content: Buffer.from(content),
});

export const cons = (tag: number, children: Tlv[], length?: Tlv['length']): Tlv => ({
  tag: Buffer.from([tag]),
  constructed: true,
  children,
  ...(length === undefined ? {} : { length }),
});

/** The parts of a DER ContentInfo { signedData } that other encoders spell differently. */
export interface SignedDataTlv {
  contentInfo: Tlv;
  /** ContentInfo's [0] EXPLICIT. */
  explicit: Tlv;
  signedData: Tlv;
  digestAlgorithms: Tlv;
  encap: Tlv;
  /** The certificates [0] IMPLICIT SET, when present. */
  certificates?: Tlv;
  signerInfos: Tlv;
  signerInfo: Tlv;
  /** SignerInfo fields: version, sid, digestAlgorithm, signedAttrs [0] (when present), signatureAlgorithm … */
  sid: Tlv;
  digestAlgorithm: Tlv;
  signedAttrs?: Tlv;
  signatureAlgorithm: Tlv;
  signature: Tlv;
}

export function signedDataParts(der: Uint8Array): SignedDataTlv {
  const contentInfo = parseTlv(der);
  const explicit = contentInfo.children![1]!;
  const signedData = explicit.children![0]!;
  const f = signedData.children!;
  const certificates = f.find((c) => c.tag[0] === 0xa0);
  const signerInfos = f.at(-1)!;
  const signerInfo = signerInfos.children![0]!;
  const s = signerInfo.children!;
  const signedAttrs = s[3]!.tag[0] === 0xa0 ? s[3] : undefined;
  const k = signedAttrs ? 4 : 3;
  return {
    contentInfo,
    explicit,
    signedData,
    digestAlgorithms: f[1]!,
    encap: f[2]!,
    ...(certificates ? { certificates } : {}),
    signerInfos,
    signerInfo,
    sid: s[1]!,
    digestAlgorithm: s[2]!,
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm: s[k]!,
    signature: s[k + 1]!,
  };
}

/** The bytes a signature over `signedAttrs` covers as written: the [0] tag replaced by SET (RFC 5652 §5.4). */
export function signedAttrsAsSet(signedAttrs: Tlv): Buffer {
  const out = writeTlv(signedAttrs);
  out[0] = 0x31;
  return out;
}
