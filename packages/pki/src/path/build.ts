import { publicKeyOf } from '../algorithms.js';
import { authorityKeyId, subjectKeyId } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import { type Cert, sameEntity } from '../certificate/parse.js';
import { verifySignatureValue } from '../signature.js';

/** Bounds that keep a hostile certificate pool from exploding the search. */
const MAX_DEPTH = 10;
const MAX_PATHS = 8;
const MAX_SIGNATURE_CHECKS = 200;

/** Memoised "is `child` signed by `issuer`'s key" checks (a pool is searched more than once). */
export class SignatureCache {
  readonly #results = new Map<string, boolean>();
  checks = 0;

  signedBy(child: Cert, issuer: Cert): boolean {
    const key = `${child.sha256}:${issuer.sha256}`;
    let r = this.#results.get(key);
    if (r === undefined) {
      this.checks++;
      const pub = publicKeyOf(issuer.pkijs.subjectPublicKeyInfo);
      const c = child.pkijs;
      r =
        pub !== undefined &&
        c.signatureAlgorithm.algorithmId === c.signature.algorithmId &&
        verifySignatureValue(
          new Uint8Array(c.tbsView),
          new Uint8Array(c.signatureValue.valueBlock.valueHexView),
          c.signatureAlgorithm,
          pub,
        );
      this.#results.set(key, r);
    }
    return r;
  }
}

/** Key identifiers, when both are present, must agree: a cheap filter before the signature check. */
function keyIdsAgree(child: Cert, issuer: Cert): boolean {
  const aki = authorityKeyId(child.pkijs);
  const ski = subjectKeyId(issuer.pkijs);
  return !aki || !ski || aki.equals(ski);
}

/** What the search found: candidate paths, and why it may have found none. */
export interface PathSearch {
  paths: Cert[][];
  /** A certificate would have appeared twice on a path (the pool only leads round in circles). */
  loop: boolean;
  /** A path was cut at the length limit before it reached an anchor. */
  truncated: boolean;
}

/**
 * Candidate paths from `leaf` to one of `anchors` (leaf first, anchor last), each link a name match whose
 * signature verifies. A certificate that is the same entity as an anchor ends the path with the configured
 * anchor. Length (at most `maxLength` certificates, anchor included, and never more than 10), path count and
 * signature checks are bounded.
 */
export function buildPaths(
  leaf: Cert,
  pool: readonly Cert[],
  anchors: readonly Cert[],
  sigs: SignatureCache,
  maxLength: number = MAX_DEPTH,
): PathSearch {
  const limit = Math.min(maxLength, MAX_DEPTH);
  const search: PathSearch = { paths: [], loop: false, truncated: false };
  const walk = (path: Cert[]) => {
    if (search.paths.length >= MAX_PATHS || sigs.checks > MAX_SIGNATURE_CHECKS) return;
    if (path.length > limit) {
      search.truncated = true;
      return;
    }
    const last = path[path.length - 1]!;
    const anchor = anchors.find((a) => sameEntity(a, last));
    if (anchor) {
      search.paths.push([...path.slice(0, -1), anchor]);
      return;
    }
    const seen = new Set<string>();
    for (const next of [...anchors, ...pool]) {
      if (seen.has(next.sha256)) continue;
      seen.add(next.sha256);
      if (!sameName(next.pkijs.subject, last.pkijs.issuer) || !keyIdsAgree(last, next)) continue;
      // A self-signed certificate that is no anchor ends the search; only a longer cycle is a loop.
      if (sameEntity(last, next) || !sigs.signedBy(last, next)) continue;
      if (path.some((p) => sameEntity(p, next))) search.loop = true;
      else walk([...path, next]);
    }
  };
  walk([leaf]);
  return search;
}
