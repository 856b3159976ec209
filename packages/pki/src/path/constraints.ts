import {
  publicKeyOf,
  publicKeyProblem,
  type ResolvedAlgorithmPolicy,
  signatureAlgorithmProblem,
} from '../algorithms.js';
import {
  basicConstraints,
  duplicateExtensions,
  keyUsage,
  unknownCriticalExtensions,
  unreadableCriticalExtensions,
} from '../certificate/extensions.js';
import { type Cert, isSelfIssued } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import { nameConstraintViolation } from './name-constraints.js';
import { policyFailure } from './policies.js';
import type { PathCheck } from './result.js';
import { type CertificateUsage, usageViolation } from './usage.js';

/** One failed static check of a path: which ETSI sub-indication, which rule, and a message without names. */
export interface PathProblem {
  subIndication: 'CRYPTO_CONSTRAINTS_FAILURE' | 'CHAIN_CONSTRAINTS_FAILURE';
  check: PathCheck;
  message: string;
  position: number;
}

/** One algorithm the policy refuses on a path. */
export interface AlgorithmIssue {
  check: 'public-key' | 'signature-algorithm';
  position: number;
  issue: string;
}

/** Every algorithm the policy refuses on the path: each key, and each signature but the anchor's self-signature. */
export function algorithmIssues(path: readonly Cert[], policy: ResolvedAlgorithmPolicy): AlgorithmIssue[] {
  const issues: AlgorithmIssue[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!.pkijs;
    const keyIssue = publicKeyProblem(publicKeyOf(c.subjectPublicKeyInfo), policy);
    if (keyIssue) issues.push({ check: 'public-key', position: i, issue: keyIssue });
    if (i === path.length - 1) continue;
    const sigIssue = signatureAlgorithmProblem(c.signatureAlgorithm, policy);
    if (sigIssue) issues.push({ check: 'signature-algorithm', position: i, issue: sigIssue });
  }
  return issues;
}

/** Algorithms: the first key or certificate signature on the path the policy refuses. */
export function cryptoProblem(
  path: readonly Cert[],
  policy: ResolvedAlgorithmPolicy,
): PathProblem | undefined {
  const [first] = algorithmIssues(path, policy);
  if (!first) return undefined;
  const label = positionLabel(first.position, path.length);
  return {
    subIndication: 'CRYPTO_CONSTRAINTS_FAILURE',
    check: first.check,
    position: first.position,
    message:
      first.check === 'public-key'
        ? `${label}: ${first.issue}`
        : `${label} is signed with a refused algorithm: ${first.issue}`,
  };
}

type IssuerCheck = { check: 'basic-constraints' | 'key-cert-sign'; message: string };

/** An issuer (CA certificate or anchor) must be a CA allowed to sign certificates. */
function issuerProblem(c: Cert, isAnchor: boolean): IssuerCheck | undefined {
  const bc = basicConstraints(c.pkijs);
  const notCa = (message: string): IssuerCheck => ({ check: 'basic-constraints', message });
  if (!bc) {
    // RFC 5280 §6.1.4 (k): a v3 CA certificate must say it is one; a v1 trust anchor has no extensions at all.
    if (isAnchor && c.pkijs.version < 2) return undefined;
    return notCa('has no basicConstraints, so it is not a CA');
  }
  if (!bc.ca)
    return notCa(
      bc.malformed ? 'has an unreadable basicConstraints' : 'is not a CA (basicConstraints cA is false)',
    );
  const ku = keyUsage(c.pkijs);
  if (ku && !ku.has('keyCertSign'))
    return { check: 'key-cert-sign', message: 'may not sign certificates (keyUsage lacks keyCertSign)' };
  return undefined;
}

/** The first certificate below the anchor that lists an extension more than once (RFC 5280 §4.2 forbids it). */
function duplicatesProblem(path: readonly Cert[]): { position: number; message: string } | undefined {
  for (let i = 0; i < path.length - 1; i++) {
    const twice = duplicateExtensions(path[i]!.pkijs);
    if (twice.length)
      return {
        position: i,
        message: `lists an extension more than once (${twice.join(', ')}; RFC 5280 §4.2), so it cannot be read unambiguously`,
      };
  }
  return undefined;
}

/**
 * RFC 5280 §6.1.4 for a built path (leaf first, anchor last): basic constraints and keyCertSign on every issuer,
 * pathLenConstraint (counted over non-self-issued intermediates, anchor included), name constraints of every
 * issuer over the certificates below it, unknown critical extensions and extensions listed twice, certificate
 * policies (RFC 5280 §6.1.3 (d)–(f), §6.1.4 (a)–(b), (h)–(j), §6.1.5: see `policyFailure`), and the end-entity's
 * usage.
 */
export function constraintProblem(path: readonly Cert[], usage: CertificateUsage): PathProblem | undefined {
  const n = path.length;
  const fail = (check: PathCheck, position: number, message: string): PathProblem => ({
    subIndication: 'CHAIN_CONSTRAINTS_FAILURE',
    check,
    position,
    message: `${positionLabel(position, n)} ${message}`,
  });
  for (let i = 1; i < n; i++) {
    const issue = issuerProblem(path[i]!, i === n - 1);
    if (issue) return fail(issue.check, i, issue.message);
    const limit = basicConstraints(path[i]!.pkijs)?.pathLength;
    if (limit !== undefined) {
      const below = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
      if (below > limit)
        return fail(
          'path-length',
          i,
          `allows ${limit} CA certificate(s) below it (pathLenConstraint) but the path has ${below}`,
        );
    }
    for (let j = 0; j < i; j++) {
      // Self-issued intermediates are exempt (RFC 5280 §6.1.3 (b)); the end entity never is.
      if (j > 0 && isSelfIssued(path[j]!)) continue;
      const nc = nameConstraintViolation(path[i]!.pkijs, path[j]!.pkijs);
      if (nc)
        return fail('name-constraints', j, `violates the name constraints of ${positionLabel(i, n)}: ${nc}`);
    }
  }
  for (let i = 0; i < n - 1; i++) {
    const unknown = unknownCriticalExtensions(path[i]!.pkijs);
    if (unknown.length)
      return fail(
        'critical-extension',
        i,
        `has critical extensions this validator does not process (${unknown.join(', ')})`,
      );
    const unreadable = unreadableCriticalExtensions(path[i]!.pkijs);
    if (unreadable.length)
      return fail(
        'critical-extension',
        i,
        `has critical extensions that cannot be read (${unreadable.join(', ')}; RFC 5280 §4.2)`,
      );
  }
  const policy = policyFailure(path);
  if (policy) return fail('policy', policy.position, policy.message);
  const twice = duplicatesProblem(path);
  if (twice) return fail('critical-extension', twice.position, twice.message);
  const use = usageViolation(path[0]!.pkijs, usage);
  if (use) return fail(use.check, 0, `may not be used for this purpose: ${use.message}`);
  return undefined;
}
