import { ConfigError, type ConfigIssue } from './errors.js';

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How deep a configuration may nest: its deepest key is a handful of levels down; thousands overflow the stack. */
const MAX_DEPTH = 32;

/** A configuration nested deeper than `MAX_DEPTH`, at the key path where it went too deep. */
function tooDeep(path: ReadonlyArray<PropertyKey>): ConfigError {
  const at = formatPath(path.slice(0, 8));
  const issue = { path: at, message: `nested more than ${MAX_DEPTH} levels deep` };
  return new ConfigError('ERR_CLI_CONFIG_INVALID', `Invalid configuration:\n  ${at}…: ${issue.message}`, [
    issue,
  ]);
}

const RESERVED_KEY =
  "not a configuration key: JavaScript reads __proto__ as the object's prototype, so what it holds would not be where it is written";

/** ERR_CLI_CONFIG_INVALID listing `issues`. */
function invalid(issues: ConfigIssue[]): ConfigError {
  return new ConfigError(
    'ERR_CLI_CONFIG_INVALID',
    `Invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    issues,
  );
}

/** Variables a configuration may read without being listed: thgov's own namespace. */
export const ENV_PREFIX = 'THGOV_';
/** The variable that lists further names (comma- or space-separated) a configuration may read. */
export const ENV_ALLOW_VARIABLE = 'THGOV_ENV_ALLOW';

/** A zod issue path as the configuration key it names: `digitalId.providers.idp.issuer`, `trustAnchors[1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** The names `${NAME}` may use: `THGOV_*`, plus those the environment (not the file) lists. */
export function allowedEnvNames(
  env: Record<string, string | undefined>,
  extra: readonly string[] = [],
): (name: string) => boolean {
  const listed = new Set([...(env[ENV_ALLOW_VARIABLE] ?? '').split(/[\s,]+/).filter(Boolean), ...extra]);
  return (name) => name.startsWith(ENV_PREFIX) || listed.has(name);
}

/**
 * Replaces `${NAME}` in every string value with the environment variable (`$${NAME}` keeps a literal
 * `${NAME}`), so secrets stay out of the file. A configuration is often edited by more people than the CI
 * secrets it runs with belong to, so it may read only `THGOV_*` variables and those named in `THGOV_ENV_ALLOW`
 * (set by whoever owns the environment): `"${CI_JOB_TOKEN}"` is refused whether or not it is set. Returns the
 * substituted values, which the caller registers as secrets, and `empty`: the key paths whose whole value was one
 * variable that is set but empty (as CI gives a secret not defined for the job), for the schema's issues there.
 * Errors name the variable and the key, never a value. A `__proto__` key is refused (`ERR_CLI_CONFIG_INVALID`):
 * JavaScript reads it as the object's prototype, so what it holds would count as written a level up, or vanish.
 */
export function substituteEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  allowed: (name: string) => boolean = allowedEnvNames(env),
): { value: unknown; substituted: string[]; empty: Map<string, string> } {
  const issues: ConfigIssue[] = [];
  const reserved: ConfigIssue[] = [];
  const substituted: string[] = [];
  const empty = new Map<string, string>();
  const replace = (path: PropertyKey[]) => (whole: string, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    const at = formatPath(path);
    if (!NAME.test(name)) {
      issues.push({ path: at, message: `\${${name.slice(0, 40)}} is not a valid variable name` });
    } else if (!allowed(name)) {
      issues.push({
        path: at,
        message: `environment variable ${name} may not be used: only ${ENV_PREFIX}* names and those listed in ${ENV_ALLOW_VARIABLE}`,
      });
    } else if (env[name] === undefined) {
      issues.push({ path: at, message: `environment variable ${name} is not set` });
    } else {
      substituted.push(env[name]);
      return env[name];
    }
    return '';
  };
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    if (path.length > MAX_DEPTH) throw tooDeep(path);
    if (typeof v === 'string') {
      // Only up to the last `}`: a `${` after it can close nowhere, and the expression would read on to the end
      // from each one (quadratic on a value of `${${${…`). Every `${` before it closes at the next `}`.
      const end = v.lastIndexOf('}') + 1;
      const out = end === 0 ? v : v.slice(0, end).replace(REFERENCE, replace(path)) + v.slice(end);
      const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v);
      if (whole?.[1] !== undefined && env[whole[1]] === '') empty.set(formatPath(path), whole[1]);
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__') reserved.push({ path: formatPath([...path, k]), message: RESERVED_KEY });
        else out[k] = walk(x, [...path, k]);
      }
      return out;
    }
    return v;
  };
  const out = walk(value, []);
  if (reserved.length) throw invalid(reserved);
  if (issues.length) {
    throw new ConfigError(
      'ERR_CLI_CONFIG_ENV',
      `Configuration refers to environment variables it cannot use:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      issues,
      {
        hint: `Export the variables (in CI: secret variables); name them ${ENV_PREFIX}…, or list other names in ${ENV_ALLOW_VARIABLE}.`,
      },
    );
  }
  return { value: out, substituted, empty };
}
