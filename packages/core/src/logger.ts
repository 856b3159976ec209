import { isThGovError, sanitizeCause } from './errors.js';
import { redactText, redactValue } from './redact.js';

/** Console-shaped: pass `console`, pino, winston or anything with these four methods. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** The levels of the built-in logger; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function envLevel(): LogLevel | undefined {
  const v = process.env.THGOV_LOG_LEVEL?.toLowerCase();
  return v && v in ORDER ? (v as LogLevel) : undefined;
}

/**
 * The logger every thgov component writes through. Silent unless a logger is given or THGOV_LOG_LEVEL is
 * set; every message and context object is redacted on the way out, so no call site can leak a secret
 * or a citizen ID by accident.
 */
export class SafeLogger {
  readonly #sink: Logger | undefined;
  readonly #min: number;

  constructor(logger?: Logger, level?: LogLevel) {
    const chosen = level ?? envLevel() ?? (logger ? 'info' : 'silent');
    this.#sink = logger ?? (chosen === 'silent' ? undefined : consoleLogger);
    this.#min = ORDER[chosen];
  }

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return this.#sink !== undefined && ORDER[level] >= this.#min;
  }

  debug(message: string, context?: Record<string, unknown>): void {
    this.#write('debug', message, context);
  }
  info(message: string, context?: Record<string, unknown>): void {
    this.#write('info', message, context);
  }
  warn(message: string, context?: Record<string, unknown>): void {
    this.#write('warn', message, context);
  }
  error(message: string, context?: Record<string, unknown>): void {
    this.#write('error', message, context);
  }

  #write(level: Exclude<LogLevel, 'silent'>, message: string, context?: Record<string, unknown>): void {
    if (!this.enabled(level) || !this.#sink) return;
    const ctx = context ? loggableContext(context) : undefined;
    try {
      if (ctx) this.#sink[level](redactText(message), ctx);
      else this.#sink[level](redactText(message));
    } catch {
      // A broken logger must never break a call.
    }
  }
}

/**
 * The context as it is written: redacted, and an error (at the top level) as a plain object whose code is
 * under `errorCode`, beside its name and message, so a debug line says which error happened.
 */
function loggableContext(context: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    out[key] = value instanceof Error ? loggableError(value) : redactOne(key, value);
  }
  return out;
}

// The key decides too: `{ accessToken: '…' }` is masked whatever the value looks like.
function redactOne(key: string, value: unknown): unknown {
  return (redactValue({ [key]: value }) as Record<string, unknown>)[key];
}

function loggableError(error: Error): Record<string, unknown> {
  const err = sanitizeCause(error) as Error;
  const json: Record<string, unknown> = isThGovError(err)
    ? { ...err.toJSON() }
    : { code: (err as { code?: unknown }).code, message: redactText(err.message) };
  const { name: _name, code, message, ...rest } = json;
  return {
    name: err.name,
    ...(code !== undefined ? { errorCode: code } : {}),
    message: typeof message === 'string' ? redactText(message) : message,
    ...(redactValue(rest) as Record<string, unknown>),
  };
}

const consoleLogger: Logger = {
  debug: (m, c) => console.error(`[thgov] debug ${m}`, c ?? ''),
  info: (m, c) => console.error(`[thgov] info ${m}`, c ?? ''),
  warn: (m, c) => console.error(`[thgov] warn ${m}`, c ?? ''),
  error: (m, c) => console.error(`[thgov] error ${m}`, c ?? ''),
};
