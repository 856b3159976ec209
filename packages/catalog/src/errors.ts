import { HttpError, type HttpErrorOptions, isThGovError, redactPreview } from '@thgov/core';

/**
 * Error codes of @thgov/catalog (in addition to core's ERR_HTTP, ERR_TIMEOUT, ERR_NETWORK, …).
 * Part of the semver contract: never renamed, never reused.
 */
export const CATALOG_ERROR_CODES = {
  ERR_CATALOG_AUTH:
    'The catalog refused the call: no API token, a token it does not accept, or a user without the right (CKAN "Authorization Error", HTTP 403 with a JSON envelope), or CSRF protection refusing a call it did not take as token-authenticated (an HTML 400/403 naming CSRF).',
  ERR_CATALOG_NOT_FOUND:
    'No such dataset, resource, organization or DataStore table (CKAN "Not Found Error", HTTP 404).',
  ERR_CATALOG_VALIDATION:
    'The metadata or records were rejected, offline by validateDataset or by the catalog ("Validation Error", HTTP 409); `fieldErrors` names each field with a Thai and an English message.',
  ERR_CATALOG_CONFLICT:
    'The dataset changed since it was read (package_revise `match` failed), or its name (URL) is already in use or in the trash.',
  ERR_CATALOG_SEARCH:
    'The catalog rejected the search query, filter or sort (CKAN "Search Query Error", HTTP 400, or "Search Error", HTTP 409).',
  ERR_CATALOG_BAD_REQUEST:
    'The catalog rejected the request itself (HTTP 400: unknown or disabled action, malformed JSON, CKAN "Integrity Error").',
  ERR_CATALOG_TOO_LARGE:
    "An upload is larger than the client's limit (`maxUploadBytes`), the catalog's upload limit, or a proxy's body limit (HTML 413).",
  ERR_CATALOG_WAF:
    'A web application firewall in front of the catalog blocked the request: an HTML 403 page came back instead of a CKAN envelope.',
  ERR_CATALOG_RATE_LIMITED:
    'The catalog, or a throttle in front of it, kept answering 429 Too Many Requests (or 409/499 without a CKAN envelope) after the retries (each Retry-After was honoured); a write that may not be repeated is not retried.',
  ERR_CATALOG_UNAVAILABLE:
    'The catalog answered 5xx (CKAN "Internal Server Error", "Search Index Error", or a gateway/maintenance page) after the retries.',
  ERR_CATALOG_PROTOCOL:
    'The catalog answered with something that is not a CKAN Action API envelope (an HTML page, a redirect, `success: false` without an error, an unexpected result shape).',
  ERR_CATALOG_PRIVACY:
    'Refused by the privacy guard: personal, secret or internal data (data_category, data_classification or resource_private) would become public or harvestable, or an upload holds citizen IDs.',
  ERR_CATALOG_PUBLISHED:
    'The dataset is published at the GD Catalog: the agency may not delete it (ask the GD Catalog to revoke it first).',
  ERR_CATALOG_HARVESTER:
    'The GD Catalog harvester could not be reached or gave an unexpected answer, so the publication state is unknown.',
  ERR_CATALOG_UNSUPPORTED:
    'The catalog does not offer this feature (DCAT endpoints, DataStore, the scheming schema API).',
} as const;

/** A code of {@link CATALOG_ERROR_CODES}. */
export type CatalogErrorCode = keyof typeof CATALOG_ERROR_CODES;

/** One field-level problem, from offline validation or from the catalog's 409 answer. */
export interface FieldError {
  /** Field path: `data_type`, `objective_other`, `resources.0.format`. */
  field: string;
  /** Stable rule name: `required`, `choice`, `other_required`, `true_false`, `server`, … */
  rule: string;
  /** Message in Thai. */
  th: string;
  /** Message in English. */
  en: string;
}

/** What a CatalogError carries beyond core's HttpError. */
export interface CatalogErrorOptions extends HttpErrorOptions {
  /** The Action API action (`package_create`) or client operation (`uploadResource`). */
  action?: string;
  /** CKAN's `error.__type` ("Validation Error", "Authorization Error", …) when the catalog sent one. */
  ckanType?: string;
  /** Field-level messages (validation). */
  fieldErrors?: FieldError[];
}

const CATALOG_ERROR_NAME = 'CatalogError';

/**
 * One error type for every failure of the catalog, its proxies and the GD Catalog harvester; `code` says
 * which (see {@link CATALOG_ERROR_CODES}).
 *
 * @example
 * ```ts
 * try {
 *   await catalog.createDataset(metadata);
 * } catch (err) {
 *   if (isCatalogError(err, 'ERR_CATALOG_VALIDATION')) {
 *     for (const f of err.fieldErrors) console.error(f.field, f.th, f.en);
 *   } else throw err;
 * }
 * ```
 */
export class CatalogError extends HttpError {
  declare readonly code: CatalogErrorCode;
  readonly action: string | undefined;
  readonly ckanType: string | undefined;
  readonly fieldErrors: FieldError[];

  constructor(code: CatalogErrorCode, message: string, options: CatalogErrorOptions = {}) {
    super(code, message, options);
    this.name = CATALOG_ERROR_NAME;
    this.action = options.action;
    this.ckanType = options.ckanType;
    this.fieldErrors = (options.fieldErrors ?? []).map(redactFieldError);
  }
}

/** Longest field path kept: a real one is a few segments; a hostile key of any length is cut (after redaction). */
const MAX_FIELD_PATH = 300;
const MAX_FIELD_MESSAGE = 1000;

/**
 * A field error with its path and messages redacted. The path is built from what the caller sent (an extras
 * key, a package_revise `update__resources__<name>` key), so it can hold a citizen ID or a person's name just as
 * a message can: both pass the redactor, and an ordinary field name (`resources.0.format`) comes out unchanged.
 */
export function redactFieldError({ field, rule, th, en }: FieldError): FieldError {
  return {
    field: redactPreview(String(field), MAX_FIELD_PATH),
    rule: redactPreview(String(rule), MAX_FIELD_PATH),
    th: redactPreview(String(th), MAX_FIELD_MESSAGE),
    en: redactPreview(String(en), MAX_FIELD_MESSAGE),
  };
}

/**
 * True for a {@link CatalogError} (also one from another installed copy of the package: the check reads
 * core's brand and the name, not `instanceof`); with `code`, also checks the code and narrows it.
 *
 * @example
 * ```ts
 * if (isCatalogError(err, 'ERR_CATALOG_CONFLICT')) await retryWithFreshCopy();
 * ```
 */
export function isCatalogError<C extends CatalogErrorCode>(
  value: unknown,
  code?: C,
): value is CatalogError & { code: C } {
  return isThGovError(value, code) && (value as { name?: unknown }).name === CATALOG_ERROR_NAME;
}
