import type { IncomingMessage } from 'node:http';

/**
 * The switchable "Security Server" profile of the sandbox's X-Road side: faults the way a real Security
 * Server raises them (NIIS Security Server, PR-REST 1.0.3). It answers every `Server.*` fault with HTTP
 * 500 and every `Client.*` fault with 400, with `X-Road-Error: {type}`, a `{type, message, detail}` body and
 * the request's `X-Road-Id`, but no `X-Road-Request-Hash` (the request never reached a provider).
 */
export interface XRoadFault {
  /** X-Road error type, e.g. `Server.ServerProxy.NetworkError`. */
  type: string;
  /** HTTP status; default 500 for `Server.*`, 400 for anything else (as a Security Server answers). */
  status?: number;
  /** How many of the next /r1 requests get this fault (default 1). */
  times?: number;
}

/** One request as the sandbox's Security Server received it (for tests of what a client sends). */
export interface XRoadReceived {
  method: string;
  path: string;
  /** Lower-case names; the values as received. */
  headers: Record<string, string>;
}

const MAX_RECEIVED = 200;

/**
 * The X-Road Security Server side of the GDX emulator: injected `Server.*`/`Client.*` faults and the headers clients sent.
 */
export class SecurityServerProfile {
  readonly #faults: Array<{ type: string; status: number; left: number }> = [];
  readonly #received: XRoadReceived[] = [];

  /** Queues faults: each of the next /r1 requests takes the first one left, in order. */
  inject(...faults: XRoadFault[]): void {
    for (const f of faults) {
      const status = f.status ?? (f.type.startsWith('Server.') ? 500 : 400);
      this.#faults.push({ type: f.type, status, left: Math.max(1, Math.floor(f.times ?? 1)) });
    }
  }

  /** Drops the queued faults and the received log. */
  reset(): void {
    this.#faults.length = 0;
    this.#received.length = 0;
  }

  /** Faults still queued (by request). */
  get pendingFaults(): number {
    return this.#faults.reduce((n, f) => n + f.left, 0);
  }

  /** The last requests received (at most 200), oldest first. */
  received(): XRoadReceived[] {
    return this.#received.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  /** @internal Records one request. */
  record(req: IncomingMessage): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    this.#received.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers });
    if (this.#received.length > MAX_RECEIVED) this.#received.shift();
  }

  /** @internal The fault for this request, if one is queued. */
  take(): { type: string; status: number } | undefined {
    const f = this.#faults[0];
    if (!f) return undefined;
    if (--f.left === 0) this.#faults.shift();
    return { type: f.type, status: f.status };
  }
}
