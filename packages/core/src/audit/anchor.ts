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
  /**
   * Anchor format: 3 names the log file it is the head of (`log`) and the writer's batch bound (`batch`), 2 names the
   * PostgreSQL chain (`chain`), 1 names none (read, with a warning, for logs written before format 3).
   */
  v: 1 | 2 | 3;
  /**
   * The chain this is the head of (format 2, written by `PostgresAuditSink`, whose table holds several chains under
   * the same keys): an anchor copied to another chain, with that chain's rows, does not verify for it.
   */
  chain?: string;
  /**
   * The log this is the head of (format 3): SHA-256 (hex) of its first line's bytes, `GENESIS_HASH` while it is
   * empty. An anchor moved to another log under the same chain key does not verify for it.
   */
  log?: string;
  /**
   * Format 3: the most records the writer puts in one batch, so the most a crash between a batch and its anchor
   * can leave after the anchor. A log further ahead of its anchor had an older anchor put back.
   */
  batch?: number;
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
  const names = a.v === 2 ? `${a.chain}\n` : a.v === 3 ? `${a.log}\n${a.batch}\n` : '';
  return `${a.v}\n${names}${a.seq}\n${a.hash}\n${a.kid}\n${a.ts}`;
}

/** What a format-3 anchor binds besides the head: the log (its first line's hash) and the writer's batch bound. */
export interface LogBinding {
  log: string;
  batch: number;
}

/** The most records a format-3 anchor may say a writer puts in one batch. */
export const MAX_BATCH_BOUND = 1_000_000;

/**
 * A new anchor for head `{ seq, hash }`, authenticated with chain key `kid`; with `chain`, a format-2 anchor that
 * names (and is valid for) that chain only; with a `LogBinding`, a format-3 anchor of a log file.
 */
export function createAnchor(
  head: { seq: number; hash: string },
  ring: AuditKeyRing,
  kid: string,
  now: Date = new Date(),
  chain?: string | LogBinding,
): AuditAnchor {
  const base = { seq: head.seq, hash: head.hash, kid, ts: now.toISOString() };
  const unsigned: Omit<AuditAnchor, 'mac'> =
    chain === undefined
      ? { v: 1, ...base }
      : typeof chain === 'string'
        ? { v: 2, chain, ...base }
        : { v: 3, log: chain.log, batch: chain.batch, ...base };
  return { ...unsigned, mac: ring.mac(kid, ANCHOR_MAC_LABEL, anchorMacInput(unsigned)) };
}

/** Checks the shape of an anchor read from storage; throws ERR_AUDIT_ANCHOR, never echoing the value. */
export function parseAnchor(value: unknown, where: string): AuditAnchor {
  const a = value as Partial<AuditAnchor> | null;
  const valid =
    typeof a === 'object' &&
    a !== null &&
    !Array.isArray(a) &&
    formatFieldsValid(a) &&
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
    (a.v !== 3 || a.seq! > 0 || a.log === GENESIS_HASH) &&
    Object.keys(a).length === FIELD_COUNT[a.v as 1 | 2 | 3];
  if (!valid) throw new ThGovError('ERR_AUDIT_ANCHOR', `The audit anchor ${where} is not a valid anchor`);
  const fields = { seq: a.seq!, hash: a.hash!, kid: a.kid!, ts: a.ts!, mac: a.mac! };
  if (a.v === 3) return { v: 3, log: a.log!, batch: a.batch!, ...fields };
  return a.v === 2 ? { v: 2, chain: a.chain!, ...fields } : { v: 1, ...fields };
}

const FIELD_COUNT = { 1: 6, 2: 7, 3: 8 } as const;

/** The fields that only some formats have: present (and well formed) in theirs, absent from the others. */
function formatFieldsValid(a: Partial<AuditAnchor>): boolean {
  if (a.v === 1) return !('chain' in a) && !('log' in a) && !('batch' in a);
  if (a.v === 2) return typeof a.chain === 'string' && CHAIN_NAME.test(a.chain);
  return (
    a.v === 3 &&
    typeof a.log === 'string' &&
    HEX64.test(a.log) &&
    Number.isSafeInteger(a.batch) &&
    (a.batch as number) >= 1 &&
    (a.batch as number) <= MAX_BATCH_BOUND
  );
}

/**
 * Why an anchor cannot be trusted, or undefined when its MAC verifies under the ring. With `chain` (the chain being
 * checked), a format-2 anchor must name that chain and a format-3 one (a log file's) is refused; a format-1 anchor
 * (written before anchors named their chain) is accepted for any. A format-3 anchor's `log` is checked by the caller,
 * which holds the log's first line.
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
  if (chain !== undefined && anchor.v === 3)
    return `the anchor is the head of a log file, not of chain ${chain}`;
  return undefined;
}
