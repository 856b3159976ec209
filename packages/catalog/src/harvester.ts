import { isThGovError, type OperationOptions, type RawResponse } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { classifyAction } from './envelope.js';
import { CatalogError } from './errors.js';
import type { GOVERNANCE_STATES } from './metadata/choices.js';
import { CATALOG_DEFAULTS } from './options.js';

/** A governance state of the GD Catalog (or another string a newer harvester reports). */
export type GovernanceState = (typeof GOVERNANCE_STATES)[number] | (string & {});

/** Where a dataset stands at the central GD Catalog. */
export interface PublicationState {
  /** The dataset name the harvester was asked about. */
  dataset: string;
  /** True when the GD Catalog holds a published copy (the agency may then no longer delete it). */
  published: boolean;
  /** VALIDATE, VALIDATE_MODIFIED, APPROVAL, WAIT_REVOKE, REVOKE, WAIT, DELETED, REJECT; undefined = not harvested. */
  governanceState: GovernanceState | undefined;
  /** When the GD Catalog validated it. */
  validateTime: string | undefined;
  /** `metadata_modified` of the copy the GD Catalog holds. */
  harvestedModified: string | undefined;
  /** The published copy on the portal (`{portal}/dataset/gdpublish-{name}`). */
  publishedUrl: string | undefined;
}

const stateRow = z
  .object({
    name: z.string().max(200).nullish(),
    metadata_modified: z.string().max(100).nullish(),
    governance_state: z.string().max(50).nullish(),
    validate_time: z.string().max(100).nullish(),
  })
  .loose();
const stateEnvelope = z.object({ success: z.literal(true), result: z.array(stateRow).max(100) }).loose();

/** The harvester identifies an agency catalog by its bare host name (thai_gdc sends `site_url` so). */
export function siteHost(core: CatalogCore): string {
  return new URL(String(core.options.siteUrl ?? core.options.baseUrl)).host;
}

async function askHarvester(
  core: CatalogCore,
  zone: 'published' | 'nonpublish',
  name: string,
  op?: OperationOptions,
): Promise<z.infer<typeof stateRow> | undefined> {
  const action = `gdcatalog_${zone === 'published' ? 'published' : 'nonpublish'}_state`;
  try {
    const res = await core.politeness.run(
      () =>
        core.harvester().request(
          {
            method: 'POST',
            path: `/api/3/action/${action}`,
            body: { json: { site_url: siteHost(core), package: name } },
            idempotent: true,
            classify: (raw: RawResponse) => classifyAction(raw, action),
            schema: stateEnvelope,
            operation: `gdcatalog.${action}`,
          },
          op,
        ),
      op?.abortSignal,
    );
    return res.body.result[0];
  } catch (cause) {
    if (isThGovError(cause, 'ERR_ABORTED') || isThGovError(cause, 'ERR_TIMEOUT')) throw cause;
    throw new CatalogError(
      'ERR_CATALOG_HARVESTER',
      `The GD Catalog harvester could not say where ${name} stands`,
      {
        action,
        cause,
        hint: 'Check harvesterUrl and that this host can reach the GD Catalog harvester.',
      },
    );
  }
}

/**
 * Asks the GD Catalog harvester where a dataset stands: first among published datasets, then among those
 * still in the governance workflow.
 */
export async function fetchPublicationState(
  core: CatalogCore,
  name: string,
  op?: OperationOptions,
): Promise<PublicationState> {
  const published = await askHarvester(core, 'published', name, op);
  const row = published?.metadata_modified ? published : await askHarvester(core, 'nonpublish', name, op);
  const isPublished = Boolean(published?.metadata_modified);
  const portal = String(core.options.portalUrl ?? CATALOG_DEFAULTS.portalUrl).replace(/\/+$/, '');
  return {
    dataset: name,
    published: isPublished,
    governanceState: row?.governance_state || undefined,
    validateTime: row?.validate_time || undefined,
    harvestedModified: row?.metadata_modified || undefined,
    publishedUrl: isPublished ? `${portal}/dataset/gdpublish-${encodeURIComponent(name)}` : undefined,
  };
}
