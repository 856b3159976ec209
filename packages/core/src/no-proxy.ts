// `proxy: 'env'`: the proxy environment variables, read once when the dispatcher is built, and a NO_PROXY
// matcher that knows what agencies write in it. undici's EnvHttpProxyAgent matches host names, suffixes, ports
// and a lone `*`, but not CIDR ranges (10.0.0.0/8 sent internal traffic to the corporate proxy) nor IP literals
// in their other spellings, and it sent loopback to the proxy unless listed. This dispatcher reads the same
// variables with the same precedence and routes each request by its origin, to an undici Agent (direct) or to
// the ProxyAgent for its scheme; loopback always goes direct.
//
// Only undici's types are imported here: the classes are handed in by `createDispatcher`, which loads undici on
// first use (importing @thgov/core must not load it).
import type { Agent, buildConnector, Dispatcher, ProxyAgent } from 'undici';
import { invalidArgument } from './errors.js';

/**
 * How much of NO_PROXY is read. A longer value is cut at the last separator before `maxLength` (never inside
 * an entry, whose cut spelling could name another host); entries past `maxEntries` or longer than
 * `maxEntryLength` are ignored. What is ignored goes through the proxy, as without NO_PROXY.
 */
export const NO_PROXY_LIMITS = {
  maxLength: 4 * 1024 * 1024,
  maxEntries: 200_000,
  maxEntryLength: 300,
} as const;

/** A parsed NO_PROXY list. */
export interface NoProxyList {
  /**
   * Whether NO_PROXY lists a request to `host` (a URL's host name: an IPv6 address in brackets or not) on
   * `port` (the URL's, or its scheme's default). Loopback is not implied here: see {@link isLoopbackHost}.
   */
  matches(host: string, port: number): boolean;
}

/** An entry without a port applies to every port. */
const ANY_PORT = 0;
const MAX_HOST_LENGTH = 255;
const V6_ALL = (1n << 128n) - 1n;
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

type Ports = Set<number>;
type Target =
  | { kind: 'name'; name: string }
  | { kind: 'v4'; ip: number }
  | { kind: 'v6'; ip: bigint; mapped: number | undefined };

function addPort<K>(map: Map<K, Ports>, key: K, port: number): void {
  const ports = map.get(key);
  if (ports) ports.add(port);
  else map.set(key, new Set([port]));
}

const portMatches = (ports: Ports | undefined, port: number): boolean =>
  ports !== undefined && (ports.has(ANY_PORT) || ports.has(port));

/** An IP range table: per prefix length, the networks (address with the host bits cleared) and their ports. */
class Ranges<T extends number | bigint> {
  readonly #byPrefix = new Map<number, { mask: T; networks: Map<number | string, Ports> }>();
  constructor(private readonly maskFor: (prefix: number) => T) {}

  add(ip: T, prefix: number, port: number): void {
    let table = this.#byPrefix.get(prefix);
    if (!table) {
      table = { mask: this.maskFor(prefix), networks: new Map() };
      this.#byPrefix.set(prefix, table);
    }
    addPort(table.networks, keyOf(and(ip, table.mask)), port);
  }

  /** At most one look-up per prefix length listed (33 for IPv4, 129 for IPv6), whatever the list's length. */
  matches(ip: T, port: number): boolean {
    for (const { mask, networks } of this.#byPrefix.values()) {
      if (portMatches(networks.get(keyOf(and(ip, mask))), port)) return true;
    }
    return false;
  }
}

/**
 * A network's map key. Not the BigInt itself: V8 hashes a BigInt by its low bits, which are all zero in a
 * network's address, so 25,000 IPv6 ranges in a Map took seconds (every key in one bucket).
 */
const keyOf = (network: number | bigint): number | string =>
  typeof network === 'bigint' ? network.toString(16) : network;

function and<T extends number | bigint>(a: T, b: T): T {
  return (typeof a === 'bigint' ? a & (b as bigint) : ((a as number) & (b as number)) >>> 0) as T;
}
const v4Mask = (prefix: number): number => (prefix === 0 ? 0 : (-1 << (32 - prefix)) >>> 0);
const v6Mask = (prefix: number): bigint => V6_ALL ^ ((1n << BigInt(128 - prefix)) - 1n);

