import { invalidArgument, type OperationOptions } from '@thgov/core';
import type { CatalogCore } from './context.js';
import { CatalogError, isCatalogError } from './errors.js';

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
  /** `hydra:totalItems` when the catalog reports it. */
  totalItems: number | undefined;
}

const DATASET_TYPES = new Set(['dcat:Dataset', 'http://www.w3.org/ns/dcat#Dataset']);
const MAX_PAGES = 100_000;

type Node = Record<string, unknown>;

/** A JSON-LD value: a string, `{ "@value": … }` or a list of either; the first text wins. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object' && v !== null) {
    const o = v as Node;
    return text(o['@value'] ?? o['@id']);
  }
  return undefined;
}

function typesOf(node: Node): string[] {
  const t = node['@type'];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string');
}

function readPage(body: unknown, page: number): { page: DcatPage; hasNext: boolean } {
  const graph = Array.isArray((body as Node | undefined)?.['@graph'])
    ? ((body as Node)['@graph'] as unknown[])
    : Array.isArray(body)
      ? body
      : [body];
  const datasets: DcatDatasetChange[] = [];
  let hasNext = false;
  let totalItems: number | undefined;
  for (const item of graph.slice(0, 100_000)) {
    if (typeof item !== 'object' || item === null) continue;
    const node = item as Node;
    const types = typesOf(node);
    if (types.some((t) => DATASET_TYPES.has(t))) {
      datasets.push({
        uri: text(node['@id']) ?? '',
        identifier: text(node['dct:identifier'] ?? node['http://purl.org/dc/terms/identifier']),
        title: text(node['dct:title'] ?? node['http://purl.org/dc/terms/title']),
        modified: text(node['dct:modified'] ?? node['http://purl.org/dc/terms/modified']),
      });
    }
    if (types.some((t) => t.includes('PagedCollection') || t.includes('PartialCollectionView'))) {
      hasNext = text(node['hydra:nextPage'] ?? node['hydra:next']) !== undefined;
      const total = Number(text(node['hydra:totalItems']));
      if (Number.isFinite(total)) totalItems = total;
    }
  }
  return { page: { page, datasets, totalItems }, hasNext };
}

/**
 * Reads ckanext-dcat's catalog endpoint page by page (`/catalog.jsonld?modified_since=…&page=n`) for
 * incremental sync. The EU DCAT profiles do not carry the Thai fields: use it to learn what changed, then
 * read each dataset with getDataset. ERR_CATALOG_UNSUPPORTED when the catalog has no DCAT endpoint.
 */
export async function* readDcatPages(
  core: CatalogCore,
  o: OperationOptions & { modifiedSince?: Date | string } = {},
): AsyncGenerator<DcatPage, void, undefined> {
  let since: string | undefined;
  if (o.modifiedSince !== undefined) {
    const d = o.modifiedSince instanceof Date ? o.modifiedSince : new Date(o.modifiedSince);
    if (Number.isNaN(d.getTime())) throw invalidArgument('modifiedSince must be a date');
    since = d.toISOString();
  }
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
    if (p.datasets.length > 0) yield p;
    if (!hasNext || p.datasets.length === 0) return;
  }
}
