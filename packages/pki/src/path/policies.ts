import { type Cert, isSelfIssued } from '../certificate/parse.js';
import {
  ANY_POLICY,
  MalformedPolicyExtension,
  type PolicyExtensions,
  policyExtensions,
} from '../certificate/policies.js';

/**
 * The most nodes plus expected policies one level of the policy tree may hold. Each level is kept as one node
 * per valid policy (the RFC 9618 policy graph: nodes of a level with the same valid policy always share their
 * expected set, so merging them changes no outcome), which keeps the work linear in the size of the
 * certificates; the cap still bounds it, far above any real PKI, and a path over it fails.
 */
export const MAX_POLICY_TREE_SIZE = 2048;

/** One level of the valid_policy_tree: each valid_policy with its expected_policy_set; undefined = NULL. */
type Level = Map<string, Set<string>>;

interface PolicyState {
  tree: Level | undefined;
  explicitPolicy: number;
  inhibitAnyPolicy: number;
  policyMapping: number;
}

/** A policy failure: the index in the path (0 = end entity) and why, without names. */
export interface PolicyFailure {
  position: number;
  message: string;
}

const EXPLICIT_POLICY_MISSING =
  'has no certificate policy the path accepts, and a CA above it requires an explicit policy (policyConstraints)';

function tooBig(level: Level | undefined): boolean {
  let size = 0;
  for (const expected of level?.values() ?? []) size += 1 + expected.size;
  return size > MAX_POLICY_TREE_SIZE;
}

/** RFC 5280 §6.1.3 (d)–(e): the next level of the tree from the certificate's policies. */
function nextLevel(prev: Level, policies: string[], anyAllowed: boolean): Level | undefined {
  const expected = new Set<string>();
  for (const set of prev.values()) for (const p of set) expected.add(p);
  const next: Level = new Map();
  for (const p of policies) {
    // (d)(1): a node expecting p, or else the anyPolicy node, gets a child p.
    if (p !== ANY_POLICY && (expected.has(p) || prev.has(ANY_POLICY))) next.set(p, new Set([p]));
  }
  if (anyAllowed && policies.includes(ANY_POLICY))
    // (d)(2): every expected policy without a child yet (anyPolicy included) gets one.
    for (const p of expected) if (!next.has(p)) next.set(p, new Set([p]));
  return next.size ? next : undefined;
}

/** RFC 5280 §6.1.4 (a)–(b): policyMappings of a CA certificate. */
function applyMappings(s: PolicyState, mappings: Map<string, Set<string>>): string | undefined {
  for (const [from, to] of mappings)
    if (from === ANY_POLICY || to.has(ANY_POLICY))
      return 'maps a policy to or from anyPolicy (policyMappings)';
  const tree = s.tree;
  if (!tree) return undefined;
  for (const [from, to] of mappings) {
    if (s.policyMapping === 0) tree.delete(from);
    else if (tree.has(from) || tree.has(ANY_POLICY)) tree.set(from, new Set(to));
  }
  if (tree.size === 0) s.tree = undefined;
  return undefined;
}

/** RFC 5280 §6.1.4 (h)–(j): the counters for the next certificate. */
function updateCounters(s: PolicyState, ext: PolicyExtensions, selfIssued: boolean): void {
  if (!selfIssued) {
    if (s.explicitPolicy > 0) s.explicitPolicy--;
    if (s.policyMapping > 0) s.policyMapping--;
    if (s.inhibitAnyPolicy > 0) s.inhibitAnyPolicy--;
  }
  s.explicitPolicy = Math.min(s.explicitPolicy, ext.requireExplicitPolicy ?? Number.POSITIVE_INFINITY);
  s.policyMapping = Math.min(s.policyMapping, ext.inhibitPolicyMapping ?? Number.POSITIVE_INFINITY);
  s.inhibitAnyPolicy = Math.min(s.inhibitAnyPolicy, ext.inhibitAnyPolicy ?? Number.POSITIVE_INFINITY);
}

/** One certificate (RFC 5280 §6.1.3 (d)–(f), then §6.1.4 when it is not the last). */
function processCertificate(s: PolicyState, ext: PolicyExtensions, last: boolean, selfIssued: boolean) {
  const anyAllowed = s.inhibitAnyPolicy > 0 || (!last && selfIssued);
  s.tree = ext.policies && s.tree ? nextLevel(s.tree, ext.policies, anyAllowed) : undefined;
  if (tooBig(s.tree)) return 'has too many certificate policies for this validator';
  if (s.explicitPolicy === 0 && !s.tree) return EXPLICIT_POLICY_MISSING;
  if (last) return undefined;
  const mapped = ext.mappings ? applyMappings(s, ext.mappings) : undefined;
  if (mapped) return mapped;
  if (tooBig(s.tree)) return 'has too many policy mappings for this validator';
  updateCounters(s, ext, selfIssued);
  return undefined;
}

function readExtensions(c: Cert): PolicyExtensions | string {
  try {
    return policyExtensions(c.pkijs);
  } catch (e) {
    if (e instanceof MalformedPolicyExtension) return `has an unreadable ${e.message}`;
    return 'has an unreadable policy extension';
  }
}

/**
 * RFC 5280 §6.1 policy processing of a built path (end entity first, anchor last; the anchor's own extensions
 * are not processed), with initial-policy-set {anyPolicy} and initial-explicit-policy, initial-policy-mapping-
 * inhibit and initial-any-policy-inhibit all false: only what the CAs of the path require is enforced
 * (policyConstraints, inhibitAnyPolicy, policyMappings). A malformed policy extension fails the path.
 */
export function policyFailure(path: readonly Cert[]): PolicyFailure | undefined {
  const n = path.length - 1;
  if (n < 1) return undefined;
  const s: PolicyState = {
    tree: new Map([[ANY_POLICY, new Set([ANY_POLICY])]]),
    explicitPolicy: n + 1,
    inhibitAnyPolicy: n + 1,
    policyMapping: n + 1,
  };
  let ext: PolicyExtensions = {};
  for (let i = 1; i <= n; i++) {
    const position = n - i;
    const read = readExtensions(path[position]!);
    if (typeof read === 'string') return { position, message: read };
    ext = read;
    const problem = processCertificate(s, ext, i === n, isSelfIssued(path[position]!));
    if (problem) return { position, message: problem };
  }
  // §6.1.5 (a)–(b) and the final check (g): the initial policy set {anyPolicy} keeps the whole tree.
  if (s.explicitPolicy > 0) s.explicitPolicy--;
  if (ext.requireExplicitPolicy === 0) s.explicitPolicy = 0;
  return s.explicitPolicy === 0 && !s.tree ? { position: 0, message: EXPLICIT_POLICY_MISSING } : undefined;
}
