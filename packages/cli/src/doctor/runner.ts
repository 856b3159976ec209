import { redactText } from '@thgov/core';
import { explain } from './explain.js';
import type { CheckResult, CheckStatus, Platform } from './report.js';

/** What a check found when it did not throw. */
export interface Outcome {
  status?: Exclude<CheckStatus, 'fail' | 'skip'> | 'skip';
  message: string;
  cause?: string;
  fix?: string;
  data?: Record<string, string | number | boolean>;
}

/** Thrown by a check to fail with its own explanation. */
export class CheckFailure extends Error {
  readonly likelyCause: string;
  readonly fix: string;
  readonly errorCode: string | undefined;
  readonly data: Record<string, string | number | boolean> | undefined;
  constructor(
    message: string,
    explanation: {
      cause: string;
      fix: string;
      errorCode?: string;
      data?: Record<string, string | number | boolean>;
    },
  ) {
    super(message);
    this.name = 'CheckFailure';
    this.likelyCause = explanation.cause;
    this.fix = explanation.fix;
    this.errorCode = explanation.errorCode;
    this.data = explanation.data;
  }
}

/** A check that gave no result within `doctor.checkTimeoutInMs` (its signal is aborted with this). */
export class CheckTimeoutError extends Error {
  readonly code = 'ERR_CHECK_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'CheckTimeoutError';
  }
}

/** A check as it is announced: its stable id, platform, title and prerequisites. */
export interface CheckSpec {
  id: string;
  platform: Platform;
  title: string;
  /** Ids of checks that must have passed (or warned) first; otherwise this one is skipped. */
  requires?: string[];
}

function errorMessage(err: unknown): { message: string; code: string | undefined } {
  const e = err as { message?: unknown; code?: unknown; hint?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { message, code };
}

/** Called as each check starts and as it ends, so a command can show progress and print results at once. */
export interface CheckListener {
  onStart?(spec: Readonly<CheckSpec>): void;
  onResult?(result: Readonly<CheckResult>): void;
}

/**
 * Runs checks one after another, each with a deadline, and keeps their (redacted) results. At the deadline the
 * check's AbortSignal fires, so the probes and SDK calls it started are torn down, not left running.
 */
export class CheckRunner {
  readonly results: CheckResult[] = [];
  constructor(
    private readonly checkTimeoutInMs: number,
    private readonly listener: CheckListener = {},
  ) {}

  passed(id: string): boolean {
    const r = this.results.find((x) => x.id === id);
    return r !== undefined && (r.status === 'pass' || r.status === 'warn');
  }

  async run(spec: CheckSpec, fn: (signal: AbortSignal) => Promise<Outcome>): Promise<CheckResult> {
    const blocked = (spec.requires ?? []).find((id) => !this.passed(id));
    if (blocked !== undefined) {
      const title = this.results.find((x) => x.id === blocked)?.title ?? blocked;
      return this.#push({
        ...spec,
        status: 'skip',
        durationInMs: 0,
        message: `skipped: "${title}" did not pass`,
      });
    }
    this.listener.onStart?.(spec);
    const started = performance.now();
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new CheckTimeoutError(
          `no result within ${this.checkTimeoutInMs} ms (doctor.checkTimeoutInMs): the check was stopped`,
        );
        ctl.abort(err);
        reject(err);
      }, this.checkTimeoutInMs);
    });
    try {
      const o = await Promise.race([fn(ctl.signal), deadline]);
      const result: CheckResult = {
        ...spec,
        status: o.status ?? 'pass',
        durationInMs: elapsed(started),
        message: o.message,
      };
      if (o.cause) result.cause = o.cause;
      if (o.fix) result.fix = o.fix;
      if (o.data) result.data = o.data;
      return this.#push(result);
    } catch (err) {
      return this.#push(failure(spec, err, elapsed(started)));
    } finally {
      clearTimeout(timer);
      ctl.abort();
    }
  }

  #push(r: CheckResult): CheckResult {
    const { requires: _r, ...clean } = r as CheckResult & { requires?: string[] };
    // Every string that leaves a check goes through the redactor: error messages may quote a URL or body.
    clean.message = redactText(clean.message);
    if (clean.cause) clean.cause = redactText(clean.cause);
    if (clean.fix) clean.fix = redactText(clean.fix);
    if (clean.data) {
      for (const [k, v] of Object.entries(clean.data))
        if (typeof v === 'string') clean.data[k] = redactText(v);
    }
    this.results.push(clean);
    this.listener.onResult?.(clean);
    return clean;
  }
}

/** A check that threw: its own explanation, or one looked up by the error's code. */
function failure(spec: CheckSpec, err: unknown, durationInMs: number): CheckResult {
  if (err instanceof CheckFailure) {
    const result: CheckResult = {
      ...spec,
      status: 'fail',
      durationInMs,
      message: err.message,
      cause: err.likelyCause,
      fix: err.fix,
    };
    if (err.errorCode) result.errorCode = err.errorCode;
    if (err.data) result.data = err.data;
    return result;
  }
  const { message, code } = errorMessage(err);
  const x =
    code === 'ERR_CHECK_TIMEOUT'
      ? {
          cause:
            'The check did not finish in time: the platform is very slow or traffic is silently dropped.',
          fix: 'Check firewall rules and transport.proxy; raise doctor.checkTimeoutInMs if the platform is just slow.',
        }
      : explain(code);
  const result: CheckResult = {
    ...spec,
    status: 'fail',
    durationInMs,
    message: code ? `${code}: ${message}` : message,
    ...x,
  };
  if (code) result.errorCode = code;
  return result;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
