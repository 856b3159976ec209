import { ConfigError, type ConfigIssue } from './errors.js';

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/**
 * Replaces `${NAME}` in every string value with the environment variable (`$${NAME}` keeps a literal
 * `${NAME}`). Secrets stay out of the file this way. Errors name the variable and the key, never a value.
 */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>): unknown {
  const issues: ConfigIssue[] = [];
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    if (typeof v === 'string') {
      return v.replace(REFERENCE, (whole, escaped: string, name: string) => {
        if (escaped) return whole.slice(1);
        if (!NAME.test(name)) {
          issues.push({
            path: formatPath(path),
            message: `\${${name.slice(0, 40)}} is not a valid variable name`,
          });
          return '';
        }
        const found = env[name];
        if (found === undefined) {
          issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
          return '';
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...path, k]);
      return out;
    }
    return v;
  };
  const out = walk(value, []);
  if (issues.length) {
    throw new ConfigError(
      'ERR_CLI_CONFIG_ENV',
      `Configuration refers to unset environment variables:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      issues,
      { hint: 'Export the variables (or put them in your CI secret store) before running thgov.' },
    );
  }
  return out;
}
