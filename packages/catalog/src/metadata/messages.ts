import { redactPreview, redactText } from '@thgov/core';
import { type FieldError, redactFieldError } from '../errors.js';
import type { FieldSpec } from './fields.js';

/** Rules the offline validator applies; each has a Thai and an English message naming the field. */
export type RuleName =
  | 'required'
  | 'type'
  | 'choice'
  | 'other_required'
  | 'true_false'
  | 'email'
  | 'url'
  | 'slug'
  | 'tag'
  | 'date'
  | 'year'
  | 'number'
  | 'too_long'
  | 'too_deep'
  | 'wrong_data_type';

// Redacted before the cut: a citizen ID straddling character 80 would otherwise keep 12 of its digits.
const quote = (v: unknown) => `"${redactPreview(String(v), 80)}"`;

const RULES: Record<RuleName, (label: { th: string; en: string }, detail?: string) => [string, string]> = {
  required: (l) => [`ต้องระบุ${l.th}`, `${l.en} is required`],
  type: (l, d) => [`${l.th}: ชนิดข้อมูลไม่ถูกต้อง (${d})`, `${l.en}: wrong type (${d})`],
  choice: (l, d) => [`${l.th}: ค่า ${d} ไม่อยู่ในตัวเลือกที่กำหนด`, `${l.en}: ${d} is not one of the allowed values`],
  other_required: (l, d) => [
    `เลือก "อื่นๆ" ใน${l.th} แล้วต้องระบุ ${d}`,
    `${l.en} is "อื่นๆ" (other): ${d} must say what it is`,
  ],
  true_false: (l) => [
    `${l.th}: ต้องเป็นข้อความ "True" หรือ "False"`,
    `${l.en} must be the string "True" or "False" (not a JSON boolean)`,
  ],
  email: (l) => [`${l.th}: รูปแบบอีเมลไม่ถูกต้อง`, `${l.en} is not a valid e-mail address`],
  url: (l) => [`${l.th}: ต้องเป็น URL แบบ http หรือ https`, `${l.en} must be an http(s) URL`],
  slug: (l, d) => [
    `${l.th}: ต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข - หรือ _ ยาว 2–${d} ตัวอักษร`,
    `${l.en} must be 2–${d} characters of lower-case a–z, 0–9, "-" or "_"`,
  ],
  tag: (l, d) => [
    `${l.th}: คำสำคัญ ${d} ต้องยาว 2–100 ตัวอักษร และมีเพียงตัวอักษร ตัวเลข ช่องว่าง - _ .`,
    `${l.en}: tag ${d} must be 2–100 letters, digits, spaces or - _ .`,
  ],
  date: (l) => [`${l.th}: ต้องเป็นวันที่รูปแบบ YYYY-MM-DD`, `${l.en} must be a date YYYY-MM-DD`],
  year: (l) => [`${l.th}: ต้องเป็นปี 4 หลัก (พ.ศ. หรือ ค.ศ.)`, `${l.en} must be a 4-digit year (BE or CE)`],
  number: (l) => [`${l.th}: ต้องเป็นตัวเลข`, `${l.en} must be a number`],
  too_long: (l, d) =>
    /^\d+$/.test(d ?? '')
      ? [`${l.th}: ยาวเกิน ${d} ตัวอักษร`, `${l.en} is longer than ${d} characters`]
      : [`${l.th}: เกิน ${d}`, `${l.en} has more than ${d}`],
  too_deep: (l) => [`${l.th}: โครงสร้างข้อมูลซ้อนกันลึกเกินไป`, `${l.en} is nested too deeply`],
  wrong_data_type: (l, d) => [
    `${l.th} ใช้กับชุดข้อมูลประเภท ${d} เท่านั้น`,
    `${l.en} belongs to datasets of type ${d} only`,
  ],
};

/** Builds a field error with both messages. */
export function fieldError(
  path: string,
  spec: Pick<FieldSpec, 'th' | 'en'>,
  rule: RuleName,
  detail?: unknown,
) {
  // Values echoed into a message pass the redactor: a citizen ID typed into a field stays out of it.
  const d =
    detail === undefined ? undefined : redactText(typeof detail === 'string' ? detail : quote(detail));
  const [th, en] = RULES[rule](spec, d);
  // The path and the label of a field the standard does not know are the caller's own key: redacted too.
  return redactFieldError({ field: path, rule, th, en });
}

/** Quotes a value for a message, cut to 80 characters. */
export { quote as quoteValue };

/** Known CKAN, scheming and thai_gdc messages, with their Thai wording and a rule name. */
const SERVER_MESSAGES: Array<[RegExp, string, (m: RegExpExecArray) => string]> = [
  [/^Missing value$/, 'required', () => 'ต้องระบุค่า'],
  [/^Select at least one$/, 'required', () => 'ต้องเลือกอย่างน้อยหนึ่งค่า'],
  [/^unexpected choice "(.*)"$/s, 'choice', (m) => `ค่า "${m[1]}" ไม่อยู่ในตัวเลือกที่กำหนด`],
  [/^Value must be one of/, 'choice', () => 'ค่าไม่อยู่ในตัวเลือกที่กำหนด'],
  [/^expecting list of strings$/, 'type', () => 'ต้องเป็นรายการของข้อความ'],
  [/^That URL is already in use\.?$/, 'name_in_use', () => 'URL (name) นี้ถูกใช้แล้ว'],
  [/^That URL is already in trash\.?$/, 'name_in_trash', () => 'URL (name) นี้อยู่ในถังขยะ'],
  [/^That title is already in use\.?$/, 'title_in_use', () => 'ชื่อชุดข้อมูลนี้ถูกใช้แล้ว'],
  [/^Email (.*) is not a valid format$/s, 'email', () => 'รูปแบบอีเมลไม่ถูกต้อง'],
  [/^Organization does not exist$/, 'org', () => 'ไม่พบหน่วยงานเจ้าของข้อมูล (owner_org)'],
  [/^Must be purely lowercase alphanumeric/, 'slug', () => 'ต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข - หรือ _ เท่านั้น'],
  [/^Name "(.*)" length is more than maximum (\d+)$/s, 'slug', (m) => `ชื่อ (URL) ยาวเกิน ${m[2]} ตัวอักษร`],
  [/^Name "(.*)" length is less than minimum (\d+)$/s, 'slug', (m) => `ชื่อ (URL) สั้นกว่า ${m[2]} ตัวอักษร`],
  [/^Tag "(.*)" must be alphanumeric/s, 'tag', (m) => `คำสำคัญ "${m[1]}" มีอักขระที่ไม่อนุญาต`],
  [/^File upload too large$/, 'too_large', () => 'ไฟล์ที่อัปโหลดมีขนาดใหญ่เกินกำหนด'],
  [/^Date format incorrect$/, 'date', () => 'รูปแบบวันที่ไม่ถูกต้อง'],
  [/^Dataset does not match|^match/, 'match', () => 'ชุดข้อมูลถูกแก้ไขไปแล้วหลังจากที่อ่าน'],
];

/**
 * Turns one message the catalog sent for a field into a bilingual field error. CKAN echoes values in its
 * messages (`unexpected choice "…"`), so they pass the redactor: a citizen ID typed into a field stays out.
 */
export function serverFieldError(field: string, message: string): FieldError {
  const en = redactPreview(message, 500);
  for (const [re, rule, th] of SERVER_MESSAGES) {
    const m = re.exec(en);
    if (m) return { field, rule, th: th(m), en };
  }
  return { field, rule: 'server', th: en, en };
}
