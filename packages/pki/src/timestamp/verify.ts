import { AbortError } from '@thgov/core';
import { checkOptions, is, withOptionCheck, z } from '@thgov/core/internal';
import * as pkijs from 'pkijs';
import { type AlgorithmPolicy, algorithmPolicySchema } from '../algorithms.js';
import { summarizeCert } from '../certificate/describe.js';
import { certDer, fromPkijs, toCerts } from '../certificate/parse.js';
import type { CertificateInput, CertificateSummary } from '../certificate/types.js';
import { DIGEST_BY_OID, digest } from '../engine.js';
import type { BlockIndication, SubIndication } from '../etsi.js';
import { type PathRevocationOptions, revocationSchema } from '../path/options.js';
import type { PathValidationResult } from '../path/result.js';
import { validateCertificatePath } from '../path/validate.js';
import { DEFAULT_FRESHNESS } from '../revocation/types.js';
import { findTsa, readToken, signerInfoProblem, type Token } from './token.js';

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
