import type { OperationOptions } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { type CatalogOrganization, organizationResultSchema } from './entities.js';

const page = z.array(organizationResultSchema).max(100_000);
/** A bound on pages: thai_gdc caps each at 300 organizations, no catalog has 300 × 1000. */
const MAX_PAGES = 1000;

/**
 * Every organization, paged with `limit`/`offset`. The catalog caps a page silently (thai_gdc at 300, CKAN at
 * 25 with all fields), so paging stops at the first empty page, not at the first short one.
 */
export async function listOrganizations(
  core: CatalogCore,
  op?: OperationOptions,
): Promise<CatalogOrganization[]> {
  const all: CatalogOrganization[] = [];
  const seen = new Set<string>();
  for (let p = 0; p < MAX_PAGES; p++) {
    const rows = await core.action(
      'organization_list',
      { all_fields: true, limit: 1000, offset: all.length },
      { read: true, schema: page, op },
    );
    const fresh = rows.filter((o) => !seen.has(o.id));
    if (fresh.length === 0) break;
    for (const o of fresh) {
      seen.add(o.id);
      all.push(o);
    }
  }
  return all;
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
