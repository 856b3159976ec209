import { ThGovError } from '../errors.js';
import { GENESIS_HASH } from './chain.js';
import { ANCHOR_MAC_LABEL, AUDIT_KEY_ID, type AuditKeyRing } from './keys.js';

/**
 * The head of an audit chain kept outside the log: removing the newest records (or the whole log) leaves
 * a valid shorter chain, and only a copy of the head kept elsewhere tells. The anchor carries a MAC under
 * a chain key, so it cannot be forged for another head; keep it where whoever can write the log cannot
 * (another disk, host or store) to also rule out putting back an older anchor.
 */
export interface AuditAnchor {
  /** Anchor format: 2 names the chain it is the head of (`chain`, covered by the MAC), 1 names none. */
  v: 1 | 2;
  /**
   * The chain this is the head of (format 2, written by `PostgresAuditSink`, whose table holds several chains under
   * the same keys): an anchor copied to another chain, with that chain's rows, does not verify for it.
   */
  chain?: string;
  /** seq of the last record (0 for an empty log). */
  seq: number;
  /** SHA-256 (hex) of the last line's bytes (`GENESIS_HASH` for an empty log). */
  hash: string;
  /** Id of the chain key that made `mac`. */
  kid: string;
  /** When the anchor was written (ISO 8601). */
  ts: string;
  /** HMAC-SHA-256 (hex) over the fields above. */
  mac: string;
}

/**
 * Where a sink keeps its anchor: `FileAnchorStore` by default, or any store the caller supplies (another
 * machine, a database row, WORM storage). `write` is called after each batch of records is durable, under
 * the sink's lock; it must replace the anchor atomically (a reader sees the old or the new one, never a mix).
 */
export interface AuditAnchorStore {
  /** The last anchor written, or undefined when there is none yet. */
  read(): Promise<AuditAnchor | undefined>;
  write(anchor: AuditAnchor): Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** A chain's name: the key-id alphabet, as the `chain` column of the PostgreSQL sink takes it. */
const CHAIN_NAME = AUDIT_KEY_ID;
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function anchorMacInput(a: Omit<AuditAnchor, 'mac'>): string {
  const chain = a.v === 2 ? `${a.chain}\n` : '';
  return `${a.v}\n${chain}${a.seq}\n${a.hash}\n${a.kid}\n${a.ts}`;
}

/**
 * A new anchor for head `{ seq, hash }`, authenticated with chain key `kid`; with `chain`, a format-2 anchor that
 * names (and is valid for) that chain only.
 */
export function createAnchor(
  head: { seq: number; hash: string },
  ring: AuditKeyRing,
  kid: string,
  now: Date = new Date(),
  chain?: string,
): AuditAnchor {
  const base = { seq: head.seq, hash: head.hash, kid, ts: now.toISOString() };
  const unsigned: Omit<AuditAnchor, 'mac'> =
    chain === undefined ? { v: 1, ...base } : { v: 2, chain, ...base };
  return { ...unsigned, mac: ring.mac(kid, ANCHOR_MAC_LABEL, anchorMacInput(unsigned)) };
}

/** Checks the shape of an anchor read from storage; throws ERR_AUDIT_ANCHOR, never echoing the value. */
export function parseAnchor(value: unknown, where: string): AuditAnchor {
  const a = value as Partial<AuditAnchor> | null;
  const valid =
    typeof a === 'object' &&
    a !== null &&
    !Array.isArray(a) &&
    (a.v === 1 ? !('chain' in a) : a.v === 2 && typeof a.chain === 'string' && CHAIN_NAME.test(a.chain)) &&
    typeof a.seq === 'number' &&
    Number.isSafeInteger(a.seq) &&
    a.seq >= 0 &&
    typeof a.hash === 'string' &&
    HEX64.test(a.hash) &&
    (a.seq > 0 || a.hash === GENESIS_HASH) &&
    typeof a.kid === 'string' &&
    AUDIT_KEY_ID.test(a.kid) &&
    typeof a.ts === 'string' &&
    ISO_TS.test(a.ts) &&
    typeof a.mac === 'string' &&
    HEX64.test(a.mac) &&
    Object.keys(a).length === (a.v === 2 ? 7 : 6);
  if (!valid) throw new ThGovError('ERR_AUDIT_ANCHOR', `The audit anchor ${where} is not a valid anchor`);
  const fields = { seq: a.seq!, hash: a.hash!, kid: a.kid!, ts: a.ts!, mac: a.mac! };
  return a.v === 2 ? { v: 2, chain: a.chain!, ...fields } : { v: 1, ...fields };
}

/**
 * Why an anchor cannot be trusted, or undefined when its MAC verifies under the ring. With `chain` (the chain being
 * checked), a format-2 anchor must name that chain; a format-1 anchor (written before anchors named their chain) is
 * accepted for any.
 */
export function anchorProblem(
  anchor: AuditAnchor,
  ring: AuditKeyRing | undefined,
  chain?: string,
): string | undefined {
  if (!ring?.has(anchor.kid))
    return `the anchor is authenticated with chain key ${anchor.kid}, which was not given`;
  const { mac, ...unsigned } = anchor;
  if (!ring.verify(anchor.kid, ANCHOR_MAC_LABEL, anchorMacInput(unsigned), mac))
    return 'the anchor does not match its MAC: it was forged or changed';
  if (chain !== undefined && anchor.v === 2 && anchor.chain !== chain)
    return `the anchor is the head of chain ${anchor.chain}, not of chain ${chain}: the chain was replaced by a copy of another`;
  return undefined;
}
