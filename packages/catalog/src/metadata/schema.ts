import { z } from '@thgov/core/internal';
import type {
  DATA_CATEGORIES_21,
  DATA_CATEGORIES_22,
  DATA_CLASSIFICATIONS,
  DATA_COLLECTS,
  DATA_FORMATS,
  DATA_LANGUAGES,
  DATA_SUPPORTS,
  DATA_TYPES,
  DISAGGREGATES,
  EQUIVALENT_SCALES,
  GEO_COVERAGES,
  GEOGRAPHIC_DATA_SETS,
  LICENSES_21,
  OBJECTIVES,
  TRUE_FALSE,
  UNIT_MULTIPLIERS,
  UPDATE_FREQUENCY_UNITS,
} from './choices.js';
import { type MetadataSpec, THAI_GDC_21, THAI_GDC_22 } from './fields.js';
import { checkDataset, checkResource, type ValidationIssue } from './rules.js';

type Of<T extends readonly string[]> = T[number];
/** "True" or "False": thai_gdc's yes/no strings. */
export type TrueFalse = Of<typeof TRUE_FALSE>;

/** Resource metadata of thai_gdc 2.1 (`resource_*` twins apply to statistical or geospatial datasets). */
export interface ThaiGdcResource21 {
  name: string;
  url?: string;
  description?: string;
  format?: string;
  resource_accessible_condition?: string;
  resource_data_collect?: Of<typeof DATA_COLLECTS>;
  resource_data_collect_other?: string;
  resource_first_year_of_data?: string;
  resource_last_year_of_data?: string;
  resource_disaggregate?: Array<Of<typeof DISAGGREGATES>>;
  resource_disaggregate_other?: string;
  resource_unit_of_measure?: string;
  resource_unit_of_multiplier?: Of<typeof UNIT_MULTIPLIERS>;
  resource_unit_of_multiplier_other?: string;
  resource_geographic_data_set?: Of<typeof GEOGRAPHIC_DATA_SETS>;
  resource_equivalent_scale?: Of<typeof EQUIVALENT_SCALES>;
  resource_equivalent_scale_other?: string;
  resource_positional_accuracy?: string;
  resource_created_date?: string;
  resource_last_updated_date?: string;
  resource_data_release_calendar?: string;
  resource_official_statistics?: TrueFalse;
  resource_data_release_date?: string;
  /** "True" hides the resource from users who cannot edit the dataset. */
  resource_private?: TrueFalse;
  [extra: string]: unknown;
}

/** Resource metadata of thai_gdc 2.2: `format` is required. */
export interface ThaiGdcResource22 extends ThaiGdcResource21 {
  format: string;
}

/** The typed fields of a 2.1 dataset (the index signature is added last, so Omit keeps them). */
interface DatasetFields21 {
  data_type: Of<typeof DATA_TYPES>;
  data_type_other?: string;
  title: string;
  name: string;
  owner_org: string;
  private?: boolean;
  allow_harvest?: TrueFalse;
  reference_url_catalog?: string;
  maintainer: string;
  maintainer_email: string;
  /** Comma-separated, or a list; CKAN's own `tags: [{ name }]` is accepted too. */
  tag_string?: string | string[];
  tags?: Array<{ name: string }>;
  notes: string;
  objective: Array<Of<typeof OBJECTIVES>>;
  objective_other?: string;
  update_frequency_unit: Of<typeof UPDATE_FREQUENCY_UNITS>;
  update_frequency_unit_other?: string;
  update_frequency_interval?: string | number;
  geo_coverage: Of<typeof GEO_COVERAGES>;
  geo_coverage_other?: string;
  data_source: string;
  data_format: Array<Of<typeof DATA_FORMATS>>;
  data_format_other?: string;
  data_category: Of<typeof DATA_CATEGORIES_21>;
  license_id: Of<typeof LICENSES_21>;
  license_id_other?: string;
  accessible_condition?: string;
  url?: string;
  data_language?: Array<Of<typeof DATA_LANGUAGES>>;
  data_language_other?: string;
  last_updated_date?: string;
  data_support?: Of<typeof DATA_SUPPORTS>;
  data_support_other?: string;
  data_collect?: Of<typeof DATA_COLLECTS>;
  data_collect_other?: string;
  created_date?: string;
  high_value_dataset?: TrueFalse;
  reference_data?: TrueFalse;
  data_release_calendar?: string;
  first_year_of_data?: string;
  last_year_of_data?: string;
  disaggregate?: Array<Of<typeof DISAGGREGATES>>;
  disaggregate_other?: string;
  unit_of_measure?: string;
  unit_of_multiplier?: Of<typeof UNIT_MULTIPLIERS>;
  unit_of_multiplier_other?: string;
  calculation_method?: string;
  standard?: string;
  official_statistics?: TrueFalse;
  geographic_data_set?: Of<typeof GEOGRAPHIC_DATA_SETS>;
  equivalent_scale?: Of<typeof EQUIVALENT_SCALES>;
  equivalent_scale_other?: string;
  west_bound_longitude?: string | number;
  east_bound_longitude?: string | number;
  north_bound_longitude?: string | number;
  south_bound_longitude?: string | number;
  positional_accuracy?: string;
  reference_period?: string;
  data_release_date?: string;
}

