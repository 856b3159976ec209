import { isCitizenId, isJuristicId } from '@thgov/core';
import { consumerMayCall } from './consumers.js';
import {
  dbdProfile,
  dbdProfilePdf,
  linkageAddress,
  linkageHouse,
  linkageHouseholdMembers,
  linkagePerson,
} from './fixtures.js';
import type { GatewayState } from './gateway-state.js';

/** A route's answer before it is written (the X-Road side wraps some of them differently). */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  subject?: string;
  providerCode?: string;
  /** The caller lacks the right to this service (GDX: 401 with no body; X-Road: AccessDenied). */
  noRight?: boolean;
  /** The operation took effect but the answer is lost (the socket is cut): an ambiguous outcome. */
  drop?: boolean;
}

/** Who calls: a GDX consumer (with its token's AgentID) or an X-Road client subsystem. */
export interface Caller {
  name: string;
  services: string[];
  agentId: string | undefined;
  consumerKey: string | undefined;
}

type Handler = (
  state: GatewayState,
  caller: Caller,
  query: URLSearchParams,
  body: Buffer,
  method: string,
) => Reply;

export interface Route {
  service: string;
  handle: Handler;
  /** The HTTP methods the resource answers (others: 405); omitted when the handler checks the method itself. */
  methods?: readonly string[];
}

/** True when `route` answers `method` (GDX documents each resource with its verb; a gateway routes on it). */
export function routeAllows(route: Route, method: string | undefined): boolean {
  return route.methods === undefined || route.methods.includes(method ?? 'GET');
}

const LINKAGE_OFFICE = '00023';
const LINKAGE_SERVICES: Record<string, string> = {
  '001': 'dopa/linkage/001',
  '027': 'dopa/linkage/027',
  '007': 'dopa/linkage/007',
  '008': 'dopa/linkage/008',
};

const noRight = (): Reply => ({ status: 401, text: '', noRight: true });
const notFound = (subject: string | undefined): Reply => ({ status: 404, text: '', subject });
const linkageError = (code: number, message: string, subject?: string): Reply => ({
  status: 200,
  json: { Code: code, Message: message },
  subject,
  providerCode: String(code),
});

/** The CitizenID of a Linkage call: the query, or for a POST the JSON body (three spellings seen). */
function linkageCitizenId(q: URLSearchParams, body: Buffer, method: string): string | undefined | Reply {
  let citizenId = q.get('CitizenID') ?? undefined;
  if (method === 'POST' && body.length > 0) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const v = parsed.CitizenID ?? parsed.citizenId ?? parsed.pid;
      if (typeof v === 'string') citizenId = v;
    } catch {
      return linkageError(90004, 'Invalid request body');
    }
  }
  return citizenId;
}

/** DOPA Linkage: office, service and version first, then the right, the ID and the officer's session. */
function linkage(
  state: GatewayState,
  caller: Caller,
  q: URLSearchParams,
  body: Buffer,
  method: string,
): Reply {
  const citizenId = linkageCitizenId(q, body, method);
  if (typeof citizenId === 'object') return citizenId;
  if (q.get('OfficeID') !== LINKAGE_OFFICE) return linkageError(90002, 'Office not found', citizenId);
  const service = LINKAGE_SERVICES[q.get('ServiceID') ?? ''];
  if (!service || !q.get('Version')) return linkageError(90003, 'Service not found', citizenId);
  if (!consumerMayCall(caller, service)) return { ...noRight(), subject: citizenId };
  if (!isCitizenId(citizenId)) return linkageError(90004, 'Invalid CitizenID');
  const session = state.sessionOf(caller.agentId);
  const allowed =
    session === 'AgentAvailable' || (session === 'CitizenAvailable' && citizenId === caller.agentId);
  if (!allowed) {
    return linkageError(
      90001,
      'Agent not available: the officer has not authenticated for DOPA rights',
      citizenId,
    );
  }
  const person = state.population.byCitizenId.get(citizenId);
  if (!person) return notFound(citizenId);
  const sid = q.get('ServiceID');
  const json =
    sid === '001'
      ? linkagePerson(person)
      : sid === '027'
        ? linkageAddress(person)
        : sid === '007'
          ? linkageHouseholdMembers(
              person,
              state.population.households.get(person.address.houseId) ?? [person],
            )
          : linkageHouse(person);
  return { status: 200, json, subject: citizenId };
}

