import { EsignError } from '../errors.js';
import { StandardSecurity, UndecryptableError } from './crypt.js';
import { decodeStream } from './filters.js';
import { Budget, DEFAULT_PDF_LIMITS, type PdfLimits } from './limits.js';
import {
  bytesEqual,
  type IndirectObject,
  isName,
  PdfDict,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
  pdfEquals,
  repeatedKeys,
} from './objects.js';
import { indexOfBytes, latin1, PdfParser } from './parser.js';

/** One cross-reference entry of a revision: object number, generation and where it lives. */
export type XrefEntry =
  | { kind: 'free'; gen: number }
  | { kind: 'offset'; offset: number; gen: number }
  | { kind: 'compressed'; stream: number; index: number };

/** The structural oddities the PDF reader reports (`Anomaly.code`). */
export type AnomalyCode =
  | 'GARBAGE_BEFORE_HEADER'
  | 'BOGUS_STARTXREF'
  | 'EOF_WITHOUT_STARTXREF'
  | 'XREF_OFFSET_MISS'
  | 'XREF_OUTSIDE_REVISION'
  | 'STARTXREF_OUTSIDE_REVISION'
  | 'DUPLICATE_OBJECT'
  | 'DUPLICATE_KEY'
  | 'ODD_GENERATION'
  | 'UNLISTED_OBJECT'
  | 'TRAILING_BYTES'
  | 'PREV_CHAIN'
  | 'XREF_ENTRY_TYPE';

/** Something two PDF readers could disagree about: the raw material of parser-differential attacks. */
export interface Anomaly {
  code: AnomalyCode;
  severity: 'error' | 'warning';
  message: string;
  revision?: number;
  offset?: number;
}

/** One revision of a PDF (the original or an incremental update): where it ends and its cross-reference. */
export interface Revision {
  index: number;
  /** Offset the revision's `startxref` points to. */
  startxref: number;
  /** Offset of this revision's `%%EOF`. */
  eofOffset: number;
  /** First byte after `%%EOF` and its end-of-line: revision k is bytes [0, end). */
  end: number;
  /** First byte of this revision's own bytes (the previous revision's end). */
  start: number;
  trailer: PdfDict;
  /** Effective cross-reference table of the document as of this revision. */
  xref: Map<number, XrefEntry>;
  /** Entries from xref sections located inside this revision's own bytes (the incremental update). */
  own: Map<number, XrefEntry>;
  /**
   * Absolute offsets of the cross-reference sections this revision reads from its own bytes: the table or stream
   * `startxref` names, a hybrid trailer's `/XRefStm` stream, and any `/Prev` section there.
   */
  xrefSections: number[];
}

interface XrefSection {
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  prev: number | undefined;
  xrefStm: number | undefined;
  /** Absolute offset of the `/XRefStm` stream read with this table (hybrid-reference files). */
  xrefStmAt?: number;
  /** Rows of a cross-reference stream whose type is not 0, 1 or 2 (read as the null object). */
  unknownTypes?: number;
}

/** What an object stream holds: each object by number (the first of a repeated number), and its numbers in order. */
interface ObjectStreamContent {
  objects: Map<number, PdfObject>;
  labels: number[];
}

/** Repeated-key anomalies listed one by one per revision; further objects are counted in one more. */
const MAX_REPEATED_REPORTS = 20;

/** How a document is opened. */
export interface PdfOpenOptions {
  /**
   * Read a PDF encrypted with the Standard security handler that opens with the empty user password (verification
   * only). Without it any encrypted PDF is refused with ERR_PDF_ENCRYPTED.
   */
  openEncrypted?: boolean;
}

/** The message of the BOGUS_STARTXREF anomaly of a hybrid trailer whose /XRefStm cannot be read. */
export const XREF_STM_NOWHERE = '/XRefStm points nowhere';

/** PDF white-space characters (PDF 32000-1 §7.2.2). */
const PDF_WHITESPACE = new Set([0, 9, 10, 12, 13, 32]);
/** DOS end-of-file mark (Ctrl-Z), which some writers still append. */
const CTRL_Z = 0x1a;
const EOF_MARK = Uint8Array.from('%%EOF', (c) => c.charCodeAt(0));
const HEADER = Uint8Array.from('%PDF-', (c) => c.charCodeAt(0));

