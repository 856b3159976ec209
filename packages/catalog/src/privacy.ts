import { CitizenIdCounter } from './citizen-ids.js';
import { CatalogError } from './errors.js';
import { DATA_CATEGORY, DATA_CLASSIFICATIONS } from './metadata/choices.js';

/**
 * The privacy guard. Agencies publish open data; PDPA leaks happen exactly here: a dataset of personal,
 * secret or internal data created public (CKAN's default) or harvestable, a hidden resource made visible by an
 * update, a CSV of the real register uploaded in place of the aggregate. Each is refused unless the caller opts
 * in explicitly for that call, and omitted visibility is filled in the safe direction.
 */

const RESTRICTED_CATEGORIES: ReadonlySet<string> = new Set([
  DATA_CATEGORY.personal,
  DATA_CATEGORY.security,
  DATA_CATEGORY.secret,
  DATA_CATEGORY.internal,
]);
const OPEN_CLASSIFICATION = DATA_CLASSIFICATIONS[0];

type Metadata = Record<string, unknown>;

/**
 * A field as ckanext-scheming flattens it, else as CKAN without scheming keeps it (`extras: [{key, value}]`):
 * the guard must see the category wherever the catalog stored it.
 */
function field(m: Metadata, key: string): unknown {
  return m[key] !== undefined ? m[key] : fieldValues(m, key)[1];
}

/** Every value the metadata gives `key`: the flattened field, then each `extras` entry of that key. */
function fieldValues(m: Metadata, key: string): unknown[] {
  const out: unknown[] = [m[key]];
  if (Array.isArray(m.extras))
    for (const e of m.extras.slice(0, 1000))
      if (typeof e === 'object' && e !== null && (e as Metadata).key === key) out.push((e as Metadata).value);
  return out;
}

/**
 * True when the metadata says the data is not open: a restricted data_category or data_classification, in the
 * flattened field or in any `extras` entry (one place saying "personal" is enough, whatever the other says).
 */
export function isRestricted(m: Metadata): boolean {
  const restrictedCategory = (c: unknown) => typeof c === 'string' && RESTRICTED_CATEGORIES.has(c);
  const closedClassification = (c: unknown) => typeof c === 'string' && c !== OPEN_CLASSIFICATION;
  return (
    fieldValues(m, 'data_category').some(restrictedCategory) ||
    fieldValues(m, 'data_classification').some(closedClassification)
  );
}

const isPublic = (m: Metadata) => m.private !== true && m.private !== 'True' && m.private !== 'true';
const isHarvestable = (m: Metadata) => field(m, 'allow_harvest') !== 'False';

function refuse(action: string, what: string): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PRIVACY',
    `${action}: refused: the dataset's data_category/data_classification marks it as not open data, but ${what}`,
    {
      action,
      hint: 'Keep it private (private: true, allow_harvest: "False"), or pass allowRestrictedData: true if publishing it is really intended.',
    },
  );
}

/**
 * Visibility for a new dataset: restricted data left without `private`/`allow_harvest` gets the safe values;
 * restricted data explicitly made public or harvestable is refused unless `allow`.
 */
export function guardNewDataset(metadata: Metadata, allow: boolean, action: string): Metadata {
  if (!isRestricted(metadata)) return metadata;
  const out = { ...metadata };
  if (metadata.private === undefined) out.private = true;
  else if (isPublic(metadata) && !allow) throw refuse(action, 'it would be public (private: false)');
  if (field(metadata, 'allow_harvest') === undefined) out.allow_harvest = 'False';
  else if (isHarvestable(metadata) && !allow)
    throw refuse(action, 'the GD Catalog could harvest it (allow_harvest: "True")');
  return out;
}

/**
 * Visibility for an update: judged on the dataset as it is and as it will be (current merged with the patch). The
 * patch may not open restricted data without `allow`, nor reclassify it as open data (which would let the same or
 * a later patch open it); a patch that makes open data restricted also closes it.
 */
