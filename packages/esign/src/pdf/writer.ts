import { EsignError } from '../errors.js';
import { PdfDict, PdfName, type PdfObject, PdfRef, PdfStream, PdfString } from './objects.js';

/** Serializes a value of our object model (used for incremental updates, never for a full rewrite). */
export function serialize(o: PdfObject | undefined): string {
  if (o === null || o === undefined) return 'null';
  if (typeof o === 'boolean') return o ? 'true' : 'false';
  if (typeof o === 'number')
    return Number.isInteger(o) ? String(o) : o.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  if (o instanceof PdfName) return `/${escapeName(o.name)}`;
  if (o instanceof PdfRef) return `${o.num} ${o.gen} R`;
  if (o instanceof PdfString) return `<${Buffer.from(o.bytes).toString('hex')}>`;
  if (Array.isArray(o)) return `[${o.map(serialize).join(' ')}]`;
  if (o instanceof PdfDict)
    return `<<${[...o.map].map(([k, v]) => `/${escapeName(k)} ${serialize(v)}`).join(' ')}>>`;
  if (o instanceof PdfStream) throw new TypeError('streams are written with writeStream');
  return 'null';
}

function escapeName(n: string): string {
  let s = '';
  for (const ch of n) {
    const c = ch.charCodeAt(0);
    s += c < 0x21 || c > 0x7e || '()<>[]{}/%#'.includes(ch) ? `#${c.toString(16).padStart(2, '0')}` : ch;
  }
  return s;
}

export function dict(entries: Record<string, PdfObject>): PdfDict {
  return new PdfDict(new Map(Object.entries(entries)), -1, -1);
}

export function name(n: string): PdfName {
  return new PdfName(n);
}

export function str(text: string): PdfString {
  return new PdfString(Buffer.from(text, 'latin1'), false, -1, -1);
}

/**
 * Body of one object of an incremental update: either a value or raw bytes (for streams and placeholders). `gen` is
 * the generation of an existing object written again (references to it say `num gen R`); new objects leave it out
 * (generation 0).
 */
export type UpdateObject = (
  | { value: PdfObject }
  | { raw: Uint8Array }
  | { stream: Uint8Array; dict: PdfDict }
) & {
  gen?: number;
};

export interface IncrementalUpdate {
  objects: Map<number, UpdateObject>;
  /** Extra trailer entries (Root, Info …); Size and Prev are computed. */
  trailer: Record<string, PdfObject>;
}

export interface AppendResult {
  bytes: Uint8Array;
  /** Absolute offset of each written object's header. */
  offsets: Map<number, number>;
}

/**
 * Appends one incremental update (objects, a cross-reference section with /Prev, startxref, %%EOF) after
 * `base`. The section keeps the form of the one at `prevStartxref` (ISO 32000-1 §7.5.8.4 defines the /Prev of a
 * classic trailer as a classic section and the /Prev of a cross-reference stream as a stream; readers such as
 * macOS Preview do not follow a chain that crosses): a classic `xref` table after a table (or a hybrid file's
 * table), a cross-reference stream after a stream.
 */
export function appendIncrementalUpdate(
  base: Uint8Array,
  update: IncrementalUpdate,
  prevStartxref: number,
  size: number,
): AppendResult {
  const parts: Buffer[] = [Buffer.from(base)];
  let pos = base.length;
  if (base[base.length - 1] !== 10) {
    parts.push(Buffer.from('\n'));
    pos++;
  }
  const offsets = new Map<number, number>();
  const gens = generations(update);
  const nums = [...update.objects.keys()].sort((a, b) => a - b);
  for (const num of nums) {
    offsets.set(num, pos);
    const chunk = objectChunk(num, gens.get(num)!, update.objects.get(num)!);
    parts.push(chunk);
    pos += chunk.length;
  }
  const section = { nums, offsets, gens, at: pos, prev: prevStartxref, size, trailer: update.trailer };
  parts.push(isClassicSection(base, prevStartxref) ? classicSection(section) : streamSection(section));
  return { bytes: new Uint8Array(Buffer.concat(parts)), offsets };
}

/**
 * The generation each object is written at: its own `gen`, else that of the trailer's /Root when it is the catalog
 * (the trailer written says `Root num gen R`, so the catalog written again must be at that generation), else 0.
 */
