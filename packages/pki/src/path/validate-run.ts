import { DEFAULT_ALGORITHM_POLICY, resolveAlgorithmPolicy } from '../algorithms.js';
import { summarizeCert } from '../certificate/describe.js';
import { type Cert, toCerts, uniqueCerts } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import type { CertificateInput } from '../certificate/types.js';
import { PkiError } from '../errors.js';
import { toCrls } from '../revocation/crl.js';
import type { EvidencePool } from '../revocation/evaluate.js';
import { resolveFreshness } from '../revocation/freshness.js';
import { toOcspResponses } from '../revocation/ocsp.js';
import { createRevocationFetcher, type RevocationFetch } from '../revocation/online.js';
import { buildPaths, type PathSearch, type PathSearchOptions, SignatureCache } from './build.js';
import { algorithmIssues, constraintProblem, cryptoProblem } from './constraints.js';
import { downloadMissingIssuers } from './fetch-issuers.js';
import type { PathRevocationOptions, ValidateCertificatePathOptions } from './options.js';
import type { PathValidationResult, WeakAlgorithmAccepted } from './result.js';
import { checkPathRevocation, type OnlineContext } from './revocation-step.js';
import { validityProblem } from './validity.js';

// Path building, constraints and revocation: loaded by validate.ts at the first validation (see there).

interface Prepared {
  leaf: Cert;
  pool: Cert[];
  anchors: Cert[];
  at: Date;
  proven: boolean;
  evidence: EvidencePool;
}

function prepare(certificate: CertificateInput, o: ValidateCertificatePathOptions): Prepared {
  const [leaf, ...rest] = toCerts(certificate);
  if (!leaf) throw new PkiError('ERR_PKI_INPUT', 'No certificate to validate');
  const rev = o.revocation === false ? undefined : o.revocation;
  const policy = resolveAlgorithmPolicy(o.algorithmPolicy);
  const sigs = new SignatureCache();
  return {
    leaf,
    pool: uniqueCerts([...rest, ...toCerts(o.intermediates)]),
    anchors: uniqueCerts(toCerts(o.trustAnchors)),
    at: o.at ?? new Date(),
    proven: o.timeProven ?? false,
    evidence: {
      crls: toCrls(rev?.crls, 'supplied'),
      certs: [],
      ocsps: toOcspResponses(rev?.ocspResponses, 'supplied'),
      policy,
      freshness: resolveFreshness(rev),
      now: o.now ?? new Date(),
      sigs,
      auth: new Map(),
    },
  };
}

function result(
  p: Prepared,
  path: readonly Cert[],
  fields: Pick<PathValidationResult, 'indication' | 'message'> & Partial<PathValidationResult>,
): PathValidationResult {
  return {
    validatedAt: p.at.toISOString(),
    timeProven: p.proven,
    path: path.map(summarizeCert),
    certificates: path.map((c) => c.der),
    revocation: [],
    warnings: [],
    ...fields,
  };
}

type Verdict = Pick<PathValidationResult, 'indication' | 'subIndication' | 'message' | 'failure'>;

/** Algorithms, constraints and usage, then validity periods: the checks that need no revocation data. */
function staticVerdict(
  p: Prepared,
  path: readonly Cert[],
  o: ValidateCertificatePathOptions,
): Verdict | undefined {
  const problem =
    cryptoProblem(path, p.evidence.policy) ?? constraintProblem(path, o.usage ?? 'document-signing');
  if (problem)
    return {
      indication: 'INDETERMINATE',
      subIndication: problem.subIndication,
      message: problem.message,
      failure: { check: problem.check, position: problem.position },
    };
  return validityProblem(path, p.at, p.proven);
}

/** The path the search accepted (it meets every static rule), or the first failure when it accepted none. */
function choosePath(
  p: Prepared,
  search: PathSearch,
  o: ValidateCertificatePathOptions,
): PathValidationResult | Cert[] {
  if (search.accepted) return search.paths[search.paths.length - 1]!;
  const first = search.paths[0]!;
  return result(p, first, staticVerdict(p, first, o)!);
}

/**
 * Why no path was found: the pool loops, the length limit cut a path short, or no issuer leads to an anchor; with
 * what downloading a missing issuer ran into, when that was tried.
 */
