import type { z } from 'zod';
import { formatPath } from './env.js';
import type { ConfigIssue } from './errors.js';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

/** The value at `path` inside `root` (undefined where the path leaves the input). */
function valueAt(root: unknown, path: readonly Key[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

/** A key the form needs at its top that the input does not have. */
function missingKey(i: Issue, input: unknown): boolean {
  return i.code === 'invalid_type' && i.path.length === 1 && valueAt(input, i.path) === undefined;
}

/**
 * How badly a form of a union misses the input's shape: not at all the input's type (`false` for an object),
 * or keys at its top that it does not know and top-level keys it needs that the input does not have. A form
 * with none of these is the one the author meant.
 */
function shapeMisses(branch: readonly Issue[], input: unknown): number {
  if (branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')))
    return Number.POSITIVE_INFINITY;
  return branch.filter((i) => (i.code === 'unrecognized_keys' && i.path.length === 0) || missingKey(i, input))
    .length;
}

/** The top-level keys a form needs, when all its misses are keys: `{ "postgres": … }`. */
function formOf(branch: readonly Issue[], input: unknown): string | undefined {
  const needed = branch.filter((i) => missingKey(i, input)).map((i) => `"${String(i.path[0])}": …`);
  return needed.length ? `{ ${needed.join(', ')} }` : undefined;
}

/**
 * A union's issue ("Invalid input" at the union's key) told by what the input meant. When one form fits the
 * input's shape, that form's own issues are given, at their full paths. When none does, the issues every form
 * shares (a key none of them knows) and the forms there are.
 */
function unionIssues(issue: z.core.$ZodIssueInvalidUnion, root: unknown): ConfigIssue[] {
  const branches = issue.errors;
  if (!branches.length) return [{ path: formatPath(issue.path), message: issue.message }];
  const input = valueAt(root, issue.path);
  const misses = branches.map((b) => shapeMisses(b, input));
  const fewest = Math.min(...misses);
  const best = branches.filter((_, i) => misses[i] === fewest);
  const rebase = (i: Issue): Issue => ({ ...i, path: [...issue.path, ...i.path] }) as Issue;
  if (best.length === 1) return (best[0] ?? []).flatMap((i) => configIssues(rebase(i), root));
  const all = best.map((b) => b.flatMap((i) => configIssues(rebase(i), root)));
  const same = (a: ConfigIssue, b: ConfigIssue) => a.path === b.path && a.message === b.message;
  const shared = (all[0] ?? []).filter((c) => all.every((other) => other.some((o) => same(o, c))));
  const forms = best.map((b) => formOf(b, input));
  if (forms.every((f) => f !== undefined))
    shared.push({ path: formatPath(issue.path), message: `expected one of: ${forms.join(', ')}` });
  if (shared.length) return shared;
  const messages = [...new Set(all.flat().map((c) => c.message))];
  return [{ path: formatPath(issue.path), message: `matches none of its forms: ${messages.join('; ')}` }];
}

/** One schema issue as the configuration's issues, each located by its key path. */
export function configIssues(issue: Issue, root: unknown): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: 'Unknown key' }));
  }
  if (issue.code === 'invalid_union') return unionIssues(issue, root);
  return [{ path: formatPath(issue.path), message: issue.message }];
}
