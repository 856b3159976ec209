import { stat } from 'node:fs/promises';
import { type CatalogClient, type CatalogDataset, isCatalogError } from '@thgov/catalog';
import { type ParsedCommandArgs, parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { ProgressBar } from '../progress.js';
import { escapeControls } from '../terminal-text.js';
import { catalogClient } from './client.js';
import { readMetadataJson } from './metadata-file.js';
import { CATALOG_PUBLISH_USAGE } from './usage.js';

export { CATALOG_PUBLISH_USAGE };

import { fileKind } from '@thgov/core/internal';
import { csvHeader, csvRecords, csvRowCount } from './csv.js';

const OPTIONS = {
  resource: { type: 'string' },
  'resource-name': { type: 'string' },
  format: { type: 'string' },
  datastore: { type: 'boolean' },
  'primary-key': { type: 'string', multiple: true },
  field: { type: 'string', multiple: true },
  'allow-restricted': { type: 'boolean' },
  'allow-citizen-ids': { type: 'boolean' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ParsedCommandArgs<typeof OPTIONS, true>['values'];

/** The metadata file: a regular file of at most 4 MiB (a FIFO would block the read, /dev/zero fill memory). */
async function readMetadata(file: string): Promise<Record<string, unknown>> {
  const value = await readMetadataJson(file);
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof (value as { name?: unknown }).name !== 'string'
  ) {
    throw new UsageError(`${file} must hold one JSON object with the dataset's "name"`);
  }
  return value as Record<string, unknown>;
}

async function createOrUpdate(
  client: CatalogClient,
  metadata: Record<string, unknown>,
  allow: boolean,
): Promise<CatalogDataset> {
  const name = metadata.name as string;
  const existing = await client.getDataset(name).catch((err: unknown) => {
    if (isCatalogError(err, 'ERR_CATALOG_NOT_FOUND')) return undefined;
    throw err;
  });
  if (!existing) return client.createDataset(metadata, { allowRestrictedData: allow });
  const { name: _n, resources: _r, id: _i, ...patch } = metadata;
  return client.updateDataset(existing.id, patch, { allowRestrictedData: allow });
}

function fieldTypes(values: Values): Map<string, string> {
  // A Map: a column named "constructor" or "__proto__" is a key like any other, never an inherited member.
  const types = new Map<string, string>();
  for (const f of values.field ?? []) {
    const m = /^([^:]{1,63}):(text|int|numeric|date|timestamp|bool)$/.exec(f);
    if (!m)
      throw new UsageError(
        `--field takes COLUMN:TYPE with TYPE text, int, numeric, date, timestamp or bool (got ${f})`,
      );
    types.set(m[1] as string, m[2] as string);
  }
  return types;
}

/** DataStore column names: 1–63 characters, no '"', unique, not starting with "_" (CKAN reserves those). */
function checkColumns(columns: string[], file: string): void {
  const seen = new Set<string>();
  for (const id of columns) {
    const name = JSON.stringify(id);
    if (id === '' || id.length > 63 || id.includes('"') || id.startsWith('_'))
      throw new UsageError(
        `${file}: column ${name} cannot be a DataStore column (1–63 characters, no '"', not starting with "_")`,
      );
    if (seen.has(id)) throw new UsageError(`${file}: column ${name} appears twice`);
    seen.add(id);
  }
}

async function loadDataStore(
  client: CatalogClient,
  resourceId: string,
  file: string,
  values: Values,
  io: CliIo,
) {
  const types = fieldTypes(values);
  const fields = (await csvHeader(file)).map((id) => ({ id, type: types.get(id) ?? 'text' }));
  const bar = new ProgressBar(io, await csvRowCount(file));
  const loaded = await client.datastore.create(
    resourceId,
    { fields, primaryKey: values['primary-key'], records: csvRecords(file, types) },
    {
      force: true,
      allowCitizenIds: values['allow-citizen-ids'] === true,
      onProgress: (p) => bar.update(p.rowsDone),
    },
  );
  bar.finish();
  return loaded.rows;
}

/** The size of the --resource file, which must be a regular file: a FIFO or device would never end the upload. */
async function resourceSize(file: string): Promise<number> {
  const s = await stat(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  if (!s.isFile()) throw new UsageError(`cannot read ${file}: not a regular file (${fileKind(s)})`);
  return s.size;
}

/** One field from the catalog on one line: its line feeds and tabs shown escaped, so it cannot print fake rows. */
const line = (value: unknown) => escapeControls(String(value));

function printPublished(io: CliIo, out: Record<string, unknown>): void {
  io.stdout.write(`✓ ${line(out.dataset)} (${line(out.id)})\n`);
  if (out.resource) io.stdout.write(`  resource ${line((out.resource as { url: unknown }).url)}\n`);
  if (out.datastoreRows !== undefined) io.stdout.write(`  DataStore: ${String(out.datastoreRows)} rows\n`);
}

/** `thgov catalog publish`. */
export async function catalogPublish(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  if (values.help) {
    io.stdout.write(CATALOG_PUBLISH_USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('give one dataset metadata file (JSON)');
  if (values.datastore && !values.resource) throw new UsageError('--datastore needs --resource FILE (a CSV)');
  const metadata = await readMetadata(positionals[0] as string);
  const file = values.resource;
  const size = file ? await resourceSize(file) : 0;
  // Before anything is published: a column the DataStore cannot take stops the command here.
  if (file && values.datastore) checkColumns(await csvHeader(file), file);
  const client = await catalogClient(values.config, io);
  try {
    const dataset = await createOrUpdate(client, metadata, values['allow-restricted'] === true);
    const out: Record<string, unknown> = { dataset: dataset.name, id: dataset.id };
    if (file) {
      const bar = new ProgressBar(io, size);
      const resource = await client.uploadResource(
        dataset.id,
        { file, name: values['resource-name'] ?? file.split(/[\\/]/).pop(), format: values.format },
        { allowCitizenIds: values['allow-citizen-ids'] === true, onProgress: (p) => bar.update(p.bytesSent) },
      );
      bar.finish();
      out.resource = { id: resource.id, url: resource.url, format: resource.format, bytes: size };
      if (values.datastore) out.datastoreRows = await loadDataStore(client, resource.id, file, values, io);
    }
    if (values.json) io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    else printPublished(io, out);
    return EXIT.OK;
  } catch (err) {
    if (!isCatalogError(err) || err.fieldErrors.length === 0) throw err;
    // The field list is the useful part: one line per field, in Thai and English.
    io.stderr.write(`thgov catalog publish: ${err.code}: ${line(err.message)}\n`);
    for (const f of err.fieldErrors)
      io.stderr.write(`  ✗ ${line(f.field)}: ${line(f.th)}\n      ${line(f.en)}\n`);
    return EXIT.FAILED;
  } finally {
    await client.close();
  }
}
