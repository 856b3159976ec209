import { notAuthorized, notFound, required, validationError } from './action-error.js';
import type { ActionContext, ActionSpec } from './context.js';
import { findEditable, packageDict, savePackage } from './packages.js';
import type { Dict, StoredPackage, StoredResource } from './store.js';

/** CKAN's munge_filename: non-ASCII characters are dropped ("ข้อมูล.csv" becomes ".csv"). */
export function mungeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9_. -]/g, '')
    .replace(/ /g, '-')
    .replace(/-+/g, '-')
    .trim()
    .slice(0, 100);
  return cleaned || 'file';
}

function readable(ctx: ActionContext, id: unknown): { pkg: StoredPackage; res: StoredResource } {
  const found = ctx.store.findResource(id);
  if (!found) throw notFound('Resource was not found.');
  const { pkg, res } = found;
  const editor = ctx.store.canEdit(ctx.user, pkg.owner_org);
  // thai_gdc's restrict_resource_show: a private resource needs package_update rights.
  if (!ctx.store.canRead(ctx.user, pkg) || (res.resource_private === 'True' && !editor)) {
    throw notAuthorized(`User ${ctx.user?.name ?? ''} not authorized to read resource ${res.id}`);
  }
  return { pkg, res };
}

/** Applies a multipart `upload` to a resource dict: URL, url_type, size; the bytes go to the store. */
function attachUpload(ctx: ActionContext, pkgId: string, res: Dict): void {
  const file = ctx.files.get('upload');
  if (!file) return;
  if (file.size > ctx.settings.uploadLimitBytes) throw validationError({ upload: ['File upload too large'] });
  const name = mungeFilename(file.fileName);
  res.id = typeof res.id === 'string' && res.id ? res.id : ctx.store.newId();
  res.url = `${ctx.settings.siteUrl}/dataset/${pkgId}/resource/${res.id}/download/${name}`;
  res.url_type = 'upload';
  res.size = file.size;
  res.mimetype = file.contentType;
  res.last_modified = ctx.store.now();
  ctx.store.uploads.set(res.id as string, {
    fileName: name,
    size: file.size,
    sha256: file.sha256,
    bytes: file.bytes,
  });
}

/** resource_create: the resource is appended and the whole package is validated, as CKAN does. */
function resourceCreate(params: Dict, ctx: ActionContext): Dict {
  const pkg = findEditable(ctx, required(params, 'package_id'));
  const res: Dict = { ...params };
  delete res.upload;
  attachUpload(ctx, pkg.id, res);
  return saveWithResource(ctx, pkg, res, pkg.resources.length);
}

function saveWithResource(ctx: ActionContext, pkg: StoredPackage, res: Dict, index: number): Dict {
  const dict = packageDict(pkg, ctx);
  const list = [...pkg.resources] as Dict[];
  list[index] = res;
  dict.resources = list;
  try {
    const saved = savePackage(dict, ctx, pkg) as { resources: Dict[] };
    return saved.resources[index] as Dict;
  } catch (err) {
    // CKAN re-raises only the new resource's errors: {format: ['Missing value']}, not nested.
    const e = err as { status?: number; error?: Record<string, unknown> };
    const nested = (e.error?.resources as Dict[] | undefined)?.[index];
    if (e.status === 409 && nested) throw validationError(nested);
    throw err;
  }
}

function resourceUpdate(params: Dict, ctx: ActionContext, merge: boolean): Dict {
  const found = ctx.store.findResource(required(params, 'id'));
  if (!found) throw notFound('Resource was not found.');
  const pkg = findEditable(ctx, found.pkg.id);
  const keep = { id: found.res.id, package_id: pkg.id, created: found.res.created };
  const res: Dict = merge ? { ...found.res, ...params, ...keep } : { ...params, ...keep };
  delete res.upload;
  attachUpload(ctx, pkg.id, res);
  return saveWithResource(ctx, pkg, res, found.index);
}

function resourceDelete(params: Dict, ctx: ActionContext): null {
  const found = ctx.store.findResource(required(params, 'id'));
  if (!found) throw notFound('Resource was not found.');
  const pkg = findEditable(ctx, found.pkg.id);
  pkg.resources.splice(found.index, 1);
  pkg.metadata_modified = ctx.store.now();
  ctx.tables.drop(found.res.id);
  ctx.store.uploads.delete(found.res.id);
  return null;
}

/** resource_show/create/update/patch/delete. */
export const RESOURCE_ACTIONS: Record<string, ActionSpec> = {
  resource_show: { handler: (p, ctx) => readable(ctx, required(p, 'id')).res, sideEffectFree: true },
  resource_create: { handler: resourceCreate },
  resource_update: { handler: (p, ctx) => resourceUpdate(p, ctx, false) },
  resource_patch: { handler: (p, ctx) => resourceUpdate(p, ctx, true) },
  resource_delete: { handler: resourceDelete },
};

/** Resource lookups shared with the DataStore: readable (search, dump) or editable (writes). */
export const resourceAccess = {
  readable,
  editable(ctx: ActionContext, id: unknown): { pkg: StoredPackage; res: StoredResource } {
    const found = ctx.store.findResource(id);
    if (!found) throw notFound(`Resource "${String(id)}" was not found.`);
    findEditable(ctx, found.pkg.id);
    return found;
  },
};