/** Thirteen zeros: how `agent/permission` writes "no one" (DGA kb). */
const NO_ONE = '0000000000000';

/**
 * The DOPA session of the card `CitizenID` names, as the DGA kb shows it: AgentNotAvailable → both IDs
 * zeros; AgentAvailable (officer rights) → AgentID the card, CitizenID zeros; CitizenAvailable → both the card.
 */
function agentPermission(state: GatewayState, caller: Caller, q: URLSearchParams): Reply {
  if (!consumerMayCall(caller, 'dopa/agent-permission')) return noRight();
  const citizenId = q.get('CitizenID') ?? caller.agentId ?? '';
  const session = state.sessionOf(citizenId);
  return {
    status: 200,
    json: {
      AgentID: session === 'AgentNotAvailable' ? NO_ONE : citizenId,
      CitizenID: session === 'CitizenAvailable' ? citizenId : NO_ONE,
      SessionState: session,
    },
    subject: citizenId,
  };
}

function laser(state: GatewayState, caller: Caller, q: URLSearchParams): Reply {
  const citizenId = q.get('CitizenID') ?? '';
  if (!consumerMayCall(caller, 'dopa/laser-verification')) return { ...noRight(), subject: citizenId };
  const person = state.population.byCitizenId.get(citizenId);
  // DOPA answers failures as HTTP 500 with a bracketed code: [4] no such card / data mismatch, [2] card voided.
  if (!person) return { status: 500, text: '[4]', subject: citizenId, providerCode: '4' };
  if (!person.cardValid) return { status: 500, text: '[2]', subject: citizenId, providerCode: '2' };
  const laserCode = (q.get('LaserCode') ?? '').replace(/[-\s]/g, '').toUpperCase();
  if (laserCode !== person.laserCode)
    return { status: 500, text: '[4]', subject: citizenId, providerCode: '4' };
  const first = q.get('FirstName') ?? '';
  const last = q.get('LastName') ?? '';
  const match =
    (first === person.firstName.th || first.toLowerCase() === person.firstName.en.toLowerCase()) &&
    (last === person.lastName.th || last.toLowerCase() === person.lastName.en.toLowerCase()) &&
    q.get('BEBirthDate') === person.birthDateBe;
  return { status: 200, json: { [state.quirks.resultKey]: match }, subject: citizenId };
}

function juristic(pdf: boolean): Handler {
  return (state, caller, q) => {
    const juristicId = q.get('JuristicID') ?? '';
    if (!consumerMayCall(caller, pdf ? 'dbd/juristic/profile-pdf' : 'dbd/juristic/profile')) {
      return { ...noRight(), subject: juristicId };
    }
    const company = isJuristicId(juristicId) ? state.population.byJuristicId.get(juristicId) : undefined;
    if (!company) return notFound(juristicId);
    return {
      status: 200,
      json: pdf ? dbdProfilePdf(company, state.quirks.corruptPdfHash) : dbdProfile(company),
      subject: juristicId,
    };
  };
}

const GET_ONLY = ['GET'] as const;

/** The fixture services by GDX path (the X-Road side maps its service identifiers onto these paths). */
export const ROUTES: Record<string, Route> = {
  '/ws/dopa/linkage/v1/link': { service: 'dopa/linkage', handle: linkage, methods: ['GET', 'POST'] },
  '/ws/dopa/linkage/v1/agent/permission': {
    service: 'dopa/agent-permission',
    handle: agentPermission,
    methods: GET_ONLY,
  },
  '/ws/dopa/verification/personal': { service: 'dopa/laser-verification', handle: laser, methods: GET_ONLY },
  '/ws/dbd/juristic/v4/profile/information': {
    service: 'dbd/juristic/profile',
    handle: juristic(false),
    methods: GET_ONLY,
  },
  '/ws/dbd/juristic/v4/profile/information/pdf': {
    service: 'dbd/juristic/profile-pdf',
    handle: juristic(true),
    methods: GET_ONLY,
  },
};

/** Usage-log service name: Linkage calls are logged per ServiceID, as GDX bills them. */
export function serviceName(route: Route | undefined, path: string, q: URLSearchParams): string {
  if (!route) return path;
  if (route.service === 'dopa/linkage') return LINKAGE_SERVICES[q.get('ServiceID') ?? ''] ?? route.service;
  return route.service;
}
