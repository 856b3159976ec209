import type { OperationOptions } from '@thgov/core';
import { validateOptions, z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { type CatalogDataset, searchResultSchema } from './entities.js';
import { CatalogError } from './errors.js';

/** A `package_search` query, paged by the client. */
export interface SearchDatasetsQuery {
  /** Solr query (`q`); default all datasets. */
  q?: string;
  /** Filter query (`fq`), e.g. `organization:nso tags:"ประชากร"`. */
  fq?: string;
  /**
   * Sort (`sort`). Default `metadata_created asc, name asc`: offset paging over an order that new or edited
   * datasets do not reshuffle (CKAN's default, relevance then modification time, moves edited datasets).
   */
  sort?: string;
  /** Datasets asked per page. The catalog caps it silently at `ckan.search.rows_max` (1000); default 1000. */
  pageSize?: number;
  /** First offset. Default 0. */
  start?: number;
  /** Stop after this many datasets. */
  limit?: number;
  /** Also private datasets the token may read. */
  includePrivate?: boolean;
}

/** One page of a search, de-duplicated against the pages before it. */
export interface SearchPage {
  datasets: CatalogDataset[];
  /** Offset of this page. */
  start: number;
  /** Matches the catalog counted for this page's request. */
  count: number;
  /** Datasets already seen on an earlier page (offset paging shifts when datasets are added meanwhile). */
  duplicatesSkipped: number;
}

const querySchema = z
  .object({
    q: z.string().max(10_000).optional(),
    fq: z.string().max(10_000).optional(),
    sort: z.string().max(500).optional(),
    pageSize: z.number().int().min(1).max(100_000).optional(),
    start: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).optional(),
    includePrivate: z.boolean().optional(),
  })
  .strict();

/** More pages than any real catalog has: a server that never stops is stopped. */
const MAX_PAGES = 100_000;

function noProgress(start: number, count: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PROTOCOL',
    `package_search: the page at offset ${start} held only datasets of earlier pages although the catalog counts ${count}: paging stopped`,
    { action: 'package_search', hint: 'The catalog (or a cache in front of it) answers every offset alike.' },
  );
}

/**
 * Pages `package_search` by offset, stepping by what each page really held (so a silent `rows_max` cap is
 * honoured) until the count is reached, a page is empty or `limit` is met; datasets already seen are skipped. A page
 * of nothing but datasets already seen is ERR_CATALOG_PROTOCOL: the catalog is not moving on.
 */
export async function* searchPages(
  core: CatalogCore,
  query: SearchDatasetsQuery = {},
  op?: OperationOptions,
): AsyncGenerator<SearchPage, void, undefined> {
  const q = validateOptions(querySchema, query, 'searchDatasets query');
  const seen = new Set<string>();
  let start = q.start ?? 0;
  let delivered = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await core.action(
      'package_search',
      {
        q: q.q ?? '*:*',
        fq: q.fq,
        sort: q.sort ?? 'metadata_created asc, name asc',
        rows: q.pageSize ?? 1000,
        start,
        include_private: q.includePrivate ?? false,
      },
      { read: true, schema: searchResultSchema, op },
    );
    if (res.results.length === 0) return;
    const fresh = res.results.filter((d) => !seen.has(d.id));
    if (fresh.length === 0) throw noProgress(start, res.count);
    for (const d of fresh) seen.add(d.id);
    const room = q.limit === undefined ? fresh.length : q.limit - delivered;
    const datasets = fresh.slice(0, Math.max(0, room));
    delivered += datasets.length;
    yield { datasets, start, count: res.count, duplicatesSkipped: res.results.length - fresh.length };
    start += res.results.length;
    if (start >= res.count || (q.limit !== undefined && delivered >= q.limit)) return;
  }
}