class NoProxyRules implements NoProxyList {
  /** `*` (any port) and `*:port`. */
  readonly anyHost: Ports = new Set();
  /** Host names, matched as themselves and as a parent domain. */
  readonly names = new Map<string, Ports>();
  readonly v4 = new Ranges<number>(v4Mask);
  readonly v6 = new Ranges<bigint>(v6Mask);

  matches(host: string, port: number): boolean {
    if (portMatches(this.anyHost, port)) return true;
    const target = parseTargetHost(host);
    if (target === undefined) return false;
    if (target.kind === 'v4') return this.v4.matches(target.ip, port);
    if (target.kind === 'v6') {
      return (
        this.v6.matches(target.ip, port) ||
        (target.mapped !== undefined && this.v4.matches(target.mapped, port))
      );
    }
    // The name itself, then each parent domain: one look-up per label.
    const name = target.name;
    for (let at = 0; ; ) {
      if (portMatches(this.names.get(at === 0 ? name : name.slice(at)), port)) return true;
      const dot = name.indexOf('.', at);
      if (dot < 0) return false;
      at = dot + 1;
    }
  }
}

/**
 * NO_PROXY parsed once into look-up tables: entries separated by commas or white space; `*` (everything) or
 * `*:port`; a host name, `.name` or `*.name` (the name and its subdomains, letter case and a trailing dot
 * ignored, an internationalised name as its punycode); an IPv4 or IPv6 address (IPv6 with or without
 * brackets); `:port` after a name, an IPv4 address or a bracketed IPv6 address; an IPv4 or IPv6 CIDR range
 * (`10.0.0.0/8`, `fd00::/8`; an IPv4-mapped target `::ffff:10.1.2.3` is in `10.0.0.0/8`). An IP address target
 * is matched by address and range entries only, never as a name suffix. A malformed entry is ignored.
 *
 * @example
 * ```ts
 * parseNoProxy('.go.th,10.0.0.0/8').matches('10.1.2.3', 443); // true
 * ```
 */
export function parseNoProxy(value: string): NoProxyList {
  const rules = new NoProxyRules();
  let count = 0;
  for (const entry of bounded(value).split(/[,\s]/)) {
    if (!entry) continue;
    if (++count > NO_PROXY_LIMITS.maxEntries) break;
    if (entry.length <= NO_PROXY_LIMITS.maxEntryLength) addEntry(rules, entry.toLowerCase());
  }
  return rules;
}

const isSeparator = (c: string): boolean => c === ',' || /\s/.test(c);

/** `value` up to {@link NO_PROXY_LIMITS}' length, cut at a separator. */
function bounded(value: string): string {
  const max = NO_PROXY_LIMITS.maxLength;
  if (value.length <= max) return value;
  // The character right after the limit counts: a separator there means the last entry is whole.
  for (let i = max; i >= 0; i--) if (isSeparator(value.charAt(i))) return value.slice(0, i);
  return '';
}

function addEntry(rules: NoProxyRules, entry: string): void {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    addRange(rules, entry.slice(0, slash), entry.slice(slash + 1));
    return;
  }
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    const ip = close < 0 ? undefined : parseIPv6(entry.slice(1, close));
    const rest = close < 0 ? '' : entry.slice(close + 1);
    const port = rest === '' ? ANY_PORT : rest.startsWith(':') ? parsePort(rest.slice(1)) : undefined;
    if (ip !== undefined && port !== undefined) addV6(rules, ip, 128, port);
    return;
  }
  const colon = entry.indexOf(':');
  if (colon >= 0 && colon !== entry.lastIndexOf(':')) {
    const ip = parseIPv6(entry);
    if (ip !== undefined) addV6(rules, ip, 128, ANY_PORT);
    return;
  }
  const port = colon < 0 ? ANY_PORT : parsePort(entry.slice(colon + 1));
  if (port === undefined) return;
  const host = colon < 0 ? entry : entry.slice(0, colon);
  if (host === '*') {
    rules.anyHost.add(port);
    return;
  }
  const bare = withoutTrailingDot(
    host.startsWith('*.') ? host.slice(2) : host.startsWith('.') ? host.slice(1) : host,
  );
  const ip = parseIPv4(bare);
  if (ip !== undefined) {
    rules.v4.add(ip, 32, port);
    return;
  }
  const name = normaliseName(bare);
  if (name !== undefined) addPort(rules.names, name, port);
}

