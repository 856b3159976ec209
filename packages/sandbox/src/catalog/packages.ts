import { ActionError, notAuthorized, notFound, required, validationError } from './action-error.js';
import type { ActionContext, ActionSpec } from './context.js';
import { askPublishedState } from './harvest-client.js';
import { checkDict, checkStringKey, filterGlob, updateMergeDict, updateMergeStringKey } from './revise.js';
import { validatePackage } from './scheming.js';
import type { Dict, StoredPackage, StoredResource } from './store.js';

const SYSTEM_KEYS = new Set([
  'id',
  'state',
  'type',
  'metadata_created',
  'metadata_modified',
  'creator_user_id',
  'organization',
  'num_resources',
  'num_tags',
  'isopen',
  'license_title',
]);

const clone = <T>(v: T): T => structuredClone(v);
const truthy = (v: unknown) => v === true || v === 'True' || v === 'true' || v === 'on';

/** package_show's dict: the stored one, with organization, counts, and private resources hidden from readers. */
export function packageDict(pkg: StoredPackage, ctx: ActionContext): Dict {
  const out = clone(pkg) as Dict & { resources: StoredResource[] };
  const org = ctx.store.orgs.get(pkg.owner_org);
  out.organization = org
    ? {
        id: org.id,
        name: org.name,
        title: org.title,
        type: 'organization',
        is_organization: true,
        state: 'active',
      }
    : null;
  // thai_gdc: resource_private "True" hides a resource from users who may not edit the dataset.
  if (!ctx.store.canEdit(ctx.user, pkg.owner_org))
    out.resources = out.resources.filter((r) => r.resource_private !== 'True');
  out.num_resources = out.resources.length;
  out.num_tags = Array.isArray(out.tags) ? out.tags.length : 0;
  return out;
}

/** A dataset the caller may read (404 if none, 403 for a private one). */
export function findReadable(ctx: ActionContext, idOrName: unknown): StoredPackage {
  const pkg = ctx.store.findPackage(idOrName);
  if (!pkg || (pkg.state === 'deleted' && !ctx.user?.sysadmin)) throw notFound();
  // The Action API answers 403 for a private dataset (the web UI says 404).
  if (!ctx.store.canRead(ctx.user, pkg))
    throw notAuthorized(`User ${ctx.user?.name ?? ''} not authorized to read package ${pkg.id}`);
  return pkg;
}

/** A dataset the caller may edit (404 if none, 403 without the right). */
export function findEditable(ctx: ActionContext, idOrName: unknown): StoredPackage {
  const pkg = ctx.store.findPackage(idOrName);
  if (!pkg || pkg.state === 'deleted') throw notFound();
  if (!ctx.store.canEdit(ctx.user, pkg.owner_org) || ctx.via === 'opend') {
    throw notAuthorized(`User ${ctx.user?.name ?? ''} not authorized to edit package ${pkg.id}`);
  }
  return pkg;
}

function newResource(r: Dict, pkgId: string, position: number, ctx: ActionContext): StoredResource {
  return {
    url: '',
    description: '',
    format: '',
    url_type: null,
    ...r,
    id: typeof r.id === 'string' && r.id ? r.id : ctx.store.newId(),
    package_id: pkgId,
    position,
    created: typeof r.created === 'string' ? r.created : ctx.store.now(),
    state: 'active',
  } as StoredResource;
}

/** Validates and stores a dataset dict (create and every kind of update end here, as in CKAN). */
export function savePackage(data: Dict, ctx: ActionContext, existing: StoredPackage | undefined): Dict {
  const errors = validatePackage(data, ctx.settings.schema, {
    store: ctx.store,
    user: ctx.user,
    packageId: existing?.id,
    maxNameLength: ctx.settings.maxNameLength,
  });
  if (Object.keys(errors).length > 0) throw validationError(errors);
  const now = ctx.store.now();
  const resources = (Array.isArray(data.resources) ? data.resources : (existing?.resources ?? [])) as Dict[];
  for (const k of SYSTEM_KEYS) delete data[k];
  const pkg: StoredPackage = {
    ...data,
    id: existing?.id ?? ctx.store.newId(),
    name: String(data.name),
    owner_org: String(data.owner_org),
    private: truthy(data.private),
    state: 'active',
    type: 'dataset',
    metadata_created: existing?.metadata_created ?? now,
    metadata_modified: now,
    creator_user_id: existing?.creator_user_id ?? ctx.user?.id ?? null,
    tags: data.tags ?? existing?.tags ?? [],
    resources: [],
  };
  pkg.resources = resources.map((r, i) => newResource(r, pkg.id, i, ctx));
  ctx.store.savePackage(pkg, existing?.name);
  return packageDict(pkg, ctx);
}

