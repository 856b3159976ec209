/**
 * The Standard security handler (ISO 32000-1 §7.6.3, ISO 32000-2 §7.6.4), for reading only: RC4 40–128 bit
 * (V1/V2, R2/R3), crypt filters (V4, R4: RC4 or AESV2) and AES-256 (V5, R6). Only the empty user password is
 * tried, and it is authenticated (/U; for R6 also /UE and /Perms) before any key is used. R5, a deprecated Adobe
 * extension, is refused.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { EsignError } from '../errors.js';
import { isName, PdfDict, type PdfObject, PdfStream, PdfString } from './objects.js';

/** How one class of data (strings, streams, embedded files) is encrypted. */
type CryptMethod = 'identity' | 'rc4' | 'aesv2' | 'aesv3';
const METHOD_NAMES: Record<CryptMethod, string> = {
  identity: 'none',
  rc4: 'RC4',
  aesv2: 'AES-128',
  aesv3: 'AES-256',
};

/** A string or stream that does not decrypt (AES data of a bad length or padding). */
export class UndecryptableError extends Error {}

const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e,
  0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

const refuse = (message: string): never => {
  throw new EsignError('ERR_PDF_ENCRYPTED', message);
};

/** RC4 (ARC4): Node offers it only through OpenSSL's legacy provider, which may be missing. */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

function hash(alg: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function aesRaw(decrypt: boolean, mode: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array) {
  const name = `aes-${key.length * 8}-${mode}`;
  const c = decrypt ? createDecipheriv(name, key, iv) : createCipheriv(name, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-CBC data as PDF stores it: a 16-byte IV, then the ciphertext with PKCS#5 padding. */
function aesDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length === 0) return data;
  if (data.length < 32 || data.length % 16 !== 0) throw new UndecryptableError('AES data of a bad length');
  const plain = aesRaw(true, 'cbc', key, data.subarray(0, 16), data.subarray(16));
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 16 || !plain.subarray(plain.length - pad).every((b) => b === pad))
    throw new UndecryptableError('AES data with bad padding');
  return plain.subarray(0, plain.length - pad);
}

/** Algorithm 2.B (ISO 32000-2 §7.6.4.3.4): the R6 hash, with the SHA-256/384/512 loop; at most 288 rounds. */
function hash2B(password: Uint8Array, salt: Uint8Array, udata: Uint8Array): Uint8Array {
  let k = hash('sha256', password, salt, udata);
  for (let round = 0; ; round++) {
    const one = Buffer.concat([password, k, udata]);
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => one));
    const e = aesRaw(false, 'cbc', k.subarray(0, 16), k.subarray(16, 32), k1);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!;
    k = hash(['sha256', 'sha384', 'sha512'][sum % 3]!, e);
    if (round >= 63 && e[e.length - 1]! <= round - 31) break;
  }
  return k.subarray(0, 32);
}

function int32Le(p: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, p | 0, true);
  return b;
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface EncryptParams {
  v: number;
  r: number;
  p: number;
  o: Uint8Array;
  u: Uint8Array;
  encryptMetadata: boolean;
}

function stringOf(d: PdfDict, key: string, min: number, max: number): Uint8Array {
  const s = d.get(key);
  if (!(s instanceof PdfString)) return refuse(`The encryption dictionary has no /${key} string`);
  if (s.bytes.length < min || s.bytes.length > max)
    return refuse(`The encryption dictionary's /${key} is ${s.bytes.length} bytes long`);
  return s.bytes;
}

function readParams(d: PdfDict): EncryptParams {
  if (!isName(d.get('Filter'), 'Standard'))
    refuse('The PDF is encrypted with a security handler other than /Standard, which is not supported');
  const v = d.get('V') ?? 0;
  const r = d.get('R');
  const p = d.get('P');
  if (v !== 1 && v !== 2 && v !== 4 && v !== 5)
    return refuse(`Unsupported encryption algorithm /V ${String(v)}`);
  if (typeof r !== 'number' || !Number.isInteger(r))
    return refuse('The encryption dictionary has no valid /R');
  if (r === 5) refuse('Encryption revision 5 (a deprecated Adobe extension) is not supported');
  const fits = v <= 2 ? r === 2 || r === 3 : v === 4 ? r === 4 : r === 6;
  if (!fits) refuse(`Unsupported encryption revision /R ${r} with /V ${v}`);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < -(2 ** 31) || p >= 2 ** 32)
    refuse('The encryption dictionary has no valid /P');
  const long = r === 6 ? 48 : 32;
  const em = d.get('EncryptMetadata');
  return {
    v,
    r,
    p: p as number,
    o: stringOf(d, 'O', long, 127).subarray(0, long),
    u: stringOf(d, 'U', long, 127).subarray(0, long),
    encryptMetadata: v < 4 || em !== false,
  };
}

