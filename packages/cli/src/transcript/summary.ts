import type { VerificationReport } from '@thgov/esign';

/** "198 TOTAL_PASSED, 2 TOTAL_FAILED, 0 INDETERMINATE". */
export function summaryLine(reports: ReadonlyArray<Pick<VerificationReport, 'indication'>>): string {
  const n = (i: VerificationReport['indication']) => reports.filter((r) => r.indication === i).length;
  return `${n('TOTAL_PASSED')} TOTAL_PASSED, ${n('TOTAL_FAILED')} TOTAL_FAILED, ${n('INDETERMINATE')} INDETERMINATE`;
}
