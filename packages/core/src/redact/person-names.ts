import { lazyRegExp } from '../lazy-regexp.js';
/**
 * Personal names in free text (a server's error message, an OAuth `error_description`): a name introduced
 * by an honorific is masked whole, title included, and so is the value after a name label.
 * - English: Mr, Mrs, Ms, Miss, Mx, Dr (with or without `.`) and one to three capitalised words.
 * - Thai: the titles below, then a run of Thai letters (the given name, often written without a space after
 *   the title) and optionally a space and a second run (the family name). A title glued to a Thai letter
 *   before it is part of another word (`ทนายความ`, `พ.ศ.`), and the government words that merely begin with
 *   นาย/นาง (EXCLUDED) are not names.
 * - Labels: `ชื่อ-นามสกุล:`, `ชื่อ=`, `name:`, `full name =`, `lastName=` (a label, then `:` or `=`) followed by
 *   a name (capitalised words or Thai runs, a title allowed): the name is masked, the label kept. A label
 *   without `:` or `=` is not one (`ชื่อผู้ใช้ไม่ถูกต้อง`, "the user name is wrong"), and a lower-case value is
 *   an identifier, not a person (`dataset name: population-2567`). A `name=value` pair already masked up to its
 *   first space (`name=[REDACTED] Jaidee`) loses the rest of the name too.
 * Text without any title or label hint (every ordinary ASCII log line) costs a few `includes` calls.
 */

/** What a personal name is replaced with. */
export const NAME_MASK = '[NAME]';

/**
 * Thai titles: everyday (นาย, นาง, นางสาว, น.ส.), children (ด.ช., ด.ญ., เด็กชาย, เด็กหญิง), academic and
 * professional (ดร., ผศ., รศ., ศ., นพ., พญ., ทพ., ภก., …), the army, navy, air force and police ranks as records
 * abbreviate them (พล.ต.อ., ร.ต.ท., จ.ส.ต., น.อ., …) and royal titles (ม.ร.ว., หม่อมหลวง, …). Not `คุณ`: it is
 * also "you" (`คุณไม่มีสิทธิ์`), see KHUN_NAME. Tried longest first, so `นางสาว` wins over `นาง`. A chain of titles
 * (`ผศ.ดร.`, `ว่าที่ ร.ต.`) is read as one.
 */
const THAI_TITLES = [
  'ว่าที่ร้อยตรี',
  'ว่าที่ ร.ต.',
  'ว่าที่ร.ต.',
  'เด็กหญิง',
  'เด็กชาย',
  'นางสาว',
  'นาง',
  'นาย',
  'น.ส.',
  'ด.ช.',
  'ด.ญ.',
  'ดร.',
  'ผศ.',
  'รศ.',
  'นพ.',
  'พญ.',
  'ทพ.',
  'ทพญ.',
  'ภก.',
  'ภญ.',
  'สพ.ญ.',
  'น.สพ.',
  'ศ.',
  // Army and police ranks (a police general's included), navy and air force ranks. In ASCII: a comment inside a
  // list stays in the build, and one non-ASCII character makes the whole module two-byte text, slower to parse.
  'พลทหาร',
  'พล.อ.',
  'พล.ท.',
  'พล.ต.',
  'พล.ต.อ.',
  'พล.ต.ท.',
  'พล.ต.ต.',
  'พล.ร.อ.',
  'พล.ร.ท.',
  'พล.ร.ต.',
  'พล.อ.อ.',
  'พล.อ.ท.',
  'พล.อ.ต.',
  'พ.อ.',
  'พ.ท.',
  'พ.ต.',
  'พ.ต.อ.',
  'พ.ต.ท.',
  'พ.ต.ต.',
  'พ.จ.อ.',
  'พ.อ.อ.',
  'น.อ.',
  'น.ท.',
  'น.ต.',
  'ร.อ.',
  'ร.ท.',
  'ร.ต.',
  'ร.ต.อ.',
  'ร.ต.ท.',
  'ร.ต.ต.',
  'ด.ต.',
  'จ.ส.อ.',
  'จ.ส.ท.',
  'จ.ส.ต.',
  'จ.อ.',
  'จ.ท.',
  'จ.ต.',
  'ส.ต.อ.',
  'ส.ต.ท.',
  'ส.ต.ต.',
  'ส.อ.',
  'ส.ท.',
  'ส.ต.',
  // Royal and conferred titles.
  'หม่อมราชวงศ์',
  'หม่อมหลวง',
  'หม่อมเจ้า',
  'ม.ร.ว.',
  'ม.ล.',
  'ม.จ.',
  'ท่านผู้หญิง',
  'คุณหญิง',
].sort((a, b) => b.length - a.length);

