import { ecmsError } from '../errors.js';
import type { Direction, LetterState } from '../journal.js';
import type {
  EvidenceRecord,
  LetterPatch,
  LetterRecord,
  QuarantinedItem,
  TransitionRecord,
} from './letter-store.js';

/**
 * The row mapping the two SQL stores share. The tables and columns are the same in SQLite and PostgreSQL; what
 * differs is how a driver hands back a boolean (1 / true), a time (epoch milliseconds / Date) and a JSON column
 * (text / parsed jsonb): a `RowDialect` says which.
 */
export type Row = Record<string, unknown>;

export interface RowDialect {
  bool(v: unknown): boolean;
  date(v: unknown): Date;
  json<T>(v: unknown): T | undefined;
  /** The `document` column as the store selects it (bytes, or PostgreSQL's base64 text). */
  document(v: unknown): Buffer | undefined;
}

/** `null` from the database is an absent field in a record. */
export const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

export const SQLITE_ROWS: RowDialect = {
  bool: (v) => v === 1,
  date: (v) => new Date(v as number),
  json: <T>(v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined),
  document: opt<Buffer>,
};

export const POSTGRES_ROWS: RowDialect = {
  bool: (v) => v === true,
  date: (v) => v as Date,
  json: opt,
  // Selected as encode(document, 'base64'): node-postgres reads bytea as hex text, twice the size, and a 10 MB
  // document cost about three times the client's CPU that way (Buffer.from skips the line breaks encode adds).
  document: (v) => (typeof v === 'string' ? Buffer.from(v, 'base64') : opt<Buffer>(v)),
};

/** The letter columns `update()` may patch. */
export const PATCH_COLUMNS: Record<keyof LetterPatch, string> = {
  processId: 'process_id',
  acceptId: 'accept_id',
  acceptDate: 'accept_date',
  sendCount: 'send_count',
  dispatched: 'dispatched',
  signatureStatus: 'signature_status',
  lastError: 'last_error',
  document: 'document',
  recoverFailures: 'recover_failures',
};

/**
 * The `ecms_letters` columns `letterFromRow` reads, except `document`: what a store reads back when the caller
 * has no use for the document (`TransitionInput.withDocument: false`).
 */
export const LETTER_COLUMNS_BUT_DOCUMENT = [
  'journal_id',
  'direction',
  'state',
  'letter_id',
  'correspondence_date',
  'subject',
  'sender_department_id',
  'receiver_department_id',
  'process_id',
  'accept_id',
  'accept_date',
  'register',
  'registration_year',
  'registration_number',
  'send_count',
  'dispatched',
  'signature_status',
  'signature_evidence',
  'last_error',
  'idempotency_key',
  'recover_failures',
  'created_at',
  'updated_at',
] as const;

export function letterFromRow(r: Row, d: RowDialect): LetterRecord {
  return {
    journalId: r.journal_id as string,
    direction: r.direction as Direction,
    state: r.state as LetterState,
    letterId: r.letter_id as string,
    correspondenceDate: r.correspondence_date as string,
    subject: r.subject as string,
    senderDepartmentId: r.sender_department_id as string,
    receiverDepartmentId: r.receiver_department_id as string,
    processId: opt(r.process_id),
    acceptId: opt(r.accept_id),
    acceptDate: opt(r.accept_date),
    register: opt(r.register),
    registrationYear: opt(r.registration_year),
    registrationNumber: opt(r.registration_number),
    document: d.document(r.document),
    sendCount: r.send_count as number,
    dispatched: d.bool(r.dispatched),
    signatureStatus: opt(r.signature_status),
    signature: d.json(r.signature_evidence),
    lastError: opt(r.last_error),
    idempotencyKey: opt(r.idempotency_key),
    recoverFailures: Number(r.recover_failures ?? 0),
    createdAt: d.date(r.created_at),
    updatedAt: d.date(r.updated_at),
  };
}

export function quarantineFromRow(r: Row, d: RowDialect): QuarantinedItem {
  return {
    id: r.id as string,
    processId: r.process_id as string,
    operation: r.operation as string,
    element: opt(r.element),
    xml: r.xml as Buffer,
    sha256: r.sha256 as string,
    at: d.date(r.at),
    error: d.json(r.error) as QuarantinedItem['error'],
    signature: d.json(r.signature),
    letterKey: d.json(r.letter_key),
    notified: d.bool(r.notified),
    settled: d.bool(r.settled),
    note: opt(r.note),
  };
}

export function evidenceFromRow(r: Row, d: RowDialect): EvidenceRecord {
  return {
    journalId: opt(r.journal_id),
    processId: opt(r.process_id),
    operation: r.operation as string,
    direction: r.direction as 'sent' | 'received',
    xml: r.xml as Buffer,
    sha256: r.sha256 as string,
    at: d.date(r.at),
  };
}

export function transitionFromRow(r: Row, d: RowDialect): TransitionRecord {
  return {
    journalId: r.journal_id as string,
    from: r.from_state as LetterState,
    to: r.to_state as LetterState,
    at: d.date(r.at),
    note: opt(r.note),
  };
}

/** The errors every store raises alike. */
export const leaseLost = () =>
  ecmsError('ERR_ECMS_LEASE_LOST', 'The lease on this letter was taken over by another worker');
export const letterNotFound = () => ecmsError('ERR_ECMS_NOT_FOUND', 'No such letter in the journal');
export const quarantinedNotFound = () => ecmsError('ERR_ECMS_NOT_FOUND', 'No such quarantined item');
