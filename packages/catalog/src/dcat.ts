import { invalidArgument, type OperationOptions } from '@thgov/core';
import type { CatalogCore } from './context.js';
import { CatalogError, isCatalogError } from './errors.js';
import { parseCkanTimestamp, toCkanTimestamp } from './timestamps.js';

/** One dataset as ckanext-dcat lists it: enough to know what changed since the last sync. */
export interface DcatDatasetChange {
  /** The dataset's URI in the catalog. */
  uri: string;
  /** `dct:identifier` (the CKAN id). */
  identifier: string | undefined;
  title: string | undefined;
  /** `dct:modified`. */
  modified: string | undefined;
}

/** One page of `/catalog.jsonld`. */
export interface DcatPage {
  page: number;
  datasets: DcatDatasetChange[];
  /** `hydra:totalItems` when the catalog reports it (compact or expanded JSON-LD). */
  totalItems: number | undefined;
}

const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const MAX_PAGES = 100_000;
const MAX_NODES = 100_000;

/** Prefixes a DCAT page may use without declaring them (ckanext-dcat's bindings and common variants). */
const KNOWN_PREFIXES: Record<string, string> = {
  hydra: HYDRA,
  dcat: DCAT,
  dct: DCT,
  dcterms: DCT,
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON-LD value: a string, `{ "@value": … }`, `{ "@id": … }` or a list of either; the first text wins. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (isNode(v)) return text(v['@value'] ?? v['@id']);
  return undefined;
}

/**
 * Term and prefix definitions of the page's `@context` (an object, or a list of objects; remote contexts are
 * not fetched). Without a processor: enough to expand `prefix:name` keys and plain terms to IRIs.
 */
function contextOf(body: unknown): Map<string, string> {
  const map = new Map(Object.entries(KNOWN_PREFIXES));
  const ctx = isNode(body) ? body['@context'] : undefined;
  for (const c of (Array.isArray(ctx) ? ctx : [ctx]).slice(0, 100)) {
    if (!isNode(c)) continue;
    for (const [term, def] of Object.entries(c).slice(0, 1000)) {
      const iri = typeof def === 'string' ? def : isNode(def) ? def['@id'] : undefined;
      if (typeof iri === 'string' && !term.startsWith('@')) map.set(term, iri);
    }
  }
  return map;
}

/** A key or `@type` value as a full IRI: compact (`hydra:next`), a context term, or already expanded. */
function expand(key: string, ctx: Map<string, string>): string {
  const term = ctx.get(key);
  if (term !== undefined) return term.includes(':') && !term.includes('://') ? expand(term, ctx) : term;
  const colon = key.indexOf(':');
  if (colon > 0 && !key.startsWith('//', colon + 1)) {
    const ns = ctx.get(key.slice(0, colon));
    if (ns !== undefined) return ns + key.slice(colon + 1);
  }
  return key;
}

/** A node with every key expanded to its IRI (compact and expanded forms side by side read the same). */
function expandNode(node: Node, ctx: Map<string, string>): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    const key = k.startsWith('@') ? k : expand(k, ctx);
    if (!(key in out)) out[key] = v;
  }
  return out;
}

function typesOf(node: Node, ctx: Map<string, string>): string[] {
  const t = node['@type'];
  return (Array.isArray(t) ? t : [t])
    .filter((x): x is string => typeof x === 'string')
    .map((x) => expand(x, ctx));
}

/** The page's nodes: the top level (`@graph`, a list, or one node) and nodes embedded in their values. */
function nodesOf(body: unknown): unknown[] {
  const top =
    isNode(body) && Array.isArray(body['@graph']) ? body['@graph'] : Array.isArray(body) ? body : [body];
  const out: unknown[] = [];
  const queue: unknown[] = top.slice(0, MAX_NODES);
  for (let i = 0; i < queue.length && out.length < MAX_NODES; i++) {
    const item = queue[i];
    if (!isNode(item)) continue;
    out.push(item);
    // Embedded nodes (a compacted catalog may nest its datasets, or a collection its hydra:view); not the typed
    // literals ({"@type": xsd:dateTime, "@value": …}).
    for (const [k, v] of Object.entries(item)) {
      if (k.startsWith('@')) continue;
      for (const x of Array.isArray(v) ? v : [v]) {
        if (isNode(x) && '@type' in x && !('@value' in x) && queue.length < MAX_NODES) queue.push(x);
      }
    }
  }
  return out;
}

