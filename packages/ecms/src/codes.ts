import { redactPreview } from '@thgov/core';
import { ecmsError } from './errors.js';
import type { CodeEntry, Secrecy, Speed } from './model.js';

/**
 * Maps named speed/secrecy values to the node's codes and back. Clients disagree on padding ("1" vs
 * "001"), so the book is built from GetSpeedCodes/GetSecretCodes at run time, and codes compare as
 * numbers when they are numeric.
 */
export interface CodeBook {
  speed: Record<Speed, string>;
  secrecy: Record<Secrecy, string>;
}

/** The codes one public client uses; a fallback until the node's lists are read. */
export const DEFAULT_CODE_BOOK: CodeBook = {
  speed: { normal: '1', urgent: '2', very_urgent: '3', most_urgent: '4' },
  secrecy: { normal: '1', confidential: '2', secret: '3', top_secret: '4', personal: '5' },
};

// Longest Thai descriptions first: "ด่วนที่สุด" contains "ด่วน".
const SPEED_WORDS: [Speed, RegExp][] = [
  ['most_urgent', /ด่วนที่สุด|most\s*urgent|highest/i],
  ['very_urgent', /ด่วนมาก|very\s*urgent/i],
  ['urgent', /ด่วน|urgent/i],
  ['normal', /ปกติ|normal|ordinary/i],
];
const SECRECY_WORDS: [Secrecy, RegExp][] = [
  ['top_secret', /ลับที่สุด|top\s*secret/i],
  ['personal', /ลับเฉพาะบุคคล|personal/i],
  ['secret', /ลับมาก|^secret/i],
  ['confidential', /^ลับ$|ลับ(?!มาก|ที่สุด|เฉพาะ)|confidential/i],
  ['normal', /ปกติ|normal|unclassified/i],
];

function classify<T extends string>(description: string, words: [T, RegExp][]): T | undefined {
  for (const [name, re] of words) if (re.test(description.trim())) return name;
  return undefined;
}

/** Builds a code book from the node's lists; names the lists do not cover keep the default code. */
export function buildCodeBook(lists: { speed?: CodeEntry[]; secrecy?: CodeEntry[] }): CodeBook {
  const book: CodeBook = { speed: { ...DEFAULT_CODE_BOOK.speed }, secrecy: { ...DEFAULT_CODE_BOOK.secrecy } };
  for (const e of lists.speed ?? []) {
    const name = classify(e.description, SPEED_WORDS);
    if (name) book.speed[name] = e.value;
  }
  for (const e of lists.secrecy ?? []) {
    const name = classify(e.description, SECRECY_WORDS);
    if (name) book.secrecy[name] = e.value;
  }
  return book;
}

function sameCode(a: string, b: string): boolean {
  const ta = a.trim();
  const tb = b.trim();
  if (ta === tb) return true;
  return /^\d+$/.test(ta) && /^\d+$/.test(tb) && Number(ta) === Number(tb);
}

/**
 * A code some clients write as its Thai name (`ด่วนมาก`, `ลับ`) instead of the node's value. Only the Thai
 * names, and only as the whole text: a node's own codes always win, and English words or digits are never
 * guessed at.
 */
const SPEED_NAMES: Record<string, Speed> = {
  ปกติ: 'normal',
  ด่วน: 'urgent',
  ด่วนมาก: 'very_urgent',
  ด่วนที่สุด: 'most_urgent',
};
const SECRECY_NAMES: Record<string, Secrecy> = {
  ปกติ: 'normal',
  ลับ: 'confidential',
  ลับมาก: 'secret',
  ลับที่สุด: 'top_secret',
  ลับเฉพาะบุคคล: 'personal',
};

function byThaiName<T>(code: string, names: Record<string, T>): T | undefined {
  const key = code.normalize('NFC').replace(/\s+/g, '');
  return Object.hasOwn(names, key) ? names[key] : undefined;
}

/** The named speed of a node's code (padded codes accepted); throws `ERR_ECMS_CODE` for an unknown one. */
export function speedFromCode(code: string, book: CodeBook = DEFAULT_CODE_BOOK): Speed {
  for (const [name, c] of Object.entries(book.speed)) if (sameCode(c, code)) return name as Speed;
  const named = byThaiName(code, SPEED_NAMES);
  if (named) return named;
  throw ecmsError('ERR_ECMS_CODE', `Unknown speed code "${redactPreview(code, 20)}"`);
}

/** The named secrecy of a node's code (padded codes accepted); throws `ERR_ECMS_CODE` for an unknown one. */
export function secrecyFromCode(code: string, book: CodeBook = DEFAULT_CODE_BOOK): Secrecy {
  for (const [name, c] of Object.entries(book.secrecy)) if (sameCode(c, code)) return name as Secrecy;
  const named = byThaiName(code, SECRECY_NAMES);
  if (named) return named;
  throw ecmsError('ERR_ECMS_CODE', `Unknown secrecy code "${redactPreview(code, 20)}"`);
}
