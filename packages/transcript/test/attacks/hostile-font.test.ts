import { describe, expect, it } from 'vitest';
import { issueTranscript } from '../../src/index.js';
import { bundledThaiFont, loadFont, PdfFontWriter, shapeText } from '../../src/issue/font/index.js';
import { SAMPLE_XML } from '../fixtures/generate.js';
import { createTestPki } from '../helpers/pki.js';

// A caller-supplied font is untrusted input: HarfBuzz parses it in WebAssembly, and whatever the bytes,
// issuing ends in a typed error or a valid document, never a crash, hang or wasm trap.
const sarabun = await bundledThaiFont('regular');
const pki = await createTestPki();

function table(bytes: Uint8Array, tag: string): { offset: number; length: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < v.getUint16(4); i++) {
    const at = 12 + i * 16;
    if (String.fromCharCode(...bytes.subarray(at, at + 4)) === tag) {
      return { offset: v.getUint32(at + 8), length: v.getUint32(at + 12) };
    }
  }
  throw new Error(`no ${tag}`);
}

function patched(edit: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = sarabun.slice();
  edit(copy, new DataView(copy.buffer));
  return copy;
}

const HOSTILE: Record<string, { bytes: () => Uint8Array; code: string }> = {
  'not a font': {
    bytes: () => new TextEncoder().encode('<html>not a font</html>'),
    code: 'ERR_FONT_UNREADABLE',
  },
  'WOFF2 web font': {
    bytes: () => new TextEncoder().encode('wOF2\u0000\u0001\u0000\u0000rest'),
    code: 'ERR_FONT_UNREADABLE',
  },
  'font collection': {
    bytes: () => new TextEncoder().encode('ttcf\u0000\u0001\u0000\u0000\u0000\u0000'),
    code: 'ERR_FONT_UNREADABLE',
  },
  'sfnt header only': { bytes: () => sarabun.slice(0, 12), code: 'ERR_FONT_UNREADABLE' },
  'truncated in the table directory': { bytes: () => sarabun.slice(0, 100), code: 'ERR_FONT_UNREADABLE' },
  'unitsPerEm of 0': {
    bytes: () => patched((b, v) => v.setUint16(table(b, 'head').offset + 18, 0)),
    code: 'ERR_FONT_UNREADABLE',
  },
  'restricted-licence fsType': {
    bytes: () => patched((b, v) => v.setUint16(table(b, 'OS/2').offset + 8, 0x0002)),
    code: 'ERR_FONT_NOT_EMBEDDABLE',
  },
  'bitmap-only fsType': {
    bytes: () => patched((b, v) => v.setUint16(table(b, 'OS/2').offset + 8, 0x0200)),
    code: 'ERR_FONT_NOT_EMBEDDABLE',
  },
  'over 32 MiB': { bytes: () => new Uint8Array(32 * 1024 * 1024 + 1), code: 'ERR_FONT_UNREADABLE' },
};

describe('hostile font files', () => {
  for (const [label, { bytes, code }] of Object.entries(HOSTILE)) {
    it(`${label}: ${code} from the font layer, ERR_TRANSCRIPT_ISSUE (with that cause) from issuing`, async () => {
      await expect(loadFont(bytes())).rejects.toMatchObject({ code });
      const err = await issueTranscript({
        xml: SAMPLE_XML,
        signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
        font: bytes(),
        student: { nameTh: 'นางสาวสมศรี ใจดี' },
      }).then(
        () => undefined,
        (e: unknown) => e as { code?: string; cause?: { code?: string }; message: string },
      );
      expect(err?.code).toBe('ERR_TRANSCRIPT_ISSUE');
      expect(err?.cause?.code).toBe(code);
      expect(err?.message).not.toContain('สมศรี');
    });
  }

  it('garbage outlines (glyf overwritten) shape, subset and embed without a trap or a hang', async () => {
    const bytes = patched((b) => {
      const glyf = table(b, 'glyf');
      // A fixed pseudo-random pattern: the same hostile bytes on every run.
      let x = 0x2545f491;
      for (let i = glyf.offset; i < glyf.offset + glyf.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        b[i] = x & 0xff;
      }
    });
    const font = await loadFont(bytes);
    const writer = new PdfFontWriter(font);
    writer.showText(await shapeText(font, 'น้ำใจ Test'), { x: 0, y: 0, size: 12, resourceName: 'F1' });
    const outcome = await writer.build().then(
      (set) => ({ ok: true as const, objects: set.objects.length }),
      (e: unknown) => ({ ok: false as const, code: (e as { code?: string }).code }),
    );
    if (outcome.ok) expect(outcome.objects).toBe(5);
    else expect(outcome.code).toBe('ERR_FONT_UNREADABLE');
  });

  it('a glyph ID outside the font is shown with zero width instead of reading past hmtx', async () => {
    const font = await loadFont(sarabun);
    expect(font.glyphAdvance(65_000)).toBe(0);
  });
});