function readPage(body: unknown, page: number): { page: DcatPage; hasNext: boolean } {
  const ctx = contextOf(body);
  const datasets: DcatDatasetChange[] = [];
  let hasNext = false;
  let totalItems: number | undefined;
  for (const item of nodesOf(body)) {
    const node = expandNode(item as Node, ctx);
    const types = typesOf(node, ctx);
    if (types.includes(`${DCAT}Dataset`)) {
      datasets.push({
        uri: text(node['@id']) ?? '',
        identifier: text(node[`${DCT}identifier`]),
        title: text(node[`${DCT}title`]),
        modified: text(node[`${DCT}modified`]),
      });
    }
    if (types.some((t) => t === `${HYDRA}PagedCollection` || t === `${HYDRA}PartialCollectionView`)) {
      // ckanext-dcat writes both the deprecated hydra:nextPage and hydra:next.
      if (text(node[`${HYDRA}nextPage`] ?? node[`${HYDRA}next`]) !== undefined) hasNext = true;
      const raw = text(node[`${HYDRA}totalItems`]);
      const total = raw === undefined ? Number.NaN : Number(raw);
      if (Number.isSafeInteger(total) && total >= 0) totalItems = total;
    }
  }
  return { page: { page, datasets, totalItems }, hasNext };
}

/**
 * Reads ckanext-dcat's catalog endpoint page by page (`/catalog.jsonld?modified_since=…&page=n`) for
 * incremental sync. The EU DCAT profiles do not carry the Thai fields: use it to learn what changed, then
 * read each dataset with getDataset. ERR_CATALOG_UNSUPPORTED when the catalog has no DCAT endpoint. Datasets an
 * earlier page listed are skipped (by URI); a page listing nothing new is ERR_CATALOG_PROTOCOL.
 */
export async function* readDcatPages(
  core: CatalogCore,
  o: OperationOptions & { modifiedSince?: Date | string } = {},
): AsyncGenerator<DcatPage, void, undefined> {
  let since: string | undefined;
  if (o.modifiedSince !== undefined) {
    // A CKAN timestamp (naive UTC) is read as UTC; ckanext-dcat appends "Z" itself (dateutil_parse(v).isoformat()
    // + 'Z'), so a value with a zone would become "…+00:00Z", a date Solr refuses: send naive UTC.
    const d =
      o.modifiedSince instanceof Date
        ? o.modifiedSince
        : typeof o.modifiedSince === 'string'
          ? parseCkanTimestamp(o.modifiedSince)
          : undefined;
    if (d === undefined || Number.isNaN(d.getTime()))
      throw invalidArgument('modifiedSince must be a Date or an ISO 8601 / CKAN timestamp');
    since = toCkanTimestamp(d);
  }
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    let body: unknown;
    try {
      body = (
        await core.get<unknown>('/catalog.jsonld', { modified_since: since, page }, 'json', 'dcat.catalog', o)
      ).body;
    } catch (err) {
      if (!isCatalogError(err, 'ERR_CATALOG_NOT_FOUND')) throw err;
      throw new CatalogError(
        'ERR_CATALOG_UNSUPPORTED',
        'This catalog offers no DCAT endpoint (/catalog.jsonld)',
        {
          action: 'dcat.catalog',
          cause: err,
          hint: 'Use searchDatasets with fq=metadata_modified:[… TO *] instead.',
        },
      );
    }
    const { page: p, hasNext } = readPage(body, page);
    if (p.datasets.length === 0) return;
    const fresh = p.datasets.filter((d) => firstSight(seen, d));
    if (fresh.length === 0) throw noProgress(page);
    yield { ...p, datasets: fresh };
    if (!hasNext) return;
  }
}

/** Records the dataset by URI (else identifier, else title and date); false when an earlier page had it. */
function firstSight(seen: Set<string>, d: DcatDatasetChange): boolean {
  const key = d.uri !== '' ? d.uri : `\0${d.identifier ?? ''}\0${d.title ?? ''}\0${d.modified ?? ''}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function noProgress(page: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PROTOCOL',
    `dcat.catalog: page ${page} of /catalog.jsonld listed only datasets of earlier pages: paging stopped`,
    { action: 'dcat.catalog', hint: 'The catalog (or a cache in front of it) answers every page alike.' },
  );
}