/** Whether `tail` holds only PDF white-space, Ctrl-Z and whole `%%EOF` markers: what writers pad a file with. */
function onlyPadding(tail: Uint8Array): boolean {
  for (let i = 0; i < tail.length; i++) {
    const c = tail[i]!;
    if (PDF_WHITESPACE.has(c) || c === CTRL_Z) continue;
    if (!EOF_MARK.every((m, k) => tail[i + k] === m)) return false;
    i += EOF_MARK.length - 1;
  }
  return true;
}

/**
 * Our own PDF structure reader: every revision found through `%%EOF`/`startxref`, classic xref tables
 * and xref streams, `/Prev` chains and object streams, with anomalies recorded instead of repaired.
 */
export class PdfDocument {
  readonly revisions: Revision[] = [];
  readonly anomalies: Anomaly[] = [];
  readonly headerOffset: number;
  readonly budget: Budget;
  private readonly cache = new Map<number, IndirectObject>();
  private readonly objStmCache = new Map<number, ObjectStreamContent>();
  /** Decrypted values of uncompressed objects by offset. */
  private readonly plainCache = new Map<number, { value: PdfObject }>();
  private security: StandardSecurity | undefined;
  /** Object number of an indirect /Encrypt dictionary, which is never decrypted. */
  private encryptNum: number | undefined;

  constructor(
    readonly bytes: Uint8Array,
    limits: Partial<PdfLimits> = {},
    budget?: Budget,
    options: PdfOpenOptions = {},
  ) {
    this.budget = budget ?? new Budget({ ...DEFAULT_PDF_LIMITS, ...limits });
    if (bytes.length > this.budget.limits.maxBytes) {
      throw new EsignError('ERR_PDF_LIMIT', `The file is larger than ${this.budget.limits.maxBytes} bytes`);
    }
    this.headerOffset = indexOfBytes(bytes.subarray(0, Math.min(bytes.length, 1024)), HEADER);
    if (this.headerOffset < 0)
      throw new EsignError('ERR_PDF_FORMAT', 'No %PDF- header in the first 1024 bytes');
    if (this.headerOffset > 0) {
      this.anomalies.push({
        code: 'GARBAGE_BEFORE_HEADER',
        severity: 'error',
        message: `${this.headerOffset} bytes before the %PDF- header`,
        offset: 0,
      });
    }
    this.readRevisions();
    if (this.revisions.length === 0)
      throw new EsignError('ERR_PDF_FORMAT', 'No readable cross-reference section');
    if (this.revisions.some((r) => r.trailer.has('Encrypt'))) {
      if (!options.openEncrypted)
        throw new EsignError(
          'ERR_PDF_ENCRYPTED',
          'The PDF is encrypted: encrypted PDFs that open without a password are read (verified, a transcript extracted), but signing or extending one needs an unencrypted copy',
        );
      this.security = this.openSecurity();
    }
    this.scanDefinitions();
    for (const r of this.revisions) {
      this.scanCompressed(r);
      this.scanRepeatedKeys(r);
    }
  }

  /** Whether the document is encrypted (and was opened with the empty user password). */
  get encrypted(): boolean {
    return this.security !== undefined;
  }

  /** How the document is encrypted, in words for a report; undefined when it is not. */
  get encryption(): string | undefined {
    return this.security?.description;
  }

  /**
   * The Standard security handler every revision names, opened with the empty user password. Revisions that
   * disagree about /Encrypt or /ID[0], an /Encrypt that is not a dictionary of an uncompressed object, are refused.
   */
  private openSecurity(): StandardSecurity {
    const refuse = (message: string): never => {
      throw new EsignError('ERR_PDF_ENCRYPTED', message);
    };
    const last = this.last;
    const enc = last.trailer.get('Encrypt');
    const ids = this.revisions.map((r) => {
      const id = r.trailer.get('ID');
      return Array.isArray(id) && id[0] instanceof PdfString ? id[0].bytes : undefined;
    });
    const id0 = ids[ids.length - 1];
    for (const [i, r] of this.revisions.entries()) {
      if (!pdfEquals(r.trailer.get('Encrypt'), enc))
        refuse('The revisions of the encrypted PDF disagree about its /Encrypt dictionary');
      const id = ids[i];
      if (id && id0 && !bytesEqual(id, id0))
        refuse('The revisions of the encrypted PDF disagree about the first string of /ID');
    }
    let dict: PdfObject | undefined = enc;
    if (enc instanceof PdfRef) {
      if (last.xref.get(enc.num)?.kind !== 'offset')
        refuse('The /Encrypt dictionary is not an uncompressed indirect object');
      this.encryptNum = enc.num;
      dict = this.getObject(enc.num, last);
    }
    if (!(dict instanceof PdfDict)) return refuse('The /Encrypt entry is not a dictionary');
    return StandardSecurity.open(dict, id0);
  }

