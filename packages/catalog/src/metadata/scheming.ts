import { z } from '@thgov/core/internal';
import { OTHER, TRUE_FALSE } from './choices.js';
import type { FieldKind, FieldSpec, MetadataSpec } from './fields.js';

/**
 * The catalog's own schema (ckanext-scheming's `scheming_dataset_schema_show`) turned into the same field
 * specs the built-in 2.1/2.2 tables use, so one validator serves both and the server's choices win. The
 * answer is untrusted input: it is parsed with bounds, and anything unreadable means "use the built-in spec".
 */

const label = z.union([z.string().max(500), z.record(z.string().max(16), z.string().max(500))]);
const field = z
  .object({
    field_name: z.string().min(1).max(100),
    label: label.optional(),
    required: z.boolean().optional(),
    preset: z.string().max(100).optional(),
    validators: z.string().max(1000).optional(),
    form_snippet: z.string().max(200).nullable().optional(),
    display_snippet: z.string().max(200).nullable().optional(),
    choices: z
      .array(z.object({ value: z.string().max(500) }).loose())
      .max(1000)
      .optional(),
    form_data_type: z.array(z.string().max(200)).max(50).optional(),
  })
  .loose();

/** The shape of a scheming schema this client reads (other keys are ignored). */
export const schemingSchema = z
  .object({
    dataset_type: z.string().max(100).optional(),
    dataset_fields: z.array(field).max(500),
    resource_fields: z.array(field).max(500).optional(),
  })
  .loose();

/** A parsed scheming schema. */
export type SchemingSchema = z.infer<typeof schemingSchema>;
type SchemingField = z.infer<typeof field>;

function kindOf(f: SchemingField): FieldKind {
  const validators = f.validators ?? '';
  const values = f.choices?.map((c) => c.value) ?? [];
  if (validators.includes('scheming_multiple_choice')) return 'multi';
  if (values.length === 2 && TRUE_FALSE.every((v) => values.includes(v))) return 'true_false';
  if (values.length > 0) return 'choice';
  if (f.preset === 'date' || f.preset === 'datetime') return 'date';
  if (f.preset === 'dataset_slug') return 'slug';
  if (f.preset === 'dataset_organization') return 'org';
  if (f.field_name === 'tag_string' || f.preset === 'tag_string_autocomplete') return 'tags';
  if (validators.includes('email_validator') || f.display_snippet === 'email.html') return 'email';
  if (f.form_snippet === 'markdown.html' || f.form_snippet === 'fluent_markdown.html') return 'markdown';
  if (f.preset === 'fluent_markdown') return 'markdown';
  return 'text';
}

/** ckanext-fluent's text fields (not fluent_tags): stored as an object of language → text. */
const FLUENT_PRESETS = new Set(['fluent_text', 'fluent_markdown', 'fluent_core_translated']);
const isTranslated = (f: SchemingField) =>
  FLUENT_PRESETS.has(f.preset ?? '') || (f.validators ?? '').split(/\s+/).includes('fluent_text');

function toSpec(f: SchemingField): FieldSpec {
  const l = f.label;
  const th = typeof l === 'string' ? l : (l?.th ?? l?.en ?? f.field_name);
  const en = typeof l === 'string' ? l : (l?.en ?? l?.th ?? f.field_name);
  const kind = kindOf(f);
  const spec: FieldSpec = { name: f.field_name, th, en, kind };
  if (f.required === true) spec.required = true;
  if (kind === 'choice' || kind === 'multi') spec.choices = f.choices?.map((c) => c.value);
  if (f.form_data_type && f.form_data_type.length > 0) spec.types = f.form_data_type;
  if (kind !== 'choice' && kind !== 'multi' && isTranslated(f)) spec.translated = true;
  return spec;
}

/** `<field>_other` entries follow their field's "อื่นๆ" rule, so they are not fields of their own. */
function withoutOtherCompanions(fields: SchemingField[]): SchemingField[] {
  const opensOther = new Set(
    fields.filter((f) => f.choices?.some((c) => c.value === OTHER)).map((f) => `${f.field_name}_other`),
  );
  return fields.filter((f) => !opensOther.has(f.field_name));
}

/**
 * Converts a scheming schema to a field spec; undefined when the value is not a readable schema.
 *
 * @example
 * ```ts
 * const spec = specFromScheming(await catalog.getServerSchema());
 * ```
 */
export function specFromScheming(value: unknown): MetadataSpec | undefined {
  const parsed = schemingSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const dataset = withoutOtherCompanions(parsed.data.dataset_fields).map(toSpec);
  const resource = withoutOtherCompanions(parsed.data.resource_fields ?? []).map(toSpec);
  return { version: 'server', dataset, resource };
}
