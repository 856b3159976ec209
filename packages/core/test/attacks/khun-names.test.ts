import { captureLogger, cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, NAME_MASK, redactText } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { renderings } from '../helpers/renderings.js';

/**
 * `คุณ` (Khun) is how Thai text addresses or names anyone without a rank: "ไม่พบข้อมูลของคุณสมชาย ใจดี" (no data for
 * Khun Somchai Jaidee). Names after the formal titles (นาย, นาง, ดร., ranks) were masked; after คุณ, or after its
 * English spelling `Khun`, they reached error messages and logs in clear, because คุณ is also "you" and begins
 * ordinary words (คุณสมบัติ, qualification; คุณภาพ, quality; ขอบคุณ, thank you).
 */

const NAMED = [
  ['ไม่พบข้อมูลของคุณสมชาย ใจดี', ['สมชาย', 'ใจดี']],
  ['ผู้ยื่นคำขอ: คุณ สมหญิง รักไทย (ผู้รับมอบอำนาจ)', ['สมหญิง', 'รักไทย']],
  // With a space after คุณ, a name that is also the end of a word (คุณสมบัติ, qualification) is a name.
  ['เรียน คุณ สมบัติ มั่นคง', ['สมบัติ', 'มั่นคง']],
  ['No record for Khun Somchai Jaidee in the registry', ['Somchai', 'Jaidee']],
] as const;

describe('names after คุณ (Khun)', () => {
  for (const [text, parts] of NAMED) {
    it(`masks the name in "${text}"`, () => {
      const out = redactText(text);
      expect(out).toContain(NAME_MASK);
      for (const part of parts) expect(out).not.toContain(part);
    });
  }

  it('leaves คุณ as "you" and the words that begin with it', () => {
    for (const text of [
      'คุณไม่มีสิทธิ์เข้าถึงข้อมูลนี้',
      'คุณไม่มีสิทธิ์ กรุณาติดต่อผู้ดูแลระบบ',
      'โทเค็นของคุณ หมดอายุ กรุณาเข้าสู่ระบบใหม่',
      'คุณสมบัติไม่ครบ กรุณาตรวจสอบ เอกสาร',
      'คุณภาพข้อมูล ต่ำกว่าเกณฑ์',
      'ขอบคุณ ที่ใช้บริการ',
      'ขอบคุณค่ะ ระบบจะแจ้งผลทางอีเมล',
      'ชุดข้อมูลที่มีคุณค่าสูง ตามประกาศ',
      'คุณต้องยืนยันตัวตน ก่อนใช้งาน',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });

  it('reaches an HttpError and the SafeLogger masked', () => {
    const err = new HttpError('ERR_HTTP', 'ไม่พบข้อมูลของคุณสมชาย ใจดี', { statusCode: 404 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn('lookup failed', { detail: 'Khun Somchai Jaidee not found' });
    const text = renderings(err, lines);
    expect(text).not.toContain('สมชาย');
    expect(text).not.toContain('Somchai');
  });

  it('reads long Thai text without spaces in linear time (CPU time, generous bound)', () => {
    for (const text of [
      'คุณ'.repeat(100_000),
      `คุณ${'ก'.repeat(300_000)}`,
      'คุณก '.repeat(60_000),
      'Khun '.repeat(60_000),
    ]) {
      const cpu = cpuMsOf(() => redactText(text));
      expect(cpu, text.slice(0, 8)).toBeLessThan(3_000);
    }
  });
});