  get last(): Revision {
    return this.revisions[this.revisions.length - 1]!;
  }

  private readRevisions(): void {
    const b = this.bytes;
    let from = 0;
    let prevEnd = 0;
    for (;;) {
      this.budget.tick();
      const eof = indexOfBytes(b, EOF_MARK, from);
      if (eof < 0) break;
      from = eof + 5;
      let end = eof + 5;
      if (b[end] === 13) end++;
      if (b[end] === 10) end++;
      const sx = this.findStartxref(eof);
      // A linearized file's first-page trailer ends in `startxref 0` (PDF 32000-1 Annex F.3.4): it belongs to
      // the first revision, which the main trailer further on completes.
      if (this.revisions.length === 0 && sx === 0 && this.isLinearized(eof)) continue;
      if (sx === undefined) {
        this.anomalies.push({
          code: 'EOF_WITHOUT_STARTXREF',
          severity: 'warning',
          message: '%%EOF without startxref',
          offset: eof,
        });
        continue;
      }
      const index = this.revisions.length;
      let chain: XrefSection[];
      try {
        chain = this.readChain(sx, index, end);
      } catch (cause) {
        if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
        this.anomalies.push({
          code: 'BOGUS_STARTXREF',
          severity: 'error',
          message: `startxref ${sx} does not lead to a readable xref section`,
          offset: eof,
          revision: index,
        });
        continue;
      }
      this.checkStartxref(sx, prevEnd, eof, index);
      const xref = new Map<number, XrefEntry>();
      for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i]!.entries) xref.set(k, v);
      const own = new Map<number, XrefEntry>();
      const xrefSections: number[] = [];
      for (let i = chain.length - 1; i >= 0; i--) {
        const sec = chain[i] as XrefSection & { at: number };
        if (sec.at >= prevEnd && sec.at < end) {
          for (const [k, v] of sec.entries) own.set(k, v);
          this.checkEntryTypes(sec, index);
          xrefSections.push(sec.at);
          if (sec.xrefStmAt !== undefined && sec.xrefStmAt >= prevEnd && sec.xrefStmAt < end)
            xrefSections.push(sec.xrefStmAt);
        }
      }
      this.revisions.push({
        index,
        startxref: sx,
        eofOffset: eof,
        end,
        start: prevEnd,
        trailer: chain[0]!.trailer,
        xref,
        own,
        xrefSections,
      });
      prevEnd = end;
    }
    this.checkTail(prevEnd);
  }

  /**
   * Bytes after the last revision: PDF white-space, DOS end-of-file marks (Ctrl-Z) and repeated `%%EOF` lines are
   * padding other writers leave (Acrobat and poppler accept it); anything else is data no revision accounts for.
   */
  private checkTail(end: number): void {
    if (end >= this.bytes.length) return;
    const tail = this.bytes.subarray(end);
    const onlyWs = onlyPadding(tail);
    this.anomalies.push({
      code: 'TRAILING_BYTES',
      severity: onlyWs ? 'warning' : 'error',
      message: onlyWs
        ? `${tail.length} byte(s) of padding (PDF white-space, Ctrl-Z, repeated %%EOF) after the last %%EOF`
        : `${tail.length} byte(s) after the last %%EOF that no revision accounts for (not PDF white-space: ` +
          'an update without its cross-reference section and %%EOF, or other data)',
      offset: end,
    });
  }

  /** The first object, before `eof`, is a linearization parameter dictionary. */
  private isLinearized(eof: number): boolean {
    const head = latin1(this.bytes, this.headerOffset, Math.min(eof, this.headerOffset + 1024));
    if (!/^%PDF-[\d.]/.test(head)) return false;
    // The first `N G obj <<` past the header's first version character, then `/Linearized` and a delimiter
    // after it. One pattern with lazy gaps between overlapping digit classes took cubic time on a header of
    // digits (a fifth of a second for 1 KiB, each time a file was opened).
    const object = /\d+[\s\0]+\d+[\s\0]+obj[\s\0]*<</g;
    object.lastIndex = 6;
    if (!object.exec(head)) return false;
    for (
      let at = head.indexOf('/Linearized', object.lastIndex);
      at >= 0;
      at = head.indexOf('/Linearized', at + 1)
    )
      if (/[\s\0/]/.test(head.charAt(at + 11))) return true;
    return false;
  }

  /**
   * A cross-reference stream row of type 3 or more: PDF 32000-1 §7.5.8.3 reads the null object (as this reader
   * does), while poppler, pdf.js and qpdf take the file as damaged and rebuild the table from every object header in
   * it, so an object definition no xref points at shows.
   */
  private checkEntryTypes(sec: XrefSection & { at: number }, index: number): void {
    if (!sec.unknownTypes) return;
    this.anomalies.push({
      code: 'XREF_ENTRY_TYPE',
      severity: 'error',
      message: `${sec.unknownTypes} cross-reference stream row(s) of an unknown type (readers that rebuild the table disagree)`,
      revision: index,
      offset: sec.at,
    });
  }

  /** A revision's startxref must point into its own bytes: a section there no revision owns hides its changes. */
  private checkStartxref(sx: number, start: number, eof: number, index: number): void {
    if (sx + this.headerOffset >= start) return;
    this.anomalies.push({
      code: 'STARTXREF_OUTSIDE_REVISION',
      severity: 'error',
      message: `startxref ${sx} points at a section before the revision's own bytes`,
      offset: eof,
      revision: index,
    });
  }

  private findStartxref(eof: number): number | undefined {
    const from = Math.max(0, eof - 64);
    const text = latin1(this.bytes, from, eof);
    const m = /startxref[\s\0]+(\d+)[\s\0]*$/.exec(text);
    return m ? Number(m[1]) : undefined;
  }

  private readChain(startxref: number, revision: number, end: number): (XrefSection & { at: number })[] {
    const out: (XrefSection & { at: number })[] = [];
    const seen = new Set<number>();
    let at: number | undefined = startxref;
    while (at !== undefined) {
      this.budget.tick();
      if (seen.has(at)) {
        this.anomalies.push({
          code: 'PREV_CHAIN',
          severity: 'error',
          message: 'Cyclic /Prev chain',
          revision,
          offset: at,
        });
        break;
      }
      seen.add(at);
      if (at + this.headerOffset >= end) {
        throw new EsignError('ERR_PDF_FORMAT', 'xref section beyond its revision');
      }
      const sec: XrefSection & { at: number } = {
        ...this.readSection(at + this.headerOffset),
        at: at + this.headerOffset,
      };
      out.push(sec);
      if (sec.xrefStm !== undefined && !seen.has(sec.xrefStm)) {
        seen.add(sec.xrefStm);
        try {
          const s2 = this.readSection(sec.xrefStm + this.headerOffset);
          // Hybrid files: the stream's entries rank below the table's but above /Prev.
          for (const [k, v] of s2.entries) if (!sec.entries.has(k)) sec.entries.set(k, v);
          sec.xrefStmAt = sec.xrefStm + this.headerOffset;
          sec.unknownTypes = s2.unknownTypes;
        } catch {
          this.anomalies.push({
            code: 'BOGUS_STARTXREF',
            severity: 'error',
            message: XREF_STM_NOWHERE,
            revision,
          });
        }
      }
      at = sec.prev;
      if (out.length > 10_000) throw new EsignError('ERR_PDF_LIMIT', 'Too many xref sections');
    }
    return out;
  }

  private readSection(offset: number): XrefSection {
    const p = new PdfParser(this.bytes, this.budget);
    p.pos = offset;
    if (p.peekKeyword('xref')) {
      p.readToken();
      const entries = new Map<number, XrefEntry>();
      for (;;) {
        this.budget.tick();
        const save = p.pos;
        const t = p.readToken();
        if (t === 'trailer') break;
        const cnt = p.readToken();
        if (!/^\d+$/.test(t) || !/^\d+$/.test(cnt)) {
          p.pos = save;
          throw new EsignError('ERR_PDF_FORMAT', 'Malformed xref table');
        }
        const first = Number(t);
        const count = Number(cnt);
        for (let i = 0; i < count; i++) {
          const o = p.readToken();
          const g = p.readToken();
          const k = p.readToken();
          if (!/^\d+$/.test(o) || !/^\d+$/.test(g) || (k !== 'n' && k !== 'f')) {
            throw new EsignError('ERR_PDF_FORMAT', 'Malformed xref entry');
          }
          this.budget.countObject();
          const num = first + i;
          if (!entries.has(num)) {
            entries.set(
              num,
              k === 'n'
                ? { kind: 'offset', offset: Number(o), gen: Number(g) }
                : { kind: 'free', gen: Number(g) },
            );
          }
        }
      }
      const trailer = p.parseObject(0);
      if (!(trailer instanceof PdfDict))
        throw new EsignError('ERR_PDF_FORMAT', 'Trailer is not a dictionary');
      return { entries, trailer, prev: intOf(trailer.get('Prev')), xrefStm: intOf(trailer.get('XRefStm')) };
    }
    const ind = p.parseIndirect();
    const st = ind.value;
    if (!(st instanceof PdfStream) || !isName(st.dict.get('Type'), 'XRef')) {
      throw new EsignError('ERR_PDF_FORMAT', 'startxref does not point to an xref table or stream');
    }
    return this.readXrefStream(st);
  }

  private readXrefStream(st: PdfStream): XrefSection {
    const d = st.dict;
    const w = d.get('W');
    if (
      !Array.isArray(w) ||
      w.length !== 3 ||
      !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)
    ) {
      throw new EsignError('ERR_PDF_FORMAT', 'Bad /W in xref stream');
    }
    const [w0, w1, w2] = w as [number, number, number];
    const size = intOf(d.get('Size')) ?? 0;
    const idx = d.get('Index');
    const ranges: number[] = Array.isArray(idx)
      ? idx.map((x) => (typeof x === 'number' ? x : -1))
      : [0, size];
    const data = decodeStream(st, this.budget);
    const entries = new Map<number, XrefEntry>();
    const rowLen = w0 + w1 + w2;
    if (rowLen === 0) throw new EsignError('ERR_PDF_FORMAT', 'Bad /W in xref stream');
    let pos = 0;
    let unknownTypes = 0;
    const field = (width: number): number => {
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + (data[pos++] ?? 0);
      return v;
    };
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const first = ranges[r]!;
      const count = ranges[r + 1]!;
      if (first < 0 || count < 0) throw new EsignError('ERR_PDF_FORMAT', 'Bad /Index in xref stream');
      for (let i = 0; i < count; i++) {
        if (pos + rowLen > data.length)
          throw new EsignError('ERR_PDF_FORMAT', 'xref stream shorter than /Index says');
        this.budget.countObject();
        const type = w0 === 0 ? 1 : field(w0);
        const f2 = field(w1);
        const f3 = field(w2);
        const num = first + i;
        if (entries.has(num)) continue;
        if (type === 0) entries.set(num, { kind: 'free', gen: f3 });
        else if (type === 1) entries.set(num, { kind: 'offset', offset: f2, gen: f3 });
        else if (type === 2) entries.set(num, { kind: 'compressed', stream: f2, index: f3 });
        // PDF 32000-1 §7.5.8.3: any other type names the null object. Skipping the row instead would let /Prev
        // resolve the object as before: an update could delete a signed object for readers that follow the rule.
        else {
          entries.set(num, { kind: 'free', gen: 0 });
          unknownTypes++;
        }
      }
    }
    return { entries, trailer: d, prev: intOf(d.get('Prev')), xrefStm: undefined, unknownTypes };
  }

  /** Records objects defined by header in each revision's own bytes: duplicates and unlisted ones. */
  private scanDefinitions(): void {
    const buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    for (const rev of this.revisions) {
      this.budget.tick();
      const text = buf.toString('latin1', rev.start, rev.end);
      // Token boundaries: PDF white-space (NUL, TAB, LF, FF, CR, SP), plus what \s adds (lenient readers).
      const re = /(?:^|[\s\0>\]})])(\d{1,10})[\s\0]+(\d{1,5})[\s\0]+obj\b/g;
      const seen = new Map<number, number>();
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const num = Number(m[1]);
        const gen = Number(m[2]);
        const at = rev.start + m.index + m[0].indexOf(m[1]!);
        if (seen.has(num)) {
          this.anomalies.push({
            code: 'DUPLICATE_OBJECT',
            severity: 'error',
            message: `Object ${num} is defined twice in revision ${rev.index}`,
            revision: rev.index,
            offset: at,
          });
        }
        seen.set(num, at);
        if (!this.pointsAt(rev, num, at) && !this.isXrefStreamObject(rev, at)) {
          this.anomalies.push({
            code: 'UNLISTED_OBJECT',
            severity: 'warning',
            message: `Object ${num} ${gen} in revision ${rev.index} is not where its xref points`,
            revision: rev.index,
            offset: at,
          });
        }
      }
      for (const [num, e] of rev.own) {
        if (e.kind !== 'offset') continue;
        if (e.gen > 65535) {
          this.anomalies.push({
            code: 'ODD_GENERATION',
            severity: 'error',
            message: `Object ${num} has generation ${e.gen}`,
            revision: rev.index,
          });
        } else if (e.gen !== 0 && num !== 0) {
          this.anomalies.push({
            code: 'ODD_GENERATION',
            severity: 'warning',
            message: `Object ${num} has generation ${e.gen}`,
            revision: rev.index,
          });
        }
        const abs = e.offset + this.headerOffset;
        if (abs >= rev.end) {
          this.anomalies.push({
            code: 'XREF_OUTSIDE_REVISION',
            severity: 'error',
            message: `Object ${num} of revision ${rev.index} lies after the revision's end`,
            revision: rev.index,
          });
          continue;
        }
        const obj = this.tryParseAt(abs);
        if (!obj || obj.num !== num || obj.gen !== e.gen) {
          this.anomalies.push({
            code: 'XREF_OFFSET_MISS',
            severity: 'error',
            message: `xref offset of object ${num} in revision ${rev.index} does not point at its header`,
            revision: rev.index,
            offset: abs,
          });
        }
      }
    }
  }

  /**
   * Whether `rev`'s own xref points object `num` at the header at `at` (or at white-space just before it). A
   * definition its xref lists as free, compressed or elsewhere is unlisted like one it leaves out: readers that
   * rebuild a damaged table from the object headers take the last definition in the file.
   */
  private pointsAt(rev: Revision, num: number, at: number): boolean {
    const e = rev.own.get(num);
    if (e?.kind !== 'offset') return false;
    const abs = e.offset + this.headerOffset;
    if (abs > at) return false;
    for (let i = abs; i < at; i++) if (!PDF_WHITESPACE.has(this.bytes[i]!)) return false;
    return true;
  }

  /**
   * Records every object (and the trailer) a revision defines whose dictionaries repeat a key: a warning for the
   * document, which fails each signature made before that revision (see `modificationsCheck`). At most
   * MAX_REPEATED_REPORTS per revision are listed, then one line counts the rest.
   */
  private scanRepeatedKeys(rev: Revision): void {
    const found: string[] = [];
    let count = 0;
    const note = (what: string, v: PdfObject | undefined) => {
      const keys = repeatedKeys(v);
      if (!keys.length) return;
      count++;
      if (found.length < MAX_REPEATED_REPORTS)
        found.push(`${what} repeats ${[...new Set(keys)].map((k) => `/${k}`).join(', ')}`);
    };
    note('The trailer', rev.trailer);
    for (const [num, e] of rev.own) {
      this.budget.tick();
      if (e.kind !== 'free' && num !== 0) note(`Object ${num}`, this.getObject(num, rev));
    }
    for (const message of found) this.repeatedKeyAnomaly(rev, `${message} (the last value counts)`);
    if (count > found.length)
      this.repeatedKeyAnomaly(rev, `${count - found.length} more object(s) repeat dictionary keys`);
  }

  private repeatedKeyAnomaly(rev: Revision, message: string): void {
    this.anomalies.push({ code: 'DUPLICATE_KEY', severity: 'warning', message, revision: rev.index });
  }

  /**
   * Whether the object at `at` is one of the cross-reference streams `rev` reads: the one `startxref` names or a
   * hybrid trailer's `/XRefStm` (writers need not list these in the xref they are part of).
   */
  private isXrefStreamObject(rev: Revision, at: number): boolean {
    return at === rev.startxref + this.headerOffset || rev.xrefSections.includes(at);
  }

  /**
   * Whether object `num`, as `rev` resolves it, is structure rather than content: a cross-reference stream some
   * revision reads as its own section, or an object stream written by a revision after `after` whose every object
   * that revision lists as compressed in it (an object no xref lists, which a repairing reader might still pick
   * up, keeps it content). Any other stream typed /XRef or /ObjStm is not.
   */
  isCrossReferenceObject(num: number, rev: Revision, after: number): boolean {
    const e = rev.xref.get(num);
    if (e?.kind !== 'offset') return false;
    const at = e.offset + this.headerOffset;
    if (this.revisions.some((r) => r.xrefSections.includes(at) && r.start <= at && at < r.end)) {
      const v = this.getObject(num, rev);
      return v instanceof PdfStream && isName(v.dict.get('Type'), 'XRef');
    }
    const v = this.getObject(num, rev);
    if (!(v instanceof PdfStream) || !isName(v.dict.get('Type'), 'ObjStm')) return false;
    const n = v.dict.get('N');
    return this.revisions.some((r) => {
      if (r.index <= after) return false;
      const holder = r.own.get(num);
      if (holder?.kind !== 'offset' || holder.offset !== e.offset || holder.gen !== e.gen) return false;
      const held = this.readObjectStream(num, r, 0).objects;
      if (held.size === 0 || held.size !== n) return false;
      for (const objNum of held.keys()) {
        const x = r.own.get(objNum);
        if (x?.kind !== 'compressed' || x.stream !== num) return false;
      }
      return true;
    });
  }

  private tryParseAt(offset: number): IndirectObject | undefined {
    const cached = this.cache.get(offset);
    if (cached) return cached;
    try {
      const p = new PdfParser(this.bytes, this.budget, (ref) => {
        const v = this.resolve(ref, this.last);
        return typeof v === 'number' ? v : undefined;
      });
      p.pos = offset;
      const obj = p.parseIndirect();
      this.cache.set(offset, obj);
      return obj;
    } catch (cause) {
      if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
      return undefined;
    }
  }

  /** Where object `num` lives in revision `rev` (absolute offset, or object-stream position). */
  entry(num: number, rev: Revision): XrefEntry | undefined {
    return rev.xref.get(num);
  }

  /** The value of object `num` as revision `rev` sees it; undefined when missing or unreadable. */
  getObject(num: number, rev: Revision, depth = 0): PdfObject | undefined {
    const e = rev.xref.get(num);
    if (!e || e.kind === 'free' || depth > 4) return undefined;
    if (e.kind === 'offset') {
      const abs = e.offset + this.headerOffset;
      if (abs >= rev.end) return undefined;
      const obj = this.tryParseAt(abs);
      if (!obj || obj.num !== num || obj.gen !== e.gen) return undefined;
      return this.plain(obj, abs);
    }
    return this.objectStream(e.stream, rev, depth)?.objects.get(num);
  }

  /** Object stream `num` as `rev` resolves it (cached by where it lives: a later revision may redefine it). */
  private objectStream(num: number, rev: Revision, depth = 0): ObjectStreamContent | undefined {
    const holder = rev.xref.get(num);
    if (holder?.kind !== 'offset') return undefined;
    let content = this.objStmCache.get(holder.offset);
    if (!content) {
      content = this.readObjectStream(num, rev, depth);
      this.objStmCache.set(holder.offset, content);
    }
    return content;
  }

  /**
   * Records each compressed entry of `rev`'s own xref that readers resolve differently: the object stream it names
   * numbers an object twice (poppler takes the entry's index, pdf.js the last, this reader the first), or the
   * object at the entry's index is another one (poppler reads null, pdf.js and this reader the object by number).
   */
  private scanCompressed(rev: Revision): void {
    for (const [num, e] of rev.own) {
      if (e.kind !== 'compressed') continue;
      this.budget.tick();
      const labels = this.objectStream(e.stream, rev)?.labels ?? [];
      if (labels.indexOf(num) !== labels.lastIndexOf(num)) {
        this.anomalies.push({
          code: 'DUPLICATE_OBJECT',
          severity: 'error',
          message: `Object ${num} is defined twice in object stream ${e.stream} (revision ${rev.index})`,
          revision: rev.index,
        });
      } else if (labels[e.index] !== num) {
        this.anomalies.push({
          code: 'XREF_OFFSET_MISS',
          severity: 'error',
          message: `xref entry of object ${num} in revision ${rev.index} names index ${e.index} of object stream ${e.stream}, which does not hold it there`,
          revision: rev.index,
        });
      }
    }
  }

  /**
   * `obj` decrypted with its object key when the document is encrypted (not the /Encrypt dictionary). An object
   * whose strings or stream do not decrypt refuses the document: another reader may show something for it, so
   * reading it as missing could hide a change. Objects inside object streams are read from the decrypted object
   * stream and are not decrypted again.
   */
  private plain(obj: IndirectObject, abs: number): PdfObject {
    if (!this.security || obj.num === this.encryptNum) return obj.value;
    let v = this.plainCache.get(abs);
    if (!v) {
      this.budget.tick();
      try {
        v = { value: this.security.decryptObject(obj.value, obj.num, obj.gen) };
      } catch (cause) {
        if (!(cause instanceof UndecryptableError)) throw cause;
        throw new EsignError(
          'ERR_PDF_FORMAT',
          `Object ${obj.num} ${obj.gen} does not decrypt: ${cause.message}`,
        );
      }
      this.plainCache.set(abs, v);
    }
    return v.value;
  }

  private readObjectStream(num: number, rev: Revision, depth: number): ObjectStreamContent {
    const out = new Map<number, PdfObject>();
    const content = { objects: out, labels: [] as number[] };
    const e = rev.xref.get(num);
    if (e?.kind !== 'offset') return content;
    const st = this.getObject(num, rev, depth + 1);
    if (!(st instanceof PdfStream) || !isName(st.dict.get('Type'), 'ObjStm')) return content;
    const n = intOf(st.dict.get('N')) ?? 0;
    const first = intOf(st.dict.get('First')) ?? 0;
    let data: Uint8Array;
    try {
      data = decodeStream(st, this.budget);
    } catch (cause) {
      if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
      return content;
    }
    const p = new PdfParser(data, this.budget);
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = p.readToken();
      const b = p.readToken();
      if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) break;
      pairs.push([Number(a), Number(b)]);
      content.labels.push(Number(a));
    }
    for (const [objNum, off] of pairs) {
      this.budget.countObject();
      try {
        p.pos = first + off;
        if (!out.has(objNum)) out.set(objNum, p.parseObject(0));
      } catch (cause) {
        if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
      }
    }
    return content;
  }

  /** Follows references (bounded) to a direct value. */
  resolve(o: PdfObject | undefined, rev: Revision): PdfObject | undefined {
    let cur = o;
    for (let i = 0; i < 16 && cur instanceof PdfRef; i++) cur = this.getObject(cur.num, rev);
    return cur instanceof PdfRef ? undefined : cur;
  }

  /** Offset (absolute) of the header of object `num` in `rev`, when it is stored uncompressed. */
  offsetOf(num: number, rev: Revision): number | undefined {
    const e = rev.xref.get(num);
    return e?.kind === 'offset' ? e.offset + this.headerOffset : undefined;
  }

  /**
   * Where an update to `rev` numbers its new objects: one past the highest number its cross-reference sections
   * list, or its trailer's /Size when higher. /Size alone is the producer's word, and some write it too small or
   * leave it out; a new object that reused a number would replace one of the document's.
   */
  nextObjectNumber(rev: Revision): number {
    let next = Math.max(1, intOf(rev.trailer.get('Size')) ?? 0);
    for (const num of rev.xref.keys()) if (num >= next) next = num + 1;
    return next;
  }

  catalog(rev: Revision): PdfDict | undefined {
    const root = this.resolve(rev.trailer.get('Root'), rev);
    return root instanceof PdfDict ? root : undefined;
  }

  /** The revision whose bytes end exactly at `end` (allowing the end-of-line after %%EOF to be left out). */
  revisionEndingAt(end: number): Revision | undefined {
    return this.revisions.find(
      (r) => r.end === end || r.eofOffset + 5 === end || (r.eofOffset + 6 === end && r.end > end),
    );
  }
}

function intOf(o: PdfObject | undefined): number | undefined {
  return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : undefined;
}
