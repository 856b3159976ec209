import type { TransportOptions } from '@thgov/core';
import { transportOptionsShape, z } from '@thgov/core/internal';
import type { AuditOptions } from './audit.js';
import { isAgentId } from './context.js';
import type { XRoadMemberId, XRoadSecurityServerId, XRoadServiceId } from './xroad.js';

/** X-Road REST mode of `ExchangeClient`: this agency's subsystem and the providers' service identifiers. */
export interface XRoadOptions {
  /**
   * This agency's subsystem (INSTANCE/CLASS/MEMBER/SUBSYSTEM) or, for a member-level client, the member
   * (INSTANCE/CLASS/MEMBER); structured, or a string whose parts may be pre-encoded (`%2F` for a "/" in a code).
   */
  client: string | XRoadMemberId;
  /**
   * Provider service identifiers (INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, or structured) by key: `dopaLinkage`,
   * `dopaVerification`, `dbdJuristic` for the wrapped services, any key for `call({ xroadService })`.
   */
  services?: Record<string, string | XRoadServiceId>;
  /** `X-Road-Represented-Party` (CLASS/CODE) for every call; a call's `representedParty` overrides it. */
  representedParty?: string | { memberClass: string; memberCode: string };
  /** `X-Road-Security-Server`: the provider's Security Server to use (INSTANCE/CLASS/MEMBER/SERVERCODE). */
  securityServer?: string | XRoadSecurityServerId;
  /** Country prefix of X-Road-UserId. Default "TH". */
  userIdCountry?: string;
}

/** Transport options (baseUrl, timeouts, tls, proxy, retry, logger, …) plus GDX's own. */
export interface ExchangeClientOptions extends TransportOptions {
  /** Consumer-Key DGA issued (not needed in X-Road mode). */
  consumerKey?: string;
  consumerSecret?: string;
  /** AgentID for calls that do not pass one (a system name for system-to-system use). */
  agentId?: string;
  /** GDX's idle lifetime of a token. Default 60 minutes. */
  tokenIdleTimeoutInMs?: number;
  /** Re-validate this long before the idle expiry. Default 5 minutes (at most half the idle timeout). */
  tokenRefreshMarginInMs?: number;
  /** AgentIDs whose tokens are kept (beyond it, the least recently used one is dropped). Default 10 000. */
  maxCachedAgents?: number;
  /** Environment segment per service base: `{ '/ws/dga': '/uat' }` → /ws/dga/uat/payment/create. */
  pathPrefixes?: Record<string, string>;
  /** DOPA Linkage OfficeID (default "00023") and Version (default "01"). */
  linkage?: { officeId?: string; version?: string };
  /** Write one audit record per call. */
  audit?: AuditOptions;
  /** Talk X-Road REST (r1) to a Security Server at baseUrl instead of GDX's Consumer-Key/Token. */
  xroad?: XRoadOptions;
}

// Structured X-Road identifiers; their parts are checked again where they are used (xroad.ts).
const idPart = z.string().min(1).max(255);
const xroadMemberObject = z
  .object({ instance: idPart, memberClass: idPart, memberCode: idPart, subsystemCode: idPart.optional() })
  .strict();
const xroadServiceObject = z
  .object({
    instance: idPart,
    memberClass: idPart,
    memberCode: idPart,
    subsystemCode: idPart,
    serviceCode: idPart,
  })
  .strict();
const xroadPartyObject = z.object({ memberClass: idPart, memberCode: idPart }).strict();
const xroadServerObject = z
  .object({ instance: idPart, memberClass: idPart, memberCode: idPart, serverCode: idPart })
  .strict();

const PATH_SEGMENTS = /^(\/[A-Za-z0-9._~-]+)+$/;

