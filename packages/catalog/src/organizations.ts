import type { OperationOptions } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { type CatalogOrganization, organizationResultSchema } from './entities.js';
import { CatalogError } from './errors.js';

const page = z.array(organizationResultSchema).max(100_000);
/** A bound on requests: thai_gdc caps each page at 300 organizations, no catalog has 300 × 1000. */
const MAX_PAGES = 1000;
/** Requests in a row that bring no organization not read before (stepping back past deletions takes a few). */
const MAX_IDLE_PAGES = 64;

function noProgress(offset: number, why: string): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PROTOCOL',
    `organization_list: ${why} (offset ${offset}): paging stopped`,
    {
      action: 'organization_list',
      hint: 'The catalog (or a cache in front of it) does not page organization_list by offset.',
    },
  );
}

/**
 * Every organization, paged with `limit`/`offset` in name order. The catalog caps a page silently (thai_gdc at
 * 300, CKAN at 25 with all fields), so a page's length, not the limit asked, says how far to step. CKAN orders by
 * title unless told: an organization retitled during the walk would jump over the offset, so the walk asks for
 * `name` (unique). Each page after the first opens on the last organization read (the anchor): when it opens on
 * one never read, organizations before it went (deleted, renamed) and the walk steps back a page, so none is
 * skipped. A catalog that stops moving on is ERR_CATALOG_PROTOCOL, not a silently short list.
 */
export async function listOrganizations(
  core: CatalogCore,
  op?: OperationOptions,
): Promise<CatalogOrganization[]> {
  const all = new Map<string, CatalogOrganization>();
  let from = 0;
  let step = 1;
  for (let p = 0, idle = 0; p < MAX_PAGES; p++, idle++) {
    if (idle > MAX_IDLE_PAGES) throw noProgress(from, 'pages held only organizations already read');
    const rows = await core.action(
      'organization_list',
      { all_fields: true, sort: 'name asc', limit: 1000, offset: from },
      { read: true, schema: page, op },
    );
    step = Math.max(step, rows.length);
    const first = rows[0];
    if (from > 0 && (first === undefined || !all.has(first.id))) {
      // Organizations before the anchor went: read again from a page earlier.
      from = Math.max(0, from - step);
      continue;
    }
    if (first === undefined) return [...all.values()];
    for (const o of rows) {
      if (all.has(o.id)) continue;
      all.set(o.id, o);
      idle = -1;
    }
    // A page of the anchor alone (or a first page of one: a catalog of one organization): nothing follows it.
    if (rows.length === 1) return [...all.values()];
    from += rows.length - 1;
  }
  throw noProgress(from, `more than ${MAX_PAGES} pages`);
}

/**
 * The organizations the token's user may publish to (`organization_list_for_user`, `create_dataset`): the
 * authorised read behind `thgov doctor`. An anonymous caller (no token, or one the catalog ignores) gets none.
 */
export function listMyOrganizations(
  core: CatalogCore,
  permission = 'create_dataset',
  op?: OperationOptions,
): Promise<CatalogOrganization[]> {
  return core.action('organization_list_for_user', { permission }, { read: true, schema: page, op });
}
