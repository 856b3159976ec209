import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, NAME_MASK, redactText } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { renderings } from '../helpers/renderings.js';

/**
 * Thai is written without spaces between words, so a title is usually glued to the word before it: "คำขอของนายสมชาย
 * ใจดี ถูกปฏิเสธ" (the request of Mr Somchai Jaidee was refused). A title glued to a Thai letter before it was never
 * read as one (to keep ทนายความ, lawyer, and เจ้านาย, boss): the most common sentence of a Thai error message put the
 * name in clear. A title now counts after the short words that introduce a person (ของ, โดย, จาก, ถึง, กับ, และ, ให้,
 * คำขอ, เรียน …), and the long titles no word contains (นางสาว, เด็กชาย, เด็กหญิง) count after any letter.
 */

const NAMED = [
  ['คำขอของนายสมชาย ใจดี ถูกปฏิเสธ', ['สมชาย', 'ใจดี']],
  ['ไม่พบข้อมูลของนางสมศรี มีสุข ในทะเบียนราษฎร', ['สมศรี', 'มีสุข']],
  ['ผู้ยื่นคำขอนางสาวสมหญิง รักไทย', ['สมหญิง', 'รักไทย']],
  ['ผู้ยื่นคำขอนางสาวสมหญิงรักไทย', ['สมหญิง']],
  ['ส่งถึงนางสมศรี มีสุข แล้ว', ['สมศรี', 'มีสุข']],
  ['อนุมัติโดยนายทะเบียนนายสมชาย ใจดี', ['สมชาย', 'ใจดี']],
  ['ข้อมูลสิทธิของเด็กชายสมชาย ใจดี ไม่ถูกต้อง', ['สมชาย', 'ใจดี']],
  ['มอบอำนาจให้นายสมชาย ใจดี ดำเนินการแทน', ['สมชาย', 'ใจดี']],
  ['เรียนนายสมชาย ใจดี', ['สมชาย', 'ใจดี']],
] as const;

describe('titles glued to the word before them', () => {
  for (const [text, parts] of NAMED) {
    it(`masks the name in "${text}"`, () => {
      const out = redactText(text);
      expect(out).toContain(NAME_MASK);
      for (const part of parts) expect(out).not.toContain(part);
    });
  }

  it('reaches an HttpError and the SafeLogger masked', () => {
    const err = new HttpError('ERR_HTTP', 'คำขอของนายสมชาย ใจดี ถูกปฏิเสธ', { statusCode: 409 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn('refused', { detail: 'ผู้ยื่นคำขอนางสาวสมหญิง รักไทย' });
    const text = renderings(err, lines);
    expect(text).not.toContain('สมชาย');
    expect(text).not.toContain('สมหญิง');
  });

  it('keeps words that hold a title and offices after those words', () => {
    for (const text of [
      'ทนายความของผู้ยื่นคำขอ',
      'เจ้านายของฉันอนุมัติแล้ว',
      'ลูกจ้างของนายจ้าง',
      'ในนามของนายกรัฐมนตรี',
      'ได้รับอนุมัติจากนางพยาบาลแล้ว',
      'ตามประกาศ พ.ศ.2567',
      'ขอบคุณที่ใช้บริการ คุณภาพข้อมูลดี',
      'ส่งคำขอให้นายทะเบียนแล้ว',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });
});