// Compile-time check (this object's type names undici through core, so it is not exported for a type test): the
// schema validates exactly the keys ExchangeClientOptions declares; a key on one side only fails to compile below.
const exchangeClientOptionsObject = z
  .object({
    ...transportOptionsShape,
    /** Consumer-Key DGA issued (not needed in X-Road mode). */
    // Sent as the consumer-key header: visible ASCII only (a line end read with it from a file would split it).
    consumerKey: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII (no spaces, line ends or other characters)')
      .optional(),
    consumerSecret: z.string().min(1).max(1024).optional(),
    /** AgentID for calls that do not pass one (a system name for system-to-system use). */
    agentId: z.string().refine(isAgentId, 'must be a valid citizen ID or a system name').optional(),
    /** GDX's idle lifetime of a token. Default 60 minutes. */
    tokenIdleTimeoutInMs: z
      .number()
      .int()
      .min(10)
      .max(24 * 3600_000)
      .optional(),
    /** Re-validate this long before the idle expiry. Default 5 minutes (at most half the idle timeout). */
    tokenRefreshMarginInMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600_000)
      .optional(),
    /** AgentIDs whose tokens are kept (beyond it, the least recently used one is dropped). Default 10 000. */
    maxCachedAgents: z.number().int().min(1).max(1_000_000).optional(),
    /** Environment segment per service base: `{ '/ws/dga': '/uat' }` → /ws/dga/uat/payment/create. */
    pathPrefixes: z.record(z.string().regex(PATH_SEGMENTS), z.string().regex(PATH_SEGMENTS)).optional(),
    linkage: z
      .object({ officeId: z.string().regex(/^\d{5}$/), version: z.string().regex(/^\d{2}$/) })
      .partial()
      .strict()
      .optional(),
    audit: z
      .object({
        sink: z.custom<AuditOptions['sink']>(
          (v) =>
            typeof v === 'object' && v !== null && typeof (v as { append?: unknown }).append === 'function',
          { message: 'sink needs an append(record) method' },
        ),
        hmacSecret: z
          .union([z.string().min(16), z.instanceof(Uint8Array).refine((b) => b.byteLength >= 16)])
          .optional(),
        clientLabel: z.string().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
    /** Talk X-Road REST (r1) to a Security Server at baseUrl instead of GDX's Consumer-Key/Token. */
    xroad: z
      .object({
        /** This agency's subsystem: INSTANCE/CLASS/MEMBER/SUBSYSTEM. */
        client: z.union([z.string().min(5).max(1024), xroadMemberObject]),
        /** Service identifiers (INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE) of the providers, by key. */
        services: z.record(z.string(), z.union([z.string().min(9).max(1024), xroadServiceObject])).optional(),
        representedParty: z.union([z.string().min(3).max(600), xroadPartyObject]).optional(),
        securityServer: z.union([z.string().min(7).max(1024), xroadServerObject]).optional(),
        /** Country prefix of X-Road-UserId. Default "TH". */
        userIdCountry: z
          .string()
          .regex(/^[A-Z]{2}$/)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The zod schema `ExchangeClient` checks its options with (unknown keys refused). */
export const exchangeClientOptionsSchema: z.ZodType<ExchangeClientOptions> =
  exchangeClientOptionsObject.superRefine((o, ctx) => {
    if (!o.xroad && (!o.consumerKey || !o.consumerSecret)) {
      ctx.addIssue({
        code: 'custom',
        message: 'consumerKey and consumerSecret are required (unless xroad is set)',
        path: ['consumerKey'],
      });
    }
  });

type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaInput = z.input<typeof exchangeClientOptionsObject>;
true satisfies SameKeys<keyof SchemaInput, keyof ExchangeClientOptions>;
// The nested option objects too: a key added to the interface and not to the schema is refused at run time.
true satisfies SameKeys<keyof NonNullable<SchemaInput['xroad']>, keyof XRoadOptions>;
true satisfies SameKeys<keyof NonNullable<SchemaInput['audit']>, keyof AuditOptions>;
true satisfies SameKeys<
  keyof NonNullable<SchemaInput['linkage']>,
  keyof NonNullable<ExchangeClientOptions['linkage']>
>;
