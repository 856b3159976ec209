import { ThGovError } from '../errors.js';
import { decodeLine, encodeRecord, GENESIS_HASH } from './chain.js';
import {
  type AuditEvent,
  type AuditRecord,
  type AuditSink,
  createSubjectHasher,
  randomHmacSecret,
  type SubjectHasher,
  toRecordBody,
} from './record.js';

export interface MemoryAuditSinkOptions {
  /** Agency secret for subject hashes; a random one when omitted (hashes then differ per instance). */
  hmacSecret?: string | Uint8Array;
}

/** The same chained records as `FileAuditSink`, kept in memory: for tests and short-lived tools. */
export class MemoryAuditSink implements AuditSink {
  readonly #lines: string[] = [];
  readonly #hash: SubjectHasher;
  #prevHash = GENESIS_HASH;
  #closed = false;

  constructor(options: MemoryAuditSinkOptions = {}) {
    this.#hash = createSubjectHasher(options.hmacSecret ?? randomHmacSecret());
  }

  async append(event: AuditEvent): Promise<void> {
    if (this.#closed) throw new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed');
    const body = toRecordBody(event, this.#hash);
    const { line, lineHash } = encodeRecord(body, this.#lines.length + 1, this.#prevHash);
    this.#lines.push(line);
    this.#prevHash = lineHash;
  }

  /** The log as JSONL text, exactly as a file sink would have written it. */
  text(): string {
    return this.#lines.map((l) => `${l}\n`).join('');
  }

  get records(): AuditRecord[] {
    return this.#lines.map((l) => {
      const d = decodeLine(Buffer.from(l, 'utf8'));
      if (!d.ok) throw new ThGovError('ERR_AUDIT_CHAIN', 'An in-memory audit record is corrupt');
      return d.record;
    });
  }

  /** The chain head (last seq and the hash the next record will carry as prevHash), for anchoring elsewhere. */
  head(): { seq: number; hash: string } {
    return { seq: this.#lines.length, hash: this.#prevHash };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
