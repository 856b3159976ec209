import type { FaultInjector, FaultProfile } from '../faults.js';
import { listen } from '../http-server.js';
import type { Population } from '../people.js';
import type { GdxConsumer, GdxConsumerSpec } from './consumers.js';
import { GatewayState } from './gateway-state.js';
import { handleGdx } from './gdx-side.js';
import type { PaymentLedger } from './payment.js';
import type { SecurityServerProfile } from './security-server.js';
import type { GdxTokenStore } from './tokens.js';
import type { GdxUsageLog } from './usage-log.js';
import type { GatewayFaultFormat } from './wso2.js';
import type { XRoadSettings } from './xroad.js';
import { handleXRoad } from './xroad-side.js';
/** An officer's DOPA session at the GDX emulator. */
export type OfficerSessionState = 'AgentNotAvailable' | 'AgentAvailable' | 'CitizenAvailable';

/** Behaviours seen on the real gateway that a client must cope with; switchable at run time. */
export interface GdxQuirks {
  /** Key of the validate and laser-check answers: DGA's docs show both `Result` and `result`. */
  resultKey: 'Result' | 'result';
  /** Declare a wrong SHA-256 in the DBD PDF answer (to test the client's integrity check). */
  corruptPdfHash: boolean;
  /**
   * How the gateway (WSO2 API Manager) writes its own 404 "No matching resource found for given API Request" and
   * 405 "Method not allowed for given API resource": its `<am:fault>` XML (default) or the JSON twin.
   */
  gatewayFaultFormat: GatewayFaultFormat;
  /**
   * Answer a path routed to no resource as the real gateway does: WSO2's 404 "No matching resource found for
   * given API Request", before any credential check. Default true. Turn it off only to let a made-up path stand
   * in for a provider's REST resource: it then passes the Consumer-Key and token checks and gets the provider's
   * bare "Not Found" (which a client cannot tell from "no such data").
   */
  unroutedPathFault: boolean;
}

/** Options of `startGdxGateway`: the population, consumers, token lifetime, faults, officer sessions and quirks. */
export interface GdxGatewayOptions {
  population: Population;
  /** Seed for credentials (and faults unless the fault profile has its own). */
  seed?: number;
  host?: string;
  /** Fixed port; default ephemeral. */
  port?: number;
  consumers?: GdxConsumerSpec[];
  /** Idle lifetime of a token (GDX: 60 minutes). Tests use a few hundred ms. */
  tokenIdleTimeoutInMs?: number;
  /**
   * Absolute lifetime of a token from issue, however often it is used. GDX documents 60 minutes "when unused"
   * without saying whether they are also absolute: set this (e.g. 60 minutes) to test a client against that
   * reading. Default: none (idle expiry only). Switchable at run time with `tokens.setMaxLifetime`.
   */
  tokenMaxLifetimeInMs?: number;
  faults?: FaultProfile;
  /** Officers (AgentIDs) and their DOPA session state at start. Default: the first two people, AgentAvailable. */
  officerSessions?: Record<string, OfficerSessionState>;
  /** Session state of an AgentID nobody has set. */
  defaultSessionState?: OfficerSessionState;
  xroad?: Partial<XRoadSettings>;
  quirks?: Partial<GdxQuirks>;
}

/**
 * The X-Road side of the GDX emulator: instance, registered clients, service identifiers and the Security Server profile.
 */
export interface GdxXRoadInfo {
  instance: string;
  /** Client subsystems registered on the sandbox's Security Server (first one may call every service). */
  clients: string[];
  /** Service identifiers of the fixture services, named the way ExchangeClient's `xroad.services` wants them. */
  services: { dopaLinkage: string; dopaVerification: string; dbdJuristic: string };
  /** The switchable Security Server profile: inject `Server.*`/`Client.*` faults, read what clients sent. */
  securityServer: SecurityServerProfile;
}

/** A running GDX gateway emulator: consumers, officers, usage log, faults, tokens, quirks and the X-Road side. */
export interface GdxGateway {
  /** Base URL: GDX paths under /ws, X-Road REST under /r1. */
  url: string;
  port: number;
  /** Registered consumers with their test credentials (first: every service; second: DOPA only). */
  consumers: GdxConsumer[];
  /** AgentIDs that have an officer session at start. */
  officers: string[];
  usage: GdxUsageLog;
  faults: FaultInjector;
  tokens: GdxTokenStore;
  quirks: GdxQuirks;
  /** DGA e-Payment (`/ws/dga[/uat|/dev]/payment/...`): the ledgers per environment and the lost-answer switch. */
  payments: PaymentLedger;
  xroad: GdxXRoadInfo;
  setOfficerSession(agentId: string, state: OfficerSessionState): void;
  getOfficerSession(agentId: string): OfficerSessionState;
  close(): Promise<void>;
}

/**
 * Starts the GDX gateway emulator: the GDX side (/ws, gdx-side.ts) and the X-Road REST side (/r1, xroad-side.ts) on
 * one port, over the fixture services of routes.ts and the state of gateway-state.ts.
 */
export async function startGdxGateway(options: GdxGatewayOptions): Promise<GdxGateway> {
  const state = new GatewayState(options);
  const server = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname.startsWith('/r1/')) await handleXRoad(state, req, res, url);
      else await handleGdx(state, req, res, url);
    },
    { host: options.host, port: options.port },
  );
  const { xroad } = state;
  const first = (suffix: string) =>
    Object.keys(xroad.services).find((id) => id.endsWith(suffix)) ?? Object.keys(xroad.services)[0] ?? '';
  return {
    url: server.url,
    port: server.port,
    consumers: state.consumers,
    officers: [...state.sessions.keys()],
    usage: state.usage,
    faults: state.faults,
    tokens: state.tokens,
    quirks: state.quirks,
    payments: state.payments,
    xroad: {
      instance: xroad.instance,
      clients: xroad.clients.map((c) => c.id),
      services: {
        dopaLinkage: first('/dopa-linkage-v1'),
        dopaVerification: first('/dopa-verification'),
        dbdJuristic: first('/dbd-juristic-v4'),
      },
      securityServer: state.securityServer,
    },
    setOfficerSession: (agentId, sessionState) => {
      state.sessions.set(agentId, sessionState);
    },
    getOfficerSession: (agentId) => state.sessionOf(agentId),
    close: () => server.close(),
  };
}
