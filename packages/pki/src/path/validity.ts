import type { Cert } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import type { PathValidationResult } from './result.js';

/**
 * Validity periods at `at` (the shell model: every certificate valid at the validated time). An expiry before a
 * proven time is a definite EXPIRED; before an unproven one the signature might predate it (OUT_OF_BOUNDS_NO_POE).
 */
export function validityProblem(
  path: readonly Cert[],
  at: Date,
  proven: boolean,
): Pick<PathValidationResult, 'indication' | 'subIndication' | 'message'> | undefined {
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!.pkijs;
    const label = positionLabel(i, path.length);
    if (c.notBefore.value.getTime() > at.getTime())
      return {
        indication: 'FAILED',
        subIndication: 'NOT_YET_VALID',
        message: `${label} was not yet valid at ${at.toISOString()}`,
      };
    if (c.notAfter.value.getTime() < at.getTime())
      return proven
        ? {
            indication: 'FAILED',
            subIndication: 'EXPIRED',
            message: `${label} had expired at the proven time ${at.toISOString()}`,
          }
        : {
            indication: 'INDETERMINATE',
            subIndication: 'OUT_OF_BOUNDS_NO_POE',
            message: `${label} had expired at ${at.toISOString()} and no proof shows an earlier signing time`,
          };
  }
  return undefined;
}
