import type { DocumentContext, FoundSignature, SignatureState, SignatureStep } from './context.js';
import { signatureLevel } from './level.js';
import { aggregate, type SignatureReport } from './report.js';
import { byteRange } from './steps/byte-range.js';
import { chainAndRevocation } from './steps/chain-and-revocation.js';
import { cms } from './steps/cms.js';
import { coverage } from './steps/coverage.js';
import { modifications } from './steps/modifications.js';
import { shadowSignals } from './steps/shadow-signals.js';
import { signatureDictionary } from './steps/signature-dictionary.js';
import { signerCertificate } from './steps/signer-certificate.js';
import { time } from './steps/time.js';

/** Steps 4–12 in `CHECK_STEP` order: a signature stops at the first step that does not pass. */
export const SIGNATURE_STEPS: readonly SignatureStep[] = [
  signatureDictionary,
  byteRange,
  coverage,
  cms,
  signerCertificate,
  time,
  chainAndRevocation,
  modifications,
  shadowSignals,
];

function emptyReport(found: FoundSignature): SignatureReport {
  const report: SignatureReport = {
    fieldName: found.fieldName,
    kind: found.kind,
    indication: 'INDETERMINATE',
    coverage: 'UNCLEAR',
    modification: 'NONE',
    chain: [],
    signingTime: { proof: 'none' },
    revocation: [],
    checks: [],
  };
  const m = found.sig.get('M');
  if (m && typeof m === 'object' && 'text' in m)
    report.signingTime.claimedPdf = (m as { text(): string }).text();
  return report;
}

/** Verifies one signature (or document time-stamp): the steps in order, then the signature's own aggregation. */
export async function verifySignature(found: FoundSignature, ctx: DocumentContext): Promise<SignatureReport> {
  const state: SignatureState = { found, report: emptyReport(found) };
  for (const step of SIGNATURE_STEPS) if (!(await step(state, ctx))) break;
  const agg = aggregate(state.report.checks);
  state.report.indication = agg.indication;
  if (agg.subIndication) state.report.subIndication = agg.subIndication;
  const level = signatureLevel(state);
  if (level) state.report.level = level;
  return state.report;
}
