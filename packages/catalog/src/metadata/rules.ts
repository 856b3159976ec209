import type { FieldError } from '../errors.js';
import { OTHER, TRUE_FALSE } from './choices.js';
import type { FieldSpec, MetadataSpec } from './fields.js';
import { fieldError, quoteValue, type RuleName } from './messages.js';

/** A problem found offline: errors stop a write, warnings only inform. */
export interface ValidationIssue extends FieldError {
  severity: 'error' | 'warning';
}

/** thai_gdc's package_name_validator allows 70 characters (CKAN itself 100). */
export const MAX_NAME_LENGTH = 70;
const MAX_TEXT = 10_000;
const MAX_URL = 2000;
const MAX_TAGS = 200;
const MAX_MARKDOWN = 100_000;
const MAX_FIELDS = 1000;
const MAX_RESOURCES = 500;
const MAX_DEPTH = 16;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SLUG = /^[a-z0-9_-]+$/;
const TAG = /^[\p{L}\p{M}\p{N}_ .-]{2,100}$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

type Metadata = Record<string, unknown>;

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Checks dataset metadata (and its `resources`, if any) against a spec. Pure; never throws on data. */
export function checkDataset(metadata: Metadata, spec: MetadataSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const keys = Object.keys(metadata);
  if (keys.length > MAX_FIELDS) {
    issues.push(err(fieldError('(root)', ROOT, 'too_long', `${MAX_FIELDS} fields`)));
    return issues;
  }
  const dataType = typeof metadata.data_type === 'string' ? metadata.data_type : undefined;
  checkFields(metadata, spec.dataset, '', dataType, issues);
  checkUnknownDepth(metadata, new Set(spec.dataset.map((s) => s.name)), '', issues);
  const resources = metadata.resources;
  if (resources !== undefined) {
    if (!Array.isArray(resources) || resources.length > MAX_RESOURCES) {
      issues.push(err(fieldError('resources', RESOURCES, 'type', `a list of at most ${MAX_RESOURCES}`)));
    } else {
      resources.forEach((r, i) => {
        if (typeof r !== 'object' || r === null || Array.isArray(r)) {
          issues.push(err(fieldError(`resources.${i}`, RESOURCES, 'type', 'an object')));
          return;
        }
        issues.push(...checkResource(r as Metadata, spec, dataType, `resources.${i}.`));
      });
    }
  }
  return issues;
}

/** Checks one resource's metadata; `dataType` is its dataset's, for the per-type fields. */
export function checkResource(
  resource: Metadata,
  spec: MetadataSpec,
  dataType: string | undefined,
  prefix = '',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  checkFields(resource, spec.resource, prefix, dataType, issues);
  checkUnknownDepth(resource, new Set(spec.resource.map((s) => s.name)), prefix, issues);
  return issues;
}

const ROOT = { th: 'ข้อมูลเมทาดาทา', en: 'Metadata' };
const RESOURCES = { th: 'ทรัพยากรข้อมูล', en: 'Resources' };
const err = (e: FieldError): ValidationIssue => ({ ...e, severity: 'error' });
const warn = (e: FieldError): ValidationIssue => ({ ...e, severity: 'warning' });

function checkFields(
  data: Metadata,
  specs: readonly FieldSpec[],
  prefix: string,
  dataType: string | undefined,
  issues: ValidationIssue[],
): void {
  const names = new Set(specs.map((s) => s.name));
  for (const spec of specs) {
    const path = prefix + spec.name;
    const value = spec.kind === 'tags' ? tagsOf(data) : data[spec.name];
    if (isEmpty(value)) {
      if (spec.required) issues.push(err(fieldError(path, spec, 'required')));
      continue;
    }
    if (spec.types && dataType && !spec.types.includes(dataType)) {
      issues.push(warn(fieldError(path, spec, 'wrong_data_type', spec.types.join(', '))));
    }
    const problem = checkValue(spec, value);
    if (problem) {
      issues.push(err(fieldError(path, spec, problem.rule, problem.detail)));
      continue;
    }
    if (spec.choices?.includes(OTHER) && chose(value, OTHER)) {
      const other = `${spec.name}_other`;
      // A server schema may list `_other` itself; otherwise the rule is the standard's.
      if (isEmpty(data[other]) || typeof data[other] !== 'string') {
        issues.push(err(fieldError(prefix + other, spec, 'other_required', other)));
      }
    }
  }
  for (const name of Object.keys(data)) {
    if (names.has(name) || !name.endsWith('_other')) continue;
    const v = data[name];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      issues.push(err(fieldError(prefix + name, { th: name, en: name }, 'type', 'text')));
    }
  }
}

const chose = (value: unknown, choice: string) =>
  Array.isArray(value) ? value.includes(choice) : value === choice;