function noChain(
  search: PathSearch,
  maxPathLength: number | undefined,
  problems: readonly string[],
): Verdict {
  const base = { indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' } as const;
  if (search.exhausted)
    return {
      ...base,
      message:
        'The certificates given offer too many ways up to search them all; none found reached a trust anchor',
      failure: { check: 'chain', position: 0 },
    };
  if (search.truncated)
    return {
      ...base,
      message: `No certificate chain to a trust anchor within ${maxPathLength ?? 10} certificates`,
      failure: { check: 'chain-length', position: 0 },
    };
  if (search.loop)
    return {
      ...base,
      message: 'The certificates given form a loop that reaches no trust anchor',
      failure: { check: 'chain-loop', position: 0 },
    };
  const why = problems.length ? ` (${problems.slice(0, 3).join('; ')})` : '';
  return {
    ...base,
    message: `No certificate chain from ${positionLabel(0, 2)} to a trust anchor${why}`,
    failure: { check: 'chain', position: 0 },
  };
}

/**
 * Candidate paths from the certificates at hand; when there is none and fetching is allowed, again after the
 * missing issuers were downloaded from their caIssuers URLs (the pool then holds them).
 */
async function searchPaths(
  p: Prepared,
  o: ValidateCertificatePathOptions,
  online: OnlineContext | undefined,
): Promise<{ search: PathSearch; problems: string[] }> {
  const options: PathSearchOptions = {
    at: p.at,
    accept: (path) => !staticVerdict(p, path, o),
    ...(o.maxPathLength ? { maxLength: o.maxPathLength } : {}),
  };
  const search = buildPaths(p.leaf, p.pool, p.anchors, p.evidence.sigs, options);
  if (search.paths.length > 0 || search.truncated || search.exhausted || !online)
    return { search, problems: [] };
  const more = await downloadMissingIssuers(p.leaf, p.pool, p.anchors, online);
  if (more.pool.length === p.pool.length) return { search, problems: more.problems };
  p.pool = more.pool;
  return {
    search: buildPaths(p.leaf, p.pool, p.anchors, p.evidence.sigs, options),
    problems: more.problems,
  };
}

/**
 * What the policy accepted on the chosen path that the default policy refuses (nothing unless it was relaxed: a
 * stricter policy that passes implies the default passes).
 */
function weakAlgorithmsAccepted(path: readonly Cert[]): { weakAlgorithmsAccepted?: WeakAlgorithmAccepted[] } {
  const issues = algorithmIssues(path, DEFAULT_ALGORITHM_POLICY).map((i) => ({
    check: i.check,
    position: i.position,
    message: `${positionLabel(i.position, path.length)}: ${i.issue}`,
  }));
  return issues.length ? { weakAlgorithmsAccepted: issues } : {};
}

function onlineContext(
  rev: PathRevocationOptions | undefined,
  o: ValidateCertificatePathOptions,
): OnlineContext | undefined {
  if (!rev || (!rev.online && !rev.fetch)) return undefined;
  const own = rev.fetch
    ? undefined
    : createRevocationFetcher(typeof rev.online === 'object' ? rev.online : {});
  const fetch: RevocationFetch = own
    ? own.fetch
    : typeof rev.fetch === 'function'
      ? rev.fetch
      : rev.fetch!.fetch;
  const signals = [o.abortSignal, o.timeoutInMs ? AbortSignal.timeout(o.timeoutInMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return {
    fetch,
    ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
    userSignal: o.abortSignal,
    close: async () => own?.close(),
  };
}

/** `validateCertificatePath` once its options are checked. */
export async function runPathValidation(
  certificate: CertificateInput,
  options: ValidateCertificatePathOptions,
): Promise<PathValidationResult> {
  const p = prepare(certificate, options);
  if (p.anchors.length === 0)
    return result(p, [p.leaf], {
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
      message: 'No trust anchors configured',
      failure: { check: 'trust-anchors', position: 0 },
    });
  const rev = options.revocation === false ? undefined : (options.revocation ?? {});
  const online = onlineContext(rev, options);
  try {
    const { search, problems } = await searchPaths(p, options, online);
    if (search.paths.length === 0)
      return result(p, [p.leaf], noChain(search, options.maxPathLength, problems));
    const chosen = choosePath(p, search, options);
    if (!Array.isArray(chosen)) return chosen;
    const weak = weakAlgorithmsAccepted(chosen);
    if (!rev)
      return result(p, chosen, {
        indication: 'PASSED',
        message: 'Path valid; revocation not checked',
        ...weak,
      });
    p.evidence.certs = [...p.pool, ...p.anchors];
    const outcome = await checkPathRevocation(chosen, p.evidence, p.at, p.proven, options.usage, online);
    const required = rev.required ?? true;
    return result(p, chosen, { ...outcome.verdict(required), ...weak });
  } finally {
    await online?.close();
  }
}