function addRange(rules: NoProxyRules, address: string, length: string): void {
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(length)) return;
  const prefix = Number(length);
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = bare === address ? parseIPv4(bare) : undefined;
  if (v4 !== undefined) {
    if (prefix <= 32) rules.v4.add(v4, prefix, ANY_PORT);
    return;
  }
  const v6 = parseIPv6(bare);
  if (v6 !== undefined && prefix <= 128) addV6(rules, v6, prefix, ANY_PORT);
}

/** An IPv6 range, and the IPv4 range it stands for when it lies in ::ffff:0:0/96 (IPv4-mapped). */
function addV6(rules: NoProxyRules, ip: bigint, prefix: number, port: number): void {
  rules.v6.add(ip, prefix, port);
  if (prefix >= 96 && ip >> 32n === 0xffffn) rules.v4.add(Number(ip & 0xffffffffn), prefix - 96, port);
}

function parsePort(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65_535 ? port : undefined;
}

const withoutTrailingDot = (host: string): string => (host.endsWith('.') ? host.slice(0, -1) : host);

/** Four decimal parts, 0 to 255, without leading zeros (which some parsers read as octal): a 32-bit number. */
function parseIPv4(text: string): number | undefined {
  if (text.length > 15) return undefined;
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let ip = 0;
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    ip = ip * 256 + Number(part);
  }
  return ip;
}

/** An IPv6 address (with `::`, an IPv4 tail, no zone) as a 128-bit number. */
function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = hextets(halves[0] ?? '', !compressed);
  const tail = compressed ? hextets(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  let ip = 0n;
  for (const word of [...head, ...new Array<number>(missing).fill(0), ...tail])
    ip = (ip << 16n) | BigInt(word);
  return ip;
}

/** The 16-bit words of `a:b:c` (empty: none); an IPv4 tail is two words when `v4Tail` allows it. */
function hextets(text: string, v4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (/^[0-9a-f]{1,4}$/.test(part)) {
      words.push(Number.parseInt(part, 16));
      continue;
    }
    const v4 = v4Tail && i === parts.length - 1 ? parseIPv4(part) : undefined;
    if (v4 === undefined) return undefined;
    words.push(v4 >>> 16, v4 & 0xffff);
  }
  return words;
}

const LABEL = /^[a-z0-9_-]{1,63}$/;
const NAME_CHARACTERS = /^[a-z0-9_.\u0080-\uffff-]+$/;
const NON_ASCII = /[\u0080-\uffff]/;
/** A last label a URL would read as a number: the host is then an IPv4 address, never a name. */
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/;

/**
 * A host name as a URL carries it (ASCII, punycode for an internationalised one, at most 253 characters in
 * labels of 1 to 63 letters, digits, `-` or `_`), or undefined.
 */
function normaliseName(host: string): string | undefined {
  if (host.length === 0 || host.length > 253 || !NAME_CHARACTERS.test(host)) return undefined;
  let ascii = host;
  if (NON_ASCII.test(host)) {
    try {
      ascii = new URL(`http://${host}/`).hostname;
    } catch {
      return undefined;
    }
  }
  const labels = ascii.split('.');
  if (ascii.length > 253 || NUMERIC_LABEL.test(labels.at(-1) ?? '')) return undefined;
  return labels.every((label) => LABEL.test(label)) ? ascii : undefined;
}

/** A request's host: an IP address (IPv6 in brackets or not), or a lower-case name without a trailing dot. */
function parseTargetHost(host: string): Target | undefined {
  if (host.length > MAX_HOST_LENGTH) return undefined;
  const h = host.toLowerCase();
  if (h.startsWith('[') || h.includes(':')) {
    const ip = parseIPv6(h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);
    if (ip === undefined) return undefined;
    return { kind: 'v6', ip, mapped: ip >> 32n === 0xffffn ? Number(ip & 0xffffffffn) : undefined };
  }
  const name = withoutTrailingDot(h);
  const ip = parseIPv4(name);
  return ip === undefined ? { kind: 'name', name } : { kind: 'v4', ip };
}

