import { AbortError } from '@thgov/core';
import { checkOptions } from '@thgov/core/internal';
import type { CertificateInput } from '../certificate/types.js';
import { type ValidateCertificatePathOptions, validateOptionsSchema } from './options.js';
import type { PathValidationResult } from './result.js';

// Path building, name and policy constraints, revocation (CRL, OCSP, online fetching) are most of this package's
// code and are needed only when a path is validated: they load then, so importing @thgov/pki (and every package
// that re-exports from it: esign, transcript, ecms) does not compile them (cold start).
let run: Promise<typeof import('./validate-run.js')> | undefined;

/**
 * Validates a certificate for a use at a time (ETSI EN 319 102-1 §5.2.6 "X.509 certificate validation"):
 * builds paths to your trust anchors only, checks algorithms, basic constraints and pathLenConstraint, key usage,
 * name constraints and the end entity's usage, validity periods, and the revocation status of every certificate
 * from ALL the evidence given (and, opt-in, fetched online): a revocation at or before the time wins over any
 * "good" answer, and the result names the evidence that decided.
 *
 * Throws only on bad arguments (`ERR_INVALID_ARG`, `ERR_PKI_INPUT`) or abort (`ERR_ABORTED`); every validation
 * outcome is a result. A PEM text with several certificates takes the first as the end entity and the rest as
 * intermediates.
 *
 * @example
 * ```ts
 * import { validateCertificatePath } from '@thgov/pki';
 *
 * const r = await validateCertificatePath(signerPem, {
 *   trustAnchors: await readFile('root.pem', 'utf8'),
 *   intermediates: [caPem],
 *   usage: 'document-signing',
 *   revocation: { crls: [await readFile('ca.crl')] },
 * });
 * if (r.indication !== 'PASSED') console.log(r.subIndication, r.message); // e.g. INDETERMINATE REVOKED_NO_POE
 * ```
 */
export async function validateCertificatePath(
  certificate: CertificateInput,
  options: ValidateCertificatePathOptions,
): Promise<PathValidationResult> {
  checkOptions(validateOptionsSchema, options, 'validateCertificatePath options');
  if (options.abortSignal?.aborted) throw new AbortError(options.abortSignal.reason);
  run ??= import('./validate-run.js');
  return (await run).runPathValidation(certificate, options);
}