/** Words that begin like a title but name an office or a trade, not a person. */
const EXCLUDED = [
  'นายกรัฐมนตรี',
  'นายกเทศมนตรี',
  'นายกองค์การ',
  'นายกอบต',
  'นายกอบจ',
  'นายกสมาคม',
  'นายกสภา',
  'นายทะเบียน',
  'นายอำเภอ',
  'นายจ้าง',
  'นายหน้า',
  'นายประกัน',
  'นายช่าง',
  'นายด่าน',
  'นายตรวจ',
  'นายทหาร',
  'นายตำรวจ',
  'นางพยาบาล',
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const THAI_LETTERS = '\\u0E01-\\u0E4E';
const NAME_BODY =
  `(?:(?:${THAI_TITLES.map(escapeRegExp).join('|')})[ \\t]?)+` +
  `[${THAI_LETTERS}]+(?:[ \\t]+[${THAI_LETTERS}]+)?`;
/**
 * Thai is written without spaces between words: a title glued to the word before it (`คำขอของนายสมชาย ใจดี`) is one
 * after the short words that introduce a person, and the long titles that no word holds are one after any letter.
 * Not after other letters: นาย and นาง end words (ทนาย, lawyer; เจ้านาย, boss) and ศ. ends พ.ศ.
 */
const INTRODUCING = ['ของ', 'โดย', 'จาก', 'ถึง', 'กับ', 'และ', 'หรือ', 'ให้', 'แก่', 'แด่', 'คำขอ', 'เรียน', 'ผู้ยื่น'];
const GLUED_TITLES = ['นางสาว', 'เด็กชาย', 'เด็กหญิง', 'ว่าที่ร้อยตรี', 'หม่อมราชวงศ์', 'หม่อมหลวง', 'ท่านผู้หญิง'];
const THAI_NAME = lazyRegExp(
  () => `(?:(?<![${THAI_LETTERS}.])|(?<=${INTRODUCING.join('|')})|(?=${GLUED_TITLES.join('|')}))${NAME_BODY}`,
  'gu',
);
// A titled name written straight after an office word (`นายทะเบียนนายสมชาย ใจดี`).
const GLUED_NAME = lazyRegExp(NAME_BODY, 'uy');
const ENGLISH_NAME =
  /\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Khun)(?:\.[ \t]*|[ \t]+)[A-Z][A-Za-z'-]*(?:[ \t]+[A-Z][A-Za-z'-]*){0,2}/g;

/**
 * `คุณ` (Khun) names anyone without a rank (`ไม่พบข้อมูลของคุณสมชาย ใจดี`), but is also "you" (`คุณไม่มีสิทธิ์ กรุณา…`)
 * and begins words (คุณสมบัติ, qualification; คุณภาพ, quality; ขอบคุณ, thank you). Taken as a title only before a
 * given name and a family name (two Thai runs split by white space), neither of them beginning with a word that
 * follows "you" in a sentence (KHUN_NOT_NAME), คุณ not the end of ขอบคุณ, พระคุณ or บุญคุณ, and, when the given
 * name is glued to it, not one of the words คุณ begins (KHUN_WORDS).
 */
const KHUN_WORDS = ['ภาพ', 'สมบัติ', 'ค่า', 'ธรรม', 'ลักษณะ', 'ประโยชน์', 'วุฒิ', 'ูปการ', 'านุ', 'หญิง', 'ความดี'];
const KHUN_NOT_NAME = [
  ...['ไม่', 'ได้', 'จะ', 'ต้อง', 'มี', 'ยัง', 'เป็น', 'กำลัง', 'ควร', 'สามารถ', 'อาจ', 'เคย', 'ถูก', 'คือ'],
  ...['ใช้', 'ทำ', 'กรุณา', 'โปรด', 'ลืม', 'แน่ใจ', 'เลือก', 'กรอก', 'ระบุ', 'ส่ง', 'ยืนยัน', 'เข้า', 'ออก', 'อยู่'],
  ...['ขอ', 'หมด', 'ค่ะ', 'ครับ', 'คะ', 'และ', 'หรือ', 'ที่', 'จึง', 'ก็', 'แล้ว', 'ให้', 'กับ', 'รอ', 'ติดต่อ', 'พบ'],
  ...[
    'รู้',
    'ทราบ',
    'คง',
    'น่าจะ',
    'ยอม',
    'อนุญาต',
    'เพิ่ง',
    'จำเป็น',
    'มา',
    'ไป',
    'ลอง',
    'ตรวจสอบ',
    'แก้ไข',
    'เปลี่ยน',
  ],
  ...['ตั้ง', 'สร้าง', 'ลบ', 'ยกเลิก', 'นี้', 'เอง', 'ทุก', 'ท่าน', 'สิทธิ์', 'บัญชี', 'ข้อมูล', 'คำขอ', 'รหัส', 'โทเค็น'],
];
// The given name is at most KHUN_GIVEN letters: a run without the space the family name needs after it fails after
// so many tries, not after reading the rest of a Thai text written without spaces (once for each คุณ in it).
const KHUN_GIVEN = 40;
const KHUN_NAME = lazyRegExp(
  () =>
    `(?<!ขอบ|พระ|บุญ)คุณ(?:[ \\t]+|(?!${KHUN_WORDS.join('|')}))(?!${KHUN_NOT_NAME.join('|')})` +
    `[${THAI_LETTERS}]{1,${KHUN_GIVEN}}[ \\t]+(?!${KHUN_NOT_NAME.join('|')})[${THAI_LETTERS}]+`,
  'gu',
);

