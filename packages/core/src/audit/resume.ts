import { ThGovError } from '../errors.js';
import { type AuditAnchor, anchorProblem } from './anchor.js';
import { ANCHOR_FORMAT, decodeLine, GENESIS_HASH } from './chain.js';
import type { AuditKeyRing } from './keys.js';

/** The last record of a chain: its seq and the SHA-256 of its line (the next record's prevHash). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Where a writer continues the chain, decided from the log's last lines and its anchor, whatever stores
 * them. The anchor is written after each batch is durable, so a crash between the two leaves the log
 * ahead of its anchor by at most one batch (`maxLag` records): those records must continue the anchored
 * one with valid MACs, and the writer then re-anchors. A log shorter than its anchor, or different at the
 * anchored seq, is refused: continuing it would make the cut invisible.
 */
export type ResumeDecision =
  | { kind: 'resume'; head: ChainHead; reanchor: boolean }
  /** Call again with this many last lines. */
  | { kind: 'need-lines'; count: number }
  /** Records but no anchor: the caller refuses, or verifies the whole log and adopts it. */
  | { kind: 'no-anchor'; head: ChainHead };

const anchorError = (message: string, hint?: string) =>
  new ThGovError('ERR_AUDIT_ANCHOR', message, hint === undefined ? {} : { hint });

/** The last record's head, and whether it says its writer keeps a format-3 anchor. */
function decodeHead(line: Buffer, ring: AuditKeyRing): ChainHead & { marked: boolean } {
  const d = decodeLine(line, ring);
  if (!d.ok) {
    throw new ThGovError(
      'ERR_AUDIT_CHAIN',
      `The last record of the audit log is ${d.kind} (${d.message}); refusing to extend a broken chain`,
      { hint: 'Run verifyAuditLog() (or thgov audit verify) on the file to see where it was changed.' },
    );
  }
  if (d.keyed && !d.authenticated) {
    throw new ThGovError(
      'ERR_AUDIT_KEY',
      `The last record of the audit log is authenticated with chain key ${(d.record as { kid: string }).kid}, which was not given`,
      { hint: 'After a key rotation, pass the old key in previousChainKeys.' },
    );
  }
  const marked = (d.record as { anchorFormat?: unknown }).anchorFormat === ANCHOR_FORMAT;
  return { seq: d.record.seq, hash: d.lineHash, marked };
}

/**
 * A log file's anchor against the log (`log`: SHA-256 of its first line): a format-3 anchor must name it; an older
 * format over a record whose writer keeps format 3 was put back (that writer re-anchors in format 3 before it writes).
 */
function checkBinding(anchor: AuditAnchor, log: string, marked: boolean): void {
  if (anchor.v === 3 && anchor.seq > 0 && anchor.log !== log)
    throw anchorError(
      'The audit anchor is the head of another log (its first record differs): the log, or its anchor, was swapped',
    );
  if (anchor.v !== 3 && marked)
    throw anchorError(
      `The audit anchor is format ${anchor.v}, but the log's records were written by a sink that keeps format-3 anchors: an older anchor was put back`,
    );
}

/** Checks that `run` (the anchored line, then the lines after it) continues the anchor record by record. */
function checkRun(run: Buffer[], anchor: AuditAnchor, ring: AuditKeyRing): void {
  let prev = GENESIS_HASH;
  let rest = run;
  if (anchor.seq > 0) {
    const first = run[0] ? decodeLine(run[0], ring) : undefined;
    if (!first?.ok || first.record.seq !== anchor.seq || first.lineHash !== anchor.hash)
      throw anchorError(`The audit log differs from its anchor at seq ${anchor.seq}`);
    prev = anchor.hash;
    rest = run.slice(1);
  }
  let seq = anchor.seq;
  for (const line of rest) {
    const d = decodeLine(line, ring);
    seq++;
    if (!d.ok || !d.authenticated || d.record.seq !== seq || d.record.prevHash !== prev)
      throw anchorError(`The records after the anchor (seq ${anchor.seq}) do not continue it at seq ${seq}`);
    prev = d.lineHash;
  }
}

/**
 * See {@link ResumeDecision}. `lines` are the log's last complete lines, oldest first. `log` (a log file: SHA-256 of
 * its first line) checks the anchor's binding, and asks for a format-3 anchor in place of an older one.
 */
export function resumeChain(
  lines: Buffer[],
  anchor: AuditAnchor | undefined,
  ring: AuditKeyRing,
  maxLag: number,
  chain?: string,
  log?: string,
): ResumeDecision {
  const last = lines[lines.length - 1];
  const { marked, ...head } = last ? decodeHead(last, ring) : { seq: 0, hash: GENESIS_HASH, marked: false };
  if (!anchor) return head.seq === 0 ? { kind: 'resume', head, reanchor: true } : { kind: 'no-anchor', head };
  const problem = anchorProblem(anchor, ring, chain);
  if (problem) throw anchorError(`The audit anchor cannot be trusted: ${problem}`);
  if (log !== undefined) checkBinding(anchor, log, marked);
  if (head.seq < anchor.seq) {
    throw anchorError(
      `The audit log ends at seq ${head.seq} but its anchor is at seq ${anchor.seq}: the newest records were removed`,
      'Keep the file for investigation and restore the log from a backup; do not delete the anchor to get going again.',
    );
  }
  if (head.seq === anchor.seq) {
    if (head.hash !== anchor.hash)
      throw anchorError(`The audit log differs from its anchor at seq ${anchor.seq}`);
    return { kind: 'resume', head, reanchor: log !== undefined && anchor.v !== 3 };
  }
  const lag = head.seq - anchor.seq;
  if (lag > maxLag) {
    throw anchorError(
      `The audit log is ${lag} records ahead of its anchor, more than a crash can leave: the anchor was replaced by an older one`,
    );
  }
  const needed = anchor.seq === 0 ? lag : lag + 1;
  if (lines.length < needed) return { kind: 'need-lines', count: needed };
  checkRun(lines.slice(lines.length - needed), anchor, ring);
  return { kind: 'resume', head, reanchor: true };
}
