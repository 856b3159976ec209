import type { X509Certificate } from 'node:crypto';
import type { SignatureFailureReason } from '../errors.js';
import { describeKey, keyStrength, weakKeyTolerated } from './algorithms.js';
import { certificateProfile, WEAK_CERTIFICATE_SIGNATURES } from './certificate.js';

export interface ChainOptions {
  at: Date;
  /** Most certificates in a path, signer and anchor included. */
  maxLength: number;
  allowWeak: boolean;
}

export type ChainResult =
  | { ok: true; chain: X509Certificate[]; weakAccepted: string[] }
  | { ok: false; reason: SignatureFailureReason; detail: string };

/** Bounds the path search, whatever KeyInfo holds. */
const MAX_SEARCH_STEPS = 2000;

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
  if (child.issuer !== issuer.subject) return false;
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

interface Search {
  paths: X509Certificate[][];
  steps: number;
  loop: boolean;
  tooLong: boolean;
}

function search(
  path: X509Certificate[],
  pool: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  maxLength: number,
  s: Search,
): void {
  if (++s.steps > MAX_SEARCH_STEPS || s.paths.length >= 8) return;
  const cur = path.at(-1) as X509Certificate;
  if (anchors.some((a) => a.fingerprint256 === cur.fingerprint256)) {
    s.paths.push(path);
    return;
  }
  for (const a of anchors) {
    if (!issued(cur, a)) continue;
    if (path.length + 1 > maxLength) s.tooLong = true;
    else s.paths.push([...path, a]);
  }
  for (const c of pool) {
    if (!issued(cur, c)) continue;
    if (path.some((p) => p.fingerprint256 === c.fingerprint256)) {
      s.loop = true;
      continue;
    }
    if (path.length + 1 >= maxLength) {
      s.tooLong = true;
      continue;
    }
    search([...path, c], pool, anchors, maxLength, s);
  }
}

function fail(reason: SignatureFailureReason, detail: string): ChainResult {
  return { ok: false, reason, detail };
}

/** Basic constraints, key usage and pathLen of the certificate at `i` as the issuer of `i - 1`. */
function checkIssuer(
  cert: X509Certificate,
  i: number,
  allowWeak: boolean,
  weak: string[],
): ChainResult | undefined {
  const p = certificateProfile(cert);
  if (!p.basicConstraints?.ca)
    return fail('issuer-not-ca', `certificate ${i} issues another but is not a CA`);
  if (p.keyUsage && !p.keyUsage.includes('keyCertSign')) {
    return fail('issuer-key-usage', `certificate ${i} issues another without keyCertSign`);
  }
  // Certificates between this CA and the signer: all CAs of the path below it.
  const below = i - 1;
  if (p.basicConstraints.pathLength !== undefined && below > p.basicConstraints.pathLength) {
    return fail(
      'path-length',
      `certificate ${i} allows ${p.basicConstraints.pathLength} CA(s) below it, the path has ${below}`,
    );
  }
  const key = describeKey(cert.publicKey);
  const strength = keyStrength(key);
  if (strength !== 'ok') {
    if (!allowWeak || !weakKeyTolerated(key))
      return fail('weak-key', `certificate ${i} has a weak ${key.type} key`);
    weak.push(`issuer-key:${key.type}-${key.bits ?? '?'}`);
  }
  return undefined;
}

/** Validity, critical extensions and the issuer's signature algorithm of every certificate of one path. */
function validatePath(path: X509Certificate[], o: ChainOptions): ChainResult {
  try {
    return validateReadablePath(path, o);
  } catch {
    return fail('certificate-unreadable', 'a certificate of the path cannot be read');
  }
}

function validateReadablePath(path: X509Certificate[], o: ChainOptions): ChainResult {
  const weak: string[] = [];
  for (const [i, cert] of path.entries()) {
    if (o.at < new Date(cert.validFrom)) return fail('not-yet-valid', `certificate ${i} is not valid yet`);
    if (o.at > new Date(cert.validTo)) return fail('expired', `certificate ${i} has expired`);
    const p = certificateProfile(cert);
    if (p.unsupportedCritical.length) {
      return fail(
        'unsupported-critical-extension',
        `certificate ${i} has critical ${p.unsupportedCritical.join(', ')}`,
      );
    }
    if (i > 0) {
      const bad = checkIssuer(cert, i, o.allowWeak, weak);
      if (bad) return bad;
    }
    // The anchor's own (self-)signature is not relied upon; every other certificate's is.
    if (i < path.length - 1 && WEAK_CERTIFICATE_SIGNATURES.has(p.signatureAlgorithmOid)) {
      const sha1 = !/^1\.2\.840\.113549\.1\.1\.[24]$/.test(p.signatureAlgorithmOid);
      if (!o.allowWeak || !sha1) {
        return fail(
          'weak-certificate-signature',
          `certificate ${i} is signed with ${p.signatureAlgorithmOid}`,
        );
      }
      weak.push(`certificate-signature:${p.signatureAlgorithmOid}`);
    }
  }
  return { ok: true, chain: path, weakAccepted: weak };
}

/**
 * Builds and checks the path from a letter's signer to one of the trust anchors, through the certificates
 * KeyInfo carried: issuers must be CAs with keyCertSign, pathLen constraints hold on the built path (anchor
 * included), every certificate is valid at the verification time, no weak certificate signature or key, no
 * unknown critical extension; loops and over-long paths are refused. The first path that passes wins;
 * otherwise the reason of the first complete path (or why none was complete) is returned.
 */
export function buildSignerChain(
  signer: X509Certificate,
  pool: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  options: ChainOptions,
): ChainResult {
  const s: Search = { paths: [], steps: 0, loop: false, tooLong: false };
  search([signer], pool, anchors, options.maxLength, s);
  let first: ChainResult | undefined;
  for (const path of s.paths) {
    const r = validatePath(path, options);
    if (r.ok) return r;
    first ??= r;
  }
  if (first) return first;
  if (s.tooLong) return fail('chain-too-long', `no path within ${options.maxLength} certificates`);
  if (s.loop) return fail('chain-loop', 'the certificates form a loop without reaching a trust anchor');
  return fail('no-path-to-anchor', 'the signer does not chain to a trust anchor');
}
