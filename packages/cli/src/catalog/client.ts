import { CatalogClient } from '@thgov/catalog';
import { catalogClientOptions } from '../config/client-options.js';
import { isConfigError } from '../config/errors.js';
import { configFilePath } from '../config/file-name.js';
import { loadConfig } from '../config/load.js';
import type { ThgovConfig } from '../config/schema.js';
import { type CliIo, UsageError } from '../io.js';

/**
 * The configuration file of a catalog command: --config, else $THGOV_CONFIG, else ./thgov.config.json. A warning
 * about the file (secrets in clear in a file everyone may read) goes to `io`'s stderr.
 */
export async function catalogConfig(path: string | undefined, io?: CliIo): Promise<ThgovConfig> {
  const onWarning = (w: string) => io?.stderr.write(`thgov catalog: warning: ${w}\n`);
  try {
    return await loadConfig(configFilePath(path), { onWarning });
  } catch (err) {
    if (!isConfigError(err)) throw err;
    throw new UsageError(`${err.code}: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
  }
}

/** A CatalogClient from the `catalog` section of the configuration. */
export async function catalogClient(path: string | undefined, io?: CliIo): Promise<CatalogClient> {
  const config = await catalogConfig(path, io);
  if (!config.catalog)
    throw new UsageError('the configuration has no "catalog" section (baseUrl, apiToken, …)');
  return new CatalogClient(catalogClientOptions(config));
}
