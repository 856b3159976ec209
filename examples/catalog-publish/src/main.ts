import { readFileSync } from 'node:fs';
import { CatalogClient } from '@thgov/catalog';
import { loadConfig } from './config.js';
import { publishCsvDataset } from './publish.js';

/**
 * pnpm start   publishes data/dataset.json + data/population-by-province.csv to CATALOG_BASE_URL, or to a
 *              sandbox catalog started here when it is unset, and prints what happened.
 */
const config = loadConfig();
const data = new URL('../data/', import.meta.url);
let stopSandbox: (() => Promise<void>) | undefined;
let baseUrl = config.baseUrl;
let apiToken = config.apiToken;
let harvesterUrl = config.harvesterUrl;
if (!baseUrl) {
  const { startAgencyCatalog } = await import('@thgov/sandbox');
  const sandbox = await startAgencyCatalog();
  ({ url: baseUrl } = sandbox);
  apiToken = sandbox.accounts.editor.token;
  harvesterUrl = sandbox.harvester?.url;
  stopSandbox = () => sandbox.close();
  process.stdout.write(`sandbox catalog at ${baseUrl}\n`);
}

const catalog = new CatalogClient({
  baseUrl,
  apiToken,
  harvesterUrl,
  appName: 'catalog-publish-example/1.0',
});
try {
  const status = await catalog.status();
  process.stdout.write(
    `CKAN ${status.ckanVersion}, thai_gdc ${status.thaiGdcVersion ?? '-'}, schema ${status.schemaVersion}\n`,
  );
  const report = await publishCsvDataset(catalog, {
    metadata: JSON.parse(readFileSync(new URL('dataset.json', data), 'utf8')),
    csvPath: new URL('population-by-province.csv', data).pathname,
    resourceName: 'ประชากรรายจังหวัด',
    fields: [
      { id: 'province', type: 'text' },
      { id: 'population', type: 'int' },
      { id: 'male', type: 'int' },
      { id: 'female', type: 'int' },
    ],
    primaryKey: 'province',
    onUploadProgress: (p) => process.stdout.write(`upload ${p.bytesSent}/${p.totalBytes ?? '?'} bytes\n`),
    onLoadProgress: (p) => process.stdout.write(`DataStore ${p.rowsDone} rows\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} catch (err) {
  // thgov errors are already redacted: safe to print.
  const e = err as Error & { code?: string };
  process.stderr.write(`publishing failed${e.code ? ` (${e.code})` : ''}: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  await catalog.close();
  await stopSandbox?.();
}
