/** A logger with thgov's shape (`debug`, `info`, `warn`, `error`, each `(message, context?)`). */
export interface CapturedLogger {
  debug(message: string, context?: unknown): void;
  info(message: string, context?: unknown): void;
  warn(message: string, context?: unknown): void;
  error(message: string, context?: unknown): void;
}

/** One call to a captured logger. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context: unknown;
}

/**
 * A logger that keeps everything it is given, to assert on what would reach a log file: `lines` holds each
 * call as `level message {context as JSON}`, the text a secret must never appear in.
 *
 * @example
 * ```ts
 * const { logger, lines } = captureLogger();
 * await new ExchangeClient({ ...options, logger }).call(…);
 * expect(lines.join('\n')).not.toContain(consumerSecret);
 * ```
 */
export function captureLogger(): { logger: CapturedLogger; lines: string[]; entries: LogEntry[] } {
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const push = (level: LogEntry['level']) => (message: string, context?: unknown) => {
    entries.push({ level, message, context });
    lines.push(`${level} ${message} ${context ? JSON.stringify(context) : ''}`);
  };
  return {
    logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
    lines,
    entries,
  };
}
