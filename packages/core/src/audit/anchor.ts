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
  /** Anchor format. */
  v: 1;
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
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function anchorMacInput(a: Omit<AuditAnchor, 'mac'>): string {
  return `${a.v}\n${a.seq}\n${a.hash}\n${a.kid}\n${a.ts}`;
}

/** A new anchor for head `{ seq, hash }`, authenticated with chain key `kid`. */
export function createAnchor(
  head: { seq: number; hash: string },
  ring: AuditKeyRing,
  kid: string,
  now: Date = new Date(),
): AuditAnchor {
  const unsigned = { v: 1 as const, seq: head.seq, hash: head.hash, kid, ts: now.toISOString() };
  return { ...unsigned, mac: ring.mac(kid, ANCHOR_MAC_LABEL, anchorMacInput(unsigned)) };
}

/** Checks the shape of an anchor read from storage; throws ERR_AUDIT_ANCHOR, never echoing the value. */
export function parseAnchor(value: unknown, where: string): AuditAnchor {
  const a = value as Partial<AuditAnchor> | null;
  const valid =
    typeof a === 'object' &&
    a !== null &&
    !Array.isArray(a) &&
    a.v === 1 &&
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
    Object.keys(a).length === 6;
  if (!valid) throw new ThGovError('ERR_AUDIT_ANCHOR', `The audit anchor ${where} is not a valid anchor`);
  return { v: 1, seq: a.seq!, hash: a.hash!, kid: a.kid!, ts: a.ts!, mac: a.mac! };
}

/** Why an anchor cannot be trusted, or undefined when its MAC verifies under the ring. */
export function anchorProblem(anchor: AuditAnchor, ring: AuditKeyRing | undefined): string | undefined {
  if (!ring?.has(anchor.kid))
    return `the anchor is authenticated with chain key ${anchor.kid}, which was not given`;
  const { mac, ...unsigned } = anchor;
  if (!ring.verify(anchor.kid, ANCHOR_MAC_LABEL, anchorMacInput(unsigned), mac))
    return 'the anchor does not match its MAC: it was forged or changed';
  return undefined;
}
