import { invalidArgument, type OperationOptions } from '@thgov/core';
import type { CatalogCore } from './context.js';
import { type CatalogResource, resourceResultSchema } from './entities.js';
import { offlineValidationError, validateResource } from './metadata/validate.js';
import { guardResourcePatch } from './privacy.js';
import { sizeOfSentOnly } from './publish.js';
import { metadataContext } from './schema-source.js';

/** Options of updateResource. */
export interface UpdateResourceOptions extends OperationOptions {
  /** Show a resource marked `resource_private: "True"` (off by default). */
  allowRestrictedData?: boolean;
  /** Send without the offline thai_gdc check of the patched resource (not recommended). */
  skipValidation?: boolean;
}

/** Checks a resource id argument (CKAN resource ids are UUIDs; names are not accepted by resource_show). */
export function resourceIdArg(value: unknown): string {
  if (typeof value !== 'string' || !/^[\w-]{1,200}$/.test(value))
    throw invalidArgument('resourceId must be a resource id');
  return value;
}

/** `resource_show`. */
export async function showResource(
  core: CatalogCore,
  resourceId: string,
  op?: OperationOptions,
): Promise<CatalogResource> {
  return core.action(
    'resource_show',
    { id: resourceIdArg(resourceId) },
    { read: true, schema: resourceResultSchema, op },
  );
}

/** `resource_patch`: the given fields change, the others stay; a private resource stays private unless allowed. */
export async function updateResource(
  core: CatalogCore,
  resourceId: string,
  patch: unknown,
  o?: UpdateResourceOptions,
): Promise<CatalogResource> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw invalidArgument('patch must be an object');
  const p = patch as Record<string, unknown>;
  if ('id' in p || 'upload' in p)
    throw invalidArgument('patch may not contain "id" or "upload" (use replaceResource)');
  const current = await showResource(core, resourceId, o);
  guardResourcePatch(current, p, o?.allowRestrictedData === true, 'updateResource');
  if (!o?.skipValidation) await checkResourcePatch(core, current, p, o, 'updateResource');
  return core.action(
    'resource_patch',
    { ...p, id: current.id },
    { idempotent: true, schema: resourceResultSchema, op: o },
  );
}

/**
 * The offline check of a resource as a patch leaves it: every standard rule on the whole resource, the client's own
 * bounds (a URL's length) only on the fields the patch sends — a long URL another client wrote stays editable.
 */
export async function checkResourcePatch(
  core: CatalogCore,
  current: CatalogResource,
  patch: Record<string, unknown>,
  o: OperationOptions | undefined,
  action: string,
): Promise<void> {
  const { version, serverSchema } = await metadataContext(core, o);
  const result = validateResource({ ...current, ...patch }, { version, serverSchema });
  const checked = sizeOfSentOnly(result, patch);
  if (!checked.valid) throw offlineValidationError(checked, action);
}

/** `resource_delete` (deleting twice is harmless, so it is retried like a read). */
export async function deleteResource(
  core: CatalogCore,
  resourceId: string,
  op?: OperationOptions,
): Promise<void> {
  await core.action('resource_delete', { id: resourceIdArg(resourceId) }, { idempotent: true, op });
}