/**
 * Whether `host` (a URL's host name) is this machine: `localhost` and `*.localhost`, 127.0.0.0/8, `::1` and
 * IPv4-mapped 127.x. Such requests never go through a proxy.
 *
 * @example
 * ```ts
 * isLoopbackHost('[::1]'); // true
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const target = parseTargetHost(host);
  if (target === undefined) return false;
  if (target.kind === 'name') return target.name === 'localhost' || target.name.endsWith('.localhost');
  if (target.kind === 'v6' && target.ip === 1n) return true;
  const v4 = target.kind === 'v4' ? target.ip : target.mapped;
  return v4 !== undefined && v4 >>> 24 === 127;
}

/** The proxy variables, as undici reads them: lower case first (even when empty), then upper case. */
export interface ProxyEnv {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string;
}

/**
 * The proxy settings in `env`, with undici's precedence: `http_proxy ?? HTTP_PROXY`, `https_proxy ?? HTTPS_PROXY`,
 * `no_proxy ?? NO_PROXY` (so an empty lower-case variable turns its upper-case one off). Empty means none.
 *
 * @example
 * ```ts
 * readProxyEnv({ HTTPS_PROXY: 'http://proxy.agency.go.th:3128' }).httpsProxy;
 * ```
 */
export function readProxyEnv(env: Readonly<Record<string, string | undefined>>): ProxyEnv {
  return {
    httpProxy: (env.http_proxy ?? env.HTTP_PROXY) || undefined,
    httpsProxy: (env.https_proxy ?? env.HTTPS_PROXY) || undefined,
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  };
}

/** Where {@link EnvProxyDispatcher} sends a request. */
export type ProxyRoute = 'direct' | 'http-proxy' | 'https-proxy';

/** The dispatcher `createDispatcher` builds for `proxy: 'env'`. */
export interface EnvProxyDispatcher extends Dispatcher {
  /** Where a request to `origin` goes (for tests and diagnostics); an origin that is not a URL: direct. */
  route(origin: string | URL): ProxyRoute;
  readonly closed: boolean;
  readonly destroyed: boolean;
}

/** What {@link createEnvProxyDispatcher} builds its agents with. */
export interface EnvProxyOptions {
  /** The options of every agent: the direct one and each proxy's (towards the proxy). */
  agent: Agent.Options;
  /** TLS options of the platform's connection, inside a proxy's tunnel. */
  requestTls: buildConnector.BuildOptions;
  /** Options of each proxy's tunnel (its client towards the proxy, the proxy's TLS); undici's defaults without. */
  tunnel?: Pick<ProxyAgent.Options, 'clientFactory' | 'proxyTls'>;
}

/** undici's classes, handed in by the caller that loaded undici. */
export type UndiciClasses = {
  Agent: typeof Agent;
  ProxyAgent: typeof ProxyAgent;
  Dispatcher: typeof Dispatcher;
};

/** The agents and the rules that pick one per request. */
class Routes {
  constructor(
    readonly noProxy: NoProxyList,
    readonly direct: Dispatcher,
    readonly http: Dispatcher | undefined,
    readonly https: Dispatcher | undefined,
  ) {}

  route(origin: string | URL | undefined): ProxyRoute {
    let url: URL;
    try {
      url = origin instanceof URL ? origin : new URL(String(origin));
    } catch {
      return 'direct'; // undici's Agent rejects it, with its own error
    }
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
    if (isLoopbackHost(url.hostname) || this.noProxy.matches(url.hostname, port)) return 'direct';
    if (url.protocol !== 'https:') return this.http ? 'http-proxy' : 'direct';
    if (!this.https) return 'direct';
    return this.https === this.http ? 'http-proxy' : 'https-proxy';
  }

  pick(origin: string | URL | undefined): Dispatcher {
    const route = this.route(origin);
    return (
      (route === 'direct' ? this.direct : route === 'http-proxy' ? this.http : this.https) ?? this.direct
    );
  }

  /** Every agent once (the HTTPS route may be the HTTP one, or none). */
  all(): Dispatcher[] {
    return [...new Set([this.direct, this.http, this.https])].filter((d) => d !== undefined);
  }
}

/**
 * The `proxy: 'env'` dispatcher: reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY once (see {@link readProxyEnv}),
 * builds a direct Agent and a ProxyAgent per proxy, and routes each request by its origin: loopback and what
 * NO_PROXY lists ({@link parseNoProxy}) direct, https through HTTPS_PROXY (else HTTP_PROXY), http through
 * HTTP_PROXY, direct when the variable is unset. `close()` and `destroy()` reach every agent.
 *
 * @example
 * ```ts
 * const d = createEnvProxyDispatcher(undici, { agent: { connect: { timeout: 10_000 } }, requestTls: {} });
 * ```
 */
