import { createHash, createHmac, randomBytes } from '../builtins.js';
import { invalidArgument } from '../errors.js';
import { z } from '../lazy-zod.js';
import { idDigits, thaiIdDigits } from '../redact/citizen-id.js';
import { isSensitiveName, REDACTED, redactText, redactValue } from '../redact.js';

/** What a caller records about one exchange. The sink hashes `subject` (and `who` when it is a citizen ID). */
export interface AuditEvent {
  /** When the exchange happened; defaults to the time of `append`. */
  ts?: string | Date;
  /** Who asked: the AgentID (officer's citizen ID, stored as a keyed hash) or a system account. */
  who: string;
  /** Client or consumer label (which system of the agency). */
  client?: string;
  /** Remote service, e.g. `gdx`, `ecms`. */
  service: string;
  /** Operation, e.g. `dopa.linkage`. */
  operation?: string;
  /** The person or entity the data is about; always stored as `hmac-sha256:<hex>`. */
  subject?: string;
  /** Why (PDPA lawful basis / purpose). */
  purpose?: string;
  /** Case or file reference in the agency's own system. */
  caseRef?: string;
  requestId?: string;
  status: 'ok' | 'error';
  /** Error code when status is error (e.g. `ERR_HTTP`). */
  code?: string;
  statusCode?: number;
  latencyInMs?: number;
  /** `sha-256=:<base64>:` of the response body; or give `responseBody` and the sink computes it. */
  responseDigest?: string;
  /** Hashed, never stored. */
  responseBody?: Uint8Array | string;
  /** Small flat extra fields, e.g. `xRoadRequestHash`. */
  extra?: Record<string, string | number | boolean | null>;
}

/** The fields every audit record has, whatever its format version. */
export interface AuditRecordFields {
  seq: number;
  ts: string;
  who: string;
  client?: string;
  service: string;
  operation?: string;
  subject?: string;
  purpose?: string;
  caseRef?: string;
  requestId?: string;
  status: 'ok' | 'error';
  code?: string;
  statusCode?: number;
  latencyInMs?: number;
  responseDigest?: string;
  extra?: Record<string, string | number | boolean | null>;
  /** SHA-256 (hex) of the previous line's exact bytes; 64 zeros for the first record. */
  prevHash: string;
}

/** A record of format 2: authenticated with the chain key `kid`. What the sinks write. */
export interface KeyedAuditRecord extends AuditRecordFields {
  v: 2;
  /** Id of the chain key that made `mac`. */
  kid: string;
  /**
   * 3: written by a sink that keeps a format-3 anchor of the log (`FileAuditSink`, `MemoryAuditSink`), so a
   * verification without one is an error. Absent in records of older sinks and of `PostgresAuditSink`.
   */
  anchorFormat?: 3;
  /** HMAC-SHA-256 (hex) of this line's bytes without the `mac` member. */
  mac: string;
}

/** A record of the first, unkeyed format: anyone could recompute `hash`. Verified, with a warning. */
export interface LegacyAuditRecord extends AuditRecordFields {
  v?: undefined;
  /** SHA-256 (hex) of this line's bytes without the `hash` member. */
  hash: string;
}

/** One line of the audit log, as stored and as returned by `verifyAuditLog`. */
export type AuditRecord = KeyedAuditRecord | LegacyAuditRecord;

/** A record before it is chained: what the sink writes, minus seq/prevHash/hash. */
export type AuditRecordBody = Omit<AuditRecordFields, 'seq' | 'prevHash'>;

/**
 * Where audit events go: `FileAuditSink`, `MemoryAuditSink`, `PostgresAuditSink` or your own (`append` must not resolve before the record is durable).
 */
export interface AuditSink {
  append(event: AuditEvent): Promise<void>;
  close(): Promise<void>;
}

/** Turns a personal identifier into the keyed hash an audit record stores (`createSubjectHasher`). */
export type SubjectHasher = (identifier: string) => string;

const HASHED = /^hmac-sha256:[0-9a-f]{64}$/;
const MIN_SECRET_BYTES = 16;

/** True for values that are already keyed hashes (they pass through a sink unchanged). */
export function isHashedSubject(value: unknown): value is string {
  return typeof value === 'string' && HASHED.test(value);
}

/**
 * Keyed hash of an identifier: `hmac-sha256:<hex>`. A plain SHA-256 of a 13-digit ID is reversed by
 * trying all 10^12 candidates, so the agency secret is what protects the subject. Thai IDs are
 * normalized first (any digits, any separators, any encoding) so `1-2345-…`, `๑๒๓๔๕…` and `12345…` hash alike.
 */
export function createSubjectHasher(secret: string | Uint8Array): SubjectHasher {
  const key =
    typeof secret === 'string'
      ? Buffer.from(secret, 'utf8')
      : secret instanceof Uint8Array
        ? Buffer.from(secret)
        : undefined;
  if (!key) throw invalidArgument('hmacSecret must be a string or a Uint8Array');
  if (key.length < MIN_SECRET_BYTES)
    throw invalidArgument(`hmacSecret must be at least ${MIN_SECRET_BYTES} bytes`);
  return (identifier: string): string => {
    if (typeof identifier !== 'string' || identifier.length === 0)
      throw invalidArgument('identifier must be a non-empty string');
    // One person, one hash: `๑-๑๐๓๗-…`, `1 1037 …` and `11037…` are the same ID.
    const normalized = idDigits(identifier) ?? identifier.trim();
    return `hmac-sha256:${createHmac('sha256', key).update(normalized, 'utf8').digest('hex')}`;
  };
}

export function randomHmacSecret(): Uint8Array {
  return randomBytes(32);
}

