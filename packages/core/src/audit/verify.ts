import { invalidArgument, ThGovError } from '../errors.js';
import { type AuditAnchor, anchorProblem, parseAnchor } from './anchor.js';
import { ANCHOR_FORMAT, decodeLine, GENESIS_HASH, sha256Hex } from './chain.js';
import { type AuditChainKey, AuditKeyRing } from './keys.js';
import type { AuditRecord } from './record.js';
import { readAuditFile } from './regular-file.js';

/** How an audit chain is broken: a record edited, deleted, inserted or reordered, a bad MAC, a cut tail. */
export type AuditLogErrorKind =
  | 'edited'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'malformed'
  | 'truncated'
  /** A legacy (unkeyed) record after keyed ones: rewritten by someone without the chain key. */
  | 'downgraded'
  /** Keyed records whose chain key was not given: their content cannot be checked. */
  | 'unverified'
  /**
   * Legacy (unkeyed) records that no keyed record seals, and `allowLegacy` was not given: anyone who can write
   * the file can write such a log (a keyed log rewritten in the old format is one).
   */
  | 'legacy'
  /**
   * The anchor is malformed, its MAC does not verify, it is another log's, it is further behind than a crash can
   * leave it (an older one put back), or it is missing although the log's records say their writer keeps one.
   */
  | 'anchor'
  /**
   * A log or PostgreSQL chain that holds no record (without `allowEmpty`): a file emptied with its anchor deleted, a
   * misspelt chain name, or a chain deleted whole.
   */
  | 'empty';

/** One problem `verifyAuditLog` found: where it is (line, seq) and what kind of break it is. */
export interface AuditLogError {
  /** 1-based line number in the file. */
  line: number;
  /** The record's seq when it could be read. */
  seq: number | undefined;
  kind: AuditLogErrorKind;
  message: string;
}

/**
 * What verification cannot rule out, although nothing was found: `legacy-unkeyed` (records in the old
 * plain SHA-256 format, which anyone could have rewritten before a keyed record sealed them, or accepted
 * with `allowLegacy`), `no-anchor` (tail truncation cannot be
 * detected: a log of a sink older than anchor format 3), `unanchored-tail` (records after the anchor, no more than
 * the writer's batch: a crash between append and anchor write, or a log being written; their removal would not be
 * detected), `unbound-anchor` (a format-1 anchor, which names no log: another log's anchor of the same head would pass).
 */
export interface AuditLogWarning {
  kind: 'legacy-unkeyed' | 'no-anchor' | 'unanchored-tail' | 'unbound-anchor';
  message: string;
}

/** The result of `verifyAuditLog`: whether the chain is intact, the intact records, the errors and warnings. */
export interface AuditLogVerification {
  /** No errors. Warnings may remain: treat them as failures where you need proof of completeness. */
  ok: boolean;
  /** The records that are intact, in file order. */
  records: AuditRecord[];
  errors: AuditLogError[];
  warnings: AuditLogWarning[];
  /** `keyed` (every record has a MAC), `legacy` (none has), `mixed` (legacy records, then keyed), `empty`. */
  format: 'keyed' | 'legacy' | 'mixed' | 'empty';
  /** Last seq and the hash of the last line (what an anchor holds). */
  head: { seq: number; hash: string };
  /**
   * The log's identity, as a format-3 anchor names it: SHA-256 (hex) of its record seq 1's line (the first line the
   * sink wrote; of the first line when there is no record seq 1, `GENESIS_HASH` for an empty log). Keep it elsewhere
   * and pass it back as `expectLog` to find a whole log swapped with its anchor.
   */
  log: string;
  /** The anchor's seq and how many records follow it, when an anchor was given and could be trusted. */
  anchored?: { seq: number; unanchored: number };
}

