import { invalidArgument, isCitizenId, type OperationOptions, parseCitizenId } from '@thgov/core';

/** Per-call context: on whose behalf, why, for which case. Recorded in the audit log when one is configured. */
export interface GdxCallOptions extends OperationOptions {
  /**
   * The officer's 13-digit citizen ID (for DOPA Linkage it must be the card logged in to DOPA's GovAMI),
   * or an English system name. Required unless the client has a default `agentId`.
   */
  agentId?: string;
  /** Why the data is needed (PDPA purpose); audit only, never sent to GDX. */
  purpose?: string;
  /** Case or document reference; audit, and `X-Road-Issue` in X-Road mode. */
  caseRef?: string;
  /** X-Road mode: `X-Road-Represented-Party` (CLASS/CODE) for this call; overrides the client's. */
  representedParty?: string | { memberClass: string; memberCode: string };
}

/** Who calls and why, per call: AgentID, purpose, case reference and represented party (logged and audited). */
export interface CallContext {
  agentId: string;
  purpose: string | undefined;
  caseRef: string | undefined;
  representedParty: string | { memberClass: string; memberCode: string } | undefined;
}

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9 ._-]{1,63}$/;
/** Thirteen digits in a row, separators allowed between: a citizen ID (or a mistyped one), any spelling. */
const THIRTEEN_DIGITS = /\d(?:[ ._-]*\d){12}/;
const FREE_TEXT_MAX = 500;

/**
 * True for a valid AgentID: a citizen ID with a valid check digit, or a system name. A system name holds no
 * citizen ID (no 13 digits in a row, in any spelling): the audit record keeps a system name readable, where
 * it hashes a citizen ID.
 */
export function isAgentId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  // An officer's citizen ID in any spelling (Thai or full-width digits, dashes: core's isCitizenId); other
  // digits must not pass as a "name" (a typo in an officer's ID).
  if (isCitizenId(value)) return true;
  if (/^\d+$/.test(value)) return false;
  return SYSTEM_NAME.test(value) && !THIRTEEN_DIGITS.test(value);
}

function freeText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > FREE_TEXT_MAX ||
    /[\p{Cc}]/u.test(value)
  ) {
    throw invalidArgument(
      `${name} must be a non-empty string of at most ${FREE_TEXT_MAX} characters without control characters`,
    );
  }
  return value;
}

const MAX_CHECKED_AGENT_IDS = 1024;

/**
 * AgentIDs a client already checked, each with the form its calls send: a client calls for the same few
 * officers again and again, so each is checked and normalised once. Bounded (cleared when full) and emptied
 * by the client's `close()`.
 */
export class CheckedAgentIds {
  readonly #checked = new Map<string, string>();

  /** The AgentID as calls send it (an officer's ID as its 13 ASCII digits); throws ERR_GDX_AGENT_ID if invalid. */
  resolve(given: string | undefined): string {
    if (given === undefined) {
      throw invalidArgument(
        'agentId is required (the officer citizen ID or a system name)',
        'ERR_GDX_AGENT_ID',
      );
    }
    const known = this.#checked.get(given);
    if (known !== undefined) return known;
    if (!isAgentId(given)) {
      throw invalidArgument(
        'agentId must be a 13-digit citizen ID with a valid check digit or a system name (letters, digits, space, . _ -) without a citizen ID in it',
        'ERR_GDX_AGENT_ID',
      );
    }
    // The header, the token cache and the audit record get the 13 ASCII digits of an officer's ID.
    const agentId = isCitizenId(given) ? parseCitizenId(given) : given;
    if (this.#checked.size >= MAX_CHECKED_AGENT_IDS) this.#checked.clear();
    this.#checked.set(given, agentId);
    return agentId;
  }

  clear(): void {
    this.#checked.clear();
  }
}

export function resolveContext(
  options: GdxCallOptions | undefined,
  defaultAgentId: string | undefined,
  agentIds: CheckedAgentIds = new CheckedAgentIds(),
): CallContext {
  return {
    agentId: agentIds.resolve(options?.agentId ?? defaultAgentId),
    purpose: freeText(options?.purpose, 'purpose'),
    caseRef: freeText(options?.caseRef, 'caseRef'),
    representedParty: options?.representedParty,
  };
}
