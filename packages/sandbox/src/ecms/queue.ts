import type { Element as XmlElement } from '@xmldom/xmldom';
import { NOTIFIER_BY_ELEMENT, readKey, required, sameDay, sameKey } from './fields.js';
import type { EcmsItemKind, EcmsQueueItem } from './network.js';
import type { EcmsNetworkState, NodeState } from './node-state.js';
import { bangkokTime, buddhistDayFirstDates, el, elementChildren, SoapInputError } from './soap.js';

/** A queue item as delivered; `dateStyle: 'buddhist'` nodes rewrite its dates on the way out. */
function itemResponse(state: EcmsNetworkState, item: EcmsQueueItem): string {
  const xml = state.dateStyle === 'buddhist' ? buddhistDayFirstDates(item.xml) : item.xml;
  return `<CorrespondenceLetterInboundResponse>${el('ProcessID', item.processId)}${el(
    'ProcessTime',
    bangkokTime(state.now()),
  )}${xml}</CorrespondenceLetterInboundResponse>`;
}

/** CorrespondenceLetterInboundRequest: the oldest undeleted item not leased out. */
export function fetchNext(state: EcmsNetworkState, node: NodeState): string {
  const t = Date.now();
  const item = node.items.find((i) => !i.deleted && i.leasedUntil <= t);
  if (!item) return '<CorrespondenceLetterInboundResponse/>';
  item.fetchCount++;
  if (state.redeliveryAfterInMs > 0) item.leasedUntil = t + state.redeliveryAfterInMs;
  return itemResponse(state, item);
}

/** CorrespondenceLetterDeleteRequest: the item is done (it stays for re-requests and inspection). */
export function dequeue(state: EcmsNetworkState, node: NodeState, body: XmlElement): string {
  const processId = required(body, 'CorrespondenceLetterDeleteRequest', 'ProcessID');
  const item = node.items.find((i) => i.processId === processId);
  if (!item) throw new SoapInputError('E_PROCESS_NOT_FOUND', 'no queue item with this ProcessID');
  item.deleted = true;
  return `<CorrespondenceLetterDeleteResponse>${el('ProcessID', processId)}${el(
    'ProcessTime',
    bangkokTime(state.now()),
  )}</CorrespondenceLetterDeleteResponse>`;
}

/** CorrespondenceLetterInboundSpecialRequest: an item again, by its letter key, even after dequeue. */
export function reRequest(state: EcmsNetworkState, node: NodeState, body: XmlElement): string {
  const kindEl = elementChildren(body)[0];
  const kind: EcmsItemKind | undefined =
    kindEl?.localName === 'GovernmentDocument' ? 'letter' : NOTIFIER_BY_ELEMENT[kindEl?.localName ?? ''];
  if (!kindEl || !kind) throw new SoapInputError('E_REQUEST', 'unknown item kind');
  const key = readKey(kindEl, kindEl.localName ?? 'item');
  const item = [...node.items].reverse().find((i) => i.kind === kind && sameKey(i, key));
  if (!item) throw new SoapInputError('E_ITEM_NOT_FOUND', 'no such item for this organisation');
  item.deleted = false;
  item.leasedUntil = 0;
  item.fetchCount++;
  return itemResponse(state, item);
}

/** CorrespondenceDeleteGovernmentDocumentRequest: the sender takes back a letter not yet received or refused. */
export function withdraw(state: EcmsNetworkState, node: NodeState, body: XmlElement): string {
  const key = readKey(body, 'CorrespondenceDeleteGovernmentDocumentRequest');
  if (key.senderDepartmentId !== node.spec.organizationId) {
    throw new SoapInputError('E_SENDER', 'only the sender can withdraw a letter');
  }
  const record = [...node.outbound]
    .reverse()
    .find(
      (o) =>
        o.letterId === key.letterId &&
        sameDay(o.correspondenceDate, key.correspondenceDate) &&
        o.acceptDepartmentId === key.acceptDepartmentId &&
        o.status !== 'Deleted',
    );
  if (!record) throw new SoapInputError('E_LETTER_NOT_FOUND', 'no such letter to withdraw');
  if (record.status !== 'Rejected' && record.status !== 'Invalid' && record.status !== 'Sent') {
    throw new SoapInputError('E_WITHDRAW_STATE', `a letter in status ${record.status} cannot be withdrawn`);
  }
  record.status = 'Deleted';
  const dest = state.nodes.get(key.acceptDepartmentId);
  const pending = dest?.items.find((i) => i.processId === record.processId && !i.deleted);
  if (pending) pending.deleted = true;
  return `<CorrespondenceDeleteGovernmentDocumentResponse>${el('ProcessID', record.processId)}${el(
    'ProcessTime',
    bangkokTime(state.now()),
  )}</CorrespondenceDeleteGovernmentDocumentResponse>`;
}

/** OutboundStatusRequest: the node's sends, shaped and delayed as `statusProfile` says. */
export function outboundStatus(state: EcmsNetworkState, node: NodeState): string {
  const lag = state.statusProfile.lagRequests ?? 0;
  const minimal = state.statusProfile.entries === 'minimal';
  const visible = node.outbound.filter((o) => o.statusRequestsSeen >= lag);
  for (const o of node.outbound) o.statusRequestsSeen++;
  return `<OutboundStatusResponse>${visible
    .map(
      (o) =>
        `<Outbound>${el('ProcessID', o.processId)}${el('LetterID', o.letterId)}${
          minimal
            ? ''
            : `${el('CorrespondenceDate', o.correspondenceDate)}<AcceptDepartment>${el(
                'Code',
                o.acceptDepartmentId,
              )}</AcceptDepartment>`
        }${el('ProcessStatus', o.status)}</Outbound>`,
    )
    .join('')}</OutboundStatusResponse>`;
}
