import type { Element as XmlElement } from '@xmldom/xmldom';
import type { EcmsItemKind, EcmsQueueItem } from './network.js';
import { path, SoapInputError, textOf } from './soap.js';

export const NOTIFIER_BY_ELEMENT: Record<string, EcmsItemKind> = {
  ReceiveLetterNotifier: 'receive',
  AcceptLetterNotifier: 'accept',
  RejectLetterNotifier: 'reject',
  InvalidLetterNotifier: 'invalid',
  InvalidAcceptIDNotifier: 'invalid_accept_id',
};

export const ELEMENT_BY_KIND: Record<EcmsItemKind, string> = {
  letter: 'GovernmentDocument',
  receive: 'ReceiveLetterNotifier',
  accept: 'AcceptLetterNotifier',
  reject: 'RejectLetterNotifier',
  invalid: 'InvalidLetterNotifier',
  invalid_accept_id: 'InvalidAcceptIDNotifier',
};

/** The sender's outbound status a receiver's notifier moves the letter to. */
export const STATUS_BY_KIND: Partial<Record<EcmsItemKind, string>> = {
  receive: 'Received',
  accept: 'Accepted',
  reject: 'Rejected',
  invalid: 'Invalid',
};

export function required(parent: XmlElement | undefined, where: string, ...locals: string[]): string {
  const v = textOf(path(parent, ...locals));
  if (!v) throw new SoapInputError('E_REQUIRED', `${where}: ${locals.join('/')} is required`);
  return v;
}

export function checkDate(v: string, where: string): void {
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) throw new SoapInputError('E_DATE', `${where}: not a date`);
}

/** The four fields that name a letter between two organisations (re-requests and withdrawals). */
export interface LetterKey {
  letterId: string;
  correspondenceDate: string;
  senderDepartmentId: string;
  acceptDepartmentId: string;
}

export function readKey(n: XmlElement, where: string): LetterKey {
  return {
    letterId: required(n, where, 'LetterID'),
    correspondenceDate: required(n, where, 'CorrespondenceDate'),
    senderDepartmentId: required(n, where, 'SenderDepartment', 'Code'),
    acceptDepartmentId: required(n, where, 'AcceptDepartment', 'Code'),
  };
}

/** Same letter: the date compares by day, as nodes do (the time part is the sender's own). */
export function sameDay(a: string, b: string): boolean {
  return a.slice(0, 10) === b.slice(0, 10);
}

export function sameKey(i: EcmsQueueItem, k: LetterKey): boolean {
  return (
    i.letterId === k.letterId &&
    sameDay(i.correspondenceDate, k.correspondenceDate) &&
    i.senderDepartmentId === k.senderDepartmentId &&
    i.acceptDepartmentId === k.acceptDepartmentId
  );
}

/** A queue entry as first enqueued: not deleted, never fetched, not leased. */
export function newQueueItem(
  fields: Omit<EcmsQueueItem, 'enqueuedAt' | 'deleted' | 'fetchCount' | 'leasedUntil'>,
  enqueuedAt: Date,
): EcmsQueueItem {
  return { ...fields, enqueuedAt, deleted: false, fetchCount: 0, leasedUntil: 0 };
}
