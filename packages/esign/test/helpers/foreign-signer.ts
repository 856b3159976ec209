// A signer that is not ours: the signature revision is written by hand, in the spellings other tools use
// (line endings, xref shapes, /ByteRange and /Contents spacing, hex case …), and the CMS comes from OpenSSL's
// `cms -sign` (or any function given), over the bytes the /ByteRange really names. No thgov signing code runs.
import { execFileSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';
import { PdfDocument } from '../../src/pdf/document.js';
import { PdfRef } from '../../src/pdf/objects.js';
import type { Identity } from './pki.js';

export interface ForeignSpelling {
  /** End of line in the appended revision. Default `\n`. */
  eol?: string;
  /** What ends a 20-byte classic xref entry after `n`/`f`: ' \n' (default), ' \r' or '\r\n'. */
  xrefEntryEnd?: ' \n' | ' \r' | '\r\n';
  /** A cross-reference stream for the update (with these /W widths) instead of a classic table. */
  xrefStream?: [number, number, number];
  /** The /ByteRange value as written: the four numbers in, the array text out (default `[0 a b c]` padded). */
  byteRange?: (n: [number, number, number, number]) => string;
  /** The /Contents hex digits as written from the CMS hex, padded with zeros to `slot` characters. */
  contents?: (hex: string, slot: number) => string;
  /** Reserved /Contents size in hex digits. Default 30000. */
  slot?: number;
  /** /Type of the signature dictionary. Default Sig. */
  type?: 'Sig' | 'DocTimeStamp';
  /** SubFilter. Default adbe.pkcs7.detached. */
  subFilter?: string;
  /** Generation number of the signature dictionary object. Default 0. */
  sigGeneration?: number;
  /** Field and widget as two objects (a field with /Kids [widget]) instead of one merged dictionary. */
  separateWidget?: boolean;
  /** A hybrid-reference update: the page in an object stream listed by a /XRefStm stream only. */
  hybrid?: {
    listStream: boolean;
    /** A second object (number 9999) in the object stream that no xref lists. */
    smuggle?: string;
  };
  /** The widget only in the page's /Annots, not in the AcroForm's /Fields (a malformed form). */
  notInFields?: boolean;
  /** Put the signature dictionary directly in the field's /V (no indirect object). */
  directV?: boolean;
  /** A second field (Signature2, an invisible merged widget) in /Fields whose /V is the same signature dictionary. */
  twinField?: boolean;
  /** Bytes written after the final `%%EOF` line (outside the signed range). */
  trailing?: string;
  /** The signed range ends before the end of line after `%%EOF` (some tools). */
  excludeFinalEol?: boolean;
}

/** Produces the DER (or BER) CMS over `data` (the /ByteRange bytes concatenated). */
export type CmsMaker = (data: Uint8Array) => Uint8Array;

/**
 * `openssl cms -sign` with `args` (e.g. `-noattr`, `-md sha384`, `-keyid`, `-stream`, `-cades`) for `signer`,
 * `chain` added with `-certfile`.
 */
export function opensslCms(signer: Identity, chain: Uint8Array[], args: string[] = []): CmsMaker {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-foreign-'));
  writeFileSync(join(dir, 'cert.pem'), toPem(signer.cert));
  writeFileSync(
    join(dir, 'key.pem'),
    KeyObject.from(signer.key as never).export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  if (chain.length) writeFileSync(join(dir, 'chain.pem'), chain.map((c) => toPem(c)).join(''));
  return (data) => {
    writeFileSync(join(dir, 'data.bin'), data);
    execFileSync(
      'openssl',
      [
        'cms',
        '-sign',
        '-binary',
        '-in',
        join(dir, 'data.bin'),
        '-signer',
        join(dir, 'cert.pem'),
        '-inkey',
        join(dir, 'key.pem'),
        '-outform',
        'DER',
        '-out',
        join(dir, 'cms.der'),
        ...(chain.length ? ['-certfile', join(dir, 'chain.pem')] : []),
        ...args,
      ],
      { stdio: 'pipe' },
    );
    return new Uint8Array(readFileSync(join(dir, 'cms.der')));
  };
}

const PLACE = 'B'.repeat(46);

/**
 * `base` (a one-revision PDF with a classic or stream xref) with one signature appended as an incremental
 * update in the given spelling, signed by `cms` over its /ByteRange.
 */
export function foreignSign(base: Uint8Array, cms: CmsMaker, s: ForeignSpelling = {}): Uint8Array {
  const eol = s.eol ?? '\n';
  const doc = new PdfDocument(base);
  const rev = doc.last;
  const rootRef = rev.trailer.get('Root') as PdfRef;
  const catalog = doc.catalog(rev)!;
  const pages = doc.resolve(catalog.get('Pages'), rev) as { get(k: string): unknown };
  const pageRef = (pages.get('Kids') as PdfRef[])[0]!;
  const size = rev.trailer.get('Size') as number;
  const [sigNum, fieldNum, widgetNum, acroNum] = [size, size + 1, size + 2, size + 3];
  const slot = s.slot ?? 30000;
  const subFilter = s.subFilter ?? 'adbe.pkcs7.detached';
  const gen = s.sigGeneration ?? 0;
  const sigDict = `<</Type/${s.type ?? 'Sig'}/Filter/Adobe.PPKLite/SubFilter/${subFilter}/ByteRange ${PLACE}/Contents <${'0'.repeat(slot)}>/M(D:20260101000000Z)>>`;
  const pageText = raw(base, doc.offsetOf(pageRef.num, rev)!);
  const catText = raw(base, doc.offsetOf(rootRef.num, rev)!);
  const withKey = (dictText: string, extra: string) => {
    const at = dictText.lastIndexOf('>>');
    return `${dictText.slice(0, at)}${extra}${dictText.slice(at)}`;
  };
  const widgetRef = s.separateWidget ? `${widgetNum} 0 R` : `${fieldNum} 0 R`;
  const v = s.directV ? sigDict : `${sigNum} ${gen} R`;
  const objs: [number, number, string][] = [];
  if (!s.directV) objs.push([sigNum, gen, sigDict]);
  if (s.separateWidget) {
    objs.push([fieldNum, 0, `<</FT/Sig/T(Signature1)/V ${v}/Kids[${widgetNum} 0 R]>>`]);
    objs.push([
      widgetNum,
      0,
      `<</Type/Annot/Subtype/Widget/Parent ${fieldNum} 0 R/F 132/Rect[0 0 0 0]/P ${pageRef.num} 0 R>>`,
    ]);
  } else {
    objs.push([
      fieldNum,
      0,
      `<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature1)/V ${v}/F 132/Rect[0 0 0 0]/P ${pageRef.num} 0 R>>`,
    ]);
  }
  const twinNum = size + 4;
  if (s.twinField)
    objs.push([
      twinNum,
      0,
      `<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature2)/V ${v}/F 132/Rect[0 0 0 0]/P ${pageRef.num} 0 R>>`,
    ]);
  const newFields = s.twinField ? `${fieldNum} 0 R ${twinNum} 0 R` : `${fieldNum} 0 R`;
  const oldAnnots = /\/Annots\s*\[([^\]]*)\]/.exec(pageText)?.[1]?.trim() ?? '';
  const annots = `/Annots[${oldAnnots ? `${oldAnnots} ` : ''}${widgetRef}${s.twinField ? ` ${twinNum} 0 R` : ''}]`;
  objs.push([pageRef.num, pageRef.gen, withKey(stripKey(pageText, 'Annots'), annots)]);
  const acroRef = catalog.get('AcroForm');
  if (acroRef instanceof PdfRef) {
    // Another signature's form: this field joins it; the catalog stays as it is.
    const acroText = raw(base, doc.offsetOf(acroRef.num, rev)!);
    const oldFields = /\/Fields\s*\[([^\]]*)\]/.exec(acroText)?.[1]?.trim() ?? '';
    const fields = `/Fields[${oldFields ? `${oldFields} ` : ''}${newFields}]`;
    objs.push([acroRef.num, acroRef.gen, withKey(stripKey(acroText, 'Fields'), fields)]);
  } else {
    objs.push([acroNum, 0, `<</Fields[${s.notInFields ? '' : newFields}]/SigFlags 3>>`]);
    objs.push([rootRef.num, rootRef.gen, withKey(stripKey(catText, 'AcroForm'), `/AcroForm ${acroNum} 0 R`)]);
  }
  let text = eol;
  const offsets = new Map<number, [number, number]>();
  const compressed = new Map<number, string>();
  for (const [num, g, body] of objs) {
    if (s.hybrid && num === pageRef.num) {
      compressed.set(num, body);
      continue;
    }
    offsets.set(num, [base.length + text.length, g]);
    text += `${num} ${g} obj${eol}${body}${eol}endobj${eol}`;
  }
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  const newSize = Math.max(size, (s.twinField ? twinNum : acroNum) + 1);
  const xrefAt = base.length + text.length;
  const info = rev.trailer.get('Info');
  const infoText = info instanceof PdfRef ? `/Info ${info.num} ${info.gen} R` : '';
  if (s.xrefStream) {
    const [w0, w1, w2] = s.xrefStream;
    const xnum = newSize;
    offsets.set(xnum, [xrefAt, 0]);
    const rows: Buffer[] = [];
    const index: number[] = [];
    for (const n of [...nums, xnum]) {
      index.push(n, 1);
      const [off, g] = offsets.get(n)!;
      rows.push(Buffer.concat([w0 ? be(1, w0) : Buffer.alloc(0), be(off, w1), be(g, w2)]));
    }
    const data = Buffer.concat(rows);
    text += `${xnum} 0 obj${eol}<</Type/XRef/Size ${xnum + 1}/W[${w0} ${w1} ${w2}]/Index[${index.join(' ')}]/Root ${rootRef.num} ${rootRef.gen} R${infoText}/Prev ${rev.startxref}/Length ${data.length}>>stream${eol === '\r' ? '\r\n' : eol}`;
    const head = Buffer.from(text, 'latin1');
    const tail = `${eol}endstream${eol}endobj${eol}startxref${eol}${xrefAt}${eol}%%EOF${eol}`;
    return finish(Buffer.concat([Buffer.from(base), head, data, Buffer.from(tail, 'latin1')]), cms, s, eol);
  }
  const entryEnd = s.xrefEntryEnd ?? ' \n';
  let hybridKey = '';
  let hybridSize = newSize;
  const parts: Buffer[] = [Buffer.from(base)];
  if (s.hybrid) {
    // The page in an object stream that only the /XRefStm section lists (Word, Acrobat on such files).
    const [stmNum, xNum] = [newSize, newSize + 1];
    hybridSize = newSize + 2;
    const [num, body] = [...compressed][0]!;
    const smuggled = s.hybrid.smuggle;
    const head = smuggled ? `${num} 0 9999 ${body.length + 1} ` : `${num} 0 `;
    const objData = head + body + (smuggled ? ` ${smuggled}` : '');
    offsets.set(stmNum, [base.length + text.length, 0]);
    text += `${stmNum} 0 obj${eol}<</Type/ObjStm/N ${smuggled ? 2 : 1}/First ${head.length}/Length ${objData.length}>>stream${eol === '\r' ? '\r\n' : eol}${objData}${eol}endstream${eol}endobj${eol}`;
    const xAt = base.length + text.length;
    const body2 = Buffer.concat([
      Buffer.from([2]),
      be(stmNum, 3),
      be(0, 1),
      ...(s.hybrid.listStream ? [Buffer.from([1]), be(xAt, 3), be(0, 1)] : []),
    ]);
    text += `${xNum} 0 obj${eol}<</Type/XRef/Size ${hybridSize}/W[1 3 1]/Index[${num} 1${s.hybrid.listStream ? ` ${xNum} 1` : ''}]/Length ${body2.length}>>stream${eol === '\r' ? '\r\n' : eol}`;
    parts.push(Buffer.from(text, 'latin1'), body2);
    text = `${eol}endstream${eol}endobj${eol}`;
    if (s.hybrid.listStream) offsets.set(xNum, [xAt, 0]);
    hybridKey = `/XRefStm ${xAt}`;
  }
  const xrefAt2 = parts.reduce((n, b) => n + b.length, 0) + text.length;
  text += `xref${eol}0 1${eol}0000000000 65535 f${entryEnd}`;
  for (const n of [...offsets.keys()].sort((a, b) => a - b)) {
    const [off, g] = offsets.get(n)!;
    text += `${n} 1${eol}${String(off).padStart(10, '0')} ${String(g).padStart(5, '0')} n${entryEnd}`;
  }
  text += `trailer${eol}<</Size ${hybridSize}/Root ${rootRef.num} ${rootRef.gen} R${infoText}/Prev ${rev.startxref}${hybridKey}>>${eol}startxref${eol}${xrefAt2}${eol}%%EOF${eol}`;
  return finish(Buffer.concat([...parts, Buffer.from(text, 'latin1')]), cms, s, eol);
}