const LATIN_WORD = "[A-Z][A-Za-z'-]*";
/**
 * A name label, its `:` or `=` (and an opening quote), then a name: one to three capitalised words, or a Thai
 * name as after a title (a title allowed, a given name, a family name). English labels: `name`, `full name`,
 * `first_name`, `lastName`, `Name-TH`…; Thai: ชื่อ, นามสกุล, สกุล and their compounds. A first word already
 * masked by the `name=value` rule (`[REDACTED]`, which stops at a space) counts when more words follow it.
 */
const THAI_LABEL = 'ชื่อ[ \\t]*-[ \\t]*(?:นาม)?สกุล|ชื่อและนามสกุล|ชื่อสกุล|นามสกุล|ชื่อ|สกุล';
const LABELLED_NAME = lazyRegExp(
  () =>
    `((?:\\b(?:(?:[Ff]ull|[Ff]irst|[Ll]ast|[Gg]iven|[Ff]amily|[Mm]iddle|[Ss]ur)[ _.-]?)?(?:[Nn]ame|NAME)(?:[ _.-]?(?:[Tt][Hh]|[Ee][Nn]))?|` +
    `${THAI_LABEL})[ \\t]*[:=][ \\t]*["']?)` +
    `(?:\\[REDACTED\\](?:[ \\t]+(?:${LATIN_WORD}|[${THAI_LETTERS}]+)){1,2}|` +
    `${LATIN_WORD}(?:[ \\t]+${LATIN_WORD}){0,2}|` +
    `(?:(?:${THAI_TITLES.map(escapeRegExp).join('|')})[ \\t]?)*[${THAI_LETTERS}]+(?:[ \\t]+(?!(?:${THAI_LABEL})[ \\t]*[:=])[${THAI_LETTERS}]+)?)`,
  'gu',
);

// Every Thai title holds one of these characters; on one-byte (Latin-1) text the search fails at once.
const THAI_HINTS = [...new Set(THAI_TITLES.map((t) => t[0] as string))];
const ENGLISH_HINTS = ['Mr', 'Ms', 'Mi', 'Mx', 'Dr', 'Kh'];
const LABEL_HINTS = ['ame', 'AME', 'ชื่อ', 'สกุล'];

const hasAny = (text: string, hints: readonly string[]) => hints.some((h) => text.includes(h));

/**
 * An office word (EXCLUDED) is kept, and the search goes on right after it: the name that often follows
 * (`นายทะเบียน นายสมชาย ใจดี`, registrar Mr Somchai Jaidee) is masked, glued to the word or not.
 */
function maskThai(text: string): string {
  let out = '';
  let copied = 0;
  const thaiName = THAI_NAME();
  const gluedName = GLUED_NAME();
  thaiName.lastIndex = 0;
  for (let m = thaiName.exec(text); m; m = thaiName.exec(text)) {
    let at = m.index;
    let found = m[0];
    const office = EXCLUDED.find((w) => text.startsWith(w, at));
    if (office) {
      gluedName.lastIndex = at + office.length;
      const glued = gluedName.exec(text);
      if (!glued) {
        thaiName.lastIndex = at + office.length;
        continue;
      }
      at = glued.index;
      found = glued[0];
    }
    out += text.slice(copied, at) + NAME_MASK;
    copied = at + found.length;
    thaiName.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `text` with personal names introduced by an honorific (คุณ too, see KHUN_NAME) replaced by {@link NAME_MASK}. */
export function maskPersonNames(text: string): string {
  let out = text;
  if (hasAny(out, ENGLISH_HINTS)) out = out.replace(ENGLISH_NAME, NAME_MASK);
  if (hasAny(out, LABEL_HINTS))
    out = out.replace(LABELLED_NAME(), (_whole, label: string) => `${label}${NAME_MASK}`);
  if (hasAny(out, THAI_HINTS)) out = maskThai(out);
  if (out.includes('คุณ')) out = out.replace(KHUN_NAME(), NAME_MASK);
  return out;
}
