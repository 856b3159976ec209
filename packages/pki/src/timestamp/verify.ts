import { AbortError } from '@thgov/core';
import { checkOptions, is, withOptionCheck, z } from '@thgov/core/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type AlgorithmPolicy, algorithmPolicySchema } from '../algorithms.js';
import { summarizeCert } from '../certificate/describe.js';
import { certDer, fromPkijs, toCerts } from '../certificate/parse.js';
import { isZuluTime } from '../certificate/times.js';
import type { CertificateInput, CertificateSummary } from '../certificate/types.js';
import { signedAttribute as attr, essNames } from '../cms/ess.js';
import { signedDataFromSchema, takeParsedToken } from '../cms/signed-data.js';
import { selectSigner, verifySignerInfoSignature } from '../cms/signer-info.js';
import { DIGEST_BY_OID, digest, OID, toArrayBuffer } from '../engine.js';
import type { BlockIndication, SubIndication } from '../etsi.js';
import { type PathRevocationOptions, revocationSchema } from '../path/options.js';
import type { PathValidationResult } from '../path/result.js';
import { validateCertificatePath } from '../path/validate.js';
import { DEFAULT_FRESHNESS } from '../revocation/types.js';

/** Options of `verifyTimeStampToken` (unknown keys are refused). */
export interface VerifyTimeStampTokenOptions {
  /** The stamped data: its parts are concatenated and hashed with the token's imprint algorithm. */
  data: Uint8Array | readonly Uint8Array[];
  /** Trust anchors for time-stamp authorities. */
  trustAnchors: CertificateInput | readonly CertificateInput[];
  /** More certificates for the TSA's path (the token's own are always used). */
  intermediates?: CertificateInput | readonly CertificateInput[];
  /**
   * Revocation of the TSA's path at the stamped time. Default: the evidence given, `required: false` (an unknown
   * TSA status is a warning; a revoked TSA fails). `false` skips it.
   */
  revocation?: PathRevocationOptions | false;
  algorithmPolicy?: AlgorithmPolicy;
  now?: Date;
  abortSignal?: AbortSignal;
  timeoutInMs?: number;
}

/** The outcome of `verifyTimeStampToken`. */
export interface TimeStampVerification {
  indication: BlockIndication;
  subIndication?: SubIndication;
  message: string;
  /** The time the token states (ISO 8601), once the token could be read. */
  genTime?: string;
  /** The TSA certificate, once found. */
  tsa?: CertificateSummary;
  /** The TSA's policy OID and the token's serial number (hex). */
  policy?: string;
  serialNumber?: string;
  /** The TSA path validation, when it ran. */
  path?: PathValidationResult;
  /** DER of the certificates the token carries. */
  certificates: Uint8Array[];
  warnings: string[];
}

export const timeStampOptionsSchema = withOptionCheck(
  z
    .object({
      data: z.union([z.instanceof(Uint8Array), z.array(z.instanceof(Uint8Array))]),
      trustAnchors: z.any(),
      intermediates: z.any().optional(),
      revocation: z.union([z.literal(false), revocationSchema]).optional(),
      algorithmPolicy: algorithmPolicySchema.optional(),
      now: z.date().optional(),
      abortSignal: z.instanceof(AbortSignal).optional(),
      timeoutInMs: z.number().int().positive().max(600_000).optional(),
    })
    .strict(),
  // Without an algorithm policy (left to zod). The anchors' form is checked when the TSA's path is validated.
  is.shape(
    {
      data: is.either(is.instance(Uint8Array), is.array(is.instance(Uint8Array))),
      trustAnchors: () => true,
      intermediates: () => true,
      revocation: is.either(is.literal(false), is.schema(revocationSchema)),
      now: is.date,
      abortSignal: is.instance(AbortSignal),
      timeoutInMs: is.integer(1, 600_000),
    },
    ['data', 'trustAnchors'],
  ),
);

interface Token {
  sd: pkijs.SignedData;
  tst: pkijs.TSTInfo;
  certs: pkijs.Certificate[];
}

