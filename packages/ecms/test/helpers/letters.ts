import type { LetterInput } from '../../src/index.js';

export const DGA = '0031500001';
export const DOPA = '1500300001';

/** A small but valid PDF-looking payload. */
export function pdfBytes(size = 64, fill = 0x41): Buffer {
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), fill)]);
}

export function sampleLetter(overrides: Partial<LetterInput> = {}): LetterInput {
  return {
    id: 'สพร 0105/1234',
    correspondenceDate: '2026-11-27',
    subject: 'ขอเชิญประชุมคณะทำงานรัฐบาลดิจิทัล',
    secrecy: 'normal',
    speed: 'urgent',
    sender: { givenName: 'สมชาย', familyName: 'ใจดี', jobTitle: 'ผู้อำนวยการ', departmentId: DGA },
    receiver: { jobTitle: 'อธิบดีกรมการปกครอง', departmentId: DOPA },
    references: [{ id: 'มท 0309/55', correspondenceDate: '2026-10-01', subject: 'หนังสือเดิม' }],
    enclosures: 'สำเนาระเบียบวาระ 1 ชุด',
    sendDate: '2026-11-27T10:15:00',
    description: 'รายละเอียดเพิ่มเติม',
    mainLetter: { mimeCode: 'application/pdf', content: pdfBytes(300) },
    attachments: [{ mimeCode: 'image/png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }],
    ...overrides,
  };
}
