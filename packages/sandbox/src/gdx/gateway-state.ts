import { FaultInjector } from '../faults.js';
import type { Population } from '../people.js';
import { createConsumers, type GdxConsumer } from './consumers.js';
import type { GdxGatewayOptions, GdxQuirks, OfficerSessionState } from './gateway.js';
import { PaymentLedger, paymentRoutes } from './payment.js';
import { ROUTES, type Route } from './routes.js';
import { SecurityServerProfile } from './security-server.js';
import { GdxTokenStore } from './tokens.js';
import { GdxUsageLog } from './usage-log.js';
import { throttledFault } from './wso2.js';
import { defaultXRoadSettings, type XRoadSettings } from './xroad.js';

/** What the gateway's GDX and X-Road sides share: registrations, tokens, officer sessions, faults and quirks. */
export class GatewayState {
  readonly population: Population;
  readonly consumers: GdxConsumer[];
  readonly byKey: Map<string, GdxConsumer>;
  readonly tokens: GdxTokenStore;
  readonly usage = new GdxUsageLog();
  readonly faults: FaultInjector;
  readonly quirks: GdxQuirks;
  readonly xroad: XRoadSettings;
  readonly securityServer = new SecurityServerProfile();
  readonly sessions: Map<string, OfficerSessionState>;
  /** DGA e-Payment ledgers and the routes over them (per gateway: each sandbox has its own payments). */
  readonly payments = new PaymentLedger();
  readonly paymentRoutes: Record<string, Route> = paymentRoutes(this.payments);
  readonly #defaultSession: OfficerSessionState;

  constructor(options: GdxGatewayOptions) {
    const seed = options.seed ?? 2026;
    this.population = options.population;
    this.consumers = createConsumers(seed, options.consumers);
    this.byKey = new Map(this.consumers.map((c) => [c.consumerKey, c]));
    this.tokens = new GdxTokenStore(
      options.tokenIdleTimeoutInMs ?? 60 * 60 * 1000,
      Date.now,
      options.tokenMaxLifetimeInMs,
    );
    this.quirks = {
      resultKey: 'Result',
      corruptPdfHash: false,
      gatewayFaultFormat: 'xml',
      unroutedPathFault: true,
      ...options.quirks,
    };
    // Throttling on /ws is the gateway's (WSO2) own answer, in the format of its other faults.
    this.faults = new FaultInjector(options.faults ?? { seed, rules: [] }, {
      rateLimited: (retryAt, path) =>
        path.startsWith('/r1/') ? undefined : throttledFault(this.quirks.gatewayFaultFormat, retryAt),
    });
    this.xroad = { ...defaultXRoadSettings(options.xroad?.instance), ...options.xroad };
    this.#defaultSession = options.defaultSessionState ?? 'AgentNotAvailable';
    // By default the first two people are officers with a DOPA session.
    const officers =
      options.officerSessions ??
      Object.fromEntries(
        this.population.people.slice(0, 2).map((p) => [p.citizenId, 'AgentAvailable' as const]),
      );
    this.sessions = new Map<string, OfficerSessionState>(Object.entries(officers));
  }

  /** The GDX route of a path: a fixture service or an e-Payment operation. */
  route(path: string): Route | undefined {
    return Object.hasOwn(ROUTES, path)
      ? ROUTES[path]
      : Object.hasOwn(this.paymentRoutes, path)
        ? this.paymentRoutes[path]
        : undefined;
  }

  /** The DOPA session state of an AgentID (an unknown one has the default state). */
  sessionOf(agentId: string | undefined): OfficerSessionState {
    return agentId ? (this.sessions.get(agentId) ?? this.#defaultSession) : this.#defaultSession;
  }
}
