import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, type OperationOptions } from '@thgov/core';
import type { CatalogCore } from '../context.js';
import { type CatalogResource, resourceResultSchema } from '../entities.js';
import { CatalogError } from '../errors.js';
import { offlineValidationError, validateResource } from '../metadata/validate.js';
import { CATALOG_DEFAULTS } from '../options.js';
import { guardResourcePatch } from '../privacy.js';
import { checkResourcePatch, showResource } from '../resources.js';
import { metadataContext } from '../schema-source.js';
import { multipartBody, type UploadProgress } from './multipart.js';
import { scanUpload } from './scan.js';
import { contentSource, fileSource, streamSource, type UploadSource } from './source.js';

/** A file to upload as a resource: exactly one of `file`, `stream` or `content`. */
export interface UploadResourceInput {
  /** Path of a file on disk (read in chunks; a retry reads it again). */
  file?: string;
  /** A stream (single-use: an upload from a stream is never retried). */
  stream?: Readable | AsyncIterable<Uint8Array>;
  /** Small in-memory content. */
  content?: Uint8Array | string;
  /** Length of `stream` when known: sent as Content-Length, and checked against the limit up front. */
  size?: number;
  /** Resource name (Thai is fine). Required for a new resource. */
  name?: string;
  /**
   * File name sent to the catalog. CKAN strips non-ASCII characters (ข้อมูล.csv becomes ".csv"), so non-ASCII
   * runs are replaced here ("data.csv"). Default: the file's own name, or data.<format>.
   */
  fileName?: string;
  /** Explicit format (CSV, XLSX, JSON …); default from the file name's extension. Always sent. */
  format?: string;
  description?: string;
  /**
   * Other resource fields (thai_gdc `resource_*` fields, `resource_private`). `id`, `package_id` and `upload` are
   * refused (ERR_INVALID_ARG): the call's arguments name the resource, the dataset and the file.
   */
  metadata?: Record<string, unknown>;
}

/** Options of uploadResource and replaceResource. */
export interface UploadResourceOptions extends OperationOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Per-call limit; default the client's `maxUploadBytes` (100 MiB). */
  maxUploadBytes?: number;
  /** Upload even if the file holds checksum-valid citizen IDs (off by default). */
  allowCitizenIds?: boolean;
  /** Show a private resource (`resource_private: "True"` → other) on replace (off by default). */
  allowRestrictedData?: boolean;
  /**
   * How much of the start of a stream is held and scanned for citizen IDs before anything is sent (the rest is
   * scanned as it is sent; content is scanned whole before sending, a file as it is sent). Default 1 MiB.
   */
  sampleBytes?: number;
}

const SAMPLE_BYTES = 1024 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  CSV: 'text/csv',
  TSV: 'text/tab-separated-values',
  JSON: 'application/json',
  XML: 'application/xml',
  PDF: 'application/pdf',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  ZIP: 'application/zip',
};

/**
 * An ASCII file name the catalog keeps intact; the extension follows the format when missing.
 *
 * @example
 * ```ts
 * asciiFileName('ข้อมูลประชากร.csv', 'CSV'); // 'data.csv'
 * ```
 */
export function asciiFileName(name: string | undefined, format: string): string {
  const ext = `.${format.toLowerCase().replace(/[^a-z0-9]/g, '') || 'bin'}`;
  const given = (name ?? '').normalize('NFKD');
  const own = extname(given);
  const stem = given
    .slice(0, given.length - own.length)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  const suffix = /^\.[A-Za-z0-9]{1,10}$/.test(own) ? own.toLowerCase() : ext;
  return `${stem || 'data'}${suffix}`;
}

function formatOf(input: UploadResourceInput): string {
  const explicit = input.format?.trim();
  if (explicit) {
    if (!/^[\w./+-]{1,50}$/.test(explicit))
      throw invalidArgument('format must be a short format name such as CSV');
    return explicit.toUpperCase();
  }
  const ext = extname(input.fileName ?? input.file ?? '').slice(1);
  if (!/^[A-Za-z0-9]{1,10}$/.test(ext)) {
    throw invalidArgument('format is required (CKAN cannot guess it once a Thai file name is stripped)');
  }
  return ext.toUpperCase();
}

async function sourceOf(input: UploadResourceInput, sampleBytes: number): Promise<UploadSource> {
  const given = [input.file, input.stream, input.content].filter((v) => v !== undefined).length;
  if (given !== 1) throw invalidArgument('give exactly one of file, stream or content');
  if (input.size !== undefined && !(Number.isSafeInteger(input.size) && input.size >= 0)) {
    throw invalidArgument('size must be a non-negative integer');
  }
  if (typeof input.file === 'string') return fileSource(input.file, sampleBytes);
  if (input.content !== undefined) {
    if (typeof input.content !== 'string' && !(input.content instanceof Uint8Array)) {
      throw invalidArgument('content must be bytes or a string');
    }
    return contentSource(input.content, sampleBytes);
  }
  if (input.stream === undefined) throw invalidArgument('file must be a path');
  return streamSource(input.stream, input.size, sampleBytes);
}

