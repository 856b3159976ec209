import { invalidArgument, type OperationOptions } from '@thgov/core';
import { validateOptions } from '@thgov/core/internal';
import { CatalogCore } from './context.js';
import { CatalogDataStore } from './datastore/datastore.js';
import { type DcatPage, readDcatPages } from './dcat.js';
import type { CatalogDataset, CatalogOrganization, CatalogResource } from './entities.js';
import { fetchPublicationState, type PublicationState } from './harvester.js';
import { type DatasetValidation, validateDataset } from './metadata/validate.js';
import { type CatalogClientOptions, catalogClientOptionsSchema } from './options.js';
import { listMyOrganizations, listOrganizations } from './organizations.js';
import {
  createDataset,
  deleteDataset,
  type PublishOptions,
  showDataset,
  type UpdateDatasetOptions,
  updateDataset,
} from './publish.js';
import { deleteResource, showResource, type UpdateResourceOptions, updateResource } from './resources.js';
import { metadataContext } from './schema-source.js';
import { type SearchDatasetsQuery, type SearchPage, searchPages } from './search.js';
import { type CatalogStatus, fetchStatus } from './status.js';
import {
  replaceResource,
  type UploadResourceInput,
  type UploadResourceOptions,
  uploadResource,
} from './upload/upload.js';

/**
 * Client for an agency's CKAN-based data catalog (ckanext-thai_gdc) and the central GD Catalog harvester:
 * thai_gdc metadata checked offline before every write, paged search, streamed uploads with a size limit,
 * DataStore loads and reads in pages, publication state at the centre, a privacy guard and client-side
 * politeness. Built on @thgov/core's transport (timeouts, proxy, mTLS, one retry layer, redacted errors).
 *
 * @example
 * ```ts
 * import { CatalogClient } from '@thgov/catalog';
 *
 * const catalog = new CatalogClient({ baseUrl: 'https://data.agency.go.th', apiToken: process.env.CKAN_TOKEN });
 * console.log((await catalog.status()).ckanVersion);
 * for await (const page of catalog.searchDatasets({ fq: 'organization:nso' })) {
 *   for (const d of page.datasets) console.log(d.name, d.title);
 * }
 * await catalog.close();
 * ```
 */
export class CatalogClient {
  /** DataStore tables: create, upsert in batches, search page by page, export, refresh. */
  readonly datastore: CatalogDataStore;
  readonly #core: CatalogCore;

  constructor(options: CatalogClientOptions) {
    this.#core = new CatalogCore(
      validateOptions(catalogClientOptionsSchema, options, 'CatalogClient options'),
    );
    this.datastore = new CatalogDataStore(this.#core);
  }

