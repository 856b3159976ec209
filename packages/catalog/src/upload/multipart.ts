import { randomBytes } from 'node:crypto';
import type { StreamRequestBody } from '@thgov/core';
import { CatalogError } from '../errors.js';
import type { UploadSource } from './source.js';

/** Progress of one upload. `bytesSent` counts file bytes handed to the socket. */
export interface UploadProgress {
  phase: 'upload';
  bytesSent: number;
  /** Undefined for a stream of unknown length. */
  totalBytes: number | undefined;
}

/** The file part of an upload. */
export interface MultipartFile {
  /** CKAN's upload field is `upload`. */
  field: string;
  fileName: string;
  contentType: string;
  source: UploadSource;
}

const CRLF = '\r\n';
const PROGRESS_EVERY = 1024 * 1024;

function quoteParam(v: string): string {
  return v.replace(/["\\\r\n]/g, (c) => (c === '"' ? '%22' : c === '\\' ? '\\\\' : ' '));
}

/**
 * A multipart/form-data body built as a stream: the text fields, then the file read chunk by chunk, then the
 * closing boundary. Content-Length is computed when the file size is known (proxies refuse or buffer chunked
 * uploads). The limit is enforced while streaming, so a stream that lied about its size stops at the limit.
 */
export function multipartBody(
  fields: Array<[string, string]>,
  file: MultipartFile,
  limitBytes: number,
  onProgress: ((p: UploadProgress) => void) | undefined,
  action: string,
): StreamRequestBody {
  const boundary = `----thgov${randomBytes(16).toString('hex')}`;
  let head = '';
  for (const [name, value] of fields) {
    head += `--${boundary}${CRLF}Content-Disposition: form-data; name="${quoteParam(name)}"${CRLF}${CRLF}${value}${CRLF}`;
  }
  head +=
    `--${boundary}${CRLF}Content-Disposition: form-data; name="${quoteParam(file.field)}"; ` +
    `filename="${quoteParam(file.fileName)}"${CRLF}Content-Type: ${file.contentType}${CRLF}${CRLF}`;
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'utf8');
  const total = file.source.size;
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield headBytes;
    let sent = 0;
    let reported = 0;
    for await (const chunk of file.source.open()) {
      sent += chunk.byteLength;
      if (sent > limitBytes) {
        throw new CatalogError(
          'ERR_CATALOG_TOO_LARGE',
          `${action}: the upload passed the limit of ${limitBytes} bytes`,
          {
            action,
            hint: 'Raise maxUploadBytes only if the catalog accepts larger files (Thai deployments: 100 MB).',
          },
        );
      }
      if (total !== undefined && sent > total) {
        // Content-Length is already on the wire: more bytes would corrupt the request.
        throw new CatalogError(
          'ERR_CATALOG_TOO_LARGE',
          `${action}: the stream is longer than its declared size (${total} bytes)`,
          {
            action,
          },
        );
      }
      yield chunk;
      if (onProgress && sent - reported >= PROGRESS_EVERY) {
        reported = sent;
        onProgress({ phase: 'upload', bytesSent: sent, totalBytes: total });
      }
    }
    onProgress?.({ phase: 'upload', bytesSent: sent, totalBytes: total ?? sent });
    yield tailBytes;
  }
  return {
    stream,
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: total === undefined ? undefined : headBytes.length + total + tailBytes.length,
  };
}
