import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type CatalogClient,
  type DataStoreProgress,
  type DataStoreRecord,
  isCatalogError,
  type PublicationState,
  type UploadProgress,
} from '@thgov/catalog';

/** What the agency publishes: thai_gdc metadata, a CSV file, and the DataStore columns of that file. */
export interface PublishRequest {
  metadata: Record<string, unknown>;
  csvPath: string;
  /** Resource name shown in the catalog (Thai is fine). */
  resourceName: string;
  fields: Array<{ id: string; type: string }>;
  primaryKey: string;
  onUploadProgress?: (p: UploadProgress) => void;
  onLoadProgress?: (p: DataStoreProgress) => void;
}

export interface PublishReport {
  datasetName: string;
  datasetId: string;
  resourceId: string;
  rowsLoaded: number;
  /** Rows read back, page by page. */
  rowsRead: number;
  pages: number;
  state: PublicationState;
}

/** Reads a simple CSV (a header row; quoted cells may hold commas) as records, one line at a time. */
export async function* readCsv(path: string, types: Record<string, string>): AsyncGenerator<DataStoreRecord> {
  let header: string[] | undefined;
  for await (const line of createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.trim() === '') continue;
    const cells = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
      .slice(0, -1)
      .map((m) => (m[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"'));
    if (!header) {
      header = cells.map((c) => c.replace(/^\ufeff/, '').trim());
      continue;
    }
    const cols = header;
    yield Object.fromEntries(cols.map((c, i) => [c, types[c] === 'int' ? Number(cells[i]) : cells[i]]));
  }
}

/**
 * The whole publication: the metadata checked against the catalog's own standard (2.1 or 2.2, detected), the
 * dataset created (or updated when it exists), the CSV uploaded as a resource, its rows loaded into the DataStore
 * (the file's table is read-only to the API: `force`), read back page by page, and the GD Catalog asked where it
 * stands.
 */
export async function publishCsvDataset(catalog: CatalogClient, req: PublishRequest): Promise<PublishReport> {
  const check = await catalog.validateDataset(req.metadata);
  if (!check.valid) {
    const lines = check.errors.map((e) => `${e.field}: ${e.th} / ${e.en}`);
    throw new Error(`The metadata does not meet the standard:\n  ${lines.join('\n  ')}`);
  }
  const name = String(req.metadata.name);
  let dataset = await catalog.getDataset(name).catch((err: unknown) => {
    if (isCatalogError(err, 'ERR_CATALOG_NOT_FOUND')) return undefined;
    throw err;
  });
  dataset = dataset
    ? await catalog.updateDataset(dataset.id, withoutName(req.metadata))
    : await catalog.createDataset(req.metadata);
  const resource = await catalog.uploadResource(
    dataset.id,
    { file: req.csvPath, name: req.resourceName, format: 'CSV' },
    { onProgress: req.onUploadProgress },
  );
  const types = Object.fromEntries(req.fields.map((f) => [f.id, f.type]));
  const loaded = await catalog.datastore.create(
    resource.id,
    { fields: req.fields, primaryKey: req.primaryKey, records: readCsv(req.csvPath, types) },
    { force: true, batchRows: 10, onProgress: req.onLoadProgress },
  );
  let rowsRead = 0;
  let pages = 0;
  for await (const page of catalog.datastore.search(resource.id, { pageSize: 10 })) {
    rowsRead += page.records.length;
    pages++;
  }
  const state = await catalog.publicationState(dataset.name);
  return {
    datasetName: dataset.name,
    datasetId: dataset.id,
    resourceId: resource.id,
    rowsLoaded: loaded.rows,
    rowsRead,
    pages,
    state,
  };
}

function withoutName(metadata: Record<string, unknown>): Record<string, unknown> {
  const { name: _n, ...rest } = metadata;
  return rest;
}
