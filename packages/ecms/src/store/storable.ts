import { createHash } from 'node:crypto';
import { ecmsError } from '../errors.js';
import type {
  EvidenceRecord,
  LetterPatch,
  LetterRecord,
  QuarantinedItem,
  QuarantinePatch,
  TransitionInput,
} from './letter-store.js';

/**
 * What every journal does with text PostgreSQL cannot keep, so that the three journals agree: PostgreSQL's text
 * and jsonb refuse U+0000, and a UTF-16 surrogate without its pair has no UTF-8 spelling (node-postgres and
 * better-sqlite3 send U+FFFD instead: two values become one; jsonb refuses its escape). A letter's own fields
 * and keys holding either are refused (ERR_ECMS_MESSAGE, nothing written); decoded items never hold them (XML
 * allows neither), so only a caller's value is refused. Descriptive text (errors, notes, signature evidence,
 * the fields of a quarantined item) gets U+FFFD in their place instead, since refusing it would fail the very
 * step that keeps a bad item: the raw answer stays in the evidence byte for byte. ProcessIDs are kept exactly,
 * U+0000 included (the tag scan of a malformed item can read one).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` holds neither U+0000 nor a lone surrogate. */
export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

/** `text` with U+0000 and lone surrogates as U+FFFD. */
export const storableText = (text: string): string => text.replace(UNSTORABLE_ALL, '\ufffd');

/** A JSON value with `storableText` applied to every string in it (names and values). */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array)
    return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
}

const optText = <T extends string | undefined>(v: T): T => (typeof v === 'string' ? storableText(v) : v) as T;

/** The field's name only: the value may be personal data. */
const unstorable = (field: string, why: string) =>
  ecmsError('ERR_ECMS_MESSAGE', `The letter's ${field} holds ${why}, which the journal cannot store`);

function checkText(field: string, value: unknown): void {
  if (typeof value === 'string' && UNSTORABLE.test(value))
    throw unstorable(field, 'U+0000 or a lone UTF-16 surrogate');
}

/**
 * A ProcessID marked processed (ERR_ECMS_MESSAGE when it holds a lone surrogate; U+0000 is kept). Undefined
 * passes.
 */
export function checkProcessKey(processId: string | undefined): void {
  if (typeof processId === 'string' && LONE_SURROGATE.test(processId))
    throw unstorable('ProcessID', 'a lone UTF-16 surrogate');
}

/** True when `processId` can be a processed ProcessID at all (`isProcessed` of another one is false). */
export const isProcessKey = (processId: string): boolean => !LONE_SURROGATE.test(processId);

/** The identity and content fields of a record or patch: refused, never altered. */
const CHECKED_FIELDS = [
  'journalId',
  'letterId',
  'correspondenceDate',
  'subject',
  'senderDepartmentId',
  'receiverDepartmentId',
  'processId',
  'acceptId',
  'acceptDate',
  'register',
  'signatureStatus',
  'idempotencyKey',
] as const;

function checkFields(fields: Partial<Record<(typeof CHECKED_FIELDS)[number], unknown>>): void {
  for (const f of CHECKED_FIELDS) checkText(f, fields[f]);
}

function checkEvidence(list: readonly Omit<EvidenceRecord, 'journalId'>[] | undefined): void {
  for (const e of list ?? []) {
    checkText('evidence ProcessID', e.processId);
    checkText('evidence operation', e.operation);
  }
}

/** A new letter as every journal stores it: refused (ERR_ECMS_MESSAGE) or with storable descriptive text. */
export function storableLetter(
  r: LetterRecord,
  extra: { evidence?: Omit<EvidenceRecord, 'journalId'>[]; processedId?: string } = {},
): LetterRecord {
  checkFields(r);
  checkEvidence(extra.evidence);
  checkProcessKey(extra.processedId);
  return { ...r, lastError: optText(r.lastError), signature: storableJson(r.signature) };
}

/** A patch as every journal applies it (see `storableLetter`). */
export function storablePatch(patch: LetterPatch): LetterPatch {
  checkFields(patch);
  return 'lastError' in patch ? { ...patch, lastError: optText(patch.lastError) } : patch;
}

/** A transition as every journal applies it (see `storableLetter`). */
export function storableTransition(input: TransitionInput): TransitionInput {
  checkEvidence(input.evidence);
  checkProcessKey(input.processedId);
  return {
    ...input,
    note: optText(input.note),
    ...(input.patch ? { patch: storablePatch(input.patch) } : {}),
  };
}

/**
 * A quarantined item as every journal keeps it: its text storable (the raw answer and its SHA-256 as they
 * are). Its ProcessID is marked processed exactly, as given; only a lone surrogate in it is refused.
 */
export function storableQuarantine(q: QuarantinedItem): QuarantinedItem {
  checkProcessKey(q.processId);
  return {
    ...q,
    processId: storableText(q.processId),
    operation: storableText(q.operation),
    element: optText(q.element),
    error: storableJson(q.error),
    signature: storableJson(q.signature),
    letterKey: storableJson(q.letterKey),
    note: optText(q.note),
  };
}

/** A quarantine patch (its note) as every journal applies it. */
export const storableQuarantinePatch = (patch: QuarantinePatch): QuarantinePatch =>
  'note' in patch ? { ...patch, note: optText(patch.note) } : patch;

/**
 * The key of a processed ProcessID in PostgreSQL: the SHA-256 of its UTF-8, so a ProcessID of any length (or
 * holding U+0000, which text refuses) is one index entry. Migration 4 computes the same for the rows before it.
 */
export const processKey = (processId: string): Buffer =>
  createHash('sha256').update(processId, 'utf8').digest();
