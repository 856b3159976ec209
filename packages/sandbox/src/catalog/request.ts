import type { IncomingMessage } from 'node:http';
import type { ReceivedFile } from './context.js';
import { MultipartError, readMultipart } from './multipart.js';
import type { Dict } from './store.js';

/**
 * Reads an Action API request the way CKAN's `_get_request_data` does (URL parameters for GET on side-effect-free
 * actions, a JSON dict, a form, or multipart with files) behind a proxy with a body limit, as nginx's
 * client_max_body_size. Failures carry the answer CKAN or the proxy would give.
 */

export class RequestRejected extends Error {
  constructor(
    readonly status: number,
    /** A JSON string body (CKAN's "Bad request - …") or an HTML page (the proxy). */
    readonly body: string,
    readonly html: boolean,
  ) {
    super(body.slice(0, 100));
  }
}

/** nginx's page for a body over client_max_body_size. */
export const PROXY_413_PAGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Limits applied while reading a request. */
export interface RequestLimits {
  /** The proxy's body limit. */
  proxyBodyLimitBytes: number;
  keepFileBytes: number;
  /** Slow-upload fault: a pause between chunks. */
  chunkDelayInMs: number | undefined;
}

/** An action call as read from HTTP: its params and its uploaded files. */
export interface ActionRequest {
  params: Dict;
  files: Map<string, ReceivedFile>;
}

const badRequest = (detail: string) =>
  new RequestRejected(400, JSON.stringify(`Bad request - ${detail}`), false);
const tooLarge = () => new RequestRejected(413, PROXY_413_PAGE, true);

/** Counts the body as it passes and stops it at the proxy limit; optionally slowly (fault). */
async function* limited(req: IncomingMessage, limits: RequestLimits): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.proxyBodyLimitBytes) throw tooLarge();
    if (limits.chunkDelayInMs) await new Promise((r) => setTimeout(r, limits.chunkDelayInMs));
    yield chunk;
  }
}

function mixed(entries: Iterable<[string, string]>): Dict {
  const out: Dict = {};
  for (const [k, v] of entries) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Reads an action's params from the URL, a JSON dict, a form or a multipart body. */
export async function readActionRequest(
  req: IncomingMessage,
  url: URL,
  sideEffectFree: boolean,
  limits: RequestLimits,
): Promise<ActionRequest> {
  if (req.method === 'GET') {
    if (!sideEffectFree)
      throw badRequest('JSON Error: Invalid request. Please use POST method for your request');
    return { params: mixed(url.searchParams), files: new Map() };
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limits.proxyBodyLimitBytes) throw tooLarge();
  const type = req.headers['content-type'] ?? '';
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary) {
    try {
      const parts = await readMultipart(limited(req, limits), boundary, {
        maxFieldBytes: 1024 * 1024,
        keepFileBytes: limits.keepFileBytes,
      });
      return { params: parts.fields as Dict, files: parts.files };
    } catch (err) {
      if (err instanceof MultipartError) throw badRequest(`JSON Error: ${err.message}`);
      throw err;
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of limited(req, limits)) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  if (/application\/x-www-form-urlencoded/i.test(type))
    return { params: mixed(new URLSearchParams(text)), files: new Map() };
  if (text.trim() === '') return { params: {}, files: new Map() };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw badRequest(`JSON Error: Error decoding JSON data. Error: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw badRequest(
      `Bad request data: Request data JSON decoded to ${JSON.stringify(data)?.slice(0, 50)} but it needs to be a dictionary.`,
    );
  }
  return { params: data as Dict, files: new Map() };
}
