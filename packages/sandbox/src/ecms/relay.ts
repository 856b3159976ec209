import { request as httpRequest } from 'node:http';
import { listen, readBody } from '../http-server.js';
import { ECMS_ENDPOINT_PATH } from './network.js';

/** What a relay hook knows of the request it is relaying. */
export interface SoapRelayContext {
  /** Local name of the request's body element (`CorrespondenceLetterInboundRequest`, …), when readable. */
  requestElement: string | undefined;
}

/** Options of `startSoapRelay`: the node to relay to and the hooks that rewrite requests and answers. */
export interface SoapRelayOptions {
  /** The node endpoint requests are relayed to (`EcmsNodeHandle.url`). */
  target: string;
  /**
   * Rewrites each answer before it reaches the client: what a man in the middle, a compromised peer node or
   * a hostile sender's crafted item does to the envelope. Return the text unchanged to pass it through.
   */
  rewriteResponse?: (body: string, context: SoapRelayContext) => string;
  /** Largest request relayed. Default 128 MiB. */
  maxRequestBytes?: number;
  host?: string;
}

/** A SOAP relay in front of an e-CMS node that lets a test rewrite or cut requests and answers. */
export interface SoapRelay {
  /** The relay's endpoint: use it as the client's `nodeUrl`. */
  url: string;
  /** Answers relayed, and how many of them `rewriteResponse` changed. */
  counters(): { relayed: number; rewritten: number };
  close(): Promise<void>;
}

const BODY_CHILD = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)/;

function forward(
  target: URL,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            type: String(res.headers['content-type'] ?? 'text/xml; charset=utf-8'),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An HTTP relay in front of an e-CMS node, on 127.0.0.1: requests pass through unchanged, answers may be
 * rewritten. For attack tests (signature wrapping, poison items) through the real client and inbox worker:
 * the node stays honest, only what arrives at the client changes.
 *
 * @example
 * ```ts
 * const relay = await startSoapRelay({
 *   target: network.node(receiverId).url,
 *   rewriteResponse: (xml, { requestElement }) =>
 *     requestElement === 'CorrespondenceLetterInboundRequest' ? tamper(xml) : xml,
 * });
 * const client = new EcmsClient({ nodeUrl: relay.url, organizationId: receiverId });
 * ```
 */
export async function startSoapRelay(options: SoapRelayOptions): Promise<SoapRelay> {
  const target = new URL(options.target);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost' && target.hostname !== '[::1]') {
    throw new RangeError('the relay only forwards to a local sandbox node');
  }
  let relayed = 0;
  let rewritten = 0;
  const server = await listen(
    async (req, res) => {
      const body = await readBody(req, options.maxRequestBytes ?? 128 * 1024 * 1024);
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'soapaction', 'x-request-id']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const answer = await forward(target, body, headers);
      const context = { requestElement: BODY_CHILD.exec(body.toString('utf8'))?.[1] };
      const text = options.rewriteResponse ? options.rewriteResponse(answer.text, context) : answer.text;
      relayed++;
      if (text !== answer.text) rewritten++;
      const out = Buffer.from(text, 'utf8');
      res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(out.length) });
      res.end(out);
    },
    { host: options.host },
  );
  return {
    url: `${server.url}${ECMS_ENDPOINT_PATH}`,
    counters: () => ({ relayed, rewritten }),
    close: () => server.close(),
  };
}
