// Attack class: a file whose declared MIME type lies about its bytes. The MIME allow-list (ERR_ECMS_MIME) kept
// `application/x-msdownload` out, yet a Windows program, an ELF or a Mach-O binary declared `application/pdf`
// or `text/plain` passed and was handed to the application, which stores and serves files by the declared type
// and trusts the allow-list to have kept programs out. Content that is recognisably a program is now refused
// whatever type declares it; a mislabelled document (a DOCX declared as a zip) is still the sender's choice.
import { describe, expect, it } from 'vitest';
import { decodeGovernmentDocument, encodeGovernmentDocument } from '../../src/index.js';
import { pdfBytes, sampleLetter } from '../helpers/letters.js';

/** A Windows PE image's first bytes: the DOS header, e_lfanew at 0x3C, then `PE\0\0`. */
function peImage(): Buffer {
  const b = Buffer.alloc(256, 0x90);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

const PROGRAMS: [string, Buffer][] = [
  ['a Windows PE program', peImage()],
  ['an ELF program', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64, 1)])],
  ['a 64-bit Mach-O program', Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), Buffer.alloc(64, 1)])],
  ['a 32-bit Mach-O program', Buffer.concat([Buffer.from([0xce, 0xfa, 0xed, 0xfe]), Buffer.alloc(64, 1)])],
];

/** The letter as a peer sends it, one binary object's content replaced after encoding (no sender-side check). */
function received(where: 'main' | 'attachment', declared: string, content: Buffer): Buffer {
  const marker = Buffer.from('%PDF-1.7\nplaceholder');
  const letter =
    where === 'main'
      ? sampleLetter({ mainLetter: { mimeCode: declared, content: marker }, attachments: [] })
      : sampleLetter({ attachments: [{ mimeCode: declared, content: marker }] });
  const xml = encodeGovernmentDocument(letter).toString('utf8');
  expect(xml).toContain(marker.toString('base64'));
  return Buffer.from(xml.replace(marker.toString('base64'), content.toString('base64')), 'utf8');
}

describe('a program behind an allowed MIME type', () => {
  it('control: the same shapes with real documents decode', () => {
    expect(
      decodeGovernmentDocument(received('main', 'application/pdf', pdfBytes(300))).mainLetter.mimeCode,
    ).toBe('application/pdf');
    const text = Buffer.from('MZ is how this note starts, and it is plain text.\n');
    expect(
      decodeGovernmentDocument(received('attachment', 'text/plain', text)).attachments[0]?.content,
    ).toEqual(text);
  });

  for (const [name, bytes] of PROGRAMS) {
    it(`${name}: refused as the main letter and as an attachment (ERR_ECMS_MIME)`, () => {
      for (const [where, declared] of [
        ['main', 'application/pdf'],
        ['attachment', 'application/pdf'],
        ['attachment', 'text/plain'],
        ['attachment', 'application/zip'],
      ] as const) {
        expect(
          () => decodeGovernmentDocument(received(where, declared, bytes)),
          `${where} ${declared}`,
        ).toThrow(expect.objectContaining({ code: 'ERR_ECMS_MIME' }));
      }
    });
  }

  it('a program without any declared type is refused too, not sniffed into something else', () => {
    const xml = received('attachment', 'text/plain', peImage()).toString('utf8');
    const undeclared = xml.replace(
      /<ram:AttachmentBinaryObject mimeCode="text\/plain"/,
      '<ram:AttachmentBinaryObject',
    );
    expect(undeclared).not.toBe(xml);
    expect(() => decodeGovernmentDocument(undeclared)).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MIME' }),
    );
  });
});
