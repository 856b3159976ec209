import { X509Certificate } from 'node:crypto';
import {
  createRevocationFetcher,
  type RevocationFetch,
  type RevocationFetchRequest,
  validateCertificatePath,
} from '@thgov/pki';
import { certFromDer, keyUsage } from '@thgov/pki/internal';
import { EsignError } from '../errors.js';
import type { ValidationData } from '../pki/dss-write.js';
import type { SignPdfOptions } from './options.js';

/** Validity period and key usage: the checks that need nothing but the certificate. */
function checkCertificateAlone(der: Uint8Array, at: Date): void {
  const cert = new X509Certificate(Buffer.from(der));
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo))
    throw new EsignError(
      'ERR_ESIGN_SIGNER_CERT',
      `The signer certificate is not valid at the signing time (valid ${cert.validFrom} to ${cert.validTo})`,
    );
  const usage = keyUsage(certFromDer(der).pkijs);
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation'))
    throw new EsignError(
      'ERR_ESIGN_SIGNER_CERT',
      'The signer certificate’s key usage allows neither digitalSignature nor nonRepudiation',
    );
}

/** Wraps a fetch so that what it downloaded can go into the document security store. */
function recordingFetch(inner: RevocationFetch, into: ValidationData): RevocationFetch {
  return async (req: RevocationFetchRequest, op) => {
    const body = await inner(req, op);
    if (req.type === 'crl') into.crls.push(body);
    else if (req.type === 'ocsp') into.ocsps.push(body);
    // An issuer certificate downloaded for the path reaches the DSS with the path's certificates.
    return body;
  };
}

/** Where validation data for B-LT comes from (the relevant part of the signing and extending options). */
export interface ValidationDataSources {
  trustAnchors?: SignPdfOptions['trustAnchors'];
  revocation?: 'embed' | 'fetch';
  validationData?: SignPdfOptions['validationData'];
  abortSignal?: AbortSignal;
}

/**
 * Validates `chain[0]`'s path to the anchors at `at` with the supplied revocation data and, with
 * `revocation: 'fetch'`, what the certificates' OCSP responders and CRL distribution points return; returns
 * the path result and everything usable for the document security store.
 */
export async function collectValidationData(
  chain: readonly Uint8Array[],
  sources: ValidationDataSources,
  at: Date,
): Promise<{ data: ValidationData; passed: boolean; message: string }> {
  const supplied = sources.validationData ?? {};
  const data: ValidationData = {
    certificates: [...chain, ...(supplied.certificates ?? [])],
    crls: [...(supplied.crls ?? [])],
    ocsps: [...(supplied.ocspResponses ?? [])],
  };
  if (!sources.trustAnchors) return { data, passed: true, message: 'no anchors configured' };
  const fetched: ValidationData = { certificates: [], crls: [], ocsps: [] };
  const fetcher = sources.revocation === 'fetch' ? createRevocationFetcher() : undefined;
  try {
    const result = await validateCertificatePath(chain[0]!, {
      trustAnchors: sources.trustAnchors,
      intermediates: chain.slice(1).map((c) => new Uint8Array(c)),
      at,
      usage: 'document-signing',
      revocation: {
        crls: data.crls,
        ocspResponses: data.ocsps,
        ...(fetcher ? { fetch: recordingFetch(fetcher.fetch, fetched) } : {}),
      },
      ...(sources.abortSignal ? { abortSignal: sources.abortSignal } : {}),
    });
    data.certificates.push(...result.certificates);
    data.crls.push(...fetched.crls);
    data.ocsps.push(...fetched.ocsps);
    return { data, passed: result.indication === 'PASSED', message: result.message };
  } finally {
    await fetcher?.close();
  }
}

/**
 * The pre-sign check: an expired, not-yet-valid, wrongly-used, unchained or revoked signer certificate is
 * refused with ERR_ESIGN_SIGNER_CERT before the key is used. Returns the validation data at hand for B-LT.
 */
export async function checkSigner(options: SignPdfOptions, at: Date): Promise<ValidationData> {
  const chain = options.signer.certificateChain;
  const first = chain[0];
  if (!first) throw new EsignError('ERR_ESIGN_SIGNER_CERT', 'The signer has no certificate');
  checkCertificateAlone(first, at);
  const { data, passed, message } = await collectValidationData(chain, options, at);
  if (!passed)
    throw new EsignError('ERR_ESIGN_SIGNER_CERT', `The signer certificate cannot be used: ${message}`);
  return data;
}
