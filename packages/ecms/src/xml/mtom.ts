import { ecmsError } from '../errors.js';

/**
 * MTOM/XOP answers (`multipart/related`), as a Java (JAX-WS, CXF) node sends when MTOM is switched on: the
 * SOAP envelope is the root part (`application/xop+xml`), and a base64Binary element such as
 * `MainLetterBinaryObject` may hold `<xop:Include href="cid:…"/>` instead of its content, which is then a part of
 * its own. `unpackMultipart` gives the root part back as the XML document it stands for (XOP §3.2): every Include
 * replaced by the base64 of the part it names. Anything else — no boundary, no root part, an Include naming a
 * part that is not there, too many parts — is ERR_ECMS_XML. Linear scans only; a body that is not
 * `multipart/related` is returned unchanged.
 */

const MAX_PARTS = 1_000;
/** An Include start tag longer than this is not XOP's (the href is looked for in a bounded text only). */
const MAX_INCLUDE_TAG = 2_048;

function refuse(message: string): Error {
  return ecmsError('ERR_ECMS_XML', `Malformed MTOM answer: ${message}`);
}

/** Parameters of a MIME header value (`type; a=b; c="d"`), names lower-cased. */
function mimeParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? '');
  }
  return out;
}

/** `<id@host>` or `id@host` → `id@host`. */
function bareId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t;
}

interface Part {
  headers: Map<string, string>;
  content: Buffer;
}

function parsePart(raw: Buffer): Part {
  // No header lines at all: the content starts after the empty line.
  const bare = raw[0] === 0x0d && raw[1] === 0x0a ? 2 : raw[0] === 0x0a ? 1 : 0;
  if (bare) return { headers: new Map(), content: raw.subarray(bare) };
  let end = raw.indexOf('\r\n\r\n');
  let skip = 4;
  const lf = raw.indexOf('\n\n');
  if (end === -1 || (lf !== -1 && lf < end)) {
    end = lf;
    skip = 2;
  }
  if (end === -1) throw refuse('a part without a header section');
  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let content = raw.subarray(end + skip);
  const cte = (headers.get('content-transfer-encoding') ?? 'binary').toLowerCase();
  if (cte === 'base64') content = Buffer.from(content.toString('latin1'), 'base64');
  else if (cte !== 'binary' && cte !== '8bit' && cte !== '7bit')
    throw refuse(`content transfer encoding ${JSON.stringify(cte.slice(0, 40))} is not supported`);
  return { headers, content };
}

/** The parts between the boundaries (preamble and epilogue dropped). */
function splitParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.indexOf(delimiter);
  if (at === -1 || (at > 0 && body[at - 1] !== 0x0a)) throw refuse('the boundary does not open the body');
  const parts: Part[] = [];
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf(0x0a, afterDelimiter);
    if (lineEnd === -1) throw refuse('a boundary line is not terminated');
    let next = body.indexOf(delimiter, lineEnd + 1);
    while (next !== -1 && body[next - 1] !== 0x0a) next = body.indexOf(delimiter, next + 1);
    if (next === -1) throw refuse('the closing boundary is missing');
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    const contentEnd = body[next - 2] === 0x0d ? next - 2 : next - 1;
    if (parts.length >= MAX_PARTS) throw refuse(`more than ${MAX_PARTS} parts`);
    parts.push(parsePart(body.subarray(lineEnd + 1, Math.max(lineEnd + 1, contentEnd))));
    at = next;
  }
}

/** The root part with every `Include` element replaced by the base64 content of the part it names. */
function inlineIncludes(root: Buffer, parts: Map<string, Buffer>): Buffer {
  const pieces: Buffer[] = [];
  let copied = 0;
  for (
    let at = root.indexOf('Include', 0, 'latin1');
    at !== -1;
    at = root.indexOf('Include', at + 7, 'latin1')
  ) {
    // `<Include` or `<prefix:Include`, followed by white space, `/` or `>`.
    let lt = at - 1;
    if (root[lt] === 0x3a) {
      while (lt > copied && lt > at - 64 && root[lt] !== 0x3c && root[lt] !== 0x20 && root[lt] !== 0x3e) lt--;
    }
    const after = root[at + 7];
    if (
      root[lt] !== 0x3c ||
      !(
        after === 0x20 ||
        after === 0x2f ||
        after === 0x3e ||
        after === 0x09 ||
        after === 0x0a ||
        after === 0x0d
      )
    )
      continue;
    // The tag's end is looked for within MAX_INCLUDE_TAG bytes only: a search to the end of the document from each
    // of many `<Include ` without a `>` would be quadratic.
    const window = root.subarray(at, Math.min(root.length, lt + MAX_INCLUDE_TAG + 1));
    const inWindow = window.indexOf(0x3e);
    if (inWindow === -1) {
      if (lt + MAX_INCLUDE_TAG + 1 < root.length) continue;
      throw refuse('an xop:Include tag is not closed');
    }
    const gt = at + inWindow;
    const tag = root.subarray(lt, gt + 1).toString('latin1');
    const href = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag);
    const cid = href?.[1] ?? href?.[2];
    // Only an Include that names a part is XOP's; another element of that name is left as it is.
    if (!cid?.toLowerCase().startsWith('cid:')) continue;
    let id: string;
    try {
      id = decodeURIComponent(cid.slice(4));
    } catch {
      throw refuse('an xop:Include href is not a valid cid: URL');
    }
    const content = parts.get(id);
    if (!content) throw refuse('an xop:Include refers to a part the answer does not carry');
    let end = gt + 1;
    if (root[gt - 1] !== 0x2f) {
      // `<xop:Include …></xop:Include>`: drop the end tag too.
      const close = root.indexOf('</', end, 'latin1');
      const closeGt = close === -1 ? -1 : root.indexOf(0x3e, close);
      if (
        closeGt === -1 ||
        closeGt - close > 80 ||
        !root.subarray(close, closeGt).toString('latin1').endsWith('Include')
      )
        throw refuse('an xop:Include element is not closed');
      end = closeGt + 1;
    }
    pieces.push(root.subarray(copied, lt), Buffer.from(content.toString('base64'), 'latin1'));
    copied = end;
    at = end - 7;
  }
  if (copied === 0) return root;
  pieces.push(root.subarray(copied));
  return Buffer.concat(pieces);
}

/**
 * A `multipart/related` (MTOM/XOP) answer as the XML document it carries, with the Content-Type of that
 * document (its charset kept); any other answer unchanged.
 */
export function unpackMultipart(
  body: Uint8Array,
  contentType: string | undefined,
): { body: Uint8Array; contentType: string | undefined } {
  if (!contentType || !/^\s*multipart\/related\s*(;|$)/i.test(contentType)) return { body, contentType };
  const params = mimeParams(contentType);
  const boundary = params.get('boundary');
  if (!boundary || boundary.length > 200) throw refuse('no boundary in the Content-Type');
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts = splitParts(buf, boundary);
  const start = params.get('start');
  const root =
    (start ? parts.find((p) => bareId(p.headers.get('content-id') ?? '') === bareId(start)) : parts[0]) ??
    undefined;
  if (!root) throw refuse('the root part is missing');
  const byId = new Map<string, Buffer>();
  for (const p of parts) {
    const id = p.headers.get('content-id');
    if (p !== root && id) byId.set(bareId(id), p.content);
  }
  const charset = mimeParams(root.headers.get('content-type') ?? '').get('charset');
  return {
    body: inlineIncludes(root.content, byId),
    contentType: charset ? `text/xml; charset=${charset}` : undefined,
  };
}
