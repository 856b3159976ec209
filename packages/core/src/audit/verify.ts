import { readFile } from 'node:fs/promises';
import { invalidArgument, ThGovError } from '../errors.js';
import { decodeLine, GENESIS_HASH } from './chain.js';
import type { AuditRecord } from './record.js';

export type AuditLogErrorKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'malformed' | 'truncated';

export interface AuditLogError {
  /** 1-based line number in the file. */
  line: number;
  /** The record's seq when it could be read. */
  seq: number | undefined;
  kind: AuditLogErrorKind;
  message: string;
}

export interface AuditLogVerification {
  ok: boolean;
  /** The records that are intact, in file order. */
  records: AuditRecord[];
  errors: AuditLogError[];
  /** Last seq and the hash of the last line (compare with an anchor kept elsewhere). */
  head: { seq: number; hash: string };
}

export interface VerifyAuditLogOptions {
  /**
   * The head recorded elsewhere (e.g. `sink.head()` copied to another system). Without it, removing
   * the newest records is indistinguishable from a shorter log.
   */
  expectHead?: { seq: number; hash: string };
}

interface Entry {
  line: number;
  seq: number | undefined;
  lineHash: string;
  /** Intact: its own hash matches. */
  ok: boolean;
  record: AuditRecord | undefined;
  prevHash: string | undefined;
  inserted: boolean;
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

/** Checks a whole audit log given as its bytes or text. */
export function verifyAuditLogText(
  content: string | Uint8Array,
  options: VerifyAuditLogOptions = {},
): AuditLogVerification {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw invalidArgument('Expected the audit log as a string or a Uint8Array');
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const errors: AuditLogError[] = [];
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
    const d = decodeLine(lineBytes);
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
      entries.push({
        line: lineNo,
        seq: d.record.seq,
        lineHash: d.lineHash,
        ok: true,
        record: d.record,
        prevHash: d.record.prevHash,
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
        record: undefined,
        prevHash: undefined,
        inserted: false,
      });
  }

  // Two records claiming one seq: the one the next record's prevHash points at is genuine.
  const bySeq = new Map<number, Entry[]>();
  for (const e of entries) {
    const list = bySeq.get(e.seq as number);
    if (list) list.push(e);
    else bySeq.set(e.seq as number, [e]);
  }
  for (const [seq, list] of bySeq) {
    if (list.length < 2) continue;
    const successors = (bySeq.get(seq + 1) ?? []).filter((e) => e.ok);
    const genuine =
      list.find((e) => successors.some((s) => s.prevHash === e.lineHash)) ??
      list.find((e) => e.ok) ??
      list[0];
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
  const chain = entries.filter((e) => !e.inserted);

  // Records out of file order: everything outside one longest increasing run was moved.
  const inOrder = longestIncreasing(chain.map((e) => e.seq as number));
  chain.forEach((e, i) => {
    if (!inOrder.has(i)) {
      errors.push({
        line: e.line,
        seq: e.seq,
        kind: 'reordered',
        message: `record seq ${e.seq} is out of place`,
      });
    }
  });

  const sorted = [...chain].sort((a, b) => (a.seq as number) - (b.seq as number));
  const unknownBetween = (a: number, b: number): number => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return unknownLines.filter((l) => l > lo && l < hi).length;
  };
  let previous: Entry | undefined;
  for (const e of sorted) {
    const seq = e.seq as number;
    const expected = previous ? (previous.seq as number) + 1 : 1;
    if (seq > expected) {
      const missing = seq - expected;
      const explained = previous ? unknownBetween(previous.line, e.line) : unknownBetween(0, e.line);
      if (explained < missing) {
        errors.push({
          line: e.line,
          seq,
          kind: 'deleted',
          message:
            missing === 1
              ? `record seq ${expected} is missing before seq ${seq}`
              : `records seq ${expected}–${seq - 1} are missing before seq ${seq}`,
        });
      }
    } else if (e.ok && previous === undefined && e.prevHash !== GENESIS_HASH) {
      errors.push({
        line: e.line,
        seq,
        kind: 'edited',
        message: 'the first record does not start from the genesis hash',
      });
    } else if (e.ok && previous?.ok && e.prevHash !== previous.lineHash) {
      errors.push({
        line: previous.line,
        seq: previous.seq,
        kind: 'edited',
        message: `record seq ${previous.seq} does not match the hash stored in seq ${seq} (line ${e.line}): it was rewritten, or seq ${seq} was forged`,
      });
    }
    previous = e;
  }

  const last = sorted[sorted.length - 1];
  const head = { seq: last ? (last.seq as number) : 0, hash: last ? last.lineHash : GENESIS_HASH };
  const anchor = options.expectHead;
  if (anchor) {
    if (typeof anchor.seq !== 'number' || typeof anchor.hash !== 'string')
      throw invalidArgument('expectHead must be { seq, hash }');
    if (head.seq < anchor.seq) {
      errors.push({
        line: lineNo,
        seq: head.seq,
        kind: 'deleted',
        message: `the log ends at seq ${head.seq} but the anchored head is seq ${anchor.seq}: the newest records were removed`,
      });
    } else {
      const atAnchor = sorted.find((e) => e.seq === anchor.seq);
      if (anchor.seq > 0 && atAnchor && atAnchor.lineHash !== anchor.hash) {
        errors.push({
          line: atAnchor.line,
          seq: anchor.seq,
          kind: 'edited',
          message: `record seq ${anchor.seq} does not match the anchored head hash`,
        });
      }
    }
  }

  errors.sort((a, b) => a.line - b.line);
  const records = entries.filter((e) => e.ok && !e.inserted).map((e) => e.record as AuditRecord);
  return { ok: errors.length === 0, records, errors, head };
}

/**
 * Checks an audit log file (a path) or its content. A string is read as content when it is empty,
 * starts with `{` or contains a newline, and as a path otherwise; pass `{ path }` or `{ text }` to be explicit.
 * Finds edits, deletions, insertions and reordering and says on which line.
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
      content = await readFile(path);
    } catch (cause) {
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be read', { cause });
    }
  }
  return verifyAuditLogText(content!, options);
}
