import { isThGovError, sanitizeCause } from './errors.js';
import { isSensitiveName, keyNamer, REDACTED, redactText, redactValue, setEntry } from './redact.js';

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
    try {
      const ctx = context ? loggableContext(context) : undefined;
      if (ctx) this.#sink[level](redactText(message), ctx);
      else this.#sink[level](redactText(message));
    } catch {
      // A broken logger must never break a call.
    }
  }
}

/** How deep a context is followed, how many objects it may hold and how many entries of each: the rest is cut. */
const MAX_DEPTH = 8;
const MAX_OBJECTS = 500;
const MAX_ENTRIES = 100;
const CUT = '[…]';

/** One walk over a context: the objects on the current path (a cycle) and how many more may be copied. */
interface Walk {
  path: Set<object>;
  objectsLeft: number;
}

/**
 * The context as it is written: redacted, and an error, wherever it is, as a sanitized plain object whose code is
 * under `errorCode`, beside its name and message, so a debug line says which error happened. Each object is
 * copied once per path (a cycle is `[Circular]`) and at most {@link MAX_OBJECTS} of them; a value that cannot be
 * read (a throwing getter, a revoked Proxy) is `[unreadable]`: logging never throws into the caller.
 */
function loggableContext(context: Record<string, unknown>): Record<string, unknown> {
  const walk: Walk = { path: new Set([context]), objectsLeft: MAX_OBJECTS };
  return loggableObject(context, -1, walk) as Record<string, unknown>;
}

// The key decides too: `{ accessToken: '…' }` is masked whatever the value looks like.
function loggable(key: string, value: unknown, depth: number, walk: Walk): unknown {
  try {
    if (typeof value === 'string') return isSensitiveName(key) ? REDACTED : redactText(value);
    if (typeof value !== 'object' || value === null) return sensitive(key, value) ? REDACTED : value;
    if (value instanceof Error) return loggableError(value);
    if (isSensitiveName(key)) return REDACTED;
    if (walk.path.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH || walk.objectsLeft-- <= 0) return CUT;
    walk.path.add(value);
    try {
      return loggableObject(value, depth, walk);
    } finally {
      walk.path.delete(value);
    }
  } catch {
    return '[unreadable]';
  }
}

function sensitive(key: string, value: unknown): boolean {
  return value !== undefined && value !== null && isSensitiveName(key);
}

/** A copy of an object, array, Map, Set or Date with each entry made loggable. */
function loggableObject(value: object, depth: number, walk: Walk): unknown {
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value))
    return value.slice(0, MAX_ENTRIES).map((v, i) => loggable(String(i), v, depth + 1, walk));
  if (value instanceof Set) return first(value).map((v, i) => loggable(String(i), v, depth + 1, walk));
  const entries = value instanceof Map ? first(value) : Object.keys(value).map((k) => [k, undefined]);
  const out: Record<string, unknown> = {};
  const name = keyNamer();
  for (const [k, v] of entries.slice(0, MAX_ENTRIES)) {
    const key = String(k);
    // Each property is read on its own: one throwing getter leaves the others.
    setEntry(
      out,
      name(key, out),
      loggable(key, value instanceof Map ? v : readProperty(value, key), depth + 1, walk),
    );
  }
  return out;
}

/** The first {@link MAX_ENTRIES} values of a Map or Set, without copying the rest. */
function first<T>(values: Iterable<T>): T[] {
  const out: T[] = [];
  for (const v of values) {
    if (out.length >= MAX_ENTRIES) break;
    out.push(v);
  }
  return out;
}

function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return '[unreadable]';
  }
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