/** Options of `verifyAuditLog`: the chain keys, the anchor to compare with and how strict to be. */
export interface VerifyAuditLogOptions {
  /** The chain keys (every id the log uses, after rotations). Without them keyed records are `unverified`. */
  keys?: readonly AuditChainKey[];
  /**
   * The anchor the sink kept (`FileAnchorStore.read()`): finds removal of the newest records. `undefined` (what
   * `read()` gives when there is no anchor file) is the same as leaving it out: a `no-anchor` warning.
   */
  anchor?: AuditAnchor | undefined;
  /**
   * A head recorded elsewhere (e.g. `sink.head()` copied to another system), checked like an anchor but
   * without a MAC.
   */
  expectHead?: { seq: number; hash: string };
  /**
   * The log's identity (`result.log` of an earlier verification, 64 hex digits), kept elsewhere: a log replaced
   * whole, together with its anchor, by another log under the same chain key is an `anchor` error.
   */
  expectLog?: string;
  /**
   * Verify a log whose records say their writer keeps an anchor (`anchorFormat: 3`) without that anchor or an
   * `expectHead`: the missing anchor is then the `no-anchor` warning instead of an `anchor` error. For a copy of the
   * log alone, when the anchor is checked elsewhere; removal of the newest records cannot be detected.
   */
  allowMissingAnchor?: boolean;
  /**
   * Accept a log of legacy (unkeyed, format 1) records only, with a `legacy-unkeyed` warning. Without it such a
   * log is an error (`legacy`): nothing tells it from a keyed log rewritten by someone without the chain key.
   * Only for a log written before the chain was keyed, once, during the migration (to check it before a sink
   * adopts it); legacy records that a keyed record seals (an adopted log) need no opt-in.
   */
  allowLegacy?: boolean;
  /**
   * Accept a log that holds no record. Without it such a log is an error (`empty`) unless an anchor or `expectHead`
   * says what it should hold: a log emptied together with its anchor looks exactly like one never written to.
   */
  allowEmpty?: boolean;
}

/** What the sinks pass besides the public options. */
export interface VerifyInternalOptions extends Omit<VerifyAuditLogOptions, 'keys'> {
  /** No legacy record is expected at all (a store that never held format 1): each one is an error. */
  noLegacy?: string;
  /** The chain being checked (a PostgreSQL chain): an anchor naming another chain is an error. */
  chain?: string;
  /** A sink adopting a log whose anchor is gone (`onMissingAnchor: 'adopt'`): its missing anchor is not an error. */
  adopting?: boolean;
}

interface Entry {
  line: number;
  seq: number;
  lineHash: string;
  /** Intact: its own hash or MAC matches (or its key was not given). */
  ok: boolean;
  keyed: boolean;
  authenticated: boolean;
  record: AuditRecord | undefined;
  inserted: boolean;
}

interface Scan {
  entries: Entry[];
  /** Lines without a readable seq: they may explain gaps. */
  unknownLines: number[];
  lineCount: number;
}

/** Indices (into `seqs`) of one longest strictly increasing subsequence. */
function longestIncreasing(seqs: number[]): Set<number> {
  const tails: number[] = [];
  const prev = new Array<number>(seqs.length).fill(-1);
  for (let i = 0; i < seqs.length; i++) {
    const s = seqs[i] as number;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((seqs[tails[mid] as number] as number) < s) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] as number;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  let k = tails.length > 0 ? (tails[tails.length - 1] as number) : -1;
  while (k !== -1) {
    keep.add(k);
    k = prev[k] as number;
  }
  return keep;
}

/** Splits the bytes into lines and decodes each one. */
function scan(bytes: Buffer, ring: AuditKeyRing | undefined, errors: AuditLogError[]): Scan {
  const entries: Entry[] = [];
  const unknownLines: number[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    lineNo++;
    const nl = bytes.indexOf(0x0a, start);
    const complete = nl !== -1;
    const lineBytes = bytes.subarray(start, complete ? nl : bytes.length);
    start = complete ? nl + 1 : bytes.length;
    if (lineBytes.length === 0) {
      errors.push({ line: lineNo, seq: undefined, kind: 'malformed', message: 'empty line' });
      unknownLines.push(lineNo);
      continue;
    }
    const d = decodeLine(lineBytes, ring);
    if (!complete) {
      errors.push({
        line: lineNo,
        seq: d.ok ? d.record.seq : d.seq,
        kind: 'truncated',
        message: d.ok ? 'the last line has no newline terminator' : 'the last line is incomplete (cut off)',
      });
      if (!d.ok) {
        unknownLines.push(lineNo);
        continue;
      }
    }
    if (d.ok) {
      const { keyed, authenticated, record, lineHash } = d;
      entries.push({
        line: lineNo,
        seq: record.seq,
        lineHash,
        ok: true,
        keyed,
        authenticated,
        record,
        inserted: false,
      });
      continue;
    }
    errors.push({ line: lineNo, seq: d.seq, kind: d.kind, message: d.message });
    if (d.seq === undefined) unknownLines.push(lineNo);
    else
      entries.push({
        line: lineNo,
        seq: d.seq,
        lineHash: d.lineHash,
        ok: false,
        keyed: false,
        authenticated: false,
        record: undefined,
        inserted: false,
      });
  }
  return { entries, unknownLines, lineCount: lineNo };
}

