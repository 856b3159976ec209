import { completeThaiId } from '@thgov/core';
import { findCitizenIds } from '@thgov/core/internal';
import { describe, expect, it } from 'vitest';
import { CitizenIdByteCounter, CitizenIdCounter } from '../../src/citizen-ids.js';
import { countCitizenIds } from '../../src/index.js';

/**
 * Attack class: an ID split at a piece boundary. The guard reads long text in pieces cut at characters that end a
 * digit run; a cell separator (`,` `"` `|` `:` `'`) does not end one, since core's detector reads
 * `1,1037,00123,45,8` and `"1","1037",…` as one ID. A cut there hid the ID from both pieces. The pieces and the
 * decoding of bytes in slices must read exactly as the whole text does.
 */

const ID = completeThaiId('110370012345');
const cells = (sep: string, quote = '') =>
  [ID.slice(0, 1), ID.slice(1, 5), ID.slice(5, 10), ID.slice(10, 12), ID.slice(12)]
    .map((g) => `${quote}${g}${quote}`)
    .join(sep);
const SPLIT = {
  commas: cells(','),
  quotedCells: cells(',', '"'),
  pipes: cells('|'),
  colons: cells(':'),
  singleQuoted: cells(',', "'"),
};

/** A counter fed `text` in pieces of the given lengths (cycled). */
function countInPieces(text: string, sizes: number[]): number {
  const counter = new CitizenIdCounter();
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = sizes[k % sizes.length] as number;
    counter.push(text.slice(i, i + n));
    i += n;
  }
  return counter.end();
}

describe('IDs split by cell separators', () => {
  it.each(Object.entries(SPLIT))('counts an ID written as %s on its own, as core finds it', (_n, text) => {
    expect(findCitizenIds(text)).toHaveLength(1);
    expect(countCitizenIds(text)).toBe(1);
    expect(countCitizenIds(`ชื่อ,${text}`)).toBe(1);
  });

  it.each(Object.entries(SPLIT))('counts an ID written as %s across a piece boundary', (_n, text) => {
    let missed = 0;
    for (let shift = 0; shift < text.length + 4; shift++) {
      const doc = `${'ก'.repeat(16 * 1024 - shift - 3)},${text},ข`;
      if (countCitizenIds(doc) !== 1) missed++;
    }
    expect(missed).toBe(0);
  });

  it('counts the same whatever the size of the pieces pushed', () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      i % 997 === 3 ? `จังหวัด,${SPLIT.commas}\n` : `จังหวัด,${i},${i * 7}\n`,
    ).join('');
    const whole = findCitizenIds(rows).length;
    expect(whole).toBe(4);
    for (const sizes of [[rows.length], [1], [7, 13], [4096], [16 * 1024 + 5], [100_000, 3]]) {
      expect(countInPieces(rows, sizes)).toBe(whole);
    }
  });
});

describe('bytes decoded in slices', () => {
  /** A byte counter fed `bytes` in chunks of the given lengths (cycled). */
  function countBytes(bytes: Buffer, sizes: number[]): number {
    const counter = new CitizenIdByteCounter(bytes);
    for (let i = 0, k = 0; i < bytes.length; k++) {
      const n = sizes[k % sizes.length] as number;
      counter.push(bytes.subarray(i, i + n));
      i += n;
    }
    return counter.end();
  }

  it('counts IDs in Thai digits split inside a three-byte character, at any chunking', () => {
    const thai = ID.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    const bytes = Buffer.from(`\ufeffชื่อ,${thai}\n${'ก,'.repeat(40_000)}${SPLIT.quotedCells}\n`);
    for (const sizes of [[bytes.length], [1], [2, 5], [65_536], [262_144], [65_537, 3]]) {
      expect(countBytes(bytes, sizes)).toBe(2);
    }
  });

  it('counts the same when every chunk is read into one reused buffer (as a file is scanned)', () => {
    const thai = ID.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    const bytes = Buffer.from(`ชื่อ,${thai}\n${'ก,'.repeat(40_000)}${SPLIT.commas}\n${thai}`);
    for (const size of [1, 5, 4096, 65_537]) {
      const counter = new CitizenIdByteCounter(bytes);
      const reused = Buffer.alloc(size);
      for (let i = 0; i < bytes.length; i += size) {
        const n = bytes.copy(reused, 0, i, i + size);
        counter.push(reused.subarray(0, n));
        reused.fill(0x31);
      }
      expect(counter.end()).toBe(3);
    }
  });

  it('reads invalid UTF-8 as the whole-buffer decoding does (replacement characters break a run)', () => {
    const bad = Buffer.concat([
      Buffer.from(`x,${ID.slice(0, 6)}`),
      Buffer.from([0xe0, 0xb9]),
      Buffer.from(`${ID.slice(6)},y\n`),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.from(`,${ID},\n`),
      Buffer.from([0xc3]),
    ]);
    const whole = findCitizenIds(new TextDecoder().decode(bad)).length;
    expect(whole).toBe(1);
    for (const sizes of [[bad.length], [1], [2, 3], [5]]) expect(countBytes(bad, sizes)).toBe(whole);
  });
});
