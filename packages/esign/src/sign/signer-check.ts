import { X509Certificate } from 'node:crypto';
import {
  type CertificateUsage,
  createRevocationFetcher,
  parseCrl,
  parseOcspResponse,
  type RevocationFetch,
  type RevocationFetchRequest,
  validateCertificatePath,
} from '@thgov/pki';
import { certFromDer, keyUsage } from '@thgov/pki/internal';
import { EsignError } from '../errors.js';
import type { ValidationData } from '../pki/dss-write.js';
import type { SignPdfOptions } from './options.js';
import { tokenChain } from './timestamp.js';

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

/**
 * Wraps a fetch so that what it downloaded can go into the document security store: only what reads as the CRL or
 * OCSP response asked for. A server's answer is anyone's bytes; one that is no CRL or OCSP response told the
 * validation nothing, and signed into the document it would be evidence of nothing (or break the signing).
 */
function recordingFetch(inner: RevocationFetch, into: ValidationData): RevocationFetch {
  return async (req: RevocationFetchRequest, op) => {
    const body = await inner(req, op);
    if (req.type === 'crl' && readsAs(() => parseCrl(body))) into.crls.push(body);
    else if (req.type === 'ocsp' && readsAs(() => parseOcspResponse(body))) into.ocsps.push(body);
    // An issuer certificate downloaded for the path reaches the DSS with the path's certificates.
    return body;
  };
}

function readsAs(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

/** Where validation data for B-LT comes from (the relevant part of the signing and extending options). */
export interface ValidationDataSources {
  trustAnchors?: SignPdfOptions['trustAnchors'];
  revocation?: 'embed' | 'fetch';
  validationData?: SignPdfOptions['validationData'];
  abortSignal?: AbortSignal;
}

/**
 * Validates `chain[0]`'s path to the anchors at `at` for `usage` (a signer's or a TSA's) with the supplied
 * revocation data and, with `revocation: 'fetch'`, what the certificates' OCSP responders and CRL distribution
 * points return; returns the path result and everything usable for the document security store.
 */
export async function collectValidationData(
  chain: readonly Uint8Array[],
  sources: ValidationDataSources,
  at: Date,
  usage: CertificateUsage = 'document-signing',
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
      usage,
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

/** The self-signed certificates among `certs`: roots a time-stamp token or the caller's data carry. */
function selfSigned(certs: readonly Uint8Array[]): Uint8Array[] {
  return certs.filter((der) => {
    try {
      const c = new X509Certificate(Buffer.from(der));
      return c.checkIssued(c) && c.verify(c.publicKey);
    } catch {
      return false;
    }
  });
}

/**
 * The validation data of a signature time-stamp's TSA path (B-LT and up: ETSI EN 319 142-1 wants it in /DSS
 * beside the signer's, and a verifier reports B-T without it), collected as the signer's is, at the token's
 * genTime. The path is built from the token's certificates and `known` (those the document carries besides) to
 * `trustAnchors` or to a root among them: this only gathers data, the verifier judges the TSA. Without anchors
 * (skipChainCheck) nothing is gathered or checked. With `strict`, a TSA path whose revocation status cannot be
 * established is ERR_ESIGN_VALIDATION_DATA.
 */
export async function collectTimeStampData(
  token: Uint8Array,
  genTime: Date,
  sources: ValidationDataSources,
  o: { known: readonly Uint8Array[]; strict: boolean },
): Promise<ValidationData> {
  const chain = tokenChain(token, [...(sources.validationData?.certificates ?? []), ...o.known]);
  const empty: ValidationData = { certificates: [], crls: [], ocsps: [] };
  if (!sources.trustAnchors || !chain.length) return empty;
  const given = sources.trustAnchors;
  const anchors = [...(Array.isArray(given) ? given : [given]), ...selfSigned(chain)];
  const { data, passed, message } = await collectValidationData(
    chain,
    { ...sources, trustAnchors: anchors },
    genTime,
    'timestamping',
  );
  if (!passed && o.strict)
    throw new EsignError(
      'ERR_ESIGN_VALIDATION_DATA',
      `B-LT needs the validation data of the signature time-stamp's TSA path too, and it is not at hand (${message}): supply its OCSP responses or CRLs (and its root, if not among trustAnchors) in validationData, or use revocation: "fetch"`,
    );
  return data;
}
