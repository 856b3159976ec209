import { certDer, fromPkijs, keyUsage, summarizeCert } from '@thgov/pki/internal';
import type { SignatureStep } from '../context.js';
import { check, indeterminate } from '../report.js';

/** Step 8: the certificate the SignerInfo names is in the CMS (or /DSS) and its key usage allows signing. */
export const signerCertificate: SignatureStep = (state, ctx) => {
  // A document time-stamp's signer is the TSA, checked with its token in step 7.
  if (state.found.kind === 'document-timestamp') return true;
  const { report } = state;
  const signer = state.cms?.signerCert;
  if (!signer) {
    report.checks.push(
      indeterminate(
        'signer-certificate',
        'NO_SIGNING_CERTIFICATE_FOUND',
        'The signer certificate is neither in the CMS nor in /DSS',
      ),
    );
    return false;
  }
  const ku = keyUsage(signer);
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) {
    report.checks.push(
      indeterminate(
        'signer-certificate',
        'CHAIN_CONSTRAINTS_FAILURE',
        'The signer certificate key usage does not allow signing',
        { evidence: { keyUsage: [...ku] } },
      ),
    );
    return false;
  }
  const summary = summarizeCert(fromPkijs(signer));
  report.checks.push(
    check(
      'signer-certificate',
      'PASSED',
      state.cms?.signerCertSource === 'dss'
        ? 'Signer certificate identified in /DSS (the CMS does not carry it)'
        : 'Signer certificate identified',
      {
        evidence: {
          certificate: summary,
          keyUsage: ku ? [...ku] : 'absent',
          source: state.cms?.signerCertSource,
        },
      },
    ),
  );
  report.signer = summary;
  ctx.signerCertificates.set(report, certDer(signer));
  return true;
};
