import { publicKeyOf } from '../algorithms.js';
import { authorityKeyId, subjectKeyId } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import { type Cert, sameEntity, uniqueCerts } from '../certificate/parse.js';
import { verifySignatureValueOnce } from '../signature-memo.js';

/** Bounds that keep a hostile certificate pool from exploding the search. */
const MAX_DEPTH = 10;
/** Complete paths handed to `accept` (or collected without it) at most. */
const MAX_PATHS = 16;
const MAX_SIGNATURE_CHECKS = 200;
/**
 * Certificates put on a path at most, over the whole search: a pool where each CA has several certificates with
 * one key (re-issued, or a signer's certificate bag) offers exponentially many ways up, each found quickly.
 */
const MAX_STEPS = 2_000;

/**
 * Memoised "is `child` signed by `issuer`'s key" checks (a pool is searched more than once). The signature itself
 * goes through the process-wide memo of exact inputs (`verifySignatureValueOnce`); `checks` still counts every
 * first lookup here, so the search's work bound does not depend on what earlier validations left behind.
 */
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
        verifySignatureValueOnce(
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
  /** Complete paths in the order found; with `accept`, the last is the accepted one when `accepted`. */
  paths: Cert[][];
  /** With `accept`: the search stopped at a path it accepted (the last of `paths`). */
  accepted: boolean;
  /** A certificate would have appeared twice on a path (the pool only leads round in circles). */
  loop: boolean;
  /** A path was cut at the length limit before it reached an anchor. */
  truncated: boolean;
  /** The search stopped at its work limit before it had tried every way up. */
  exhausted: boolean;
}

/** How to search. */
export interface PathSearchOptions {
  /** At most this many certificates on a path, anchor included (never more than 10). */
  maxLength?: number;
  /** Issuers valid at this time are tried first (a re-issued CA: its current certificate before expired ones). */
  at?: Date;
  /** Whether a complete path is the one wanted: the search stops at the first it accepts. */
  accept?: (path: Cert[]) => boolean;
}

/**
 * Candidate issuers of a certificate by name and key identifiers, each list made once per certificate (a walk
 * meets the same certificate on many paths), those valid at `at` first.
 */
function issuerCandidates(
  pool: readonly Cert[],
  anchors: readonly Cert[],
  at: Date | undefined,
): (c: Cert) => Cert[] {
  const all = uniqueCerts([...anchors, ...pool]);
  const memo = new Map<string, Cert[]>();
  const current = (c: Cert) =>
    at === undefined ||
    (c.pkijs.notBefore.value.getTime() <= at.getTime() && at.getTime() <= c.pkijs.notAfter.value.getTime());
  return (child) => {
    let found = memo.get(child.sha256);
    if (!found) {
      const named = all.filter(
        (next) => sameName(next.pkijs.subject, child.pkijs.issuer) && keyIdsAgree(child, next),
      );
      found = [...named.filter(current), ...named.filter((c) => !current(c))];
      memo.set(child.sha256, found);
    }
    return found;
  };
}

/**
 * Candidate paths from `leaf` to one of `anchors` (leaf first, anchor last), each link a name match whose
 * signature verifies. A certificate that is the same entity as an anchor ends the path with the configured
 * anchor. Length (at most `maxLength` certificates, anchor included, and never more than 10), path count,
 * signature checks and the steps of the search are bounded; with `accept`, the search stops at the first path it
 * accepts.
 */
export function buildPaths(
  leaf: Cert,
  pool: readonly Cert[],
  anchors: readonly Cert[],
  sigs: SignatureCache,
  options: PathSearchOptions = {},
): PathSearch {
  const limit = Math.min(options.maxLength ?? MAX_DEPTH, MAX_DEPTH);
  const search: PathSearch = { paths: [], accepted: false, loop: false, truncated: false, exhausted: false };
  const issuersOf = issuerCandidates(pool, anchors, options.at);
  let steps = 0;
  const done = () =>
    search.accepted ||
    search.exhausted ||
    search.paths.length >= MAX_PATHS ||
    sigs.checks > MAX_SIGNATURE_CHECKS;
  const walk = (path: Cert[]) => {
    if (done()) return;
    if (++steps > MAX_STEPS) {
      search.exhausted = true;
      return;
    }
    if (path.length > limit) {
      search.truncated = true;
      return;
    }
    const last = path[path.length - 1]!;
    const anchor = anchors.find((a) => sameEntity(a, last));
    if (anchor) {
      const found = [...path.slice(0, -1), anchor];
      search.paths.push(found);
      search.accepted = options.accept?.(found) ?? false;
      return;
    }
    for (const next of issuersOf(last)) {
      if (done()) return;
      // A self-signed certificate that is no anchor ends the search; only a longer cycle is a loop.
      if (sameEntity(last, next) || !sigs.signedBy(last, next)) continue;
      if (path.some((p) => sameEntity(p, next))) search.loop = true;
      else walk([...path, next]);
    }
  };
  walk([leaf]);
  return search;
}
