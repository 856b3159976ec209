import { isCitizenId, type SubjectHasher } from '@thgov/core';

/**
 * What one GDX exchange leaves in the agency's audit log (PDPA records of processing, after Estonia's
 * Data Tracker): who asked (AgentID), for which purpose and case, about whom, with what outcome.
 * The field names are those of @thgov/core's `AuditEvent`, so core's `FileAuditSink` and
 * `MemoryAuditSink` take these events as they are (and hash `subject` and a citizen-ID `who`).
 */
export interface GdxAuditEvent {
  ts: string;
  /** AgentID (a keyed hash when the client has `audit.hmacSecret`; core sinks hash citizen IDs anyway). */
  who: string;
  /** Consumer label or X-Road client subsystem. */
  client: string;
  /** Always "gdx". */
  service: string;
  /** "dopa.linkage.001", "dbd.juristic.profile", or the generic call's name. */
  operation: string;
  /** The citizen or juristic ID the call was about (pre-hashed with `audit.hmacSecret` when given). */
  subject?: string;
  purpose?: string;
  caseRef?: string;
  requestId: string;
  status: 'ok' | 'error';
  /** Error code when status is error. */
  code?: string;
  statusCode?: number;
  latencyInMs: number;
  /** `sha-256=:<base64>:` (RFC 9530 style) of the response body as received. */
  responseDigest?: string;
  extra?: Record<string, string | number | boolean | null>;
}

/** Anything with an `append` (core's FileAuditSink and MemoryAuditSink fit). It must hash `subject`. */
export interface GdxAuditSink {
  append(event: GdxAuditEvent): Promise<void>;
}

/**
 * Audit settings of `ExchangeClient`: the sink that receives one record per call, and optional client-side hashing.
 */
export interface AuditOptions {
  sink: GdxAuditSink;
  /**
   * Hash `subject` (and a citizen-ID `who`) in the client before the sink sees them, for sinks that do
   * not hash themselves. Same format as core's: `hmac-sha256:<hex>`.
   */
  hmacSecret?: string | Uint8Array;
  /** Label for `client` (default: "gdx-consumer" or the X-Road client). */
  clientLabel?: string;
}

/** Who asked: a citizen-ID AgentID is hashed when the client has a hasher; a system name stays readable. */
export function auditWho(hash: SubjectHasher | undefined, agentId: string): string {
  return hash !== undefined && isCitizenId(agentId) ? hash(agentId) : agentId;
}

export function auditSubject(
  hash: SubjectHasher | undefined,
  subject: string | undefined,
): string | undefined {
  if (subject === undefined) return undefined;
  return hash === undefined ? subject : hash(subject);
}
