/**
 * package_revise's dict operations (ckan/lib/navl/dictization_functions.py): `match` checks values along
 * paths, `filter` removes (or protects) keys by glob, `update` merges dicts by key and lists by POSITION, and
 * flattened `update__a__0__b` keys address one item. Reimplemented from CKAN's documented behaviour.
 */

type Dict = Record<string, unknown>;
type Path = Array<string | number>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An update that does not fit the data (a dict where a list is, an unknown key). */
export class DataError extends Error {}

/** Paths under which `match` differs from `data`. */
export function checkDict(data: unknown, match: unknown, path: Path = []): Path[] {
  if (isDict(match)) {
    if (!isDict(data)) return [path];
    return Object.entries(match).flatMap(([k, v]) =>
      k in data ? checkDict(data[k], v, [...path, k]) : [[...path, k]],
    );
  }
  if (Array.isArray(match)) {
    if (!Array.isArray(data) || data.length < match.length) return [path];
    return match.flatMap((v, i) => checkDict(data[i], v, [...path, i]));
  }
  return data === match ? [] : [path];
}

/** One segment of a string key: a list index (negative from the end) or an id prefix of at least 5 characters. */
function resolveIndex(list: unknown[], key: string): number {
  if (/^-?\d+$/.test(key)) {
    const i = Number(key);
    const idx = i < 0 ? list.length + i : i;
    if (idx < 0 || idx >= list.length) throw new DataError(`Unmatched key ${key}`);
    return idx;
  }
  if (key.length < 5) throw new DataError(`Unmatched key ${key}`);
  const idx = list.findIndex((e) => isDict(e) && typeof e.id === 'string' && e.id.startsWith(key));
  if (idx < 0) throw new DataError(`Unmatched key ${key}`);
  return idx;
}

function resolve(data: unknown, segments: string[]): { node: unknown; path: Path } {
  let node = data;
  const path: Path = [];
  for (const seg of segments) {
    if (isDict(node)) {
      if (!(seg in node)) throw new DataError(`Unmatched key ${seg}`);
      node = node[seg];
      path.push(seg);
    } else if (Array.isArray(node)) {
      const i = resolveIndex(node, seg);
      node = node[i];
      path.push(i);
    } else throw new DataError(`Unmatched key ${seg}`);
  }
  return { node, path };
}

/** `match__a__b = v` */
export function checkStringKey(data: Dict, key: string, value: unknown): Path[] {
  try {
    const { node, path } = resolve(data, key.split('__'));
    return checkDict(node, value, path);
  } catch {
    return [key.split('__')];
  }
}

/** Removes keys by glob (`-resources__1`, `+title`, `-*`); the first matching `+` protects. In place. */
export function filterGlob(data: unknown, patterns: string[]): void {
  filterParsed(
    data,
    patterns.map((p) => ({ keep: p.startsWith('+'), globs: p.replace(/^[-+]/, '').split('__') })),
  );
}

function filterParsed(data: unknown, parsed: Array<{ keep: boolean; globs: string[] }>): void {
  const children = new Map<string | number, Array<{ keep: boolean; globs: string[] }>>();
  if (isDict(data)) {
    const protectedKeys = new Set<string>();
    for (const { keep, globs } of parsed) {
      const head = globs[0] as string;
      if (head === '*') {
        for (const k of Object.keys(data)) if (keep) protectedKeys.add(k);
        if (!keep) for (const k of Object.keys(data)) if (!protectedKeys.has(k)) delete data[k];
        continue;
      }
      if (!(head in data)) continue;
      if (globs.length > 1)
        children.set(head, [...(children.get(head) ?? []), { keep, globs: globs.slice(1) }]);
      else if (keep) protectedKeys.add(head);
      else if (!protectedKeys.has(head)) delete data[head];
    }
    for (const [k, c] of children) if (k in data) filterParsed(data[k as string], c);
    return;
  }
  if (!Array.isArray(data)) return;
  const protectedIdx = new Set<number>();
  const removed = new Set<number>();
  for (const { keep, globs } of parsed) {
    const head = globs[0] as string;
    if (head === '*') {
      for (let i = 0; i < data.length; i++) {
        if (keep && !removed.has(i)) protectedIdx.add(i);
        else if (!keep && !protectedIdx.has(i)) removed.add(i);
      }
      continue;
    }
    let i: number;
    try {
      i = resolveIndex(data, head);
    } catch {
      continue;
    }
    if (globs.length > 1) children.set(i, [...(children.get(i) ?? []), { keep, globs: globs.slice(1) }]);
    else if (keep && !removed.has(i)) protectedIdx.add(i);
    else if (!keep && !protectedIdx.has(i)) removed.add(i);
  }
  for (const [i, c] of children) if (!removed.has(i as number)) filterParsed(data[i as number], c);
  const kept = data.filter((_, i) => !removed.has(i));
  data.splice(0, data.length, ...kept);
}

/** Dicts merge by key, lists by position (a shorter update leaves the tail as it was). In place. */
export function updateMergeDict(data: Dict, update: unknown, path: Path = []): void {
  if (!isDict(update)) throw new DataError(`Expected dict for ${path.join('__')}`);
  for (const [k, v] of Object.entries(update)) {
    const cur = data[k];
    if (!(k in data)) data[k] = v;
    else if (isDict(cur)) updateMergeDict(cur, v, [...path, k]);
    else if (Array.isArray(cur)) updateMergeList(cur, v, [...path, k]);
    else data[k] = v;
  }
}

function updateMergeList(data: unknown[], update: unknown, path: Path): void {
  if (!Array.isArray(update)) throw new DataError(`Expected list for ${path.join('__')}`);
  update.forEach((v, i) => {
    const cur = data[i];
    if (i >= data.length) data.push(v);
    else if (isDict(cur)) updateMergeDict(cur, v, [...path, i]);
    else if (Array.isArray(cur)) updateMergeList(cur, v, [...path, i]);
    else data[i] = v;
  });
}

/** `update__resources__extend = [...]`, `update__resources__0 = {...}`, `update__notes = "..."`. */
export function updateMergeStringKey(data: Dict, key: string, value: unknown): void {
  const parts = key.split('__');
  const last = parts.pop() as string;
  const { node, path } =
    parts.length > 0 ? resolve(data, parts) : { node: data as unknown, path: [] as Path };
  if (isDict(node)) {
    updateMergeDict(node, { [last]: value }, path);
  } else if (Array.isArray(node)) {
    if (last === 'extend') {
      if (!Array.isArray(value)) throw new DataError(`Expected list for ${parts.join('__')}`);
      node.push(...value);
      return;
    }
    const i = resolveIndex(node, last);
    const cur = node[i];
    if (isDict(cur)) updateMergeDict(cur, value, [...path, i]);
    else if (Array.isArray(cur)) updateMergeList(cur, value, [...path, i]);
    else node[i] = value;
  } else throw new DataError(`Expected list or dict for ${parts.join('__')}`);
}
