import { notFound, required, validationError } from './action-error.js';
import type { ActionContext, ActionSpec } from './context.js';
import type { CatalogOrganization, Dict } from './store.js';

/** status_show (thai_gdc's override), organizations and the scheming schema. */

function statusShow(_p: Dict, ctx: ActionContext): Dict {
  const s = ctx.settings;
  return {
    site_title: s.siteTitle,
    site_description: 'บัญชีข้อมูลหน่วยงาน (Agency Data Catalog)',
    site_url: s.siteUrl,
    thaigdc_catalog_type: 'agency',
    thaigdc_is_as_a_service: 'false',
    thaigdc_version: s.thaiGdcVersion,
    thaigdc_update: {
      thai_gdc: s.flavor === '2.10' ? '2024-10-01' : '2024-01-13',
      xloader: '',
      discovery: '',
    },
    ckan_version: s.ckanVersion,
    error_emails_to: null,
    locale_default: 'th',
    extensions: s.extensions,
  };
}

function orgDict(o: CatalogOrganization, ctx: ActionContext, allFields: boolean): Dict | string {
  if (!allFields) return o.name;
  const count = [...ctx.store.packages.values()].filter(
    (p) => p.owner_org === o.id && p.state === 'active' && !p.private,
  ).length;
  return {
    id: o.id,
    name: o.name,
    title: o.title,
    display_name: o.title,
    description: o.description,
    created: o.created,
    type: 'organization',
    is_organization: true,
    state: 'active',
    package_count: count,
  };
}

function organizationList(p: Dict, ctx: ActionContext): Array<Dict | string> {
  const allFields = p.all_fields === true || p.all_fields === 'true' || p.all_fields === 'True';
  // thai_gdc sets both list maxima to 300; CKAN caps `limit` silently at them.
  const max = ctx.settings.orgListMax;
  const asked = p.limit === undefined || p.limit === null ? max : Number(p.limit);
  const limit = Number.isInteger(asked) && asked >= 0 ? Math.min(asked, max) : max;
  const offset = Number(p.offset ?? 0) || 0;
  const orgs = [...ctx.store.orgs.values()].sort(groupOrder(p.sort, ctx));
  return orgs.slice(offset, offset + limit).map((o) => orgDict(o, ctx, allFields));
}

/**
 * CKAN's `_group_or_org_list` order: one field of name, title or package_count (`packages`), `asc` unless
 * said; `ckan.default_group_sort` (`title`) when none is given, so an organization retitled moves in the list.
 * Ties keep the order of the table (PostgreSQL promises none). Another field is a Validation Error.
 */
function groupOrder(
  sort: unknown,
  ctx: ActionContext,
): (a: CatalogOrganization, b: CatalogOrganization) => number {
  let text = typeof sort === 'string' && sort.trim() !== '' ? sort.trim() : 'title';
  // A bare `packages` means the most datasets first.
  if (text === 'packages' || text === 'package_count') text = 'package_count desc';
  if (text.includes(','))
    throw validationError({ message: 'Too many sort criteria provided only 1 allowed' });
  const [field = 'title', dir = 'asc'] = text.split(/\s+/);
  if (!['name', 'title', 'packages', 'package_count'].includes(field))
    throw validationError({ message: `Cannot sort by field \`${field}\`` });
  if (!['asc', 'desc'].includes(dir.toLowerCase()))
    throw validationError({ message: `Invalid sort direction ${dir.toLowerCase()}` });
  const sign = dir.toLowerCase() === 'asc' ? 1 : -1;
  // Dataset counts once per listing, not per comparison.
  const counts = new Map<string, number>();
  if (field === 'packages' || field === 'package_count')
    for (const p of ctx.store.packages.values())
      if (p.state === 'active') counts.set(p.owner_org, (counts.get(p.owner_org) ?? 0) + 1);
  const key = (o: CatalogOrganization): string | number =>
    field === 'name' ? o.name : field === 'title' ? o.title : (counts.get(o.id) ?? 0);
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return sign * (typeof x === 'number' ? x - (y as number) : x.localeCompare(y as string));
  };
}

function organizationListForUser(p: Dict, ctx: ActionContext): Array<Dict | string> {
  const user = ctx.user;
  if (!user) return [];
  const permission = String(p.permission ?? 'manage_group');
  const roles =
    permission === 'read'
      ? ['member', 'editor', 'admin']
      : permission === 'manage_group'
        ? ['admin']
        : ['editor', 'admin'];
  return [...ctx.store.orgs.values()]
    .filter((o) => user.sysadmin || roles.includes(o.roles.get(user.id) ?? ''))
    .map((o) => orgDict(o, ctx, true));
}

function organizationShow(p: Dict, ctx: ActionContext): Dict | string {
  const org = ctx.store.orgByIdOrName(required(p, 'id'));
  if (!org) throw notFound('Organization was not found.');
  return orgDict(org, ctx, true);
}

function schemaShow(p: Dict, ctx: ActionContext): unknown {
  if ((p.type ?? 'dataset') !== 'dataset') throw notFound();
  return structuredClone(ctx.settings.schema);
}

/** status_show, organizations, the scheming schema. */
export const SITE_ACTIONS: Record<string, ActionSpec> = {
  status_show: { handler: statusShow, sideEffectFree: true },
  site_read: { handler: () => true, sideEffectFree: true },
  organization_list: { handler: organizationList, sideEffectFree: true },
  organization_show: { handler: organizationShow, sideEffectFree: true },
  organization_list_for_user: { handler: organizationListForUser, sideEffectFree: true },
  group_list: { handler: () => [], sideEffectFree: true },
  scheming_dataset_schema_show: { handler: schemaShow, sideEffectFree: true },
};