function generations(update: IncrementalUpdate): Map<number, number> {
  const root = update.trailer.Root;
  const gens = new Map<number, number>();
  for (const [num, o] of update.objects) {
    const gen = o.gen ?? (root instanceof PdfRef && root.num === num ? root.gen : 0);
    // ISO 32000-1 §7.5.4: a generation is at most 65535 (5 digits in a table, 2 bytes in our stream rows).
    if (!Number.isInteger(gen) || gen < 0 || gen > 65535)
      throw new EsignError(
        'ERR_ESIGN_DOCUMENT',
        `Object ${num} has generation ${gen}: it cannot be written again`,
      );
    gens.set(num, gen);
  }
  return gens;
}

/** One written object: `num gen obj`, its value, raw bytes or stream, `endobj`. */
function objectChunk(num: number, gen: number, o: UpdateObject): Buffer {
  if ('raw' in o)
    return Buffer.concat([Buffer.from(`${num} ${gen} obj\n`), Buffer.from(o.raw), Buffer.from('\nendobj\n')]);
  if ('stream' in o) {
    const d = new PdfDict(new Map(o.dict.map), -1, -1);
    d.map.set('Length', o.stream.length);
    return Buffer.concat([
      Buffer.from(`${num} ${gen} obj\n${serialize(d)}\nstream\n`),
      Buffer.from(o.stream),
      Buffer.from('\nendstream\nendobj\n'),
    ]);
  }
  return Buffer.from(`${num} ${gen} obj\n${serialize(o.value)}\nendobj\n`, 'latin1');
}

/** Whether the section at `offset` is a classic `xref` table (after any white space), not a stream object. */
function isClassicSection(base: Uint8Array, offset: number): boolean {
  let i = offset;
  while (i < base.length && [0, 9, 10, 12, 13, 32].includes(base[i]!)) i++;
  return Buffer.from(base.subarray(i, i + 4)).toString('latin1') === 'xref';
}

interface Section {
  nums: number[];
  offsets: Map<number, number>;
  /** Generation of each written object. */
  gens: Map<number, number>;
  /** Offset of the section itself. */
  at: number;
  prev: number;
  size: number;
  trailer: Record<string, PdfObject>;
}

/** Runs of consecutive numbers as [first, count] pairs. */
function runs(nums: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    out.push([nums[i]!, j - i + 1]);
    i = j + 1;
  }
  return out;
}

function classicSection(s: Section): Buffer {
  let xref = 'xref\n0 1\n0000000000 65535 f \n';
  for (const [first, count] of runs(s.nums)) {
    xref += `${first} ${count}\n`;
    for (let k = first; k < first + count; k++)
      xref += `${String(s.offsets.get(k)!).padStart(10, '0')} ${String(s.gens.get(k)!).padStart(5, '0')} n \n`;
  }
  const maxNum = Math.max(s.size - 1, ...s.nums);
  const trailer = dict({ ...s.trailer, Size: maxNum + 1, Prev: s.prev });
  xref += `trailer\n${serialize(trailer)}\nstartxref\n${s.at}\n%%EOF\n`;
  return Buffer.from(xref, 'latin1');
}

/** A cross-reference stream (uncompressed, type 1 entries: offset and generation) listing the objects and itself. */
function streamSection(s: Section): Buffer {
  const xnum = Math.max(s.size - 1, ...s.nums) + 1;
  const offsets = new Map(s.offsets).set(xnum, s.at);
  const nums = [...s.nums, xnum];
  let width = 1;
  while (s.at >= 256 ** width) width++;
  const rows = nums.map((n) => {
    const row = Buffer.alloc(1 + width + 2);
    row[0] = 1;
    row.writeUIntBE(offsets.get(n)!, 1, width);
    row.writeUInt16BE(s.gens.get(n) ?? 0, 1 + width);
    return row;
  });
  const data = Buffer.concat(rows);
  const d = dict({
    ...s.trailer,
    Type: name('XRef'),
    Size: xnum + 1,
    W: [1, width, 2],
    Index: runs(nums).flat(),
    Prev: s.prev,
    Length: data.length,
  });
  return Buffer.concat([
    Buffer.from(`${xnum} 0 obj\n${serialize(d)}\nstream\n`, 'latin1'),
    data,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${s.at}\n%%EOF\n`, 'latin1'),
  ]);
}