function packageCreate(params: Dict, ctx: ActionContext): Dict {
  const user = ctx.user;
  const mayCreate = user?.sysadmin || [...ctx.store.orgs.values()].some((o) => ctx.store.canEdit(user, o.id));
  if (!user || !mayCreate || ctx.via === 'opend')
    throw notAuthorized(`User ${user?.name ?? ''} not authorized to create packages`);
  return savePackage(clone(params), ctx, undefined);
}

function packageUpdate(params: Dict, ctx: ActionContext): Dict {
  const pkg = findEditable(ctx, required(params, 'id'));
  return savePackage(clone(params), ctx, pkg);
}

function packagePatch(params: Dict, ctx: ActionContext): Dict {
  const pkg = findEditable(ctx, required(params, 'id'));
  return savePackage({ ...clone(pkg), ...clone(params) }, ctx, pkg);
}

function revisedCopy(params: Dict, orig: Dict): Dict {
  const match = (params.match ?? {}) as Dict;
  const unmatched = [
    ...checkDict(orig, match),
    ...Object.entries(params)
      .filter(([k]) => k.startsWith('match__'))
      .flatMap(([k, v]) => checkStringKey(orig, k.slice(7), v)),
  ];
  if (unmatched.length > 0) throw validationError({ match: unmatched.map((p) => p.join('__')) });
  const filter =
    typeof params.filter === 'string' ? params.filter.split(',').map((s) => s.trim()) : params.filter;
  if (Array.isArray(filter)) {
    const id = orig.id;
    filterGlob(orig, filter.map(String));
    orig.id = id;
  }
  try {
    if (params.update !== undefined) updateMergeDict(orig, params.update);
  } catch (e) {
    throw validationError({ update: [(e as Error).message] });
  }
  const flat = Object.entries(params).filter(([k]) => k.startsWith('update__'));
  // __extend first, so a file can be attached to an item added by the same call.
  flat.sort(([a], [b]) => Number(b.endsWith('__extend')) - Number(a.endsWith('__extend')));
  for (const [k, v] of flat) {
    try {
      updateMergeStringKey(orig, k.slice(8), v);
    } catch (e) {
      throw validationError({ [k]: [(e as Error).message] });
    }
  }
  return orig;
}

function packageRevise(params: Dict, ctx: ActionContext): Dict {
  const match = (params.match ?? {}) as Dict;
  const id = match.id ?? params.match__id ?? match.name ?? params.match__name;
  if (id === undefined) throw validationError({ match__id: ['Missing value'] });
  if (ctx.faults.editConflict('/api/3/action/package_revise')) {
    // Another editor saved first: what CKAN reports when `match` no longer holds.
    throw validationError({ match: ['metadata_modified'] });
  }
  const pkg = findEditable(ctx, id);
  const orig = revisedCopy(params, packageDict(pkg, ctx));
  return { package: savePackage(orig, ctx, pkg) };
}

async function packageDelete(params: Dict, ctx: ActionContext): Promise<null> {
  const pkg = findEditable(ctx, required(params, 'id'));
  // thai_gdc's auth asks the GD Catalog first; an unreachable harvester means "not authorised". Through the API
  // a published dataset is still deleted: only the web form is blocked.
  const reachable = await askPublishedState(ctx.settings, pkg.name);
  if (!reachable)
    throw notAuthorized(`User ${ctx.user?.name ?? ''} not authorized to delete package ${pkg.id}`);
  pkg.state = 'deleted';
  pkg.metadata_modified = ctx.store.now();
  ctx.store.savePackage(pkg);
  return null;
}

function packageList(params: Dict, ctx: ActionContext): string[] {
  const names = [...ctx.store.packages.values()]
    .filter((p) => p.state === 'active' && !p.private)
    .map((p) => p.name);
  names.sort();
  const offset = Number(params.offset ?? 0) || 0;
  const limit = params.limit === undefined ? names.length : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 0)
    throw new ActionError(409, { __type: 'Validation Error', limit: ['Must be a natural number'] });
  return names.slice(offset, offset + limit);
}

/** package_show/list/create/update/patch/revise/delete. */
export const PACKAGE_ACTIONS: Record<string, ActionSpec> = {
  package_show: {
    handler: (p, ctx) => packageDict(findReadable(ctx, required(p, 'id')), ctx),
    sideEffectFree: true,
  },
  package_list: { handler: packageList, sideEffectFree: true },
  package_create: { handler: packageCreate },
  package_update: { handler: packageUpdate },
  package_patch: { handler: packagePatch },
  package_revise: { handler: packageRevise },
  package_delete: { handler: packageDelete },
};
