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
 * Wraps a driver error in ERR_POSTGRES. The message names the operation and the SQLSTATE only. The cause is
 * a copy of the server's error without what quotes row values — `detail` ("Key (name)=(…) already exists",
 * "Failing row contains (…)"), `where` (the statement of a PL/pgSQL context), `internalQuery`, and a value
 * quoted at the end of the message ("invalid input syntax for type integer: "…"") — since loggers copy a
 * cause's own fields (pino does) and redaction cannot know a name. What tells what failed stays: the SQLSTATE,
 * severity, schema, table, column, constraint, data type and routine, and the stack frames.
 */
export function postgresError(what: string, cause: unknown): ThGovError {
  if (cause instanceof ThGovError) return cause;
  const state = sqlState(cause);
  return new ThGovError('ERR_POSTGRES', `${what} failed${state ? ` (SQLSTATE ${state})` : ''}`, {
    cause: state ? serverErrorWithoutValues(cause as Error & Record<string, unknown>, state) : cause,
    retryable: isTransientPostgresError(cause),
  });
}

/** Fields of a server error that name the schema, never a row's values. */
const SCHEMA_FIELDS = ['severity', 'schema', 'table', 'column', 'constraint', 'dataType', 'routine'] as const;

/** The server's error (a pg DatabaseError) as a copy that quotes no row value: see {@link postgresError}. */
class PostgresServerError extends Error {
  readonly code: string;
  constructor(original: Error & Record<string, unknown>, code: string) {
    // Values come last in PostgreSQL's messages (`…: "value"`); identifiers come before, and stay. (An index
    // search, not a regular expression: the value may be megabytes of anything.)
    const text = String(original.message ?? '');
    const at = text.indexOf(': "');
    const message = at >= 0 && text.endsWith('"') ? `${text.slice(0, at)}: "…"` : text;
    super(message);
    this.name = typeof original.name === 'string' ? original.name : 'error';
    this.code = code;
    for (const field of SCHEMA_FIELDS) {
      const value = original[field];
      if (typeof value === 'string') Object.defineProperty(this, field, { value, enumerable: true });
    }
    const frames = String(original.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line));
    this.stack = [`${this.name}: ${message}`, ...frames].join('\n');
  }
}

function serverErrorWithoutValues(original: Error & Record<string, unknown>, code: string): Error {
  return original instanceof Error ? new PostgresServerError(original, code) : original;
}
