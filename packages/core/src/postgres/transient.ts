import { ThGovError } from '../errors.js';

/**
 * SQLSTATEs after which the same work can succeed when done again: serialization failure, deadlock,
 * statement cancelled by `statement_timeout`, the server shutting down or restarting, too many
 * connections, and every connection exception (class 08).
 */
const TRANSIENT_SQLSTATE = new Set(['40001', '40P01', '57014', '57P01', '57P02', '57P03', '53300', '55P03']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection error',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

/** The SQLSTATE of a `pg` error, if it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the failure is one a worker should retry (after a pause) rather than report. */
export function isTransientPostgresError(err: unknown): boolean {
  if (err instanceof ThGovError) return err.code === 'ERR_POSTGRES' && err.retryable === true;
  const state = sqlState(err);
  if (state) return TRANSIENT_SQLSTATE.has(state) || state.startsWith('08');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return TRANSIENT_MESSAGES.some((m) => message.includes(m));
}

/**
 * Wraps a driver error in ERR_POSTGRES. The message names the operation and the SQLSTATE only: the
 * server's own text can quote row values (personal data), so it stays in `cause`, which is redacted.
 */
export function postgresError(what: string, cause: unknown): ThGovError {
  if (cause instanceof ThGovError) return cause;
  const state = sqlState(cause);
  return new ThGovError('ERR_POSTGRES', `${what} failed${state ? ` (SQLSTATE ${state})` : ''}`, {
    cause,
    retryable: isTransientPostgresError(cause),
  });
}
