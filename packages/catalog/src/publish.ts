import { invalidArgument, type OperationOptions } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from './context.js';
import { type CatalogDataset, datasetResultSchema } from './entities.js';
import { CatalogError, type FieldError } from './errors.js';
import { fetchPublicationState } from './harvester.js';
import { type DatasetValidation, offlineValidationError, validateDataset } from './metadata/validate.js';
import { guardDatasetPatch, guardNewDataset } from './privacy.js';
import { cachedStatus, metadataContext } from './schema-source.js';

/** Options of the writes that publish metadata. */
export interface PublishOptions extends OperationOptions {
  /**
   * Publish data whose data_category/data_classification is not open (personal, security, secret, internal)
   * as public or harvestable. Off by default: such datasets are kept private and unharvested.
   */
  allowRestrictedData?: boolean;
  /** Send without the offline thai_gdc check (not recommended: the GD Catalog rejects it later). */
  skipValidation?: boolean;
}

/** Options of updateDataset. */
export interface UpdateDatasetOptions extends PublishOptions {
  /**
   * Optimistic concurrency: the update applies only if the dataset's `metadata_modified` is still this value
   * (else ERR_CATALOG_CONFLICT). Such an update is not retried after it may have reached the catalog.
   */
  ifMetadataModified?: string;
}

type Metadata = Record<string, unknown>;

function plainObject(value: unknown, what: string): Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument(`${what} must be an object`);
  return value as Metadata;
}

function idArg(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[\w.-]{1,200}$/u.test(value)) {
    throw invalidArgument(`${what} must be a dataset id or name (letters, digits, "-", "_", ".")`);
  }
  return value;
}

async function checkMetadata(
  core: CatalogCore,
  metadata: Metadata,
  o: PublishOptions | undefined,
  action: string,
  sent?: Metadata,
) {
  if (o?.skipValidation) return;
  const { version, serverSchema } = await metadataContext(core, o);
  const result = validateDataset(metadata, { version, serverSchema });
  const checked = sent ? sizeOfSentOnly(result, sent) : result;
  if (!checked.valid) throw offlineValidationError(checked, action);
}

/** Rules of the client's own bounds (length, count, nesting), not of thai_gdc: CKAN stores beyond them. */
const CLIENT_BOUNDS = new Set(['too_long', 'too_deep']);

/** Whether an update sends `field` (the tags are sent as `tag_string` or as `tags`). */
const wasSent = (sent: Metadata, field: string) =>
  Object.hasOwn(sent, field) || (field === 'tag_string' && Object.hasOwn(sent, 'tags'));

/**
 * The client's own bounds (`too_long`, `too_deep`: not thai_gdc rules, CKAN stores such values unbounded) bound
 * what is sent. A field an update leaves alone (a long title or URL, a deep field of another extension, many tags
 * another client wrote) is not sent: its size is a warning, not a reason to refuse the update. Every standard
 * rule still applies to the whole dataset.
 */
export function sizeOfSentOnly(result: DatasetValidation, sent: Metadata): DatasetValidation {
  const untouched = (e: FieldError) =>
    CLIENT_BOUNDS.has(e.rule) && e.field !== '(root)' && !wasSent(sent, e.field.split('.')[0] as string);
  const errors = result.errors.filter((e) => !untouched(e));
  const warnings = [...result.warnings, ...result.errors.filter(untouched)];
  return { ...result, valid: errors.length === 0, errors, warnings };
}

/**
 * The metadata with its title in NFC. thai_gdc keeps titles unique by comparing them byte for byte, so "Café"
 * precomposed and decomposed, or Thai marks typed in another order (ผ + ้ + ู for ผ + ู + ้), would pass as two
 * titles a reader cannot tell apart. Written in the one canonical spelling (what most keyboards produce), a title
 * equal after NFC to one in use is refused by the catalog as the same title. A translated title: each text.
 */
function canonicalTitle(m: Metadata): Metadata {
  const t = m.title;
  if (typeof t === 'string') return t.normalize('NFC') === t ? m : { ...m, title: t.normalize('NFC') };
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return m;
  // A translated title (ckanext-fluent): each language's text.
  const nfc = (v: unknown) => (typeof v === 'string' ? v.normalize('NFC') : v);
  const entries = Object.entries(t);
  if (entries.every(([, v]) => nfc(v) === v)) return m;
  return { ...m, title: Object.fromEntries(entries.map(([k, v]) => [k, nfc(v)])) };
}