export function guardDatasetPatch(
  current: Metadata,
  patch: Metadata,
  allow: boolean,
  action: string,
): Metadata {
  const after = { ...current, ...patch };
  if (isRestricted(current) && !isRestricted(after) && !allow)
    throw refuse(action, 'the patch reclassifies it as open data');
  if (!isRestricted(after)) return patch;
  const out = { ...patch };
  if (patch.private !== undefined && isPublic(patch) && !allow)
    throw refuse(action, 'the patch makes it public');
  if (patch.allow_harvest !== undefined && isHarvestable(patch) && !allow) {
    throw refuse(action, 'the patch lets the GD Catalog harvest it');
  }
  if (!isRestricted(current)) {
    // Open data becoming restricted: close it in the same write unless the caller decided otherwise.
    if (patch.private === undefined && isPublic(current)) out.private = true;
    if (patch.allow_harvest === undefined && isHarvestable(current)) out.allow_harvest = 'False';
  }
  return out;
}

/** A resource marked `resource_private: "True"` is not made visible by an update without `allow`. */
export function guardResourcePatch(
  current: Metadata | undefined,
  patch: Metadata,
  allow: boolean,
  action: string,
): void {
  if (current?.resource_private !== 'True' || patch.resource_private === undefined) return;
  if (patch.resource_private !== 'True' && !allow) {
    throw new CatalogError(
      'ERR_CATALOG_PRIVACY',
      `${action}: refused: the resource is private (resource_private "True") and the update would show it`,
      { action, hint: 'Pass allowRestrictedData: true if the resource may really be shown to everyone.' },
    );
  }
}

/**
 * Counts checksum-valid citizen IDs in text with core's detector, the one redaction uses: Thai, full-width or
 * other decimal digits, any grouping with spaces, dots, slashes, dashes or zero-width characters between, percent,
 * JSON and HTML escapes (juristic IDs, first digit 0, are not counted). The IDs themselves are not kept.
 *
 * @example
 * ```ts
 * if (countCitizenIds(await readFile('export.csv', 'utf8')) > 0) throw new Error('personal data in the export');
 * ```
 */
export function countCitizenIds(text: string): number {
  const counter = new CitizenIdCounter();
  counter.push(text);
  return counter.end();
}

/** Stops an upload whose text holds citizen IDs, unless the caller allowed it. */
export function guardCitizenIds(sample: string, allow: boolean, action: string, where: string): void {
  if (!allow) refuseCitizenIds(countCitizenIds(sample), action, where);
}

/** ERR_CATALOG_PRIVACY when `n` (IDs found in `where`) is not 0. `note` says what became of the write. */
export function refuseCitizenIds(n: number, action: string, where: string, note = ''): void {
  if (n === 0) return;
  throw new CatalogError(
    'ERR_CATALOG_PRIVACY',
    `${action}: refused: ${where} holds ${n} valid 13-digit citizen ID${n === 1 ? '' : 's'} (personal data under PDPA)${note}`,
    {
      action,
      hint: 'Publish aggregates or pseudonymised data; pass allowCitizenIds: true only when publishing the IDs is lawful.',
    },
  );
}

/**
 * ERR_CATALOG_PRIVACY for an upload the guard could not read to its end (an encrypted or corrupt container, a
 * compression it does not read, a bound passed). `reason` is the guard's own words, never the file's content.
 */
export function refuseUnchecked(action: string, where: string, reason: string, note = ''): never {
  throw new CatalogError(
    'ERR_CATALOG_PRIVACY',
    `${action}: refused: ${where} could not be checked for citizen IDs (${reason})${note}; pass allowCitizenIds: true to send it unchecked`,
    {
      action,
      hint: 'Upload the data as CSV or another text format so that it can be checked, or pass allowCitizenIds: true to send it unchecked when publishing any IDs it may hold is lawful.',
    },
  );
}