function readToken(token: Uint8Array): Token | string {
  try {
    const known = takeParsedToken(token);
    const asn = known ? { offset: token.length, result: known } : asn1js.fromBER(toArrayBuffer(token));
    if (asn.offset === -1) return 'the token is not DER';
    // Zero padding (a PDF's /Contents) is allowed; anything else after the token is not (as for signature CMS).
    if (token.subarray(asn.offset).some((b) => b !== 0)) return 'non-zero bytes follow the token';
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID.signedData) return 'the token is not CMS SignedData';
    const sd = signedDataFromSchema(ci.content);
    const e = sd.encapContentInfo;
    if (e.eContentType !== OID.tstInfo || !e.eContent) return 'the token does not carry a TSTInfo';
    if (sd.signerInfos.length !== 1) return 'the token must have exactly one SignerInfo';
    const tstAsn = asn1js.fromBER(e.eContent.getValue());
    const tst = pkijs.TSTInfo.fromBER(e.eContent.getValue());
    // asn1js misreads a local time or an offset (the day of the week as the day): no proof of a time not written.
    if (!isZuluTime((tstAsn.result as asn1js.Sequence).valueBlock.value[4]))
      return 'the genTime is not a UTC time (RFC 3161 §2.4.2)';
    const certs = (sd.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    return { sd, tst, certs };
  } catch {
    return 'the token could not be parsed';
  }
}

/**
 * The TSA certificate the SignerInfo names: from the token, else from the certificates the caller supplied (a
 * TSA answering a request with certReq false leaves its certificate out, RFC 3161 §2.4.1; a PDF then carries it
 * in its /DSS). Among certificates with the same issuer and serial, the one the ESS attribute names and whose
 * key verifies the signature is taken, so a look-alike listed first cannot hide the real one.
 */
function findTsa(
  si: pkijs.SignerInfo,
  own: readonly pkijs.Certificate[],
  supplied: () => pkijs.Certificate[],
): pkijs.Certificate | undefined {
  return selectSigner(si, own) ?? selectSigner(si, supplied());
}

/** The caller's intermediates and anchors as parsed certificates; unreadable ones are left to path validation. */
function suppliedCertificates(o: VerifyTimeStampTokenOptions): pkijs.Certificate[] {
  const inputs = [...[o.intermediates ?? []].flat(), ...[o.trustAnchors].flat()] as CertificateInput[];
  const out: pkijs.Certificate[] = [];
  for (const input of inputs) {
    try {
      out.push(...toCerts(input).map((c) => c.pkijs));
    } catch {
      // Reported by the path validation, which reads the same inputs.
    }
  }
  return out;
}

type TokenFailure = Omit<TimeStampVerification, 'certificates' | 'warnings'>;

