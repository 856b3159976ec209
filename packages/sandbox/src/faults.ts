import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRandom, type Random } from './random.js';

/**
 * Fault injection, seeded so a failing run can be replayed. Rules are matched by path prefix (or a
 * RegExp); the first matching rule decides. Probabilities are evaluated per request in this order:
 * reset, WAF 403, 503, 429; latency and slow bodies apply to whatever answer is sent.
 */
export interface FaultRule {
  /** Path prefix ("/ws/dopa") or RegExp tested against the path; omitted = every route. */
  route?: string | RegExp;
  /** Extra latency before answering, uniformly drawn from [min, max] ms. */
  latencyInMs?: [number, number];
  /** Probability of answering 503 Service Unavailable. */
  unavailable?: number;
  /** Probability of answering 429 with a Retry-After header. */
  rateLimited?: number;
  /** Retry-After value sent with 429 (seconds); default 1. */
  retryAfterSeconds?: number;
  /** Send Retry-After as an HTTP date instead of seconds. */
  retryAfterAsDate?: boolean;
  /** Probability of destroying the socket after the status line and part of the body. */
  reset?: number;
  /** Send the body in small chunks this many ms apart (a slow upstream). */
  slowBodyChunkDelayInMs?: number;
  /** Probability that a presented token is treated as expired (GDX answers token not found). */
  expireToken?: number;
  /** Probability of a web application firewall's HTML 403 page instead of the platform's answer. */
  wafBlock?: number;
  /** Probability that a concurrent edit wins first (the catalog answers its 409 for a stale `match`). */
  editConflict?: number;
  /** Read request bodies slowly: this many ms between chunks (a slow upload link). */
  slowUploadChunkDelayInMs?: number;
}

/** The faults to inject: a seed and rules per route (probabilities of latency, statuses and resets). */
export interface FaultProfile {
  seed?: number;
  rules: FaultRule[];
}

/** A platform's own body for a fault the injector answers (content type and text). */
export interface FaultBody {
  contentType: string;
  body: string;
}

/**
 * The bodies a platform's front (its API gateway) writes for injected faults, where it has its own; the
 * injector's plain-text bodies otherwise.
 */
export interface FaultAnswers {
  /**
   * The 429 body for a request path; `retryAt` is when the caller may call again (what Retry-After says).
   * Undefined: the injector's plain text.
   */
  rateLimited?: (retryAt: Date, path: string) => FaultBody | undefined;
}

/** What the fault injector decided for one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'unavailable' }
  | { kind: 'rateLimited'; retryAfter: string };

/** How many requests a `FaultInjector` saw, and how many it delayed, failed or reset. */
export interface FaultCounters {
  requests: number;
  resets: number;
  unavailable: number;
  rateLimited: number;
  expiredTokens: number;
  delayed: number;
  wafBlocks: number;
  editConflicts: number;
}

/**
 * Injects seeded HTTP faults (latency, error statuses, resets, expired tokens) into a sandbox server, per route; switchable at run time.
 */
export class FaultInjector {
  #random: Random;
  #rules: FaultRule[];
  readonly counters: FaultCounters = {
    requests: 0,
    resets: 0,
    unavailable: 0,
    rateLimited: 0,
    expiredTokens: 0,
    delayed: 0,
    wafBlocks: 0,
    editConflicts: 0,
  };

  readonly #answers: FaultAnswers;

  /**
   * @param profile - The seed and rules.
   * @param answers - The platform's own bodies for injected faults (kept across `setProfile`).
   */
  constructor(profile: FaultProfile = { rules: [] }, answers: FaultAnswers = {}) {
    this.#random = createRandom(profile.seed ?? 1);
    this.#rules = profile.rules;
    this.#answers = answers;
  }

  /** Replace the rules at run time (tests switch faults on and off between phases). */
  setProfile(profile: FaultProfile): void {
    this.#rules = profile.rules;
    if (profile.seed !== undefined) this.#random = createRandom(profile.seed);
  }

