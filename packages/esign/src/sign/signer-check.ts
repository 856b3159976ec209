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
    (req.type === 'crl' ? into.crls : into.ocsps).push(body);
    return body;
  };
}

/**
 * The pre-sign check: an expired, not-yet-valid, wrongly-used, unchained or revoked signer certificate is
 * refused with ERR_ESIGN_SIGNER_CERT before the key is used. Returns the validation data at hand for B-LT:
 * the path's certificates, the supplied revocation data and, with `revocation: 'fetch'`, what was fetched.
 */
export async function checkSigner(options: SignPdfOptions, at: Date): Promise<ValidationData> {
  const chain = options.signer.certificateChain;
  const first = chain[0];
  if (!first) throw new EsignError('ERR_ESIGN_SIGNER_CERT', 'The signer has no certificate');
  checkCertificateAlone(first, at);
  const supplied = options.validationData ?? {};
  const data: ValidationData = {
    certificates: [...chain, ...(supplied.certificates ?? [])],
    crls: [...(supplied.crls ?? [])],
    ocsps: [...(supplied.ocspResponses ?? [])],
  };
  if (!options.trustAnchors) return data;
  const fetched: ValidationData = { certificates: [], crls: [], ocsps: [] };
  const fetcher = options.revocation === 'fetch' ? createRevocationFetcher() : undefined;
  try {
    const result = await validateCertificatePath(first, {
      trustAnchors: options.trustAnchors,
      intermediates: chain.slice(1).map((c) => new Uint8Array(c)),
      at,
      usage: 'document-signing',
      revocation: {
        crls: data.crls,
        ocspResponses: data.ocsps,
        ...(fetcher ? { fetch: recordingFetch(fetcher.fetch, fetched) } : {}),
      },
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    if (result.indication !== 'PASSED')
      throw new EsignError(
        'ERR_ESIGN_SIGNER_CERT',
        `The signer certificate cannot be used: ${result.message}`,
      );
    data.certificates.push(...result.certificates);
  } finally {
    await fetcher?.close();
  }
  data.crls.push(...fetched.crls);
  data.ocsps.push(...fetched.ocsps);
  return data;
}