/** The file key length in bytes for V1–V4 (/Length in bits: 40 to 128, a multiple of 8). */
function keyLength(d: PdfDict, v: number): number {
  if (v === 1) return 5;
  const len = d.get('Length') ?? (v === 4 ? 128 : 40);
  if (typeof len !== 'number' || !Number.isInteger(len) || len < 40 || len > 128 || len % 8 !== 0)
    return refuse(`Unsupported key /Length ${String(len)}`);
  return len / 8;
}

const PASSWORD_NEEDED =
  'The PDF needs a user password to open; only encrypted PDFs that open without one can be read';

/** Algorithms 2, 4 and 5: the file key from the empty password, checked against /U. */
function legacyKey(prm: EncryptParams, n: number, id0: Uint8Array): Uint8Array {
  const tail = prm.r >= 4 && !prm.encryptMetadata ? [Uint8Array.of(255, 255, 255, 255)] : [];
  let h = hash('md5', PAD, prm.o, int32Le(prm.p), id0, ...tail);
  if (prm.r >= 3) for (let i = 0; i < 50; i++) h = hash('md5', h.subarray(0, n));
  const key = h.subarray(0, n);
  if (prm.r === 2) {
    if (!bytesEq(rc4(key, PAD), prm.u)) refuse(PASSWORD_NEEDED);
    return key;
  }
  let x = rc4(key, hash('md5', PAD, id0));
  for (let i = 1; i <= 19; i++)
    x = rc4(
      key.map((b) => b ^ i),
      x,
    );
  if (!bytesEq(x.subarray(0, 16), prm.u.subarray(0, 16))) refuse(PASSWORD_NEEDED);
  return key;
}

/** Algorithms 2.A and 13: the R6 file key from the empty password, checked against /U and /Perms. */
function aes256Key(d: PdfDict, prm: EncryptParams): Uint8Array {
  const ue = stringOf(d, 'UE', 32, 32);
  const perms = stringOf(d, 'Perms', 16, 16);
  const none = new Uint8Array(0);
  if (!bytesEq(hash2B(none, prm.u.subarray(32, 40), none), prm.u.subarray(0, 32))) refuse(PASSWORD_NEEDED);
  const inter = hash2B(none, prm.u.subarray(40, 48), none);
  const key = aesRaw(true, 'cbc', inter, new Uint8Array(16), ue);
  const plain = aesRaw(true, 'ecb', key, null, perms);
  const flag = prm.encryptMetadata ? 0x54 : 0x46;
  if (
    plain[9] !== 0x61 ||
    plain[10] !== 0x64 ||
    plain[11] !== 0x62 ||
    !bytesEq(plain.subarray(0, 4), int32Le(prm.p)) ||
    plain[8] !== flag
  )
    refuse('The encryption dictionary was altered: /Perms does not match /P and /EncryptMetadata');
  return key;
}

/** The crypt filter `name` of a V4/V5 dictionary. */
function methodOf(d: PdfDict, v: number, name: PdfObject | undefined, keyBytes: number): CryptMethod {
  if (name === undefined || isName(name, 'Identity')) return 'identity';
  if (!isName(name)) return refuse('A crypt filter name is not a name');
  const cf = d.get('CF');
  const f = cf instanceof PdfDict ? cf.get(name.name) : undefined;
  if (!(f instanceof PdfDict)) return refuse(`The crypt filter /${name.name} is not defined`);
  const cfm = f.get('CFM');
  if (v === 4 && isName(cfm, 'V2')) return 'rc4';
  if (v === 4 && isName(cfm, 'AESV2') && keyBytes === 16) return 'aesv2';
  if (v === 5 && isName(cfm, 'AESV3')) return 'aesv3';
  return refuse(`Unsupported crypt filter method ${isName(cfm) ? `/${cfm.name}` : ''} in /${name.name}`);
}

/** An opened Standard security handler: decrypts the strings and streams of indirect objects. */
export class StandardSecurity {
  private constructor(
    private readonly key: Uint8Array,
    private readonly methods: { str: CryptMethod; stm: CryptMethod; eff: CryptMethod },
    private readonly encryptMetadata: boolean,
    private readonly filterMethod: (name: PdfObject | undefined) => CryptMethod,
    /** What a report says of it, such as "Standard security handler R6, AES-256, 256-bit key (empty user password)". */
    readonly description: string,
  ) {}

