import { searchError, searchQueryError, validationError } from './action-error.js';
import type { ActionContext, ActionSpec } from './context.js';
import { packageDict } from './packages.js';
import type { Dict, StoredPackage } from './store.js';

/**
 * package_search over the stored datasets with the slice of Solr syntax agencies use: `q` terms and
 * `field:value` pairs, `fq` filters (quoted values, `[a TO b]` ranges), sort by a few fields. Like CKAN, `rows`
 * is capped silently at rows_max, an unbalanced query is a 400 Search Query Error, and sorting on an unknown
 * field is a 409 Search Error.
 */

const SORTABLE = new Set(['metadata_created', 'metadata_modified', 'name', 'title_string', 'score', 'id']);
const CLAUSE = /([+-]?)([A-Za-z_][\w.]*):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)|("(?:[^"\\]|\\.)*"|\S+)/g;

interface Clause {
  negate: boolean;
  field: string | undefined;
  value: string;
}

function parse(text: string, what: 'q' | 'fq'): Clause[] {
  const quotes = (text.match(/(?<!\\)"/g) ?? []).length;
  let depth = 0;
  for (const c of text) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (quotes % 2 !== 0 || depth !== 0)
    throw searchQueryError(`('${what}', 'unbalanced quotes or parentheses')`);
  const out: Clause[] = [];
  for (const m of text.replace(/[()]/g, ' ').matchAll(CLAUSE)) {
    const raw = m[3] ?? m[4] ?? '';
    if (!m[2] && /^(AND|OR|\+|&&)$/.test(raw)) continue;
    out.push({ negate: m[1] === '-', field: m[2], value: raw.replace(/^"|"$/g, '').replace(/\\"/g, '"') });
  }
  return out;
}

function fieldValues(pkg: StoredPackage, field: string, ctx: ActionContext): string[] {
  switch (field) {
    case 'organization':
      return [ctx.store.orgs.get(pkg.owner_org)?.name ?? ''];
    case 'tags':
      return ((pkg.tags as Array<{ name: string }>) ?? []).map((t) => t.name);
    case 'res_format':
      return pkg.resources.map((r) => String(r.format ?? ''));
    case 'capacity':
      return [pkg.private ? 'private' : 'public'];
    default: {
      const v = pkg[field];
      return Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];
    }
  }
}

function matches(pkg: StoredPackage, c: Clause, ctx: ActionContext): boolean {
  let hit: boolean;
  if (!c.field) {
    const needle = c.value.toLowerCase();
    const text = [
      pkg.name,
      pkg.title,
      pkg.notes,
      ...fieldValues(pkg, 'tags', ctx),
      ctx.store.orgs.get(pkg.owner_org)?.title,
    ];
    hit =
      needle === '*' ||
      text.some((t) =>
        String(t ?? '')
          .toLowerCase()
          .includes(needle),
      );
  } else if (c.value.startsWith('[')) {
    const m = /^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$/.exec(c.value);
    if (!m) throw searchQueryError(`('range', '${c.value}')`);
    const [lo, hi] = [m[1] === '*' ? '' : (m[1] as string), m[2] === '*' ? '\uffff' : (m[2] as string)];
    hit = fieldValues(pkg, c.field, ctx).some((v) => v >= lo.replace(/Z$/, '') && v <= hi.replace(/Z$/, ''));
  } else {
    hit =
      c.value === '*'
        ? fieldValues(pkg, c.field, ctx).length > 0
        : fieldValues(pkg, c.field, ctx).includes(c.value);
  }
  return c.negate ? !hit : hit;
}

function sorter(sort: unknown): (a: StoredPackage, b: StoredPackage) => number {
  const parts = String(sort || 'score desc, metadata_modified desc')
    .split(',')
    .map((s) => s.trim().split(/\s+/))
    .map(([field = '', dir = 'asc']) => {
      if (!SORTABLE.has(field)) throw searchError(`can not sort on undefined field: ${field}`);
      return { field: field === 'title_string' ? 'title' : field, desc: dir.toLowerCase() === 'desc' };
    });
  return (a, b) => {
    for (const { field, desc } of parts) {
      if (field === 'score') continue;
      const x = String(a[field] ?? '');
      const y = String(b[field] ?? '');
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
}

function int(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw validationError({ [name]: ['Invalid integer'] });
  return n;
}

function packageSearch(params: Dict, ctx: ActionContext): Dict {
  const q = parse(String(params.q ?? '').replace(/\*:\*/g, ' '), 'q');
  const fq = parse(String(params.fq ?? ''), 'fq');
  const rows = Math.min(int(params.rows, 'rows', 10), ctx.settings.rowsMax);
  const start = int(params.start, 'start', 0);
  const includePrivate =
    (params.include_private === true || params.include_private === 'true') && ctx.user !== undefined;
  const all = [...ctx.store.packages.values()]
    .filter((p) => p.state === 'active')
    .filter((p) => (p.private ? includePrivate && ctx.store.canRead(ctx.user, p) : true))
    .filter((p) => q.every((c) => matches(p, c, ctx)) && fq.every((c) => matches(p, c, ctx)))
    .sort(sorter(params.sort));
  return {
    count: all.length,
    results: all.slice(start, start + rows).map((p) => packageDict(p, ctx)),
    sort: String(params.sort || 'score desc, metadata_modified desc'),
    facets: {},
    search_facets: {},
  };
}

/** package_search. */
export const SEARCH_ACTIONS: Record<string, ActionSpec> = {
  package_search: { handler: packageSearch, sideEffectFree: true },
};
