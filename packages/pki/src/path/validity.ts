import type { Cert } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import { validityEncodingProblem } from '../certificate/times.js';
import type { PathValidationResult } from './result.js';

/**
 * Validity periods at `at` (the shell model: every certificate valid at the validated time). An expiry before a
 * proven time is a definite EXPIRED; before an unproven one the signature might predate it (OUT_OF_BOUNDS_NO_POE).
 * A validity not written as RFC 5280 requires (UTC, with seconds) is read wrongly by asn1js, so it is no period at
 * all: CERTIFICATE_CHAIN_GENERAL_FAILURE.
 */
export function validityProblem(
  path: readonly Cert[],
  at: Date,
  proven: boolean,
): Pick<PathValidationResult, 'indication' | 'subIndication' | 'message' | 'failure'> | undefined {
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!.pkijs;
    const label = positionLabel(i, path.length);
    const failure = { check: 'validity', position: i } as const;
    const unreadable = validityEncodingProblem(c);
    if (unreadable)
      return {
        indication: 'INDETERMINATE',
        subIndication: 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
        failure,
        message: `${label} ${unreadable}`,
      };
    if (c.notBefore.value.getTime() > at.getTime())
      return {
        indication: 'FAILED',
        subIndication: 'NOT_YET_VALID',
        failure,
        message: `${label} was not yet valid at ${at.toISOString()}`,
      };
    if (c.notAfter.value.getTime() < at.getTime())
      return proven
        ? {
            indication: 'FAILED',
            subIndication: 'EXPIRED',
            failure,
            message: `${label} had expired at the proven time ${at.toISOString()}`,
          }
        : {
            indication: 'INDETERMINATE',
            subIndication: 'OUT_OF_BOUNDS_NO_POE',
            failure,
            message: `${label} had expired at ${at.toISOString()} and no proof shows an earlier signing time`,
          };
  }
  return undefined;
}
