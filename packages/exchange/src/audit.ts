import { createHash, createHmac } from 'node:crypto';
import { isCitizenId } from '@thgov/core';

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

export function keyedHash(secret: string | Uint8Array, value: string): string {
  return `hmac-sha256:${createHmac('sha256', secret).update(value, 'utf8').digest('hex')}`;
}

export function auditWho(secret: string | Uint8Array | undefined, agentId: string): string {
  return secret !== undefined && isCitizenId(agentId) ? keyedHash(secret, agentId) : agentId;
}

export function auditSubject(
  secret: string | Uint8Array | undefined,
  subject: string | undefined,
): string | undefined {
  if (subject === undefined) return undefined;
  return secret === undefined ? subject : keyedHash(secret, subject);
}

export function responseDigest(body: Uint8Array | undefined): string | undefined {
  return body === undefined ? undefined : `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}