/** Two records claiming one seq: the one the next record's prevHash points at is genuine. */
function markInserted(entries: Entry[], errors: AuditLogError[]): Entry[] {
  const bySeq = new Map<number, Entry[]>();
  for (const e of entries) {
    const list = bySeq.get(e.seq);
    if (list) list.push(e);
    else bySeq.set(e.seq, [e]);
  }
  for (const [seq, list] of bySeq) {
    if (list.length < 2) continue;
    // A set, not a search per candidate: copies of one line under a seq and under the next made this quadratic.
    const pointedAt = new Set((bySeq.get(seq + 1) ?? []).filter((e) => e.ok).map((e) => e.record?.prevHash));
    const genuine = list.find((e) => pointedAt.has(e.lineHash)) ?? list.find((e) => e.ok) ?? list[0];
    for (const e of list) {
      if (e === genuine) continue;
      e.inserted = true;
      errors.push({
        line: e.line,
        seq,
        kind: 'inserted',
        message: `a second record with seq ${seq} (the chain continues from line ${genuine?.line})`,
      });
    }
  }
  return entries.filter((e) => !e.inserted);
}

/** Records out of file order: everything outside one longest increasing run was moved. */
function markReordered(chain: Entry[], errors: AuditLogError[]): void {
  const inOrder = longestIncreasing(chain.map((e) => e.seq));
  chain.forEach((e, i) => {
    if (!inOrder.has(i))
      errors.push({
        line: e.line,
        seq: e.seq,
        kind: 'reordered',
        message: `record seq ${e.seq} is out of place`,
      });
  });
}