  /** CKAN and thai_gdc versions, catalog type, extensions; the client adapts its schema version to them. */
  async status(op?: OperationOptions): Promise<CatalogStatus> {
    const status = await fetchStatus(this.#core, op);
    this.#core.remember('status', status);
    return status;
  }

  /** Datasets page by page (`package_search`), de-duplicated, honouring the catalog's `rows_max`. */
  searchDatasets(query?: SearchDatasetsQuery, op?: OperationOptions): AsyncGenerator<SearchPage> {
    return searchPages(this.#core, query, op);
  }

  /** One dataset with its resources (`package_show`). */
  getDataset(idOrName: string, op?: OperationOptions): Promise<CatalogDataset> {
    return showDataset(this.#core, idOrName, op);
  }

  /** Every organization of the catalog, in name order; none skipped when others are retitled or deleted meanwhile. */
  listOrganizations(op?: OperationOptions): Promise<CatalogOrganization[]> {
    return listOrganizations(this.#core, op);
  }

  /** Organizations the token may publish to; an empty list means the token is not accepted (or has no role). */
  listMyOrganizations(op?: OperationOptions): Promise<CatalogOrganization[]> {
    return listMyOrganizations(this.#core, 'create_dataset', op);
  }

  /** The catalog's own scheming schema, or undefined when it offers none. */
  async getServerSchema(op?: OperationOptions): Promise<unknown> {
    return (await metadataContext(this.#core, op)).serverSchema;
  }

  /** validateDataset against this catalog: its detected version, and its own schema when offered. */
  async validateDataset(metadata: unknown, op?: OperationOptions): Promise<DatasetValidation> {
    const { version, serverSchema } = await metadataContext(this.#core, op);
    return validateDataset(metadata, { version, serverSchema });
  }

  /** Creates a dataset after the privacy guard and the offline thai_gdc check (never retried blindly). */
  createDataset(metadata: unknown, options?: PublishOptions): Promise<CatalogDataset> {
    return createDataset(this.#core, metadata, options);
  }

  /** Changes the given fields with `package_revise`; fields not in the patch (also unknown ones) stay. */
  updateDataset(idOrName: string, patch: unknown, options?: UpdateDatasetOptions): Promise<CatalogDataset> {
    return updateDataset(this.#core, idOrName, patch, options);
  }

  /** Deletes a dataset unless the GD Catalog has published it (ERR_CATALOG_PUBLISHED). */
  deleteDataset(idOrName: string, op?: OperationOptions): Promise<void> {
    return deleteDataset(this.#core, idOrName, op);
  }

  /** One resource (`resource_show`). */
  getResource(resourceId: string, op?: OperationOptions): Promise<CatalogResource> {
    return showResource(this.#core, resourceId, op);
  }

  /** Changes the given resource fields (`resource_patch`); a private resource stays private unless allowed. */
  updateResource(
    resourceId: string,
    patch: unknown,
    options?: UpdateResourceOptions,
  ): Promise<CatalogResource> {
    return updateResource(this.#core, resourceId, patch, options);
  }

  /** Deletes a resource. */
  deleteResource(resourceId: string, op?: OperationOptions): Promise<void> {
    return deleteResource(this.#core, resourceId, op);
  }

  /** Uploads a file as a new resource: streamed multipart, ASCII file name, explicit format, size limit, progress. */
  uploadResource(
    datasetId: string,
    input: UploadResourceInput,
    options?: UploadResourceOptions,
  ): Promise<CatalogResource> {
    return uploadResource(this.#core, datasetId, input, options);
  }

  /** Uploads a new file for an existing resource; its other fields stay. */
  replaceResource(
    resourceId: string,
    input: UploadResourceInput,
    options?: UploadResourceOptions,
  ): Promise<CatalogResource> {
    return replaceResource(this.#core, resourceId, input, options);
  }

  /** Where the dataset stands at the GD Catalog (governance state, validate time, published copy). */
  async publicationState(idOrName: string, op?: OperationOptions): Promise<PublicationState> {
    const dataset = await showDataset(this.#core, idOrName, op);
    return fetchPublicationState(this.#core, dataset.name, op);
  }

  /** Datasets changed since a moment, from the catalog's DCAT endpoint (incremental sync). */
  readCatalogChanges(
    options?: OperationOptions & { modifiedSince?: Date | string },
  ): AsyncGenerator<DcatPage> {
    return readDcatPages(this.#core, options);
  }

  /**
   * Any other Action API action, with the same errors, politeness and retries. Reads (`read: true`) are retried;
   * a write only when you say it is `idempotent`.
   */
  async action<T = unknown>(
    name: string,
    params: Record<string, unknown> = {},
    options: OperationOptions & { read?: boolean; idempotent?: boolean } = {},
  ): Promise<T> {
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]{0,99}$/.test(name))
      throw invalidArgument('action must be an action name such as package_show');
    const { read, idempotent, ...op } = options;
    return this.#core.action<T>(name, params, { read, idempotent, op });
  }

  /** Closes the client's sockets. */
  close(): Promise<void> {
    return this.#core.close();
  }
}
