import type { IncomingMessage, ServerResponse } from 'node:http';
import { wasReset } from '../faults.js';
import { readBody, sendJson, sendText } from '../http-server.js';
import type { GatewayState } from './gateway-state.js';
import type { Reply } from './routes.js';

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body up to 1 MiB; answers 413 itself and returns undefined beyond that. */
export async function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Buffer | undefined> {
  try {
    return await readBody(req, 1024 * 1024);
  } catch {
    sendText(res, 413, 'Payload Too Large', { connection: 'close' });
    return undefined;
  }
}

export function writeReply(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (reply.json !== undefined) sendJson(res, reply.status, reply.json, headers);
  else sendText(res, reply.status, reply.text ?? '', headers);
}

/** Runs the fault injector; true when it answered (or cut) the request itself (a reset is logged as status 0). */
export async function faulted(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  log: (status: number) => void,
): Promise<boolean> {
  if (!(await state.faults.intercept(req, res))) return false;
  // Asked of this response, not read off the shared counters: other requests are reset while this one waits.
  log(wasReset(res) ? 0 : res.statusCode);
  return true;
}