function finish(pdf: Buffer, cms: CmsMaker, s: ForeignSpelling, eol: string): Uint8Array {
  const str = pdf.toString('latin1');
  const brAt = str.lastIndexOf(PLACE);
  const cAt = str.indexOf('<', brAt) + 0;
  const slot = s.slot ?? 30000;
  const gapEnd = cAt + slot + 2;
  const end = s.excludeFinalEol ? pdf.length - eol.length : pdf.length;
  const n: [number, number, number, number] = [0, cAt, gapEnd, end - gapEnd];
  const brWidth = PLACE.length;
  const brText = (s.byteRange ?? ((x) => `[${x.join(' ')}]`))(n);
  if (brText.length > brWidth) throw new Error(`ByteRange text too long: ${brText}`);
  pdf.write(brText.padEnd(brWidth, ' '), brAt, 'latin1');
  const data = Buffer.concat([pdf.subarray(0, cAt), pdf.subarray(gapEnd, end)]);
  const hex = Buffer.from(cms(new Uint8Array(data))).toString('hex');
  const digits = (s.contents ?? ((h, sl) => h.padEnd(sl, '0')))(hex, slot);
  if (digits.length !== slot) throw new Error(`Contents text is ${digits.length} digits, not ${slot}`);
  pdf.write(digits, cAt + 1, 'latin1');
  return new Uint8Array(s.trailing ? Buffer.concat([pdf, Buffer.from(s.trailing, 'latin1')]) : pdf);
}