function tagsOf(data: Metadata): unknown {
  if (!isEmpty(data.tag_string)) return data.tag_string;
  const tags = data.tags;
  if (!Array.isArray(tags)) return tags;
  return tags.map((t) => (typeof t === 'object' && t !== null ? (t as { name?: unknown }).name : t));
}

type Problem = { rule: RuleName; detail?: unknown } | undefined;

function checkValue(spec: FieldSpec, value: unknown): Problem {
  if (spec.translated && typeof value === 'object' && value !== null && !Array.isArray(value))
    return checkTranslations(spec, value as Metadata);
  switch (spec.kind) {
    case 'choice':
      if (typeof value !== 'string') return { rule: 'type', detail: 'text' };
      return spec.choices && !spec.choices.includes(value)
        ? { rule: 'choice', detail: quoteValue(value) }
        : undefined;
    case 'multi':
      return checkMulti(spec, value);
    case 'true_false':
      return typeof value === 'string' && (TRUE_FALSE as readonly string[]).includes(value)
        ? undefined
        : { rule: 'true_false' };
    case 'tags':
      return checkTags(value);
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        ? undefined
        : { rule: 'number' };
    case 'year':
      return /^\d{4}$/.test(String(value)) && (typeof value === 'string' || typeof value === 'number')
        ? undefined
        : { rule: 'year' };
    default:
      return checkText(spec, value);
  }
}

const LANGUAGE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$/;

/** A translated value (ckanext-fluent): language codes to text, each held to the field's own rules. */
function checkTranslations(spec: FieldSpec, value: Metadata): Problem {
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > 100 || !entries.every(([k]) => LANGUAGE.test(k)))
    return { rule: 'type', detail: 'text, or an object of language code → text' };
  for (const [, text] of entries) {
    const problem = checkText(spec, text);
    if (problem) return problem;
  }
  return undefined;
}

function checkText(spec: FieldSpec, value: unknown): Problem {
  if (typeof value !== 'string') return { rule: 'type', detail: 'text' };
  const max = maxLength(spec.kind);
  if (spec.kind === 'slug') {
    return SLUG.test(value) && value.length >= 2 && value.length <= max
      ? undefined
      : { rule: 'slug', detail: String(max) };
  }
  if (value.length > max) return { rule: 'too_long', detail: String(max) };
  if (spec.kind === 'email' && !EMAIL.test(value.trim())) return { rule: 'email' };
  if (spec.kind === 'url' && !isHttpUrl(value)) return { rule: 'url' };
  if (spec.kind === 'date' && !isDate(value)) return { rule: 'date' };
  return undefined;
}

/**
 * The longest text of a kind. Beyond the slug's (a thai_gdc rule) these are this client's own bounds, reported
 * as `too_long` so that an update holds to them only the fields it sends.
 */
function maxLength(kind: FieldSpec['kind']): number {
  if (kind === 'markdown') return MAX_MARKDOWN;
  if (kind === 'slug') return MAX_NAME_LENGTH;
  return kind === 'url' ? MAX_URL : MAX_TEXT;
}

function checkMulti(spec: FieldSpec, value: unknown): Problem {
  // scheming accepts one string for a one-item selection (form posts); the standard stores JSON lists.
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length > 100) return { rule: 'type', detail: 'a list of text' };
  for (const item of items) {
    if (typeof item !== 'string') return { rule: 'type', detail: 'a list of text' };
    if (spec.choices && !spec.choices.includes(item)) return { rule: 'choice', detail: quoteValue(item) };
  }
  return undefined;
}

function checkTags(value: unknown): Problem {
  const tags =
    typeof value === 'string'
      ? value
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(tags)) return { rule: 'type', detail: 'a comma-separated text or a list' };
  if (tags.length > MAX_TAGS) return { rule: 'too_long', detail: `${MAX_TAGS} tags` };
  if (tags.length === 0) return { rule: 'tag', detail: '""' };
  for (const t of tags) {
    if (typeof t !== 'string' || !TAG.test(t.trim())) return { rule: 'tag', detail: quoteValue(t) };
  }
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Fields the spec does not know are kept as they are, but not nested without bound (hostile input). */
function checkUnknownDepth(
  data: Metadata,
  known: Set<string>,
  prefix: string,
  issues: ValidationIssue[],
): void {
  for (const [name, value] of Object.entries(data)) {
    if (known.has(name) || name === 'resources' || typeof value !== 'object' || value === null) continue;
    if (depthExceeds(value, MAX_DEPTH)) {
      issues.push(err(fieldError(prefix + name, { th: name, en: name }, 'too_deep')));
    }
  }
}

/** Iterative (no recursion: a hostile value cannot blow the stack). */
export function depthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let visited = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth || ++visited > 100_000) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
