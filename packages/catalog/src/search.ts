import type { OperationOptions } from '@thgov/core';
import { validateOptions, z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { type CatalogDataset, searchResultSchema } from './entities.js';
import { CatalogError } from './errors.js';
import { allRead, nextProbe, openedPast, type ShiftProbe } from './offset-recovery.js';

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
  /**
   * Offset of the page's first dataset. Each page after the first is asked from the last dataset read (so that
   * datasets deleted meanwhile make none go missing): it starts one past where the page before ended.
   */
  start: number;
  /** Matches the catalog counted for this page's request. */
  count: number;
  /**
   * Datasets already seen on an earlier page (offset paging shifts when datasets are added meanwhile), the one
   * row each page overlaps the page before by not counted.
   */
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
/** Requests in a row that bring no dataset not seen before (looking past deletions takes a few). */
const MAX_IDLE_PAGES = 64;

function noProgress(start: number, count: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PROTOCOL',
    `package_search: the page at offset ${start} held only datasets of earlier pages although the catalog counts ${count}: paging stopped`,
    { action: 'package_search', hint: 'The catalog (or a cache in front of it) answers every offset alike.' },
  );
}

/**
 * Pages `package_search` by offset, stepping by what each page really held (so a silent `rows_max` cap is
 * honoured) until the count is reached, a page is empty or `limit` is met; datasets already seen are skipped.
 * Each page after the first opens on the last dataset read, so that datasets deleted meanwhile make none go
 * missing (offset-recovery.ts). A page of nothing but datasets already seen, short of the count, is
 * ERR_CATALOG_PROTOCOL: the catalog is not moving on.
 */
export async function* searchPages(
  core: CatalogCore,
  query: SearchDatasetsQuery = {},
  op?: OperationOptions,
): AsyncGenerator<SearchPage, void, undefined> {
  const q = validateOptions(querySchema, query, 'searchDatasets query');
  const origin = q.start ?? 0;
  const seen = new Set<string>();
  let from = origin;
  // Whether the row at `from` was read already: after a page, and while probing anywhere past the origin.
  let anchored = false;
  let probe: ShiftProbe | undefined;
  let delivered = 0;
  for (let page = 0, idle = 0; page < MAX_PAGES; page++, idle++) {
    const res = await searchPage(core, q, from, anchored, op);
    const results = res.results;
    const first = results[0];
    if (anchored && (first === undefined || !seen.has(first.id))) {
      // Datasets before the anchor went (the count said there were more): look for the first one not read.
      probe = openedPast(probe, from, origin);
      from = nextProbe(probe, results.length || (q.pageSize ?? 1000));
      anchored = from > origin;
      if (idle >= MAX_IDLE_PAGES) throw noProgress(from, res.count);
      continue;
    }
    if (first === undefined) return;
    const fresh = results.filter((d) => !seen.has(d.id));
    if (fresh.length === 0) {
      if (from + results.length >= res.count) return;
      probe = probe && allRead(probe, from, results.length);
      if (!probe || idle >= MAX_IDLE_PAGES) throw noProgress(from, res.count);
      from = nextProbe(probe, results.length);
      anchored = from > origin;
      continue;
    }
    probe = undefined;
    idle = -1;
    for (const d of fresh) seen.add(d.id);
    const datasets = fresh.slice(0, Math.max(0, q.limit === undefined ? fresh.length : q.limit - delivered));
    delivered += datasets.length;
    const overlap = anchored ? 1 : 0;
    const duplicatesSkipped = results.length - fresh.length - overlap;
    const start = from + results.indexOf(fresh[0] as CatalogDataset);
    yield { datasets, start, count: res.count, duplicatesSkipped };
    if (from + results.length >= res.count || (q.limit !== undefined && delivered >= q.limit)) return;
    from += results.length - 1;
    anchored = true;
  }
}

/** One `package_search` request; an anchored one asks a row more, for the anchor. */
function searchPage(
  core: CatalogCore,
  q: SearchDatasetsQuery,
  from: number,
  anchored: boolean,
  op: OperationOptions | undefined,
) {
  return core.action(
    'package_search',
    {
      q: q.q ?? '*:*',
      fq: q.fq,
      sort: q.sort ?? 'metadata_created asc, name asc',
      rows: (q.pageSize ?? 1000) + (anchored ? 1 : 0),
      start: from,
      include_private: q.includePrivate ?? false,
    },
    { read: true, schema: searchResultSchema, op },
  );
}