/** Index of the first element of the ascending `values` greater than `limit` (values.length when none is). */
function firstAbove(values: readonly number[], limit: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Walks the records in seq order: gaps, broken links and a return to the unkeyed format. */
function checkLinks(sorted: Entry[], unknownLines: number[], errors: AuditLogError[]): void {
  // unknownLines is in file order (ascending): counted by binary search, since a scan per gap was quadratic in a log
  // of unreadable lines and gaps.
  const unknownBetween = (a: number, b: number): number =>
    Math.max(0, firstAbove(unknownLines, Math.max(a, b) - 1) - firstAbove(unknownLines, Math.min(a, b)));
  let previous: Entry | undefined;
  let seenKeyed = false;
  for (const e of sorted) {
    const expected = previous ? previous.seq + 1 : 1;
    if (e.seq > expected) {
      const missing = e.seq - expected;
      if (unknownBetween(previous?.line ?? 0, e.line) < missing) {
        errors.push({
          line: e.line,
          seq: e.seq,
          kind: 'deleted',
          message:
            missing === 1
              ? `record seq ${expected} is missing before seq ${e.seq}`
              : `records seq ${expected}–${e.seq - 1} are missing before seq ${e.seq}`,
        });
      }
    } else if (e.ok && previous === undefined && e.record?.prevHash !== GENESIS_HASH) {
      errors.push({
        line: e.line,
        seq: e.seq,
        kind: 'edited',
        message: 'the first record does not start from the genesis hash',
      });
    } else if (e.ok && previous?.ok && e.record?.prevHash !== previous.lineHash) {
      errors.push({
        line: previous.line,
        seq: previous.seq,
        kind: 'edited',
        message: `record seq ${previous.seq} does not match the hash stored in seq ${e.seq} (line ${e.line}): it was rewritten, or seq ${e.seq} was forged`,
      });
    }
    if (e.ok && !e.keyed && seenKeyed) {
      errors.push({
        line: e.line,
        seq: e.seq,
        kind: 'downgraded',
        message: `record seq ${e.seq} is in the unkeyed legacy format after keyed records: it was rewritten without the chain key`,
      });
    }
    if (e.ok && e.keyed) seenKeyed = true;
    previous = e;
  }
}

/** Keyed records that could not be authenticated, one error per missing key id. */
function checkKeys(chain: Entry[], ring: AuditKeyRing | undefined, errors: AuditLogError[]): void {
  const byKid = new Map<string, Entry[]>();
  for (const e of chain) {
    if (!e.ok || !e.keyed || e.authenticated) continue;
    const kid = (e.record as { kid: string }).kid;
    const list = byKid.get(kid);
    if (list) list.push(e);
    else byKid.set(kid, [e]);
  }
  for (const [kid, list] of byKid) {
    const first = list[0] as Entry;
    errors.push({
      line: first.line,
      seq: first.seq,
      kind: 'unverified',
      message: `${list.length} record(s) are authenticated with chain key ${kid}, ${ring ? 'which is not among the keys given' : 'and no chain key was given'}: their content cannot be checked`,
    });
  }
}

/**
 * Legacy records sealed by a keyed record (an adopted log) are a warning: rewriting them breaks the link into
 * the first keyed record. Legacy records nothing seals are an error unless the caller opted in: a whole log
 * rewritten in the old format by someone without the chain key looks exactly like that.
 */
function checkLegacy(
  sorted: Entry[],
  o: VerifyInternalOptions,
  errors: AuditLogError[],
): AuditLogWarning | undefined {
  const firstKeyed = sorted.find((e) => e.ok && e.keyed);
  const legacy = sorted.filter((e) => e.ok && !e.keyed && (!firstKeyed || e.seq < firstKeyed.seq));
  if (legacy.length === 0) return undefined;
  const first = legacy[0] as Entry;
  const last = legacy[legacy.length - 1] as Entry;
  const range = first.seq === last.seq ? `seq ${first.seq}` : `seq ${first.seq}–${last.seq}`;
  if (o.noLegacy !== undefined) {
    errors.push({
      line: first.line,
      seq: first.seq,
      kind: 'legacy',
      message: `${legacy.length} record(s) (${range}) use the unkeyed legacy format, which ${o.noLegacy} never writes: they were written without the chain key`,
    });
    return undefined;
  }
  if (!firstKeyed && o.allowLegacy !== true) {
    errors.push({
      line: first.line,
      seq: first.seq,
      kind: 'legacy',
      message: `${legacy.length} record(s) (${range}) use the unkeyed legacy format (plain SHA-256) and no keyed record seals them: anyone who can write the file can write such a log (accepted with allowLegacy only, for a log written before the chain was keyed)`,
    });
    return undefined;
  }
  return {
    kind: 'legacy-unkeyed',
    message: firstKeyed
      ? `legacy, unkeyed: records ${range} use the old plain SHA-256 format; until seq ${firstKeyed.seq} sealed them, anyone who could write the file could have rewritten them`
      : `legacy, unkeyed: all ${legacy.length} record(s) use the old plain SHA-256 format; anyone who can write the file can rewrite them undetected, so this proves consistency only (accepted with allowLegacy)`,
  };
}

interface TailCheck {
  sorted: Entry[];
  head: { seq: number; hash: string };
  lineCount: number;
  ring: AuditKeyRing | undefined;
  errors: AuditLogError[];
  warnings: AuditLogWarning[];
  chain: string | undefined;
  /** SHA-256 of the first line (the log's identity). */
  log: string;
  /** A record says its writer keeps a format-3 anchor (file logs only). */
  marked: boolean;
}

/** Compares the head with the anchor: shorter or different is an error, longer a warning. */
function checkAnchor(anchorInput: unknown, t: TailCheck): AuditLogVerification['anchored'] {
  let anchor: AuditAnchor;
  try {
    anchor = parseAnchor(anchorInput, 'given');
  } catch {
    t.errors.push({ line: t.lineCount, seq: undefined, kind: 'anchor', message: 'the anchor is malformed' });
    return undefined;
  }
  const problem = anchorProblem(anchor, t.ring, t.chain);
  if (problem) {
    t.errors.push({ line: t.lineCount, seq: undefined, kind: 'anchor', message: problem });
    return undefined;
  }
  const bound = t.chain === undefined ? bindingProblem(anchor, t) : undefined;
  compareHead(anchor, t, 'its anchor');
  if (bound) {
    t.errors.push({ line: t.lineCount, seq: anchor.seq, kind: 'anchor', message: bound });
    return undefined;
  }
  if (t.head.seq > anchor.seq) {
    t.warnings.push({
      kind: 'unanchored-tail',
      message: `records seq ${anchor.seq + 1}–${t.head.seq} come after the anchor: their removal would not be detected (a crash between append and anchor write, or the log is being written)`,
    });
  }
  return { seq: anchor.seq, unanchored: Math.max(0, t.head.seq - anchor.seq) };
}

/**
 * A file log's anchor against the log: a format-3 anchor must name this log and be no further behind than one batch
 * of its writer (what a crash between a batch and its anchor leaves); an older format is an error over records whose
 * writer keeps format 3 (it re-anchors in format 3 before writing one), a warning otherwise.
 */
function bindingProblem(anchor: AuditAnchor, t: TailCheck): string | undefined {
  if (anchor.v !== 3) {
    if (t.marked)
      return `the anchor is format ${anchor.v}, but the log's records were written by a sink that keeps format-3 anchors: an older anchor was put back`;
    t.warnings.push({
      kind: 'unbound-anchor',
      message: `the anchor is format ${anchor.v}, which names no log: the anchor of another log with the same head would pass (the sink rewrites it in format 3 when it next opens the log)`,
    });
    return undefined;
  }
  // Without an intact record seq 1 there is nothing to compare: its deletion or rewriting is an error of its own.
  const first = t.sorted[0];
  const comparable = first?.seq === 1 && first.ok && !t.errors.some((e) => e.seq === 1);
  if (anchor.seq > 0 && comparable && anchor.log !== t.log)
    return 'the anchor is the head of another log (its first record differs): the log, or its anchor, was swapped';
  const lag = t.head.seq - anchor.seq;
  if (lag > (anchor.batch as number))
    return `the anchor is ${lag} records behind the log, more than the one batch (at most ${anchor.batch}) a crash between a batch and its anchor can leave: an older anchor was put back`;
  return undefined;
}

/** Without anchor or expected head: an error when the records say their writer keeps an anchor, a warning otherwise. */
function checkNoAnchor(t: TailCheck, allowMissing: boolean | undefined): void {
  if (t.marked && !allowMissing) {
    t.errors.push({
      line: t.lineCount,
      seq: undefined,
      kind: 'anchor',
      message:
        'no anchor, but the log was written by a sink that keeps one (its records carry anchorFormat 3): the anchor was deleted, and the newest records may have been cut with it',
    });
    return;
  }
  t.warnings.push({ kind: 'no-anchor', message: 'no anchor: tail truncation cannot be detected' });
}

/** The log's identity against the one kept elsewhere (`expectLog`). */
function checkLogIdentity(expected: unknown, t: TailCheck): void {
  if (typeof expected !== 'string' || !HEX64.test(expected))
    throw invalidArgument(
      'expectLog must be the log identity as verification gives it (64 lower-case hex digits)',
    );
  if (expected === t.log) return;
  t.errors.push({
    line: 1,
    seq: undefined,
    kind: 'anchor',
    message: 'the log is not the one expected (its first line differs): it was replaced by another log',
  });
}

/**
 * The log's identity: the hash of its record seq 1 (what the sink put on the first line), else of its first line's
 * bytes, `GENESIS_HASH` when empty.
 */
function logIdentity(sorted: Entry[], bytes: Buffer): string {
  const first = sorted[0];
  if (first?.seq === 1) return first.lineHash;
  if (bytes.length === 0) return GENESIS_HASH;
  const nl = bytes.indexOf(0x0a);
  return sha256Hex(bytes.subarray(0, nl === -1 ? bytes.length : nl));
}

function compareHead(expected: { seq: number; hash: string }, t: TailCheck, what: string): void {
  if (t.head.seq < expected.seq) {
    t.errors.push({
      line: t.lineCount,
      seq: t.head.seq,
      kind: 'deleted',
      message: `the log ends at seq ${t.head.seq} but ${what} is at seq ${expected.seq}: the newest records were removed`,
    });
    return;
  }
  const at = t.sorted.find((e) => e.seq === expected.seq);
  if (expected.seq > 0 && at && at.lineHash !== expected.hash) {
    t.errors.push({
      line: at.line,
      seq: expected.seq,
      kind: 'edited',
      message: `record seq ${expected.seq} differs from the one ${what} names`,
    });
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A head that names one record (or the empty log): anything else would compare with nothing and still silence `no-anchor`. */
function isHead(value: unknown): value is { seq: number; hash: string } {
  const h = value as { seq?: unknown; hash?: unknown } | null;
  return (
    typeof h === 'object' &&
    h !== null &&
    Number.isSafeInteger(h.seq) &&
    (h.seq as number) >= 0 &&
    typeof h.hash === 'string' &&
    HEX64.test(h.hash) &&
    (h.seq !== 0 || h.hash === GENESIS_HASH)
  );
}

const isMarked = (r: AuditRecord | undefined) =>
  (r as { anchorFormat?: unknown } | undefined)?.anchorFormat === ANCHOR_FORMAT;

/** The anchor, the expected head and the expected log identity, whichever were given. */
function checkTail(o: VerifyInternalOptions, t: TailCheck): AuditLogVerification['anchored'] {
  let anchored: AuditLogVerification['anchored'];
  if (o.anchor !== undefined) anchored = checkAnchor(o.anchor, t);
  if (o.expectHead !== undefined) {
    if (!isHead(o.expectHead))
      throw invalidArgument(
        'expectHead must be { seq, hash } as sink.head() gives it: seq a whole number from 0, hash 64 lower-case hex digits (the genesis hash at seq 0)',
      );
    compareHead(o.expectHead, t, 'the expected head');
  }
  if (o.expectLog !== undefined) checkLogIdentity(o.expectLog, t);
  if (o.anchor === undefined && o.expectHead === undefined)
    checkNoAnchor(t, o.allowMissingAnchor === true || o.adopting === true);
  return anchored;
}

function formatOf(chain: Entry[]): AuditLogVerification['format'] {
  const intact = chain.filter((e) => e.ok);
  const keyed = intact.filter((e) => e.keyed).length;
  if (intact.length === 0) return 'empty';
  if (keyed === intact.length) return 'keyed';
  return keyed === 0 ? 'legacy' : 'mixed';
}

function toRing(keys: unknown): AuditKeyRing | undefined {
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys)) throw invalidArgument('keys must be an array of { id, secret }');
  return new AuditKeyRing(keys as AuditChainKey[]);
}

/**
 * Checks a whole audit log given as its bytes or text: edits, deletions, insertions, reordering, records
 * rewritten in the unkeyed format, and (with `anchor` or `expectHead`) removal of the newest records.
 *
 * @example
 * ```ts
 * import { parseAuditChainKeys, verifyAuditLogText } from '@thgov/core';
 *
 * const result = verifyAuditLogText(text, { keys: parseAuditChainKeys(process.env.THGOV_AUDIT_CHAIN_KEYS!) });
 * if (!result.ok) console.error(result.errors);
 * ```
 */
export function verifyAuditLogText(
  content: string | Uint8Array,
  options: VerifyAuditLogOptions = {},
): AuditLogVerification {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw invalidArgument('Expected the audit log as a string or a Uint8Array');
  }
  if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object');
  if (options.allowLegacy !== undefined && typeof options.allowLegacy !== 'boolean')
    throw invalidArgument('allowLegacy must be a boolean');
  if (options.allowMissingAnchor !== undefined && typeof options.allowMissingAnchor !== 'boolean')
    throw invalidArgument('allowMissingAnchor must be a boolean');
  if (options.allowEmpty !== undefined && typeof options.allowEmpty !== 'boolean')
    throw invalidArgument('allowEmpty must be a boolean');
  const { keys, allowEmpty, ...rest } = options;
  const result = verifyWithRing(content, toRing(keys), rest);
  if (allowEmpty !== true && rest.anchor === undefined && rest.expectHead === undefined) checkEmpty(result);
  return result;
}

