import type { CatalogStore, CatalogUser, Dict } from './store.js';

/**
 * Server-side validation as ckanext-scheming runs it for thai_gdc's schema: each field's `validators` string
 * (or its preset's), nothing more. That is the point: thai_gdc enforces the multi-choice lists, required fields
 * and a few presets, while single-choice values, the "True"/"False" strings and the "อื่นๆ" rule are left to the
 * web form. Messages are CKAN's own English strings.
 */

export interface SchemingField {
  field_name: string;
  label?: unknown;
  preset?: string;
  validators?: string;
  required?: boolean;
  choices?: Array<{ value: string; label?: unknown }>;
  form_data_type?: string[];
  [key: string]: unknown;
}

/** A scheming dataset schema (what `scheming_dataset_schema_show` returns). */
export interface SchemingSchema {
  dataset_fields: SchemingField[];
  resource_fields: SchemingField[];
  [key: string]: unknown;
}

/** What the validators need beyond the value. */
export interface ValidationContext {
  store: CatalogStore;
  user: CatalogUser | undefined;
  /** The package being updated (for the unique name/title checks). */
  packageId: string | undefined;
  maxNameLength: number;
}

const PRESET_VALIDATORS: Record<string, string> = {
  title: 'if_empty_same_as(name) unicode_safe package_title_validator',
  dataset_slug: 'not_empty unicode_safe name_validator package_name_validator',
  dataset_organization: 'owner_org_validator unicode_safe',
  select: 'scheming_required scheming_choices',
  date: 'scheming_required isodate convert_to_json_if_date',
  resource_url_upload: 'ignore_missing unicode_safe remove_whitespace',
  resource_format_autocomplete: 'if_empty_guess_format ignore_missing clean_format unicode_safe',
};

const missing = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const STOP = Symbol('stop');
type Step = (value: unknown, data: Dict) => unknown;

function validatorsOf(field: SchemingField): string[] {
  const s = field.validators ?? (field.preset ? PRESET_VALIDATORS[field.preset] : undefined);
  if (s) return s.split(/\s+/).filter(Boolean);
  return [field.required ? 'scheming_required' : 'ignore_missing', 'unicode_safe'];
}

/** Returns the cleaned value, STOP to skip the remaining validators, or throws a message. */
function step(name: string, field: SchemingField, ctx: ValidationContext): Step {
  const choices = field.choices?.map((c) => c.value) ?? [];
  switch (name) {
    case 'not_empty':
      return (v) => {
        if (missing(v)) throw 'Missing value';
        return v;
      };
    case 'ignore_missing':
      return (v) => (missing(v) ? STOP : v);
    case 'scheming_required':
      return field.required ? step('not_empty', field, ctx) : step('ignore_missing', field, ctx);
    case 'scheming_choices':
      return (v) => {
        if (!choices.includes(String(v)))
          throw `Value must be one of: ${choices.join('; ')}; not '${String(v)}'`;
        return v;
      };
    case 'scheming_multiple_choice':
      return (v) => multipleChoice(v, choices, field.required === true);
    case 'email_validator':
      return (v) => {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(v))) throw `Email ${String(v)} is not a valid format`;
        return v;
      };
    case 'tag_string_convert':
      return tagStringConvert;
    case 'name_validator':
      return (v) => nameValidator(String(v));
    case 'package_name_validator':
      return (v) => packageNameValidator(String(v), ctx);
    case 'package_title_validator':
      return (v) => packageTitleValidator(String(v), ctx);
    case 'owner_org_validator':
      return (v) => ownerOrgValidator(v, ctx);
    case 'isodate':
      return (v) => {
        if (!/^\d{4}-\d{2}-\d{2}/.test(String(v)) || Number.isNaN(Date.parse(String(v))))
          throw 'Date format incorrect';
        return v;
      };
    case 'unicode':
    case 'unicode_safe':
      return (v) =>
        typeof v === 'string' || Array.isArray(v) ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'remove_whitespace':
      return (v) => (typeof v === 'string' ? v.trim() : v);
    case 'clean_format':
      return (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v);
    default:
      // if_empty_same_as, if_empty_guess_format and output converters are applied around the loop.
      return (v) => v;
  }
}

function multipleChoice(v: unknown, choices: string[], required: boolean): unknown {
  const list = v === undefined || v === null ? [] : typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) throw 'expecting list of strings';
  const bad = list.filter((e) => !choices.includes(e as string));
  if (bad.length > 0) throw bad.map((e) => `unexpected choice "${String(e)}"`);
  if (required && list.length === 0) throw 'Select at least one';
  return choices.filter((c) => list.includes(c));
}

const TAG = /^[\u0E01-\u0E59\w \-.]*$/u;