  ruleFor(path: string): FaultRule | undefined {
    return this.#rules.find((r) =>
      r.route === undefined
        ? true
        : typeof r.route === 'string'
          ? path.startsWith(r.route)
          : r.route.test(path),
    );
  }

  /** True when this request's token should be treated as expired. */
  tokenExpired(path: string): boolean {
    const rule = this.ruleFor(path);
    if (rule?.expireToken && this.#random.chance(rule.expireToken)) {
      this.counters.expiredTokens++;
      return true;
    }
    return false;
  }

  /** True when this write should lose a race against another editor (the route answers its own 409). */
  editConflict(path: string): boolean {
    const rule = this.ruleFor(path);
    if (rule?.editConflict && this.#random.chance(rule.editConflict)) {
      this.counters.editConflicts++;
      return true;
    }
    return false;
  }

  /** Delay between request-body chunks for this path, if uploads are to be slow. */
  uploadChunkDelayInMs(path: string): number | undefined {
    return this.ruleFor(path)?.slowUploadChunkDelayInMs;
  }

  /**
   * Applies latency and decides the fault for this request. When it returns true the response has been
   * dealt with (503/429 sent, or the socket destroyed) and the route must not answer.
   */
  async intercept(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    this.counters.requests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rule = this.ruleFor(path);
    if (!rule) return false;
    if (rule.latencyInMs) {
      const [min, max] = rule.latencyInMs;
      const wait = min + this.#random.next() * (max - min);
      if (wait > 0) {
        this.counters.delayed++;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (rule.reset && this.#random.chance(rule.reset)) {
      this.counters.resets++;
      resetResponses.add(res);
      // Status line and a few body bytes, then a hard close: the client sees a truncated response.
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': '1000' });
      res.write('{"Res');
      setImmediate(() => res.socket?.destroy());
      return true;
    }
    if (rule.wafBlock && this.#random.chance(rule.wafBlock)) {
      this.counters.wafBlocks++;
      res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(WAF_PAGE);
      return true;
    }
    if (rule.unavailable && this.#random.chance(rule.unavailable)) {
      this.counters.unavailable++;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Service Unavailable');
      return true;
    }
    if (rule.rateLimited && this.#random.chance(rule.rateLimited)) {
      this.counters.rateLimited++;
      this.#sendRateLimited(res, rule, path);
      return true;
    }
    if (rule.slowBodyChunkDelayInMs) slowDown(res, rule.slowBodyChunkDelayInMs);
    return false;
  }

  /** 429 with Retry-After (seconds, or an HTTP date), in the platform's own body when it has one. */
  #sendRateLimited(res: ServerResponse, rule: FaultRule, path: string): void {
    const seconds = rule.retryAfterSeconds ?? 1;
    const retryAt = new Date(Date.now() + seconds * 1000);
    const retryAfter = rule.retryAfterAsDate ? retryAt.toUTCString() : String(seconds);
    const answer = this.#answers.rateLimited?.(retryAt, path) ?? {
      contentType: 'text/plain; charset=utf-8',
      body: 'Too Many Requests',
    };
    res.writeHead(429, {
      'content-type': answer.contentType,
      'content-length': String(Buffer.byteLength(answer.body)),
      'retry-after': retryAfter,
    });
    res.end(answer.body);
  }
}

/** Responses the injector cut with a reset (a server's usage log records them as status 0). */
const resetResponses = new WeakSet<ServerResponse>();

/** True when the fault injector cut this response with a reset rather than answering it. */
export function wasReset(res: ServerResponse): boolean {
  return resetResponses.has(res);
}

/** What an F5-style web application firewall answers when it rejects a request. */
const WAF_PAGE =
  '<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. ' +
  'Please consult with your administrator.<br><br>Your support ID is: 14650348923152938741' +
  "<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>";

/** Makes res.end() dribble the body out in 64-byte chunks. */
function slowDown(res: ServerResponse, delayInMs: number): void {
  const originalEnd = res.end.bind(res);
  const originalWrite = res.write.bind(res);
  (res as { end: unknown }).end = (chunk?: unknown) => {
    const buf =
      chunk === undefined || typeof chunk === 'function' ? Buffer.alloc(0) : Buffer.from(chunk as string);
    let offset = 0;
    const step = () => {
      if (res.destroyed) return;
      if (offset >= buf.length) {
        originalEnd();
        return;
      }
      originalWrite(buf.subarray(offset, offset + 64));
      offset += 64;
      setTimeout(step, delayInMs);
    };
    step();
    return res;
  };
}
