import { z } from '@thgov/core/internal';

/**
 * What the catalog returns for datasets, resources and organizations: the fields the client relies on are
 * checked, everything else (the thai_gdc metadata, other extensions' fields) is kept as it came.
 */

/**
 * Text a catalog may store translated: one string, or (ckanext-fluent's `fluent_text`, e.g. a title
 * `{"th": "…", "en": "…"}`) an object of language code → text. It is read as the catalog stores it.
 */
export type CatalogText = string | { readonly [language: string]: string };

/** A resource of a dataset as the catalog returns it (`resource_show`, a dataset's `resources`). */
export interface CatalogResource {
  id: string;
  package_id?: string;
  /** The resource's name; an object of language → text where the catalog translates it (ckanext-fluent). */
  name?: CatalogText | null;
  url?: string | null;
  format?: string | null;
  url_type?: string | null;
  size?: number | null;
  datastore_active?: boolean | null;
  resource_private?: string | null;
  [field: string]: unknown;
}

/** A dataset as `package_show` returns it: the checked fields, and every other field as it came. */
export interface CatalogDataset {
  id: string;
  name: string;
  /** The dataset's title; an object of language → text where the catalog translates it (ckanext-fluent). */
  title?: CatalogText | null;
  owner_org?: string | null;
  private?: boolean;
  state?: string;
  metadata_created?: string;
  metadata_modified?: string;
  data_category?: string | null;
  allow_harvest?: string | null;
  resources: CatalogResource[];
  [field: string]: unknown;
}

/** An organization as `organization_list` returns it. */
export interface CatalogOrganization {
  id: string;
  name: string;
  /** The organization's title; an object of language → text where the catalog translates it (ckanext-fluent). */
  title?: CatalogText | null;
  [field: string]: unknown;
}

const id = z.string().min(1).max(200);
/**
 * Free text CKAN stores unbounded (title, a resource's name, URL and format): any length another client wrote is
 * read as it is. Only the response's size (core's `maxResponseBytes`) bounds it, as it bounds every other field.
 */
const text = z.string();
/** A name or title: text, or ckanext-fluent's object of language → text (read as it came, not refused). */
const label = z.union([text, z.record(z.string().max(100), text)]);

/** zod schema of a `resource_show` result. */
export const resourceResultSchema: z.ZodType<CatalogResource> = z
  .object({
    id,
    package_id: z.string().max(200).optional(),
    name: label.nullish(),
    url: text.nullish(),
    format: text.nullish(),
  })
  .loose() as z.ZodType<CatalogResource>;

/** zod schema of a `package_show` result. */
export const datasetResultSchema: z.ZodType<CatalogDataset> = z
  .object({
    id,
    name: z.string().min(1).max(200),
    title: label.nullish(),
    owner_org: z.string().max(200).nullish(),
    private: z.boolean().optional(),
    metadata_modified: z.string().max(100).optional(),
    resources: z.array(resourceResultSchema).max(10_000).default([]),
  })
  .loose() as z.ZodType<CatalogDataset>;

/** zod schema of an organization. */
export const organizationResultSchema: z.ZodType<CatalogOrganization> = z
  .object({ id, name: z.string().min(1).max(200), title: label.nullish() })
  .loose() as z.ZodType<CatalogOrganization>;

/** zod schema of a `package_search` result. */
export const searchResultSchema = z
  .object({
    count: z.number().int().min(0),
    results: z.array(datasetResultSchema).max(100_000),
  })
  .loose();