export function createEnvProxyDispatcher(
  undici: UndiciClasses,
  options: EnvProxyOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvProxyDispatcher {
  const { httpProxy, httpsProxy, noProxy } = readProxyEnv(env);
  const noProxyList = noProxyListOf(noProxy);
  const proxyAgent = (uri: string, name: string) =>
    new undici.ProxyAgent({
      ...options.agent,
      ...options.tunnel,
      uri: checkedProxyUri(uri, name),
      requestTls: options.requestTls,
    });
  const direct = new undici.Agent(options.agent);
  const http = httpProxy ? proxyAgent(httpProxy, 'HTTP_PROXY (or http_proxy)') : undefined;
  const https = httpsProxy ? proxyAgent(httpsProxy, 'HTTPS_PROXY (or https_proxy)') : http;
  return new (envProxyClass(undici.Dispatcher))(new Routes(noProxyList, direct, http, https));
}

/**
 * `uri` when it is an http(s) URL. Node's own error for one that is not keeps the raw value (credentials
 * included) in its `input` property, which a logged error would print: this one names the variable only.
 */
function checkedProxyUri(uri: string, name: string): string {
  const protocol = URL.canParse(uri) ? new URL(uri).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:')
    throw invalidArgument(
      `${name} is not an http:// or https:// URL; its value is not shown (it may hold a password)`,
    );
  return uri;
}

/** The last NO_PROXY parsed: every client of a process builds its own dispatcher from the same value. */
let lastParsed: { value: string; list: NoProxyList } | undefined;

function noProxyListOf(value: string): NoProxyList {
  if (lastParsed?.value !== value) lastParsed = { value, list: parseNoProxy(value) };
  return lastParsed.list;
}

/**
 * The proxy URL a `proxy: 'env'` client sends a request for `url` through, or undefined when it goes direct: the
 * same rules as {@link createEnvProxyDispatcher}, for tools that must agree with it (`thgov doctor`).
 *
 * @example
 * ```ts
 * envProxyFor(new URL('https://10.1.2.3/'), { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '10.0.0.0/8' }); // undefined
 * ```
 */
export function envProxyFor(
  url: URL,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const { httpProxy, httpsProxy, noProxy } = readProxyEnv(env);
  const proxy = url.protocol === 'https:' ? (httpsProxy ?? httpProxy) : httpProxy;
  if (!proxy) return undefined;
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  if (isLoopbackHost(url.hostname) || noProxyListOf(noProxy).matches(url.hostname, port)) return undefined;
  return proxy;
}

type EnvProxyClass = new (routes: Routes) => EnvProxyDispatcher;
const classes = new WeakMap<typeof Dispatcher, EnvProxyClass>();

/**
 * The dispatcher class, made on first use from undici's `Dispatcher` (which gives it `request`, `compose` and
 * the rest). Plain properties, not #private fields: `compose` wraps it in a Proxy that `close()` is called on.
 */
function envProxyClass(Base: typeof Dispatcher): EnvProxyClass {
  const made = classes.get(Base);
  if (made) return made;
  class EnvProxyAgent extends Base implements EnvProxyDispatcher {
    private closing: Promise<void> | undefined;
    private destroying: Promise<void> | undefined;
    constructor(private readonly routes: Routes) {
      super();
    }
    get closed(): boolean {
      return this.closing !== undefined || this.destroying !== undefined;
    }
    get destroyed(): boolean {
      return this.destroying !== undefined;
    }
    route(origin: string | URL): ProxyRoute {
      return this.routes.route(origin);
    }
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return this.routes.pick(options.origin).dispatch(options, handler);
    }
    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
      this.closing ??= this.destroying ?? Promise.all(this.routes.all().map((d) => d.close())).then(() => {});
      return settle(this.closing, callback);
    }
    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
      const err = typeof a === 'function' ? null : (a ?? null);
      this.destroying ??= Promise.all(this.routes.all().map((d) => d.destroy(err))).then(() => {});
      return settle(this.destroying, typeof a === 'function' ? a : b);
    }
  }
  classes.set(Base, EnvProxyAgent);
  return EnvProxyAgent;
}

function settle(done: Promise<void>, callback: (() => void) | undefined): Promise<void> | void {
  if (!callback) return done;
  done.then(
    () => callback(),
    () => callback(),
  );
}