/** Form fields: text as is, lists as repeated fields (how CKAN reads multi-choice form posts). */
function formFields(values: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) out.push([k, String(item)]);
    else out.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return out;
}

function tooLarge(action: string, size: number, limit: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_TOO_LARGE',
    `${action}: the file has ${size} bytes, over the limit of ${limit}`,
    {
      action,
      hint: 'Raise maxUploadBytes only if the catalog accepts larger files (Thai deployments: 100 MB).',
    },
  );
}

/** Fields that name the write's target or its file: the call's arguments say these, never `metadata`. */
const TARGET_FIELDS = ['id', 'package_id', 'upload'];

/**
 * `metadata` is a plain object that names no other resource or dataset: the privacy guard checks the resource
 * the call names, and the write must land there (the same rule as updateResource's patch).
 */
function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw invalidArgument('metadata must be an object');
  const named = TARGET_FIELDS.filter((k) => Object.hasOwn(metadata, k));
  if (named.length > 0) {
    throw invalidArgument(
      `metadata may not contain ${named.map((k) => `"${k}"`).join(', ')}: the call's arguments name the resource, dataset and file`,
    );
  }
}

interface Prepared {
  fields: Record<string, unknown>;
  source: UploadSource;
  fileName: string;
  format: string;
  limit: number;
}

async function prepare(
  core: CatalogCore,
  input: UploadResourceInput,
  o: UploadResourceOptions | undefined,
  action: string,
): Promise<Prepared> {
  if (typeof input !== 'object' || input === null) throw invalidArgument('input must be an object');
  checkMetadata(input.metadata);
  const format = formatOf(input);
  const fileName = asciiFileName(input.fileName ?? (input.file ? basename(input.file) : undefined), format);
  const limit = o?.maxUploadBytes ?? core.options.maxUploadBytes ?? CATALOG_DEFAULTS.maxUploadBytes;
  let source = await sourceOf(input, o?.sampleBytes ?? SAMPLE_BYTES);
  if (source.size !== undefined && source.size > limit) throw tooLarge(action, source.size, limit);
  // By content, whatever the declared format: a CSV declared as XLSX is still read.
  if (o?.allowCitizenIds !== true) source = await scanUpload(source, action);
  const fields: Record<string, unknown> = { ...(input.metadata ?? {}), format };
  if (input.name !== undefined) fields.name = input.name;
  if (input.description !== undefined) fields.description = input.description;
  return { fields, source, fileName, format, limit };
}

async function send(
  core: CatalogCore,
  actionName: 'resource_create' | 'resource_patch',
  p: Prepared,
  o: UploadResourceOptions | undefined,
  action: string,
): Promise<CatalogResource> {
  const body = multipartBody(
    formFields(p.fields),
    {
      field: 'upload',
      fileName: p.fileName,
      contentType: CONTENT_TYPES[p.format] ?? 'application/octet-stream',
      source: p.source,
    },
    p.limit,
    o?.onProgress,
    action,
  );
  // A new resource is never sent twice; a replacement of the same resource may be, if the bytes can be re-read.
  const idempotent = actionName === 'resource_patch' && p.source.replayable;
  return core.action(actionName, {}, { body, idempotent, schema: resourceResultSchema, op: o });
}

/**
 * Uploads a file as a new resource of a dataset (`resource_create`, multipart field `upload`), streamed.
 */
export async function uploadResource(
  core: CatalogCore,
  datasetId: string,
  input: UploadResourceInput,
  o?: UploadResourceOptions,
): Promise<CatalogResource> {
  if (typeof datasetId !== 'string' || !/^[\w.-]{1,200}$/.test(datasetId))
    throw invalidArgument('datasetId must be a dataset id or name');
  if (typeof input?.name !== 'string' || input.name.trim() === '')
    throw invalidArgument('name is required for a new resource');
  const p = await prepare(core, input, o, 'uploadResource');
  const { version, serverSchema } = await metadataContext(core, o);
  const check = validateResource(p.fields, { version, serverSchema });
  if (!check.valid) throw offlineValidationError(check, 'uploadResource');
  p.fields = { ...p.fields, package_id: datasetId };
  return send(core, 'resource_create', p, o, 'uploadResource');
}

/** Uploads a new file for an existing resource (`resource_patch` + `upload`): other fields stay. */
export async function replaceResource(
  core: CatalogCore,
  resourceId: string,
  input: UploadResourceInput,
  o?: UploadResourceOptions,
): Promise<CatalogResource> {
  const current = await showResource(core, resourceId, o);
  const p = await prepare(core, input, o, 'replaceResource');
  guardResourcePatch(current, p.fields, o?.allowRestrictedData === true, 'replaceResource');
  // As uploadResource's check, on the resource as the patch leaves it (its own bounds on the sent fields only).
  await checkResourcePatch(core, current, p.fields, o, 'replaceResource');
  p.fields = { ...p.fields, id: current.id };
  return send(core, 'resource_patch', p, o, 'replaceResource');
}
