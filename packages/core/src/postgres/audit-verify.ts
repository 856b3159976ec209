import { type AuditAnchor, anchorProblem, parseAnchor } from '../audit/anchor.js';
import type { AuditChainKey } from '../audit/keys.js';
import { AuditKeyRing } from '../audit/keys.js';
import { type AuditLogVerification, verifyWithRing } from '../audit/verify.js';
import { ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { validateOptions } from '../validate.js';
import { chainNameSchema } from './audit-schema.js';
import {
  connectionResolver,
  type PgClientLike,
  type PostgresConnectionOptions,
  postgresConnectionShape,
  quoteIdent,
} from './driver.js';
import { withTransaction } from './transaction.js';
import { postgresError } from './transient.js';

export interface VerifyPostgresAuditLogOptions extends PostgresConnectionOptions {
  /** The chain to check. Default `default`. */
  chain?: string;
  /** Every chain key id the log uses (after rotations). */
  keys?: readonly AuditChainKey[];
  /**
   * The anchor mirrored outside the database (`anchorMirror` of the sink): finds a database rolled back
   * to an older state, which the head row alone cannot show.
   */
  mirror?: AuditAnchor;
  /**
   * Accept a chain holding no record (`ok` with no error). Without it such a chain is an `empty` error, as
   * `thgov audit verify --postgres` fails it: a cron job naming a misspelt chain, or a chain whose rows and head row
   * were deleted whole, must not read as a verified log. Give it only where an empty chain is expected (a replica
   * set that has not written yet).
   */
  allowEmpty?: boolean;
}

const optionsSchema = z
  .object({
    ...postgresConnectionShape,
    chain: chainNameSchema,
    mirror: z.unknown().optional(),
    allowEmpty: z.boolean().optional(),
    keys: z
      .array(z.object({ id: z.string(), secret: z.union([z.string(), z.instanceof(Uint8Array)]) }))
      .optional(),
  })
  .strict();

/** Rows read per query: bounded memory per round trip on long logs. */
const PAGE = 5_000;

/**
 * Checks a PostgreSQL audit chain the way `verifyAuditLog` checks a file: every record's MAC and link,
 * gaps, and the head row's anchor (records removed from the end, or the anchor forged). Records without a head row,
 * or past it, are an `anchor` error (not the warnings a file log gets): the sink moves the head in the same
 * transaction, so only a deleted or older head row put back leaves them. A chain holding no record is an `empty`
 * error unless `allowEmpty` is given. Line numbers in the result count records in seq order.
 *
 * @example
 * ```ts
 * import { parseAuditChainKeys } from '@thgov/core';
 * import { verifyPostgresAuditLog } from '@thgov/core/postgres';
 *
 * const result = await verifyPostgresAuditLog({
 *   connectionString: process.env.DATABASE_URL!,
 *   chain: 'gdx',
 *   keys: parseAuditChainKeys(process.env.THGOV_AUDIT_CHAIN_KEYS!),
 * });
 * if (!result.ok) console.error(result.errors);
 * ```
 */
export async function verifyPostgresAuditLog(
  options: VerifyPostgresAuditLogOptions,
): Promise<AuditLogVerification & { chain: string }> {
  const o = validateOptions(optionsSchema, options, 'verifyPostgresAuditLog options');
  const chain = o.chain ?? 'default';
  const c = await connectionResolver(options, 'verifyPostgresAuditLog options').resolve();
  try {
    // One snapshot for the records and the head row: replicas keep committing while an auditor verifies, and a
    // head row read after the records would be ahead of them, a chain nobody touched reported as cut.
    const { text, anchor } = await withTransaction(c.pool, (client) => readChain(client, c.schema, chain), {
      what: 'reading the audit log',
      isolation: 'repeatable read',
    });
    // PostgresAuditSink never wrote the unkeyed format: a legacy row anywhere was written without the key.
    const result = verifyWithRing(text, o.keys ? new AuditKeyRing([...o.keys]) : undefined, {
      noLegacy: 'PostgresAuditSink',
      chain,
      ...(anchor ? { anchor } : {}),
    });
    checkHeadRow(result, text.length > 0, chain);
    if (text.length === 0 && o.allowEmpty !== true) checkEmpty(result, anchor !== undefined, chain);
    if (o.mirror !== undefined) checkMirror(result, o.mirror, o.keys ?? [], chain);
    return { ...result, chain };
  } catch (err) {
    if (err instanceof ThGovError || err instanceof TypeError) throw err;
    throw postgresError('reading the audit log', err);
  } finally {
    if (c.owned) await c.pool.end().catch(() => undefined);
  }
}

/** The chain's lines (in seq order, as JSONL) and its head row's anchor, read in the caller's transaction. */
async function readChain(
  client: PgClientLike,
  schema: string,
  chain: string,
): Promise<{ text: string; anchor: AuditAnchor | undefined }> {
  const s = quoteIdent(schema);
  const head = await client.query<{ anchor: unknown }>(
    `SELECT anchor FROM ${s}.audit_heads WHERE chain = $1`,
    [chain],
  );
  const anchor = head.rows[0] ? parseAnchor(head.rows[0].anchor, 'row') : undefined;
  const parts: string[] = [];
  let after = 0;
  for (;;) {
    const r = await client.query<{ seq: string; line: string }>(
      `SELECT seq, line FROM ${s}.audit_records WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [chain, after],
    );
    for (const row of r.rows) parts.push(row.line, '\n');
    if (r.rows.length < PAGE) break;
    after = Number(r.rows[r.rows.length - 1]?.seq);
  }
  return { text: parts.join(''), anchor };
}

/**
 * The sink commits records and the head row together (lag 0): rows without a head row, or rows past the head, were
 * never left by a crash. They are what deleting the head row, or putting back an older one, leaves after the newest
 * rows were cut, so they are an error, not the `no-anchor` / `unanchored-tail` warnings a file log gets.
 */
function checkHeadRow(result: AuditLogVerification, hasRows: boolean, chain: string): void {
  let message: string | undefined;
  let drop: string | undefined;
  if (!result.anchored && hasRows && !result.errors.some((e) => e.kind === 'anchor')) {
    message = `the chain ${chain} has records but no head row: it was deleted, and the newest records may have been cut with it`;
    drop = 'no-anchor';
  } else if (result.anchored && result.anchored.unanchored > 0) {
    message = `records seq ${result.anchored.seq + 1}–${result.head.seq} come after the head row at seq ${result.anchored.seq}, which the sink moves in the same transaction: an older head row was put back, and the newest records may have been cut`;
    drop = 'unanchored-tail';
  }
  if (message === undefined) return;
  result.errors.push({ line: result.records.length, seq: result.anchored?.seq, kind: 'anchor', message });
  result.warnings = result.warnings.filter((w) => w.kind !== drop);
  result.ok = false;
}

/**
 * A chain holding no record: with no head row, a name never written or a chain deleted whole (rows and head row); with
 * a head row, a chain created and never written to. Neither is evidence of anything, so neither is `ok` unless the
 * caller said an empty chain is acceptable (`allowEmpty`).
 */
function checkEmpty(result: AuditLogVerification, hasHeadRow: boolean, chain: string): void {
  const why = hasHeadRow
    ? `the chain ${chain} holds no record (its head row is at seq ${result.anchored?.seq ?? 0})`
    : `the chain ${chain} holds no record and has no head row: a misspelt chain name, or a chain deleted whole`;
  result.errors.push({
    line: 0,
    seq: undefined,
    kind: 'empty',
    message: `${why}; pass allowEmpty: true where an empty chain is expected`,
  });
  result.warnings = result.warnings.filter((w) => w.kind !== 'no-anchor');
  result.ok = false;
}

/** The mirrored anchor must be authentic and name a record the table still has, unchanged. */
function checkMirror(
  result: AuditLogVerification,
  value: unknown,
  keys: readonly AuditChainKey[],
  chain: string,
): void {
  const problem = mirrorProblem(result, value, keys, chain);
  if (!problem) return;
  result.errors.push({
    line: result.records.length,
    seq: undefined,
    kind: problem.kind,
    message: problem.message,
  });
  result.ok = false;
}

function mirrorProblem(
  result: AuditLogVerification,
  value: unknown,
  keys: readonly AuditChainKey[],
  chain: string,
): { kind: 'anchor' | 'deleted' | 'edited'; message: string } | undefined {
  let mirror: AuditAnchor;
  try {
    mirror = parseAnchor(value, 'mirror');
  } catch {
    return { kind: 'anchor', message: 'the mirrored anchor is malformed' };
  }
  const problem = anchorProblem(mirror, keys.length ? new AuditKeyRing([...keys]) : undefined, chain);
  if (problem) return { kind: 'anchor', message: `mirrored anchor: ${problem}` };
  if (result.head.seq < mirror.seq)
    return {
      kind: 'deleted',
      message: `the log ends at seq ${result.head.seq} but the mirrored anchor is at seq ${mirror.seq}: the database was rolled back or cut`,
    };
  // The hash of record seq is the head's (last record) or the next record's prevHash.
  const hash =
    mirror.seq === result.head.seq
      ? result.head.hash
      : result.records.find((r) => r.seq === mirror.seq + 1)?.prevHash;
  if (hash !== undefined && hash !== mirror.hash)
    return {
      kind: 'edited',
      message: `record seq ${mirror.seq} differs from the one the mirrored anchor names`,
    };
  return undefined;
}