/**
 * A log with no record and nothing that says what it should hold: emptied (its anchor deleted with it, the records'
 * anchor marks gone with them) or never written to. Neither is evidence of anything, so it is not `ok`.
 */
function checkEmpty(result: AuditLogVerification): void {
  if (result.records.length > 0 || result.errors.length > 0) return;
  result.errors.push({
    line: 0,
    seq: undefined,
    kind: 'empty',
    message:
      'the log holds no record: emptied (with its anchor deleted) or never written to; pass allowEmpty: true where an empty log is expected',
  });
  result.warnings = result.warnings.filter((w) => w.kind !== 'no-anchor');
  result.ok = false;
}

/** verifyAuditLogText with the keys already checked: what the sinks use. */
export function verifyWithRing(
  content: string | Uint8Array,
  ring: AuditKeyRing | undefined,
  o: VerifyInternalOptions,
): AuditLogVerification {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const errors: AuditLogError[] = [];
  const warnings: AuditLogWarning[] = [];
  const { entries, unknownLines, lineCount } = scan(bytes, ring, errors);
  const chain = markInserted(entries, errors);
  markReordered(chain, errors);
  const sorted = [...chain].sort((a, b) => a.seq - b.seq);
  checkLinks(sorted, unknownLines, errors);
  checkKeys(chain, ring, errors);
  const legacy = checkLegacy(sorted, o, errors);
  if (legacy) warnings.push(legacy);

  const last = sorted[sorted.length - 1];
  const head = { seq: last ? last.seq : 0, hash: last ? last.lineHash : GENESIS_HASH };
  const log = logIdentity(sorted, bytes);
  const marked = o.chain === undefined && sorted.some((e) => e.authenticated && isMarked(e.record));
  const t: TailCheck = { sorted, head, lineCount, ring, errors, warnings, chain: o.chain, log, marked };
  const anchored = checkTail(o, t);

  errors.sort((a, b) => a.line - b.line);
  const records = chain.filter((e) => e.ok).map((e) => e.record as AuditRecord);
  const result: AuditLogVerification = {
    ok: errors.length === 0,
    records,
    errors,
    warnings,
    format: formatOf(chain),
    head,
    log,
  };
  if (anchored) result.anchored = anchored;
  return result;
}