function tagStringConvert(v: unknown, data: Dict): unknown {
  const tags =
    typeof v === 'string'
      ? v
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : Array.isArray(v)
        ? v
        : [];
  if (tags.length === 0) throw 'Tag "" must be alphanumeric characters or symbols: -_.';
  const errors: string[] = [];
  for (const t of tags) {
    const tag = String(t);
    if (tag.length < 2) errors.push(`Tag "${tag}" length is less than minimum 2`);
    else if (tag.length > 100) errors.push(`Tag "${tag.slice(0, 20)}..." length is more than maximum 100`);
    else if (!TAG.test(tag)) errors.push(`Tag "${tag}" must be alphanumeric characters or symbols: -_.`);
  }
  if (errors.length > 0) throw errors;
  // CKAN's tag_string_convert APPENDS after the ('tags', n, 'name') entries already in the data (a package_show
  // dict that package_revise or package_patch starts from has them); package_tag_list_save then keeps one tag
  // per name. Replacing the tags takes dropping `tags` first.
  const existing = Array.isArray(data.tags) ? (data.tags as unknown[]) : [];
  const added = tags.map((t) => ({
    name: String(t),
    display_name: String(t),
    state: 'active',
    vocabulary_id: null,
  }));
  const seen = new Set<string>();
  data.tags = [...existing, ...added].filter((t) => {
    const name = typeof t === 'object' && t !== null ? String((t as Dict).name) : String(t);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
  return STOP;
}

function nameValidator(v: string): string {
  if (v.length < 2) throw `Name "${v}" length is less than minimum 2`;
  if (v.length > 100) throw `Name "${v.slice(0, 30)}..." length is more than maximum 100`;
  if (!/^[a-z0-9_-]+$/.test(v))
    throw 'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_';
  return v;
}

function packageNameValidator(v: string, ctx: ValidationContext): string {
  const other = ctx.store.packageNamed(v);
  if (other && other.id !== ctx.packageId) {
    throw other.state === 'deleted' ? 'That URL is already in trash.' : 'That URL is already in use.';
  }
  if (v.length > ctx.maxNameLength) throw `Name "${v}" length is more than maximum ${ctx.maxNameLength}`;
  return v;
}

function packageTitleValidator(v: string, ctx: ValidationContext): string {
  for (const p of ctx.store.packages.values()) {
    if (p.id !== ctx.packageId && p.state !== 'deleted' && p.title === v)
      throw 'That title is already in use.';
  }
  return v;
}

function ownerOrgValidator(v: unknown, ctx: ValidationContext): unknown {
  if (missing(v)) throw 'An organization must be provided';
  const org = ctx.store.orgByIdOrName(v);
  if (!org) throw 'Organization does not exist';
  if (!ctx.store.canEdit(ctx.user, org.id)) throw 'You cannot add a dataset to this organization';
  return org.id;
}

function guessFormat(url: unknown): string {
  const m = /\/([^/?#]+)(?:[?#].*)?$/.exec(String(url ?? ''));
  const file = m?.[1] ?? '';
  const dot = file.lastIndexOf('.');
  // Python's mimetypes: ".csv" (a name that is all extension) has no extension.
  return dot > 0 ? file.slice(dot + 1).toUpperCase() : '';
}

/** Validates one dict against a list of scheming fields; unknown keys pass through (kept as extras). */
export function validateFields(
  data: Dict,
  fields: SchemingField[],
  ctx: ValidationContext,
): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  if (fields.some((f) => f.preset === 'title') && missing(data.title)) data.title = data.name;
  if (fields.some((f) => f.preset === 'resource_format_autocomplete') && missing(data.format))
    data.format = guessFormat(data.url);
  for (const field of fields) {
    let value: unknown = data[field.field_name];
    try {
      for (const name of validatorsOf(field)) {
        const out = step(name.replace(/\(.*\)$/, ''), field, ctx)(value, data);
        if (out === STOP) break;
        value = out;
      }
      if (value !== undefined && field.field_name !== 'tag_string') data[field.field_name] = value;
    } catch (message) {
      errors[field.field_name] = Array.isArray(message) ? message : [String(message)];
    }
  }
  return errors;
}

/** A dataset with its resources; errors nested like CKAN's (`resources: [{}, {name: [...]}]`). */
export function validatePackage(
  data: Dict,
  schema: SchemingSchema,
  ctx: ValidationContext,
): Record<string, unknown> {
  const errors = validateFields(data, schema.dataset_fields, ctx);
  const resources = data.resources;
  if (resources !== undefined) {
    if (!Array.isArray(resources)) {
      errors.resources = ['expecting list'];
    } else {
      const perResource = resources.map((r) =>
        typeof r === 'object' && r !== null
          ? validateFields(r as Dict, schema.resource_fields, ctx)
          : { __junk: ['not a dict'] },
      );
      if (perResource.some((e) => Object.keys(e).length > 0)) errors.resources = perResource;
    }
  }
  delete data.tag_string;
  return errors;
}