/** `package_show`. */
export async function showDataset(
  core: CatalogCore,
  idOrName: string,
  op?: OperationOptions,
): Promise<CatalogDataset> {
  return core.action(
    'package_show',
    { id: idArg(idOrName, 'id') },
    { read: true, schema: datasetResultSchema, op },
  );
}

/**
 * `package_create` after the privacy guard and the offline check. Never retried once it may have reached the
 * catalog (a second create would be a second dataset, or a name conflict hiding the first one's success).
 */
export async function createDataset(
  core: CatalogCore,
  metadata: unknown,
  o?: PublishOptions,
): Promise<CatalogDataset> {
  const m = guardNewDataset(
    canonicalTitle(plainObject(metadata, 'metadata')),
    o?.allowRestrictedData === true,
    'createDataset',
  );
  await checkMetadata(core, m, o, 'createDataset');
  return core.action('package_create', m, { schema: datasetResultSchema, op: o });
}

/** Keys a dataset patch may not carry: resources merge by position in package_revise, ids never change. */
const NOT_IN_PATCH = ['id', 'resources'];

/**
 * `package_revise` (CKAN ≥ 2.9): only the patched keys change, every other field (also ones this client does not
 * know) stays. Lists are replaced, not merged by position: each list key is filtered out first; so are the tags when
 * the patch has `tag_string` or `tags` (CKAN would append the new tags to the old ones).
 */
export async function updateDataset(
  core: CatalogCore,
  idOrName: string,
  patch: unknown,
  o?: UpdateDatasetOptions,
): Promise<CatalogDataset> {
  const p = canonicalTitle(plainObject(patch, 'patch'));
  for (const k of NOT_IN_PATCH) {
    if (k in p)
      throw invalidArgument(`patch may not contain "${k}" (use the resource methods for resources)`);
  }
  const current = await showDataset(core, idOrName, o);
  const safe = guardDatasetPatch(current, p, o?.allowRestrictedData === true, 'updateDataset');
  const { resources: _r, ...currentFields } = current;
  await checkMetadata(core, { ...currentFields, ...safe }, o, 'updateDataset', safe);
  // CKAN's tag_string_convert APPENDS the parsed tags after those already in the dict, and both package_revise
  // and package_patch start from package_show's, which has `tags`: new tags must replace, not join, the old.
  const replacesTags = safe.tag_string !== undefined || safe.tags !== undefined;
  const status = await cachedStatus(core, o);
  if (!status.features.revise) {
    return core.action(
      'package_patch',
      { ...(replacesTags && safe.tags === undefined ? { tags: [] } : {}), ...safe, id: current.id },
      { idempotent: true, schema: datasetResultSchema, op: o },
    );
  }
  const match: Metadata = { id: current.id };
  if (o?.ifMetadataModified !== undefined) match.metadata_modified = o.ifMetadataModified;
  const filter = Object.entries(safe)
    .filter(([, v]) => Array.isArray(v))
    .map(([k]) => `-${k}`);
  if (replacesTags && !filter.includes('-tags')) filter.push('-tags');
  const res = await core.action(
    'package_revise',
    { match, filter, update: safe },
    {
      idempotent: o?.ifMetadataModified === undefined,
      schema: z.object({ package: datasetResultSchema }).loose(),
      op: o,
    },
  );
  return res.package;
}

/**
 * `package_delete`, but only after the GD Catalog harvester confirms the dataset is not published centrally:
 * thai_gdc blocks that in its web form only, and lets the API delete a published dataset.
 */
export async function deleteDataset(
  core: CatalogCore,
  idOrName: string,
  o?: OperationOptions,
): Promise<void> {
  const current = await showDataset(core, idOrName, o);
  const state = await fetchPublicationState(core, current.name, o);
  if (state.published) {
    throw new CatalogError(
      'ERR_CATALOG_PUBLISHED',
      `deleteDataset: ${current.name} is published at the GD Catalog (${state.governanceState ?? 'published'})`,
      {
        action: 'deleteDataset',
        hint: 'Ask the GD Catalog to revoke the published copy first; then delete it in the agency catalog.',
      },
    );
  }
  await core.action('package_delete', { id: current.id }, { idempotent: true, op: o });
}