/** `v` as a big-endian unsigned integer of `width` bytes (an xref stream field); throws when it does not fit. */
export function be(v: number, width: number): Buffer {
  const b = Buffer.alloc(width);
  let x = v;
  for (let i = width - 1; i >= 0; i--) {
    b[i] = x & 0xff;
    x = Math.floor(x / 256);
  }
  if (x !== 0) throw new Error(`${v} does not fit ${width} bytes`);
  return b;
}

/** The dictionary text of the object whose header starts at `at` (`N G obj <<…>> endobj`, no stream). */
function raw(pdf: Uint8Array, at: number): string {
  const s = Buffer.from(pdf).toString('latin1', at, Math.min(pdf.length, at + 20000));
  const open = s.indexOf('<<');
  const close = s.indexOf('endobj');
  return s.slice(open, s.lastIndexOf('>>', close) + 2);
}

/** `dict` without a top-level `/key value` whose value is a reference or a simple array (enough for these inputs). */
function stripKey(dict: string, key: string): string {
  return dict.replace(new RegExp(`/${key}\\s*(\\d+\\s+\\d+\\s+R|\\[[^\\]]*\\])`), '');
}

/**
 * An RFC 3161 token from `openssl ts -reply` over `data` (a document time-stamp's /Contents), by `tsa` with
 * `chain`; `essCertIdAlg` sha1 writes the ESS signing-certificate (v1) many deployed TSAs still use.
 */
