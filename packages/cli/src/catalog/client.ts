import { CatalogClient } from '@thgov/catalog';
import { catalogClientOptions } from '../config/client-options.js';
import { isConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { ThgovConfig } from '../config/schema.js';
import { UsageError } from '../io.js';

/** The configuration file of a catalog command: --config, else $THGOV_CONFIG, else ./thgov.config.json. */
export async function catalogConfig(path: string | undefined): Promise<ThgovConfig> {
  try {
    return await loadConfig(path ?? process.env.THGOV_CONFIG ?? DEFAULT_CONFIG_FILE);
  } catch (err) {
    if (!isConfigError(err)) throw err;
    throw new UsageError(`${err.code}: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
  }
}

/** A CatalogClient from the `catalog` section of the configuration. */
export async function catalogClient(path: string | undefined): Promise<CatalogClient> {
  const config = await catalogConfig(path);
  if (!config.catalog)
    throw new UsageError('the configuration has no "catalog" section (baseUrl, apiToken, …)');
  return new CatalogClient(catalogClientOptions(config));
}
