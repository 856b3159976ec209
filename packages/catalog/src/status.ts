import type { OperationOptions } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';

/** What `status_show` says about the catalog, and what the client concludes from it. */
export interface CatalogStatus {
  ckanVersion: string;
  /** thai_gdc version (`thaigdc_version`), when the catalog runs ckanext-thai_gdc. */
  thaiGdcVersion: string | undefined;
  /** agency | area_based | data_center (`thaigdc_catalog_type`). */
  catalogType: string | undefined;
  siteUrl: string | undefined;
  siteTitle: string | undefined;
  extensions: string[];
  /** The metadata schema version the client uses for this catalog. */
  schemaVersion: '2.1' | '2.2';
  features: {
    /** `package_revise` (CKAN ≥ 2.9): safe concurrent edits. */
    revise: boolean;
    datastore: boolean;
    /** ckanext-dcat: /catalog.jsonld with modified_since. */
    dcat: boolean;
    /** ckanext-scheming: `scheming_dataset_schema_show`. */
    scheming: boolean;
  };
}

const statusShowSchema = z
  .object({
    ckan_version: z.string().max(50),
    site_url: z.string().max(2000).nullish(),
    site_title: z.string().max(2000).nullish(),
    extensions: z.array(z.string().max(200)).max(500).default([]),
    thaigdc_version: z.string().max(50).nullish(),
    thaigdc_catalog_type: z.string().max(50).nullish(),
  })
  .loose();

function majorMinor(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * Version detection: thai_gdc's own version first, the CKAN version second (2.10 ships thai_gdc 2.2).
 *
 * @example
 * ```ts
 * schemaVersionOf('2.9.11', '2.1.0'); // '2.1'
 * ```
 */
export function schemaVersionOf(ckanVersion: string, thaiGdcVersion: string | undefined): '2.1' | '2.2' {
  if (thaiGdcVersion) {
    const [major, minor] = majorMinor(thaiGdcVersion);
    return major > 2 || (major === 2 && minor >= 2) ? '2.2' : '2.1';
  }
  const [major, minor] = majorMinor(ckanVersion);
  return major > 2 || (major === 2 && minor >= 10) ? '2.2' : '2.1';
}

/** Calls `status_show` (no token needed) and reads the thai_gdc fields. */
export async function fetchStatus(core: CatalogCore, op?: OperationOptions): Promise<CatalogStatus> {
  const s = await core.action('status_show', {}, { read: true, schema: statusShowSchema, op });
  const [major, minor] = majorMinor(s.ckan_version);
  const ext = new Set(s.extensions);
  return {
    ckanVersion: s.ckan_version,
    thaiGdcVersion: s.thaigdc_version ?? undefined,
    catalogType: s.thaigdc_catalog_type ?? undefined,
    siteUrl: s.site_url ?? undefined,
    siteTitle: s.site_title ?? undefined,
    extensions: s.extensions,
    schemaVersion: schemaVersionOf(s.ckan_version, s.thaigdc_version ?? undefined),
    features: {
      revise: major > 2 || (major === 2 && minor >= 9),
      datastore: ext.has('datastore'),
      dcat: ext.has('dcat'),
      scheming: ext.has('scheming_datasets'),
    },
  };
}
