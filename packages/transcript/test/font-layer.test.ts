import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { requireTool } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundledThaiFont,
  itemize,
  type LoadedFont,
  loadFont,
  PdfFontWriter,
  PdfLocalRef,
  type PdfObjectSet,
  shapeText,
} from '../src/issue/font/index.js';
import { textPdf } from './helpers/text-pdf.js';

const regular = await loadFont(await bundledThaiFont('regular'));
const names = async (font: LoadedFont, text: string) =>
  (await shapeText(font, text)).glyphs.map((g) => font.hb.font.glyphName(g.id));
const tmp = mkdtempSync(join(tmpdir(), 'thgov-font-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Text as a reader rebuilds it: ActualText spans where present, ToUnicode for every other glyph code. */
function extract(ops: string, set: PdfObjectSet): string {
  const cmap = new TextDecoder().decode(set.objects[4]!.stream!);
  const toUnicode = new Map<string, string>();
  for (const m of cmap.matchAll(/<([0-9A-F]{4})> <([0-9A-F]*)>/g)) {
    toUnicode.set(m[1]!, Buffer.from(m[2]!, 'hex').swap16().toString('utf16le'));
  }
  let out = '';
  let span: string | undefined;
  for (const m of ops.matchAll(/\/ActualText <FEFF([0-9A-F]*)>>> BDC|EMC|<([0-9A-F]{4})>/g)) {
    if (m[1] !== undefined) {
      span = Buffer.from(m[1], 'hex').swap16().toString('utf16le');
      out += span;
    } else if (m[0] === 'EMC') span = undefined;
    else if (span === undefined) out += toUnicode.get(m[2]!) ?? '\uFFFD';
  }
  return out;
}

describe('shaping Thai with HarfBuzz', () => {
  it('decomposes SARA AM into NIKHAHIT + SARA AA, the nikhahit a zero-advance mark over the consonant', async () => {
    expect(await names(regular, 'ทำ')).toEqual(['uni0E17', 'uni0E4D', 'uni0E32']);
    const run = await shapeText(regular, 'ทำ');
    expect(run.glyphs[1]!.xAdvance).toBe(0);
  });

  it('moves tone marks clear of tall consonants and stacks them above upper vowels', async () => {
    expect(await names(regular, 'ป่')).toEqual(['uni0E1B', 'uni0E48.narrow']);
    expect(await names(regular, 'ฟ้')).toEqual(['uni0E1F', 'uni0E49.narrow']);
    expect(await names(regular, 'ก่')).toEqual(['uni0E01', 'uni0E48']);
    // Above an upper vowel the tone mark is the small form, placed by GPOS mark-to-mark.
    expect(await names(regular, 'กิ่')).toEqual(['uni0E01', 'uni0E34', 'uni0E48.small']);
  });

  it('drops the descender of ญ and ฐ before a lower vowel', async () => {
    expect(await names(regular, 'ญู')).toEqual(['yoYingthai.less', 'uni0E39']);
    expect(await names(regular, 'ฐู')).toEqual(['thoThanthai.less', 'uni0E39']);
  });

  it('keeps every mark at zero advance and positions some by GPOS offsets', async () => {
    const run = await shapeText(regular, 'ปั้น ฝั่ง ฟื้น ที่ กิ่ง ปู่');
    const marks = run.glyphs.filter((g) => /^uni0E(3[14-9A]|4[7-E])/.test(regular.hb.font.glyphName(g.id)));
    expect(marks.length).toBeGreaterThan(8);
    for (const m of marks) expect(m.xAdvance).toBe(0);
    expect(marks.some((m) => m.xOffset !== 0 || m.yOffset !== 0)).toBe(true);
  });

  it('shapes Latin in its own script run, as if it stood alone', async () => {
    expect(itemize('มหาวิทยาลัย Test, 2567 University')).toEqual([
      { start: 0, end: 12, script: 'Thai' },
      { start: 12, end: 33, script: 'Latn' },
    ]);
    expect(itemize('(2567) ทดสอบ')).toEqual([{ start: 0, end: 12, script: 'Thai' }]);
    const mixed = await shapeText(regular, 'ทดสอบ AVATAR To');
    const alone = await shapeText(regular, 'AVATAR To');
    const tail = mixed.glyphs.slice(-alone.glyphs.length);
    expect(tail.map((g) => [g.id, g.xAdvance])).toEqual(alone.glyphs.map((g) => [g.id, g.xAdvance]));
  });

  it('refuses text the font cannot show, naming neither the text nor its characters', async () => {
    const err = await shapeText(regular, 'สมชาย 漢字').then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(err?.code).toBe('ERR_FONT_MISSING_GLYPH');
    expect(err?.message).toContain('2 character(s)');
    for (const s of [err!.message, JSON.stringify(err), inspect(err)]) {
      expect(s).not.toMatch(/สมชาย|漢|6F22/);
    }
  });
});

describe('embedding as a Type0 / CIDFontType2 font', () => {
  it('writes Identity-H with /W equal to the advances of the embedded subset, glyph IDs kept', async () => {
    const writer = new PdfFontWriter(regular);
    const run = await shapeText(regular, 'น้ำใจ ปู่ Test');
    writer.showText(run, { x: 0, y: 0, size: 12, resourceName: 'F1' });
    const set = await writer.build();
    const [type0, cid, descriptor, file, toUnicode] = set.objects;
    expect(set.root).toBe(0);
    expect(type0!.dict.Encoding).toMatchObject({ name: 'Identity-H' });
    expect(type0!.dict.DescendantFonts).toEqual([new PdfLocalRef(1)]);
    expect(type0!.dict.ToUnicode).toEqual(new PdfLocalRef(4));
    expect(cid!.dict.Subtype).toMatchObject({ name: 'CIDFontType2' });
    expect(cid!.dict.CIDToGIDMap).toMatchObject({ name: 'Identity' });
    expect((descriptor!.dict.FontName as { name: string }).name).toMatch(/^[A-Z]{6}\+Sarabun-Regular$/);
    expect(file!.dict.Length1).toBe(file!.stream!.length);
    expect(toUnicode!.stream!.length).toBeGreaterThan(0);

    const subset = await loadFont(file!.stream!);
    expect(file!.stream!.length).toBeLessThan(regular.bytes.length / 2);
    const w = cid!.dict.W as (number | number[])[];
    const ids = new Set<number>();
    for (let i = 0; i < w.length; i += 2) {
      const first = w[i] as number;
      (w[i + 1] as number[]).forEach((width, k) => {
        ids.add(first + k);
        // PDF/A: the widths in the font dictionary and in the embedded program agree.
        expect(width).toBe(subset.glyphAdvance(first + k));
        expect(width).toBe(regular.glyphAdvance(first + k));
      });
    }
    expect([...ids].sort((a, b) => a - b)).toEqual(
      [...new Set(run.glyphs.map((g) => g.id))].sort((a, b) => a - b),
    );
    // Glyph IDs are kept: outlines of the shown glyphs survive, unused ones are emptied.
    for (const id of ids) expect(subset.hb.font.glyphToPath(id)).toBe(regular.hb.font.glyphToPath(id));
    const unused = regular.hb.font.glyph('ฮ'.codePointAt(0)!)!;
    expect(regular.hb.font.glyphToPath(unused)).not.toBe('');
    expect(subset.hb.font.glyphToPath(unused)).toBe('');
  });

  it('gives back exactly the shaped text: ToUnicode per glyph, ActualText where glyphs and characters differ', async () => {
    const writer = new PdfFontWriter(regular);
    const texts = ['น้ำ ทำ กำ', 'ที่ ปู่ ญู ฐู', 'ผู้ใหญ่บ้าน 2567', 'ffi fi fl Test'];
    const ops: string[] = [];
    for (const t of texts)
      ops.push(writer.showText(await shapeText(regular, t), { x: 0, y: 0, size: 9, resourceName: 'F1' }));
    const set = await writer.build();
    texts.forEach((t, i) => {
      expect(extract(ops[i]!, set)).toBe(t);
    });
    // SARA AM is two glyphs for one character: an ActualText span carries it.
    expect(ops[0]).toContain('/ActualText <FEFF0E33>');
  });

  it('is deterministic: the same text gives the same objects and operators', async () => {
    const make = async () => {
      const font = await loadFont(await bundledThaiFont('regular'));
      const writer = new PdfFontWriter(font);
      const ops = writer.showText(await shapeText(font, 'นางสาวสมศรี ใจดี'), {
        x: 50.25,
        y: 700,
        size: 14,
        resourceName: 'F1',
      });
      return { ops, set: await writer.build() };
    };
    const [a, b] = [await make(), await make()];
    expect(a.ops).toBe(b.ops);
    expect(a.set).toEqual(b.set);
  });
});

const popplerText = requireTool('poppler-text', { why: "poppler's text extraction of the shaped Thai text" });

popplerText.describe('text extraction by poppler', () => {
  it('pdftotext gives back the Thai text of a page written by the font layer', async () => {
    const lines = ['น้ำใจ ปู่ป่า ที่กิ่ง ญูฐู ฟ้า ทำ', 'นางสาวสมศรี ใจดี Ms Somsri Jaidee'];
    const pdf = await textPdf(
      regular,
      lines.map((text, i) => ({ text, x: 10, y: 150 - i * 40, size: 20 })),
    );
    const file = join(tmp, 'extract.pdf');
    writeFileSync(file, pdf);
    const out = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(out.stdout.split('\n').slice(0, 2)).toEqual(lines);
  });
});
