import {
  publicKeyOf,
  publicKeyProblem,
  type ResolvedAlgorithmPolicy,
  signatureAlgorithmProblem,
} from '../algorithms.js';
import { basicConstraints, keyUsage, unknownCriticalExtensions } from '../certificate/extensions.js';
import { type Cert, isSelfIssued } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import { nameConstraintViolation } from './name-constraints.js';
import { type CertificateUsage, usageViolation } from './usage.js';

/** One failed static check of a path: which ETSI sub-indication, and a message without names. */
export interface PathProblem {
  subIndication: 'CRYPTO_CONSTRAINTS_FAILURE' | 'CHAIN_CONSTRAINTS_FAILURE';
  message: string;
  position: number;
}

/** Algorithms: every signature on the path (the anchor's self-signature excepted) and every key. */
export function cryptoProblem(
  path: readonly Cert[],
  policy: ResolvedAlgorithmPolicy,
): PathProblem | undefined {
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!.pkijs;
    const label = positionLabel(i, path.length);
    const keyIssue = publicKeyProblem(publicKeyOf(c.subjectPublicKeyInfo), policy);
    if (keyIssue)
      return { subIndication: 'CRYPTO_CONSTRAINTS_FAILURE', position: i, message: `${label}: ${keyIssue}` };
    if (i === path.length - 1) continue;
    const sigIssue = signatureAlgorithmProblem(c.signatureAlgorithm, policy);
    if (sigIssue)
      return {
        subIndication: 'CRYPTO_CONSTRAINTS_FAILURE',
        position: i,
        message: `${label} is signed with a refused algorithm: ${sigIssue}`,
      };
  }
  return undefined;
}

/** An issuer (CA certificate or anchor) must be a CA allowed to sign certificates. */
function issuerProblem(c: Cert, isAnchor: boolean): string | undefined {
  const bc = basicConstraints(c.pkijs);
  if (!bc) {
    // RFC 5280 §6.1.4 (k): a v3 CA certificate must say it is one; a v1 trust anchor has no extensions at all.
    if (isAnchor && c.pkijs.version < 2) return undefined;
    return 'has no basicConstraints, so it is not a CA';
  }
  if (!bc.ca)
    return bc.malformed ? 'has an unreadable basicConstraints' : 'is not a CA (basicConstraints cA is false)';
  const ku = keyUsage(c.pkijs);
  if (ku && !ku.has('keyCertSign')) return 'may not sign certificates (keyUsage lacks keyCertSign)';
  return undefined;
}

/**
 * RFC 5280 §6.1.4 for a built path (leaf first, anchor last): basic constraints and keyCertSign on every issuer,
 * pathLenConstraint (counted over non-self-issued intermediates, anchor included), name constraints of every
 * issuer over the certificates below it, unknown critical extensions, and the end-entity's usage.
 */
export function constraintProblem(path: readonly Cert[], usage: CertificateUsage): PathProblem | undefined {
  const n = path.length;
  const fail = (position: number, message: string): PathProblem => ({
    subIndication: 'CHAIN_CONSTRAINTS_FAILURE',
    position,
    message: `${positionLabel(position, n)} ${message}`,
  });
  for (let i = 1; i < n; i++) {
    const issue = issuerProblem(path[i]!, i === n - 1);
    if (issue) return fail(i, issue);
    const limit = basicConstraints(path[i]!.pkijs)?.pathLength;
    if (limit !== undefined) {
      const below = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
      if (below > limit)
        return fail(
          i,
          `allows ${limit} CA certificate(s) below it (pathLenConstraint) but the path has ${below}`,
        );
    }
    for (let j = 0; j < i; j++) {
      // Self-issued intermediates are exempt (RFC 5280 §6.1.3 (b)); the end entity never is.
      if (j > 0 && isSelfIssued(path[j]!)) continue;
      const nc = nameConstraintViolation(path[i]!.pkijs, path[j]!.pkijs);
      if (nc) return fail(j, `violates the name constraints of ${positionLabel(i, n)}: ${nc}`);
    }
  }
  for (let i = 0; i < n - 1; i++) {
    const unknown = unknownCriticalExtensions(path[i]!.pkijs);
    if (unknown.length)
      return fail(i, `has critical extensions this validator does not process (${unknown.join(', ')})`);
  }
  const use = usageViolation(path[0]!.pkijs, usage);
  if (use) return fail(0, `may not be used for this purpose: ${use}`);
  return undefined;
}
