import { ThGovError, type ThGovErrorOptions } from '@thgov/core';

/** Error codes of the `thgov` command itself (stable: part of the semver contract). */
export const CLI_ERROR_CODES = {
  ERR_CLI_FILE_WRITE:
    'a file the command writes (--config-out, --junit, the sandbox trust anchor, sample transcripts) is a symbolic link or not a regular file, or cannot be written',
  ERR_CLI_SANDBOX_MISSING:
    '`thgov sandbox` needs @thgov/sandbox, an optional peer dependency of @thgov/cli, and it is not installed',
} as const;

/** A code of `CLI_ERROR_CODES`. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/**
 * An error of the command itself (not of a platform or of the configuration file).
 *
 * @example
 * ```ts
 * if (isCliError(err) && err.code === 'ERR_CLI_SANDBOX_MISSING') console.error(err.hint);
 * ```
 */
export class CliError extends ThGovError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: ThGovErrorOptions) {
    super(code, message, options);
    this.name = 'CliError';
  }
}

/** True for a `CliError` (by name and code, so it also matches one from another installed copy). */
export function isCliError(err: unknown, code?: CliErrorCode): err is CliError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  return (
    e.name === 'CliError' &&
    typeof e.code === 'string' &&
    Object.hasOwn(CLI_ERROR_CODES, e.code) &&
    (code === undefined || e.code === code)
  );
}
