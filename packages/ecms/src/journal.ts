import { ecmsError } from './errors.js';
import type { NotifierKind } from './model.js';

/**
 * The letter state machines of the reference. Transitions are monotonic: a state is only left for one of
 * its successors, so a late or repeated notifier cannot move a letter backwards, and applying the state a
 * letter is already in is a no-op (idempotent).
 */
export const OUTBOUND_STATES = [
  'draft',
  'submitting',
  'submit_unknown',
  'submitted',
  'received',
  'registered',
  'registration_disputed',
  'rejected',
  'invalid',
  'withdrawn',
  'failed',
] as const;
/** The states of a sent letter in the journal (`OUTBOUND_STATES`). */
export type OutboundState = (typeof OUTBOUND_STATES)[number];

/** The states of a received letter, from stored to registered, rejected, invalid or quarantined. */
export const INBOUND_STATES = [
  'stored',
  'dequeued',
  'acknowledged',
  'registered',
  'registration_disputed',
  'rejected',
  'invalid',
  // recover() could not finish it (a definitive failure, `maxRecoverFailures` times): kept, out of the way.
  'quarantined',
] as const;
/** The states of a received letter in the journal (`INBOUND_STATES`). */
export type InboundState = (typeof INBOUND_STATES)[number];

/** Any state of a journal letter, sent or received. */
export type LetterState = OutboundState | InboundState;
/** Whether a journal letter was sent by this agency or received. */
export type Direction = 'outbound' | 'inbound';

/** The allowed state changes of a sent letter. */
export const OUTBOUND_TRANSITIONS: Record<OutboundState, readonly OutboundState[]> = {
  draft: ['submitting'],
  // A send that failed definitively (a fault) goes to failed; one that timed out to submit_unknown.
  // A receiver's notifier proves an interrupted or ambiguous send arrived, so those states may jump ahead.
  submitting: ['submitted', 'submit_unknown', 'failed', 'received', 'registered', 'rejected', 'invalid'],
  submit_unknown: ['submitted', 'submitting', 'failed', 'received', 'registered', 'rejected', 'invalid'],
  submitted: ['received', 'registered', 'rejected', 'invalid', 'withdrawn'],
  received: ['registered', 'rejected', 'invalid'],
  registered: ['registration_disputed'],
  registration_disputed: ['registered'],
  rejected: ['withdrawn'],
  invalid: ['withdrawn'],
  withdrawn: ['submitting'],
  failed: ['submitting'],
};

/** The allowed state changes of a received letter. */
export const INBOUND_TRANSITIONS: Record<InboundState, readonly InboundState[]> = {
  stored: ['dequeued', 'quarantined'],
  dequeued: ['acknowledged', 'registered', 'rejected', 'invalid', 'quarantined'],
  acknowledged: ['registered', 'rejected', 'invalid', 'quarantined'],
  registered: ['registration_disputed'],
  registration_disputed: ['registered', 'quarantined'],
  rejected: [],
  invalid: [],
  quarantined: [],
};

/** True when a letter of this direction may go from one state to the other. */
export function canTransition(direction: Direction, from: LetterState, to: LetterState): boolean {
  const table = (direction === 'outbound' ? OUTBOUND_TRANSITIONS : INBOUND_TRANSITIONS) as Record<
    string,
    readonly string[]
  >;
  return table[from]?.includes(to) ?? false;
}

/** Throws ERR_ECMS_STATE unless the transition is allowed (or a no-op). */
export function assertTransition(direction: Direction, from: LetterState, to: LetterState): void {
  if (from === to) return;
  if (!canTransition(direction, from, to)) {
    throw ecmsError('ERR_ECMS_STATE', `An ${direction} letter in state ${from} cannot become ${to}`);
  }
}

/** The outbound state a notifier from the receiver moves a letter to. */
export const OUTBOUND_STATE_BY_NOTIFIER: Partial<Record<NotifierKind, OutboundState>> = {
  receive: 'received',
  accept: 'registered',
  reject: 'rejected',
  invalid: 'invalid',
};