export function opensslTimeStamp(
  tsa: Identity,
  chain: Uint8Array[],
  options: { essCertIdAlg?: 'sha1' | 'sha256'; digest?: 'sha256' | 'sha384' | 'sha512' } = {},
): CmsMaker {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-foreign-ts-'));
  writeFileSync(join(dir, 'tsa.pem'), toPem(tsa.cert));
  writeFileSync(
    join(dir, 'key.pem'),
    KeyObject.from(tsa.key as never).export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  writeFileSync(join(dir, 'chain.pem'), chain.map((c) => toPem(c)).join(''));
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `serial = ${join(dir, 'serial')}`,
      'default_policy = 1.2.3.4.1',
      'digests = sha256, sha384, sha512',
      'signer_digest = sha256',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      `ess_cert_id_alg = ${options.essCertIdAlg ?? 'sha256'}`,
      '',
    ].join('\n'),
  );
  return (data) => {
    writeFileSync(join(dir, 'data.bin'), data);
    const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
    run([
      'ts',
      '-query',
      '-data',
      join(dir, 'data.bin'),
      `-${options.digest ?? 'sha256'}`,
      '-cert',
      '-no_nonce',
      '-out',
      join(dir, 'q.tsq'),
    ]);
    run([
      'ts',
      '-reply',
      '-config',
      join(dir, 'tsa.cnf'),
      '-queryfile',
      join(dir, 'q.tsq'),
      '-inkey',
      join(dir, 'key.pem'),
      '-signer',
      join(dir, 'tsa.pem'),
      '-chain',
      join(dir, 'chain.pem'),
      '-token_out',
      '-out',
      join(dir, 'token.der'),
    ]);
    return new Uint8Array(readFileSync(join(dir, 'token.der')));
  };
}
