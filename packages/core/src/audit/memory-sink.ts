import { randomBytes } from '../builtins.js';
import { invalidArgument, ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { validateOptions } from '../validate.js';
import { type AuditAnchor, createAnchor, MAX_BATCH_BOUND } from './anchor.js';
import { decodeLine, encodeRecord, GENESIS_HASH, sha256Hex } from './chain.js';
import { type AuditChainKey, AuditKeyRing, secretBytes } from './keys.js';
import {
  type AuditEvent,
  type AuditRecord,
  type AuditSink,
  createSubjectHasher,
  randomHmacSecret,
  type SubjectHasher,
  toRecordBody,
} from './record.js';

/** Options of `MemoryAuditSink` (tests and short-lived tools). */
export interface MemoryAuditSinkOptions {
  /** Agency secret for subject hashes; a random one when omitted (hashes then differ per instance). */
  hmacSecret?: string | Uint8Array;
  /** Chain key; a random one (id `memory`) when omitted, which only this instance can then verify. */
  chainKey?: AuditChainKey;
}

const secret = z.union([z.string(), z.instanceof(Uint8Array)]);
const optionsSchema = z
  .object({
    hmacSecret: secret.optional(),
    chainKey: z.object({ id: z.string(), secret }).strict().optional(),
  })
  .strict();

/**
 * The same chained records as `FileAuditSink`, kept in memory: for tests and short-lived tools.
 *
 * @example
 * ```ts
 * import { MemoryAuditSink, verifyAuditLog } from '@thgov/core';
 *
 * const chainKey = { id: 'test', secret: 'a-test-chain-key-of-32-bytes-or-more' };
 * const sink = new MemoryAuditSink({ chainKey });
 * await sink.append({ who: 'system', service: 'gdx', status: 'ok' });
 * const result = await verifyAuditLog({ text: sink.text() }, { keys: [chainKey], anchor: sink.anchor() });
 * ```
 */
export class MemoryAuditSink implements AuditSink {
  readonly #lines: string[] = [];
  readonly #hash: SubjectHasher;
  readonly #ring: AuditKeyRing;
  readonly #kid: string;
  #prevHash = GENESIS_HASH;
  #closed = false;

  constructor(options: MemoryAuditSinkOptions = {}) {
    const o = validateOptions(optionsSchema, options, 'MemoryAuditSink options');
    const hmacSecret = o.hmacSecret ?? randomHmacSecret();
    this.#hash = createSubjectHasher(hmacSecret);
    const chainKey = o.chainKey ?? { id: 'memory', secret: randomBytes(32) };
    this.#ring = new AuditKeyRing([chainKey]);
    if (this.#ring.contains(secretBytes(hmacSecret)))
      throw invalidArgument('MemoryAuditSink: the chain key must differ from hmacSecret (the subject key)');
    this.#kid = chainKey.id;
  }

  async append(event: AuditEvent): Promise<void> {
    if (this.#closed) throw new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed');
    const body = toRecordBody(event, this.#hash);
    const { line, lineHash } = encodeRecord(
      body,
      this.#lines.length + 1,
      this.#prevHash,
      this.#ring,
      this.#kid,
      true,
    );
    this.#lines.push(line);
    this.#prevHash = lineHash;
  }

  /** The log as JSONL text, exactly as a file sink would have written it. */
  text(): string {
    return this.#lines.map((l) => `${l}\n`).join('');
  }

  /** The records, each checked against its MAC. */
  get records(): AuditRecord[] {
    return this.#lines.map((l) => {
      const d = decodeLine(Buffer.from(l, 'utf8'), this.#ring);
      if (!d.ok) throw new ThGovError('ERR_AUDIT_CHAIN', 'An in-memory audit record is corrupt');
      return d.record;
    });
  }

  /** The chain head (last seq and the hash the next record will carry as prevHash), for anchoring elsewhere. */
  head(): { seq: number; hash: string } {
    return { seq: this.#lines.length, hash: this.#prevHash };
  }

  /**
   * A format-3 anchor of the current head, authenticated with the chain key (what a file sink keeps on disk). It is
   * taken when you ask, not after every batch, so it bounds no lag: records appended after it verify with the
   * `unanchored-tail` warning, as they would after a file sink's crash.
   */
  anchor(): AuditAnchor {
    const first = this.#lines[0];
    const log = first === undefined ? GENESIS_HASH : sha256Hex(first);
    return createAnchor(this.head(), this.#ring, this.#kid, new Date(), { log, batch: MAX_BATCH_BOUND });
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