const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether a timestamp of the ISO_TS shape names a real time: a month, a day of that month, an hour, minute and second,
 * an offset, all in range. The shape alone let `2026-02-30` or `T24:30` into a record that can never be corrected
 * (and Date.parse reads Feb 30 as Mar 2).
 */
function isRealTimestamp(ts: string): boolean {
  const n = (from: number, to: number) => Number(ts.slice(from, to));
  const [year, month, day] = [n(0, 4), n(5, 7), n(8, 10)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (n(11, 13) > 23 || n(14, 16) > 59 || n(17, 19) > 59) return false;
  const offset = /[+-](\d{2}):(\d{2})$/.exec(ts);
  return !offset || (Number(offset[1]) <= 23 && Number(offset[2]) <= 59);
}
const text = (max: number) => z.string().max(max);

export const auditEventSchema = z
  .object({
    ts: z
      .union([
        z
          .string()
          .regex(ISO_TS, 'ts must be an ISO 8601 timestamp')
          .refine(isRealTimestamp, 'ts must be a real date and time (month, day of the month, hour, offset)'),
        z.date(),
      ])
      .optional(),
    who: text(256).min(1),
    client: text(256).optional(),
    service: text(256).min(1),
    operation: text(256).optional(),
    subject: text(256).min(1).optional(),
    purpose: text(1024).optional(),
    caseRef: text(256).optional(),
    requestId: text(256).optional(),
    status: z.enum(['ok', 'error']),
    code: text(128).optional(),
    statusCode: z.number().int().min(100).max(599).optional(),
    latencyInMs: z.number().finite().min(0).optional(),
    responseDigest: text(256).optional(),
    responseBody: z.union([z.string(), z.instanceof(Uint8Array)]).optional(),
    extra: z
      .record(text(64), z.union([text(1024), z.number().finite(), z.boolean(), z.null()]))
      .refine((r) => Object.keys(r).length <= 32, 'extra may have at most 32 fields')
      .optional(),
  })
  .strict();

/**
 * The decimal spelling of a number when redaction would change it (a 13-digit citizen ID is a safe integer, and
 * arrives as one from a bigint column), else undefined: a number is judged by how it is written into the line.
 */
function redactedNumber(value: number): string | undefined {
  const spelled = String(value);
  const masked = redactText(spelled);
  return masked === spelled ? undefined : masked;
}

/**
 * An `extra` value as stored: masked whole when its key names a secret or personal data (`pin`,
 * `accessToken`, `firstName`: the logger's rule), else redacted (a number reading as an ID becomes its masked
 * spelling; nested plain values too, should a caller pass one despite the type).
 */
function extraValue(key: string, value: unknown): string | number | boolean | null {
  if (value !== null && value !== undefined && isSensitiveName(key)) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'number') return redactedNumber(value) ?? value;
  if (typeof value === 'object' && value !== null) return redactValue(value) as never;
  return value as number | boolean | null;
}

/**
 * Validates an event and turns it into the record body that is written: subject and a citizen-ID
 * `who` become keyed hashes, free text loses any citizen ID or registered secret that slipped in.
 */
export function toRecordBody(
  event: unknown,
  hash: SubjectHasher,
  now: () => Date = () => new Date(),
): AuditRecordBody {
  const parsed = auditEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
    // The issue message describes the rule, never the rejected value.
    throw invalidArgument(`Invalid audit event at ${where}`);
  }
  const e = parsed.data;
  // A typed number field cannot hold a mask: a latency that reads as a citizen ID is refused, not written.
  if (e.latencyInMs !== undefined && redactedNumber(e.latencyInMs) !== undefined)
    throw invalidArgument('Invalid audit event at latencyInMs: the number reads as a citizen ID or a secret');
  const clean = (v: string | undefined) => (v === undefined ? undefined : redactText(v));
  // A citizen-ID `who` in any spelling is hashed; free text keeps no ID or secret in any spelling.
  const who = thaiIdDigits(e.who) !== undefined ? hash(e.who) : redactText(e.who);
  let ts: string;
  if (e.ts === undefined) ts = now().toISOString();
  else if (e.ts instanceof Date) {
    if (Number.isNaN(e.ts.getTime())) throw invalidArgument('Invalid audit event at ts: Invalid Date');
    ts = e.ts.toISOString();
  } else ts = e.ts;
  let responseDigest = e.responseDigest;
  if (e.responseBody !== undefined) {
    const bytes = typeof e.responseBody === 'string' ? Buffer.from(e.responseBody, 'utf8') : e.responseBody;
    responseDigest = `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
  }
  let extra: AuditRecordBody['extra'];
  if (e.extra) {
    // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
    extra = Object.fromEntries(Object.entries(e.extra).map(([k, v]) => [redactText(k), extraValue(k, v)]));
    // Two keys that differ only in an ID or a secret would become one, and a value would be lost.
    if (Object.keys(extra).length !== Object.keys(e.extra).length)
      throw invalidArgument(
        'Invalid audit event at extra: two keys are the same once redacted (an ID or a secret in a key)',
      );
  }
  // Fixed key order: the bytes of a line depend only on the event.
  const body: AuditRecordBody = {
    ts,
    who,
    client: clean(e.client),
    service: redactText(e.service),
    operation: clean(e.operation),
    subject: e.subject === undefined ? undefined : isHashedSubject(e.subject) ? e.subject : hash(e.subject),
    purpose: clean(e.purpose),
    caseRef: clean(e.caseRef),
    requestId: clean(e.requestId),
    status: e.status,
    code: clean(e.code),
    statusCode: e.statusCode,
    latencyInMs: e.latencyInMs,
    responseDigest: clean(responseDigest),
    extra,
  };
  for (const key of Object.keys(body) as (keyof AuditRecordBody)[]) {
    if (body[key] === undefined) delete body[key];
  }
  return body;
}
