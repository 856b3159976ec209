import type { OperationOptions, TransportOptions } from '@thgov/core';
import { transportOptionsShape, z } from '@thgov/core/internal';

/** Which schema of the thai_gdc metadata standard to validate against; 'auto' asks the catalog (status_show). */
export type SchemaVersionOption = '2.1' | '2.2' | 'auto';

/** How the Action API is reached: an agency CKAN directly, or data.go.th's gateway (`/get-ckan/{action}`). */
export type CatalogGateway = 'ckan' | 'opend';

/**
 * Bulk-work politeness. CKAN has no rate limit of its own and none is published for the Thai catalogs, but
 * throttled bulk writes are reported against CKAN sites (409/499 under bursts): the client spaces and caps
 * its own calls. Defaults: 10 requests a second (bursts of 10), 4 calls in flight.
 */
export interface PolitenessOptions {
  /** Requests started per second, or `false` for no limit. Default 10. */
  requestsPerSecond?: number | false;
  /** Calls in flight at once. Default 4. */
  maxConcurrency?: number;
}

/** DataStore batching defaults (each call can override them). */
export interface DataStoreDefaults {
  /** Records per `datastore_upsert` call. Default 1000. */
  batchRows?: number;
  /** Largest JSON body of one call, in UTF-8 bytes; a batch is cut early when it would pass it. Default 8 MiB. */
  batchBytes?: number;
}

/** Transport options (baseUrl, timeouts, tls, proxy, retry, logger, …) plus the catalog's own. */
export interface CatalogClientOptions extends TransportOptions {
  /** CKAN API token (sent as `Authorization: <token>`, no "Bearer"), or the data.go.th `api-key`. */
  apiToken?: string;
  /** Header that carries the token. Default `Authorization` (CKAN) or `api-key` (opend gateway). */
  apiTokenHeader?: string;
  /** Default 'ckan'. */
  gateway?: CatalogGateway;
  /** The GD Catalog harvester (thai_gdc's default: https://harvester.gdcatalog.go.th). */
  harvesterUrl?: string | URL;
  /** The GD Catalog portal, for links to the published copy (default https://gdcatalog.go.th). */
  portalUrl?: string | URL;
  /** This catalog's public URL as the harvester knows it (default: baseUrl). Its host is sent as `site_url`. */
  siteUrl?: string | URL;
  /** Default 'auto'. */
  schemaVersion?: SchemaVersionOption;
  /** Validate against the catalog's own scheming schema when it offers one. Default true. */
  useServerSchema?: boolean;
  /** Largest upload sent; CKAN does not publish its limit, Thai deployments use 100 MB. Default 100 MiB. */
  maxUploadBytes?: number;
  politeness?: PolitenessOptions;
  datastore?: DataStoreDefaults;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const httpUrl = z.union([z.string().url(), z.instanceof(URL)]);

// Compile-time check (this object's type names undici through core, so it is not exported for a type test): the
// schema validates exactly the keys CatalogClientOptions declares; a key on one side only fails to compile below.
const catalogClientOptionsObject = z
  .object({
    ...transportOptionsShape,
    // Sent in a header: visible ASCII only (a line end read with it from a file would split the request).
    apiToken: z
      .string()
      .min(8)
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII (no spaces, line ends or other characters)')
      .optional(),
    apiTokenHeader: z.string().regex(HEADER_NAME, 'must be an HTTP header name').optional(),
    gateway: z.enum(['ckan', 'opend']).optional(),
    harvesterUrl: httpUrl.optional(),
    portalUrl: httpUrl.optional(),
    siteUrl: httpUrl.optional(),
    schemaVersion: z.enum(['2.1', '2.2', 'auto']).optional(),
    useServerSchema: z.boolean().optional(),
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .max(2 ** 42)
      .optional(),
    politeness: z
      .object({
        requestsPerSecond: z.union([z.literal(false), z.number().positive().max(100_000)]).optional(),
        maxConcurrency: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .optional(),
    datastore: z
      .object({
        batchRows: z.number().int().min(1).max(100_000).optional(),
        batchBytes: z
          .number()
          .int()
          .min(1024)
          .max(512 * 1024 * 1024)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The strict zod schema of CatalogClientOptions (an unknown key is an error naming it). */
export const catalogClientOptionsSchema: z.ZodType<CatalogClientOptions> = catalogClientOptionsObject;

/** Defaults, documented in the README and docs/guides/catalog.md. */
export const CATALOG_DEFAULTS = {
  maxUploadBytes: 100 * 1024 * 1024,
  requestsPerSecond: 10,
  maxConcurrency: 4,
  batchRows: 1000,
  batchBytes: 8 * 1024 * 1024,
  harvesterUrl: 'https://harvester.gdcatalog.go.th',
  portalUrl: 'https://gdcatalog.go.th',
} as const;

/** Options of every catalog operation (Azure SDK style). */
export type CatalogOperationOptions = OperationOptions;

type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaInput = z.input<typeof catalogClientOptionsObject>;
true satisfies SameKeys<keyof SchemaInput, keyof CatalogClientOptions>;
// The nested option objects too: a key added to the interface and not to the schema is refused at run time.
true satisfies SameKeys<keyof NonNullable<SchemaInput['politeness']>, keyof PolitenessOptions>;
true satisfies SameKeys<keyof NonNullable<SchemaInput['datastore']>, keyof DataStoreDefaults>;
