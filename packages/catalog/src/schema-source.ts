import type { OperationOptions } from '@thgov/core';
import type { CatalogCore } from './context.js';
import { isCatalogError } from './errors.js';
import { type CatalogStatus, fetchStatus } from './status.js';

/** The catalog's status, asked once per client. */
export function cachedStatus(core: CatalogCore, op?: OperationOptions): Promise<CatalogStatus> {
  return core.memo('status', () => fetchStatus(core, op));
}

/**
 * The catalog's own scheming schema, or undefined when it offers none (no ckanext-scheming, the action is
 * unknown or refused). Asked once per client.
 */
export function cachedServerSchema(core: CatalogCore, op?: OperationOptions): Promise<unknown> {
  return core.memo('server-schema', async () => {
    try {
      return await core.action('scheming_dataset_schema_show', { type: 'dataset' }, { read: true, op });
    } catch (err) {
      if (
        isCatalogError(err, 'ERR_CATALOG_BAD_REQUEST') ||
        isCatalogError(err, 'ERR_CATALOG_NOT_FOUND') ||
        isCatalogError(err, 'ERR_CATALOG_AUTH')
      ) {
        return undefined;
      }
      throw err;
    }
  });
}

/** What offline validation needs: the schema version (configured or detected) and the server's schema. */
export async function metadataContext(
  core: CatalogCore,
  op?: OperationOptions,
): Promise<{ version: '2.1' | '2.2'; serverSchema: unknown }> {
  const configured = core.options.schemaVersion ?? 'auto';
  const version = configured === 'auto' ? (await cachedStatus(core, op)).schemaVersion : configured;
  const serverSchema =
    core.options.useServerSchema === false ? undefined : await cachedServerSchema(core, op);
  return { version, serverSchema };
}