  /** Opens `enc` with the empty user password; `id0` is the first string of the trailer's /ID. */
  static open(enc: PdfDict, id0: Uint8Array | undefined): StandardSecurity {
    const prm = readParams(enc);
    if (prm.v === 5) {
      const len = enc.get('Length');
      if (len !== undefined && len !== 256) refuse(`Unsupported key /Length ${String(len)}`);
    }
    const n = prm.v === 5 ? 32 : keyLength(enc, prm.v);
    if (prm.v !== 5 && !id0)
      refuse('The encrypted PDF has no /ID in its trailer, which its key is derived from');
    const key = prm.v === 5 ? aes256Key(enc, prm) : legacyKey(prm, n, id0!);
    let methods: { str: CryptMethod; stm: CryptMethod; eff: CryptMethod };
    let filterMethod: (name: PdfObject | undefined) => CryptMethod;
    if (prm.v < 4) {
      methods = { str: 'rc4', stm: 'rc4', eff: 'rc4' };
      filterMethod = (x) =>
        x === undefined || isName(x, 'Identity') ? 'identity' : refuse('Crypt filters need /V 4 or 5');
    } else {
      filterMethod = (x) => methodOf(enc, prm.v, x, n);
      const stm = filterMethod(enc.get('StmF'));
      methods = {
        str: filterMethod(enc.get('StrF')),
        stm,
        eff: enc.has('EFF') ? filterMethod(enc.get('EFF')) : stm,
      };
    }
    const used = [...new Set([methods.stm, methods.str, methods.eff])].map((m) => METHOD_NAMES[m]).join('/');
    const description = `Standard security handler R${prm.r}, ${used}, ${n * 8}-bit key (empty user password)`;
    return new StandardSecurity(key, methods, prm.v < 4 || prm.encryptMetadata, filterMethod, description);
  }

  private decrypt(data: Uint8Array, method: CryptMethod, num: number, gen: number): Uint8Array {
    if (method === 'identity') return data;
    if (method === 'aesv3') return aesDecrypt(this.key, data);
    const salt = method === 'aesv2' ? [Uint8Array.from([0x73, 0x41, 0x6c, 0x54])] : [];
    const id = Uint8Array.of(num & 255, (num >> 8) & 255, (num >> 16) & 255, gen & 255, (gen >> 8) & 255);
    const k = hash('md5', this.key, id, ...salt).subarray(0, Math.min(this.key.length + 5, 16));
    return method === 'rc4' ? rc4(k, data) : aesDecrypt(k, data);
  }

  /** How a stream's data is encrypted: not at all for xref streams and (unless told) metadata. */
  private streamMethod(d: PdfDict): CryptMethod {
    const type = d.get('Type');
    if (isName(type, 'XRef')) return 'identity';
    if (isName(type, 'Metadata') && !this.encryptMetadata) return 'identity';
    const filter = d.get('Filter');
    const first = Array.isArray(filter) ? filter[0] : filter;
    if (isName(first, 'Crypt')) {
      const parms = d.get('DecodeParms');
      const p = Array.isArray(parms) ? parms[0] : parms;
      return this.filterMethod(p instanceof PdfDict ? p.get('Name') : undefined);
    }
    if (isName(type, 'EmbeddedFile')) return this.methods.eff;
    return this.methods.stm;
  }

  /**
   * The value of indirect object `num gen` decrypted: its strings (bar a signature dictionary's /Contents,
   * §12.8.1) and its stream data. A cross-reference stream is returned as it is.
   */
  decryptObject(value: PdfObject, num: number, gen: number): PdfObject {
    if (value instanceof PdfStream) {
      if (isName(value.dict.get('Type'), 'XRef')) return value;
      const dict = this.strings(value.dict, num, gen, 0) as PdfDict;
      const raw = this.decrypt(value.raw, this.streamMethod(value.dict), num, gen);
      return new PdfStream(dict, raw, value.dataStart);
    }
    return this.strings(value, num, gen, 0);
  }

  private strings(o: PdfObject, num: number, gen: number, depth: number): PdfObject {
    if (depth > 100) throw new UndecryptableError('Nesting too deep');
    if (o instanceof PdfString)
      return new PdfString(this.decrypt(o.bytes, this.methods.str, num, gen), o.hex, o.start, o.end);
    if (Array.isArray(o)) return o.map((x) => this.strings(x, num, gen, depth + 1));
    if (!(o instanceof PdfDict)) return o;
    const sig = isSignatureDictionary(o);
    const map = new Map<string, PdfObject>();
    for (const [k, x] of o.map)
      map.set(k, sig && k === 'Contents' ? x : this.strings(x, num, gen, depth + 1));
    return new PdfDict(map, o.start, o.end, o.repeated);
  }
}

/** A signature (or document time-stamp) dictionary, whose /Contents is never encrypted (§7.6.2, §12.8.1). */
function isSignatureDictionary(d: PdfDict): boolean {
  const type = d.get('Type');
  return (
    (type === undefined || isName(type, 'Sig') || isName(type, 'DocTimeStamp')) &&
    Array.isArray(d.get('ByteRange')) &&
    d.get('Contents') instanceof PdfString
  );
}
