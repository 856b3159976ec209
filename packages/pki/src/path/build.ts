import { publicKeyOf } from '../algorithms.js';
import { authorityKeyId, subjectKeyId } from '../certificate/extensions.js';
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

/**
 * Candidate paths from `leaf` to one of `anchors` (leaf first, anchor last), each link a name match whose
 * signature verifies. A certificate that is the same entity as an anchor ends the path with the configured
 * anchor. Depth, path count and signature checks are bounded.
 */
export function buildPaths(
  leaf: Cert,
  pool: readonly Cert[],
  anchors: readonly Cert[],
  sigs: SignatureCache,
): Cert[][] {
  const found: Cert[][] = [];
  const walk = (path: Cert[]) => {
    if (found.length >= MAX_PATHS || path.length > MAX_DEPTH || sigs.checks > MAX_SIGNATURE_CHECKS) return;
    const last = path[path.length - 1]!;
    const anchor = anchors.find((a) => sameEntity(a, last));
    if (anchor) {
      found.push([...path.slice(0, -1), anchor]);
      return;
    }
    const seen = new Set<string>();
    for (const next of [...anchors, ...pool]) {
      if (seen.has(next.sha256)) continue;
      seen.add(next.sha256);
      if (!next.pkijs.subject.isEqual(last.pkijs.issuer)) continue;
      if (path.some((p) => sameEntity(p, next)) || !keyIdsAgree(last, next)) continue;
      if (sigs.signedBy(last, next)) walk([...path, next]);
    }
  };
  walk([leaf]);
  return found;
}
