import { sameName } from '../certificate/name.js';
import { type Cert, sameEntity } from '../certificate/parse.js';
import { buildPaths } from '../path/build.js';
import { constraintProblem, cryptoProblem } from '../path/constraints.js';
import type { CustomUsage } from '../path/usage.js';
import { validityProblem } from '../path/validity.js';
import { type Authenticity, authenticateCrl } from './authenticate.js';
import { crlInternals, type ParsedCrl } from './crl.js';
import type { EvidencePool } from './evaluate.js';

/** The status of a certificate of the CRL signer's path at a time (supplied by the evaluator; bounded depth). */
export type SignerStatus = (cert: Cert, issuer: Cert, at: Date) => Promise<'good' | 'revoked' | 'unknown'>;

/**
 * Same-named certificates whose key is tried on the CRL's signature, and of those that verify it, the ones whose
 * path is validated: a pool full of look-alikes costs a bounded effort. Look-alikes (another key) fail the cheap
 * signature check, so they do not use up the path checks the real signer needs.
 */
const MAX_SIGNATURE_TRIES = 64;
const MAX_CANDIDATES = 8;
const CRL_SIGNING: CustomUsage = { keyUsage: ['cRLSign'] };

/**
 * Why the CRL signer's certificate does not speak for the CA (RFC 5280 §6.3.3 (f)): it needs a valid path to the
 * trust anchor of the certificate being validated, may sign CRLs, was valid when the CRL was issued, and no
 * certificate of its path was revoked then (nor of unknown status).
 */
async function signerPathProblem(
  signer: Cert,
  crl: ParsedCrl,
  pool: EvidencePool,
  status: SignerStatus,
): Promise<string | undefined> {
  if (!pool.anchor) return 'no trust anchor to validate its signer against';
  const paths = buildPaths(signer, pool.certs, [pool.anchor], pool.sigs, { at: crl.thisUpdate }).paths;
  let problem = "its signer's certificate has no path to the same trust anchor";
  for (const path of paths) {
    const p =
      cryptoProblem(path, pool.policy)?.message ??
      constraintProblem(path, CRL_SIGNING)?.message ??
      validityProblem(path, crl.thisUpdate, true)?.message ??
      (await statusProblem(path, crl.thisUpdate, status));
    if (!p) return undefined;
    problem = `its signer's path: ${p}`;
  }
  return problem;
}

async function statusProblem(
  path: readonly Cert[],
  at: Date,
  status: SignerStatus,
): Promise<string | undefined> {
  for (let i = 0; i + 1 < path.length; i++) {
    const st = await status(path[i]!, path[i + 1]!, at);
    if (st !== 'good')
      return `a certificate of it ${st === 'revoked' ? 'was revoked' : 'has no known revocation status'} when the CRL was issued`;
  }
  return undefined;
}

/**
 * A CRL signed by another key than the certificate's issuer's (a re-keyed CA's new key, RFC 5280 §6.3.3 (f)): its
 * signer is looked for among the certificates at hand that carry the CRL's issuer name, and validated on its own to
 * the same trust anchor. The first signer that verifies the CRL and validates makes it authentic; otherwise why not.
 */
export async function validatedCrlSigner(
  crl: ParsedCrl,
  issuer: Cert,
  pool: EvidencePool,
  status: SignerStatus,
): Promise<Authenticity> {
  const name = crlInternals(crl).crl.issuer;
  const signers = pool.certs
    .filter((c) => !sameEntity(c, issuer) && sameName(c.pkijs.subject, name))
    .slice(0, MAX_SIGNATURE_TRIES)
    .map((c) => [c, authenticateCrl(crl, c, pool.policy)] as const)
    .filter(([, auth]) => auth.ok)
    .slice(0, MAX_CANDIDATES);
  let reason = "no certificate at hand with its issuer's name and another key verifies its signature";
  for (const [signer, auth] of signers) {
    const problem = await signerPathProblem(signer, crl, pool, status);
    if (!problem) return auth;
    reason = `signed by another certificate of its issuer, but ${problem}`;
  }
  return { ok: false, reason };
}
