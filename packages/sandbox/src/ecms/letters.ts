import type { Element as XmlElement } from '@xmldom/xmldom';
import { checkDate, ELEMENT_BY_KIND, newQueueItem, required, STATUS_BY_KIND, sameDay } from './fields.js';
import type { EcmsItemKind, EcmsOutboundRecord } from './network.js';
import type { EcmsNetworkState, NodeState } from './node-state.js';
import { bangkokTime, el, firstChild, SoapInputError, serialize, textOf } from './soap.js';

/** CorrespondenceLetterOutboundRequest with a GovernmentDocument: queue the letter at the node in `wsa:To`. */
export function sendLetter(
  state: EcmsNetworkState,
  node: NodeState,
  doc: XmlElement,
  to: string | undefined,
): string {
  const letter = firstChild(doc, 'CorrespondenceLetter');
  if (!letter) throw new SoapInputError('E_REQUIRED', 'CorrespondenceLetter is required');
  const letterId = required(letter, 'letter', 'ID');
  const correspondenceDate = required(letter, 'letter', 'CorrespondenceDate');
  checkDate(correspondenceDate, 'CorrespondenceDate');
  const subject = required(letter, 'letter', 'Subject');
  const senderDept = required(letter, 'letter', 'SenderParty', 'DepartmentOrganization', 'ID');
  const receiverDept = required(letter, 'letter', 'ReceiverParty', 'DepartmentOrganization', 'ID');
  const main = firstChild(letter, 'MainLetterBinaryObject');
  if (!main || !textOf(main)) throw new SoapInputError('E_REQUIRED', 'MainLetterBinaryObject is required');
  if (senderDept !== node.spec.organizationId) {
    throw new SoapInputError('E_SENDER', 'SenderParty is not the organisation of this node');
  }
  const dest = state.routeTo(to);
  if (receiverDept !== dest.spec.organizationId) {
    throw new SoapInputError('E_RECEIVER', 'ReceiverParty does not belong to the node in wsa:To');
  }
  const xml = serialize(doc);
  const processId = state.newProcessId(node);
  const fields = { processId, letterId, correspondenceDate, subject, acceptDepartmentId: receiverDept };
  dest.items.push(
    newQueueItem(
      { ...fields, kind: 'letter', senderDepartmentId: senderDept, acceptId: undefined, xml },
      state.now(),
    ),
  );
  node.outbound.push({ ...fields, status: 'Sent', statusRequestsSeen: 0 });
  return `<CorrespondenceLetterOutboundResponse>${el('ProcessID', processId)}${el(
    'ProcessTime',
    bangkokTime(state.now()),
  )}${state.echoDocument ? xml : ''}</CorrespondenceLetterOutboundResponse>`;
}

/**
 * The sent letter a notifier concerns. Receiver → sender notifiers concern a letter the destination sent to us;
 * the disputed-number notifier goes the other way.
 */
function notifiedLetter(
  node: NodeState,
  dest: NodeState,
  kind: EcmsItemKind,
  letterId: string,
  correspondenceDate: string,
): { record: EcmsOutboundRecord; senderDept: string; acceptDept: string } {
  const fromSender = kind === 'invalid_accept_id';
  const senderDept = fromSender ? node.spec.organizationId : dest.spec.organizationId;
  const acceptDept = fromSender ? dest.spec.organizationId : node.spec.organizationId;
  const letterOwner = fromSender ? node : dest;
  const record = [...letterOwner.outbound]
    .reverse()
    .find(
      (o) =>
        o.letterId === letterId &&
        sameDay(o.correspondenceDate, correspondenceDate) &&
        o.acceptDepartmentId === acceptDept,
    );
  if (!record || record.status === 'Deleted') {
    throw new SoapInputError('E_LETTER_NOT_FOUND', 'no such letter between these organisations');
  }
  return { record, senderDept, acceptDept };
}

/** CorrespondenceLetterOutboundRequest with a notifier: queue it at the other side, move the letter's status. */
export function notify(
  state: EcmsNetworkState,
  node: NodeState,
  n: XmlElement,
  kind: EcmsItemKind,
  to: string | undefined,
): string {
  const where = n.localName ?? 'notifier';
  const letterId = required(n, where, 'LetterID');
  const correspondenceDate = required(n, where, 'CorrespondenceDate');
  checkDate(correspondenceDate, `${where}/CorrespondenceDate`);
  const subject = required(n, where, 'Subject');
  const acceptId = textOf(firstChild(n, 'AcceptID'));
  if ((kind === 'accept' || kind === 'invalid_accept_id') && !acceptId) {
    throw new SoapInputError('E_REQUIRED', `${where}: AcceptID is required`);
  }
  const dest = state.routeTo(to);
  const { record, senderDept, acceptDept } = notifiedLetter(node, dest, kind, letterId, correspondenceDate);
  const acceptDate = kind === 'accept' ? bangkokTime(state.now()) : undefined;
  const processId = state.newProcessId(node);
  const element = ELEMENT_BY_KIND[kind];
  const routing =
    state.notifierShape === 'routed'
      ? `<SenderDepartment>${el('Code', senderDept)}</SenderDepartment><AcceptDepartment>${el('Code', acceptDept)}</AcceptDepartment>`
      : '';
  const xml = `<${element}>${el('LetterID', letterId)}${el('AcceptID', acceptId)}${el(
    'CorrespondenceDate',
    correspondenceDate,
  )}${el('Subject', subject)}${el('AcceptDate', acceptDate)}${routing}</${element}>`;
  const item = { processId, kind, letterId, correspondenceDate, subject, acceptId, xml };
  dest.items.push(
    newQueueItem({ ...item, senderDepartmentId: senderDept, acceptDepartmentId: acceptDept }, state.now()),
  );
  const status = STATUS_BY_KIND[kind];
  if (status) record.status = status;
  return `<CorrespondenceLetterOutboundResponse>${el('ProcessID', processId)}${el('ProcessTime', bangkokTime(state.now()))}${xml}${
    acceptDate
      ? `${el('AcceptDate', acceptDate)}<AcceptDepartment>${el('Code', acceptDept)}</AcceptDepartment>`
      : ''
  }</CorrespondenceLetterOutboundResponse>`;
}