/** Imprint, TSA certificate, ESS binding, messageDigest and signature: everything but the TSA's path. */
async function tokenProblem(
  t: Token,
  data: Uint8Array,
  supplied: () => pkijs.Certificate[],
): Promise<TokenFailure | pkijs.Certificate> {
  const genTime = t.tst.genTime.toISOString();
  const alg = DIGEST_BY_OID[t.tst.messageImprint.hashAlgorithm.algorithmId];
  if (!alg)
    return {
      indication: 'INDETERMINATE',
      subIndication: 'CRYPTO_CONSTRAINTS_FAILURE',
      message: 'The imprint uses a refused digest algorithm',
      genTime,
    };
  const imprint = Buffer.from(t.tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (!imprint.equals(Buffer.from(await digest(alg, data))))
    return {
      indication: 'FAILED',
      subIndication: 'HASH_FAILURE',
      message: 'The imprint does not match the stamped data',
      genTime,
    };
  const si = t.sd.signerInfos[0]!;
  const tsa = findTsa(si, t.certs, supplied);
  if (!tsa)
    return {
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      message: 'The TSA certificate is not in the token',
      genTime,
    };
  const problem = await signerInfoProblem(t, si, tsa);
  return problem ? { ...problem, genTime, tsa: summarizeCert(fromPkijs(tsa)) } : tsa;
}

type SignerInfoFailure = Pick<TokenFailure, 'indication' | 'subIndication' | 'message'>;

/**
 * The SignerInfo's attributes and signature: ESS signing-certificate(-v2) naming the TSA certificate (required,
 * RFC 3161 §2.4.1 and RFC 5816), contentType equal to the eContentType, messageDigest over the TSTInfo.
 */
async function signerInfoProblem(
  t: Token,
  si: pkijs.SignerInfo,
  tsa: pkijs.Certificate,
): Promise<SignerInfoFailure | undefined> {
  const ess = essNames(si, tsa);
  if (ess !== true)
    return {
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      message:
        ess === undefined
          ? 'The token has no ESS signing-certificate(-v2) attribute'
          : 'The ESS signing-certificate does not name the TSA certificate',
    };
  const ct = attr(si, OID.contentType);
  if (
    !(ct instanceof asn1js.ObjectIdentifier) ||
    ct.valueBlock.toString() !== t.sd.encapContentInfo.eContentType
  )
    return {
      indication: 'FAILED',
      subIndication: 'FORMAT_FAILURE',
      message: 'The contentType attribute is missing or differs from the content type (id-ct-TSTInfo)',
    };
  const md = attr(si, OID.messageDigest);
  const mdAlg = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  const content = new Uint8Array(t.sd.encapContentInfo.eContent!.getValue());
  if (
    !(md instanceof asn1js.OctetString) ||
    !mdAlg ||
    !Buffer.from(md.valueBlock.valueHexView).equals(Buffer.from(await digest(mdAlg, content)))
  )
    return {
      indication: 'FAILED',
      subIndication: 'HASH_FAILURE',
      message: 'The messageDigest does not match the TSTInfo',
    };
  if (!verifySignerInfoSignature(si, tsa).ok)
    return {
      indication: 'FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
      message: 'The TSA signature does not verify',
    };
  return undefined;
}

/** A genTime later than now plus the clock skew (`revocation.clockSkewInMs`, default 5 minutes) is refused. */
function futureProblem(t: Token, o: VerifyTimeStampTokenOptions): TokenFailure | undefined {
  const skew = (o.revocation ? o.revocation.clockSkewInMs : undefined) ?? DEFAULT_FRESHNESS.clockSkewInMs;
  const now = o.now ?? new Date();
  if (t.tst.genTime.getTime() <= now.getTime() + skew) return undefined;
  return {
    indication: 'INDETERMINATE',
    subIndication: 'TIMESTAMP_ORDER_FAILURE',
    message: `The time-stamp's genTime ${t.tst.genTime.toISOString()} is in the future (now ${now.toISOString()})`,
    genTime: t.tst.genTime.toISOString(),
  };
}

/**
 * Verifies an RFC 3161 time-stamp token over `data`: the imprint, the TSA's signature and ESS binding, and the
 * TSA's path at the stamped time with the `timestamping` usage (id-kp-timeStamping required), the algorithm
 * policy and the revocation evidence given. A token whose TSA was revoked before its genTime proves nothing.
 *
 * @example
 * ```ts
 * import { verifyTimeStampToken } from '@thgov/pki';
 *
 * const r = await verifyTimeStampToken(token, { data: signatureValue, trustAnchors: tsaRootPem });
 * if (r.indication === 'PASSED') console.log('existed at', r.genTime);
 * ```
 */
export async function verifyTimeStampToken(
  token: Uint8Array,
  options: VerifyTimeStampTokenOptions,
): Promise<TimeStampVerification> {
  checkOptions(timeStampOptionsSchema, options, 'verifyTimeStampToken options');
  if (options.abortSignal?.aborted) throw new AbortError(options.abortSignal.reason);
  const t = token instanceof Uint8Array ? readToken(token) : 'the token must be bytes';
  if (typeof t === 'string')
    return {
      indication: 'FAILED',
      subIndication: 'FORMAT_FAILURE',
      message: `Time-stamp: ${t}`,
      certificates: [],
      warnings: [],
    };
  const certificates = t.certs.map((c) => certDer(c));
  const data =
    options.data instanceof Uint8Array
      ? options.data
      : Buffer.concat(options.data.map((d) => Buffer.from(d)));
  const base = {
    policy: t.tst.policy,
    serialNumber: Buffer.from(t.tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    certificates,
  };
  const future = futureProblem(t, options);
  if (future) return { ...future, ...base, warnings: [] };
  const tsa = await tokenProblem(t, new Uint8Array(data), () => suppliedCertificates(options));
  if (!(tsa instanceof pkijs.Certificate)) return { ...tsa, ...base, warnings: [] };
  const path = await validateCertificatePath(certDer(tsa), {
    trustAnchors: options.trustAnchors,
    intermediates: [...certificates, ...[options.intermediates ?? []].flat()] as CertificateInput[],
    at: t.tst.genTime,
    timeProven: true,
    usage: 'timestamping',
    revocation: options.revocation === false ? false : { required: false, ...(options.revocation ?? {}) },
    ...(options.algorithmPolicy ? { algorithmPolicy: options.algorithmPolicy } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.timeoutInMs ? { timeoutInMs: options.timeoutInMs } : {}),
  });
  const genTime = t.tst.genTime.toISOString();
  const tsaSummary = summarizeCert(fromPkijs(tsa));
  if (path.indication !== 'PASSED')
    return {
      indication: path.indication,
      ...(path.subIndication ? { subIndication: path.subIndication } : {}),
      message: `TSA certificate: ${path.message}`,
      genTime,
      tsa: tsaSummary,
      path,
      ...base,
      warnings: [],
    };
  return {
    indication: 'PASSED',
    message: `Time-stamp verifies; existed at ${genTime}`,
    genTime,
    tsa: tsaSummary,
    path,
    ...base,
    warnings: path.warnings,
  };
}