/** Dataset metadata of thai_gdc 2.1: the 14 mandatory items, the optional and the per-type fields. */
export interface ThaiGdcDataset21 extends DatasetFields21 {
  resources?: ThaiGdcResource21[];
  /** Fields of other extensions or newer schemas: kept as they are. */
  [extra: string]: unknown;
}

/** Dataset metadata of thai_gdc 2.2: adds ข้อมูลใช้ภายใน and `data_classification`. */
export interface ThaiGdcDataset22 extends Omit<DatasetFields21, 'data_category'> {
  data_category: Of<typeof DATA_CATEGORIES_22>;
  data_classification?: Of<typeof DATA_CLASSIFICATIONS>;
  resources?: ThaiGdcResource22[];
  /** Fields of other extensions or newer schemas: kept as they are. */
  [extra: string]: unknown;
}

/** A zod schema whose refinement is one of the rule checks: each error becomes an issue with the Thai message. */
function schemaOf<T>(check: (value: Record<string, unknown>) => ValidationIssue[]): z.ZodType<T> {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    for (const issue of check(value)) {
      if (issue.severity !== 'error') continue;
      ctx.addIssue({
        code: 'custom',
        path: issue.field.split('.'),
        message: issue.en,
        params: { rule: issue.rule, th: issue.th },
      });
    }
  }) as unknown as z.ZodType<T>;
}

/**
 * A zod schema that applies a spec's rules (errors only; warnings are left to validateDataset), e.g. for a
 * spec built from the catalog's own schema.
 *
 * @example
 * ```ts
 * const schema = datasetSchemaFor(specFromScheming(serverSchema) ?? THAI_GDC_22);
 * ```
 */
export function datasetSchemaFor<T>(spec: MetadataSpec): z.ZodType<T> {
  return schemaOf((value) => checkDataset(value, spec));
}

function resourceSchemaFor<T>(spec: MetadataSpec): z.ZodType<T> {
  return schemaOf((value) => checkResource(value, spec, undefined));
}

/**
 * zod schema of thai_gdc 2.1 dataset metadata. Each issue's `params` carries the rule and the Thai message.
 *
 * @example
 * ```ts
 * const r = thaiGdcDatasetSchema21.safeParse(json);
 * if (!r.success) console.log(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
 * ```
 */
export const thaiGdcDatasetSchema21: z.ZodType<ThaiGdcDataset21> = datasetSchemaFor(THAI_GDC_21);
/** zod schema of thai_gdc 2.2 dataset metadata (see {@link thaiGdcDatasetSchema21}). */
export const thaiGdcDatasetSchema22: z.ZodType<ThaiGdcDataset22> = datasetSchemaFor(THAI_GDC_22);
/** zod schema of thai_gdc 2.1 resource metadata. */
export const thaiGdcResourceSchema21: z.ZodType<ThaiGdcResource21> = resourceSchemaFor(THAI_GDC_21);
/** zod schema of thai_gdc 2.2 resource metadata (`format` required). */
export const thaiGdcResourceSchema22: z.ZodType<ThaiGdcResource22> = resourceSchemaFor(THAI_GDC_22);
