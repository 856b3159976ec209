import { invalidArgument } from '@thgov/core';
import { validateOptions, z } from '@thgov/core/internal';
import { CatalogError } from '../errors.js';
import { builtInSpec, type MetadataSpec } from './fields.js';
import { checkDataset, checkResource, type ValidationIssue } from './rules.js';
import { specFromScheming } from './scheming.js';

/** Options of validateDataset / validateResource. */
export interface ValidateDatasetOptions {
  /** The thai_gdc version of the catalog (`status()` tells it). */
  version: '2.1' | '2.2';
  /**
   * The catalog's own scheming schema (`scheming_dataset_schema_show`). When readable, its fields and choices
   * win over the built-in table of `version`.
   */
  serverSchema?: unknown;
}

/** The outcome of an offline check: errors stop a write, warnings do not. */
export interface DatasetValidation {
  valid: boolean;
  /** Which spec was applied: the built-in version, or 'server' when the catalog's schema was used. */
  specVersion: MetadataSpec['version'];
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

const optionsSchema = z
  .object({ version: z.enum(['2.1', '2.2']), serverSchema: z.unknown().optional() })
  .strict();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The spec to validate against: the server's schema when readable, else the built-in version. */
export function resolveSpec(version: '2.1' | '2.2', serverSchema?: unknown): MetadataSpec {
  return (serverSchema === undefined ? undefined : specFromScheming(serverSchema)) ?? builtInSpec(version);
}

/**
 * Checks dataset metadata against the thai_gdc standard offline, before anything is sent: the mandatory
 * items, the exact Thai choice values, the "อื่นๆ" → `<field>_other` rule, the per-type fields and the
 * "True"/"False" strings. Every message names the field, in Thai and in English. The catalog itself checks
 * far less (thai_gdc enforces only the multi-choice lists), and the GD Catalog rejects later what slips by.
 *
 * @example
 * ```ts
 * import { validateDataset } from '@thgov/catalog';
 * const result = validateDataset(JSON.parse(text), { version: '2.2' });
 * for (const e of result.errors) console.error(`${e.field}: ${e.th} / ${e.en}`);
 * ```
 */
export function validateDataset(metadata: unknown, options: ValidateDatasetOptions): DatasetValidation {
  const o = validateOptions(optionsSchema, options, 'validateDataset options');
  if (!isPlainObject(metadata)) throw invalidArgument('metadata must be a JSON object');
  const spec = resolveSpec(o.version, o.serverSchema);
  return summarize(checkDataset(metadata, spec), spec);
}

/**
 * The same check for one resource's metadata; `dataType` is its dataset's `data_type`.
 *
 * @example
 * ```ts
 * validateResource({ name: 'ตาราง' }, { version: '2.2' }).errors; // [{ field: 'format', rule: 'required', … }]
 * ```
 */
export function validateResource(
  metadata: unknown,
  options: ValidateDatasetOptions & { dataType?: string },
): DatasetValidation {
  const { dataType, ...rest } = options;
  const o = validateOptions(optionsSchema, rest, 'validateResource options');
  if (!isPlainObject(metadata)) throw invalidArgument('resource metadata must be a JSON object');
  const spec = resolveSpec(o.version, o.serverSchema);
  return summarize(checkResource(metadata, spec, typeof dataType === 'string' ? dataType : undefined), spec);
}

function summarize(issues: ValidationIssue[], spec: MetadataSpec): DatasetValidation {
  const errors = issues.filter((i) => i.severity === 'error');
  return {
    valid: errors.length === 0,
    specVersion: spec.version,
    errors,
    warnings: issues.filter((i) => i.severity === 'warning'),
  };
}

/** The typed error for a failed offline validation (ERR_CATALOG_VALIDATION with every field error). */
export function offlineValidationError(result: DatasetValidation, action: string): CatalogError {
  const first = result.errors[0];
  const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '';
  return new CatalogError(
    'ERR_CATALOG_VALIDATION',
    `The metadata does not meet the thai_gdc ${result.specVersion} standard: ${first?.field}: ${first?.en}${more}`,
    {
      action,
      fieldErrors: result.errors.map(({ field, rule, th, en }) => ({ field, rule, th, en })),
      hint: 'Fix the fields listed in fieldErrors (each has a Thai and an English message); nothing was sent.',
    },
  );
}
