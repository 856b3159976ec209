import { isThGovError, ThGovError, type ThGovErrorOptions } from '@thgov/core';

/** Error codes of the configuration file (stable: part of the semver contract). */
export const CONFIG_ERROR_CODES = {
  ERR_CLI_CONFIG_READ: 'the configuration file cannot be read or is not JSON',
  ERR_CLI_CONFIG_INVALID: 'the configuration does not match the schema (each issue names its key path)',
  ERR_CLI_CONFIG_ENV:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text describes the ${VAR} syntax
    'a ${VAR} reference names an environment variable that is not set, or one the configuration may not read (only THGOV_* and the names listed in THGOV_ENV_ALLOW)',
  ERR_CLI_CONFIG_FILE: 'a file the configuration points at (certificate, key, trust anchor) cannot be read',
} as const;

/** A code of `CONFIG_ERROR_CODES`. */
export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

/** One problem, located by its key path (`exchange.consumerSecret`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * The configuration file cannot be read, is invalid, or names what cannot be used; `code` is one of
 * {@link ConfigErrorCode} and `issues` lists every problem by its key path.
 *
 * @example
 * ```ts
 * try { await loadConfig(); } catch (err) { if (isConfigError(err)) for (const i of err.issues) console.error(i.path, i.message); }
 * ```
 */
export class ConfigError extends ThGovError<ConfigErrorCode> {
  readonly issues: ConfigIssue[];
  constructor(
    code: ConfigErrorCode,
    message: string,
    issues: ConfigIssue[] = [],
    options?: ThGovErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * True for a {@link ConfigError}, also one from another installed copy of the package (checked by the thgov
 * brand and the name, not `instanceof`). With `code`, also checks the code and narrows `err.code` to it.
 *
 * @example
 * ```ts
 * if (isConfigError(err, 'ERR_CLI_CONFIG_ENV')) console.error(err.issues.map((i) => i.path).join(', '));
 * ```
 */
export function isConfigError<C extends ConfigErrorCode = ConfigErrorCode>(
  err: unknown,
  code?: C,
): err is ConfigError & { readonly code: C } {
  return isThGovError(err, code) && err.name === 'ConfigError';
}
