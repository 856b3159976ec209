/**
 * Personal names in free text (a server's error message, an OAuth `error_description`): a name introduced
 * by an honorific is masked whole, title included.
 * - English: Mr, Mrs, Ms, Miss, Mx, Dr (with or without `.`) and one to three capitalised words.
 * - Thai: the titles below, then a run of Thai letters (the given name, often written without a space after
 *   the title) and optionally a space and a second run (the family name). A title glued to a Thai letter
 *   before it is part of another word (`ทนายความ`, `พ.ศ.`), and the government words that merely begin with
 *   นาย/นาง (EXCLUDED) are not names.
 * Text without any title hint (every ordinary ASCII log line) costs a few `includes` calls.
 */

/** What a personal name is replaced with. */
export const NAME_MASK = '[NAME]';

/**
 * Thai titles: everyday (นาย, นาง, นางสาว, น.ส.), children (ด.ช., ด.ญ., เด็กชาย, เด็กหญิง), and the rank and
 * academic prefixes most often seen in government records (ว่าที่ร้อยตรี, ดร., ผศ., รศ., ศ., นพ., พญ.).
 * Longest first, so `นางสาว` wins over `นาง`. A chain of titles (`ผศ.ดร.`) is read as one.
 */
const THAI_TITLES = [
  'ว่าที่ร้อยตรี',
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
  'ศ.',
];

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
const THAI_NAME = new RegExp(`(?<![${THAI_LETTERS}.])${NAME_BODY}`, 'gu');
// A titled name written straight after an office word (`นายทะเบียนนายสมชาย ใจดี`).
const GLUED_NAME = new RegExp(NAME_BODY, 'uy');
const ENGLISH_NAME =
  /\b(?:Mrs|Mr|Ms|Miss|Mx|Dr)(?:\.[ \t]*|[ \t]+)[A-Z][A-Za-z'-]*(?:[ \t]+[A-Z][A-Za-z'-]*){0,2}/g;

// Every Thai title holds one of these characters; on one-byte (Latin-1) text the search fails at once.
const THAI_HINTS = ['น', 'ด', 'ศ', 'พ', 'ว'];
const ENGLISH_HINTS = ['Mr', 'Ms', 'Mi', 'Mx', 'Dr'];

const hasAny = (text: string, hints: readonly string[]) => hints.some((h) => text.includes(h));

/**
 * An office word (EXCLUDED) is kept, and the search goes on right after it: the name that often follows
 * (`นายทะเบียน นายสมชาย ใจดี`, registrar Mr Somchai Jaidee) is masked, glued to the word or not.
 */
function maskThai(text: string): string {
  let out = '';
  let copied = 0;
  THAI_NAME.lastIndex = 0;
  for (let m = THAI_NAME.exec(text); m; m = THAI_NAME.exec(text)) {
    let at = m.index;
    let found = m[0];
    const office = EXCLUDED.find((w) => text.startsWith(w, at));
    if (office) {
      GLUED_NAME.lastIndex = at + office.length;
      const glued = GLUED_NAME.exec(text);
      if (!glued) {
        THAI_NAME.lastIndex = at + office.length;
        continue;
      }
      at = glued.index;
      found = glued[0];
    }
    out += text.slice(copied, at) + NAME_MASK;
    copied = at + found.length;
    THAI_NAME.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `text` with personal names introduced by an honorific replaced by {@link NAME_MASK}. */
export function maskPersonNames(text: string): string {
  let out = text;
  if (hasAny(out, ENGLISH_HINTS)) out = out.replace(ENGLISH_NAME, NAME_MASK);
  if (hasAny(out, THAI_HINTS)) out = maskThai(out);
  return out;
}
