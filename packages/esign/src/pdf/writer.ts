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

/** Body of one object of an incremental update: either a value or raw bytes (for streams and placeholders). */
export type UpdateObject = { value: PdfObject } | { raw: Uint8Array } | { stream: Uint8Array; dict: PdfDict };

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
 * Appends one incremental update (objects, classic xref table, trailer with /Prev, startxref, %%EOF)
 * after `base`, which must end with an end-of-line after its `%%EOF`.
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
  const nums = [...update.objects.keys()].sort((a, b) => a - b);
  for (const num of nums) {
    const o = update.objects.get(num)!;
    offsets.set(num, pos);
    let chunk: Buffer;
    if ('raw' in o)
      chunk = Buffer.concat([Buffer.from(`${num} 0 obj\n`), Buffer.from(o.raw), Buffer.from('\nendobj\n')]);
    else if ('stream' in o) {
      const d = new PdfDict(new Map(o.dict.map), -1, -1);
      d.map.set('Length', o.stream.length);
      chunk = Buffer.concat([
        Buffer.from(`${num} 0 obj\n${serialize(d)}\nstream\n`),
        Buffer.from(o.stream),
        Buffer.from('\nendstream\nendobj\n'),
      ]);
    } else chunk = Buffer.from(`${num} 0 obj\n${serialize(o.value)}\nendobj\n`, 'latin1');
    parts.push(chunk);
    pos += chunk.length;
  }
  const xrefAt = pos;
  let xref = 'xref\n0 1\n0000000000 65535 f \n';
  // One subsection per run of consecutive numbers.
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    xref += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) xref += `${String(offsets.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
    i = j + 1;
  }
  const maxNum = Math.max(size - 1, ...nums);
  const trailer = dict({ ...update.trailer, Size: maxNum + 1, Prev: prevStartxref });
  xref += `trailer\n${serialize(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  const bytes = new Uint8Array(Buffer.concat(parts));
  return { bytes, offsets };
}
