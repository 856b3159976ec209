/**
 * Where each wrapped service lives: its GDX path, and in X-Road mode the key of `xroad.services` that
 * names the provider's service identifier plus the path below it. `name` is what the audit log records.
 */
export type XRoadServiceKey = 'dopaLinkage' | 'dopaVerification' | 'dbdJuristic';

/** Where a wrapped service lives: its GDX path, its X-Road service key and subpath. */
export interface ServiceRoute {
  name: string;
  gdxPath: string;
  xroad: XRoadServiceKey;
  subpath: string;
}

const linkage = (serviceId: string): ServiceRoute => ({
  name: `dopa.linkage.${serviceId}`,
  gdxPath: '/ws/dopa/linkage/v1/link',
  xroad: 'dopaLinkage',
  subpath: '/link',
});

/**
 * The services `ExchangeClient` wraps, by name: GDX path, X-Road service key and subpath (exported as `GDX_SERVICE_ROUTES`).
 */
export const ROUTES = {
  person: linkage('001'),
  address: linkage('027'),
  householdMembers: linkage('007'),
  house: linkage('008'),
  agentPermission: {
    name: 'dopa.linkage.agent-permission',
    gdxPath: '/ws/dopa/linkage/v1/agent/permission',
    xroad: 'dopaLinkage',
    subpath: '/agent/permission',
  },
  laserCode: {
    name: 'dopa.verification.personal',
    gdxPath: '/ws/dopa/verification/personal',
    xroad: 'dopaVerification',
    subpath: '/personal',
  },
  juristicProfile: {
    name: 'dbd.juristic.profile',
    gdxPath: '/ws/dbd/juristic/v4/profile/information',
    xroad: 'dbdJuristic',
    subpath: '/profile/information',
  },
  juristicProfilePdf: {
    name: 'dbd.juristic.profile-pdf',
    gdxPath: '/ws/dbd/juristic/v4/profile/information/pdf',
    xroad: 'dbdJuristic',
    subpath: '/profile/information/pdf',
  },
} as const satisfies Record<string, ServiceRoute>;

/** Linkage service IDs under OfficeID 00023. */
export const LINKAGE_SERVICE_IDS = {
  person: '001',
  address: '027',
  householdMembers: '007',
  house: '008',
} as const;
