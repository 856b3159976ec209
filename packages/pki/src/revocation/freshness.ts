import type { Cert } from '../certificate/parse.js';
import { DEFAULT_FRESHNESS, type FreshnessPolicy } from './types.js';

export type ResolvedFreshness = Required<Omit<FreshnessPolicy, 'maxAgeInMs'>> & {
  maxAgeInMs: number | undefined;
};

export function resolveFreshness(p: FreshnessPolicy | undefined): ResolvedFreshness {
  return { ...DEFAULT_FRESHNESS, maxAgeInMs: undefined, ...(p ?? {}) } as ResolvedFreshness;
}

export type Freshness = { fresh: true; kind: 'covering' | 'later' } | { fresh: false; reason: string };

/**
 * Whether a "good" answer (thisUpdate, nextUpdate) speaks for time `t` (EN 319 102-1 §5.2.5):
 * - covering: thisUpdate ≤ t ≤ nextUpdate (without nextUpdate: within `maxAgeWithoutNextUpdateInMs`), and no
 *   older than a policy `maxAgeInMs` — Adobe-LTV evidence from before the signature qualifies;
 * - later: issued after t while the certificate was still within its validity period, so that a revocation
 *   effective at t would be listed in it;
 * - anything else is stale, and evidence claiming to come from the future is refused.
 */
export function freshnessAt(
  thisUpdate: Date,
  nextUpdate: Date | undefined,
  t: Date,
  cert: Cert,
  policy: ResolvedFreshness,
  now: Date,
): Freshness {
  const tu = thisUpdate.getTime();
  if (tu > now.getTime() + policy.clockSkewInMs)
    return { fresh: false, reason: `issued in the future (thisUpdate ${thisUpdate.toISOString()})` };
  if (tu > t.getTime()) {
    if (cert.pkijs.notAfter.value.getTime() < tu)
      return { fresh: false, reason: 'issued after the certificate expired, so its silence proves nothing' };
    return { fresh: true, kind: 'later' };
  }
  if (policy.maxAgeInMs !== undefined && t.getTime() - tu > policy.maxAgeInMs)
    return {
      fresh: false,
      reason: `older than the policy maximum age of ${policy.maxAgeInMs} ms at the validated time`,
    };
  const limit = nextUpdate?.getTime() ?? tu + policy.maxAgeWithoutNextUpdateInMs;
  if (t.getTime() > limit)
    return {
      fresh: false,
      reason: nextUpdate
        ? `stale: nextUpdate ${nextUpdate.toISOString()} is before the validated time`
        : `stale: no nextUpdate and more than ${policy.maxAgeWithoutNextUpdateInMs} ms old at the validated time`,
    };
  return { fresh: true, kind: 'covering' };
}