/**
 * Checks an audit log file (a path) or its content. A string is read as content when it is empty,
 * starts with `{` or contains a newline, and as a path otherwise; pass `{ path }` or `{ text }` to be explicit.
 * Finds edits, deletions, insertions and reordering and says on which line; see `verifyAuditLogText`.
 *
 * @example
 * ```ts
 * import { FileAnchorStore, parseAuditChainKeys, verifyAuditLog } from '@thgov/core';
 *
 * const result = await verifyAuditLog(
 *   { path: 'audit/gdx.jsonl' },
 *   {
 *     keys: parseAuditChainKeys(process.env.THGOV_AUDIT_CHAIN_KEYS!),
 *     anchor: await new FileAnchorStore({ path: 'audit/gdx.jsonl.anchor' }).read(),
 *   },
 * );
 * result.ok; // false → result.errors; result.warnings says what could not be ruled out
 * ```
 */
export async function verifyAuditLog(
  input: string | Uint8Array | { path: string } | { text: string | Uint8Array },
  options: VerifyAuditLogOptions = {},
): Promise<AuditLogVerification> {
  let content: string | Uint8Array;
  let path: string | undefined;
  if (input instanceof Uint8Array) content = input;
  else if (typeof input === 'string') {
    if (input === '' || input.startsWith('{') || input.includes('\n')) content = input;
    else path = input;
  } else if (
    typeof input === 'object' &&
    input !== null &&
    'path' in input &&
    typeof input.path === 'string'
  ) {
    path = input.path;
  } else if (typeof input === 'object' && input !== null && 'text' in input) {
    content = input.text;
  } else {
    throw invalidArgument('verifyAuditLog expects a path, the log text, { path } or { text }');
  }
  if (path !== undefined) {
    try {
      content = await readAuditFile(path, 'audit log file');
    } catch (cause) {
      if (cause instanceof ThGovError) throw cause;
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be read', { cause });
    }
  }
  return verifyAuditLogText(content!, options);
}
