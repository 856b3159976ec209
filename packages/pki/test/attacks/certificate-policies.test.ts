// Attack class: certificate policies (RFC 5280 §6.1). A CA that requires an explicit policy
// (policyConstraints requireExplicitPolicy), forbids anyPolicy (inhibitAnyPolicy) or policy mapping
// (inhibitPolicyMapping) constrains every certificate below it; a path that breaks those rules must end
// CHAIN_CONSTRAINTS_FAILURE (check 'policy'), never PASSED. Malformed policy extensions are a typed failure,
// and the work on hostile mappings is bounded. Paths without policy constraints pass as before.
import { cpuMsOfAsync } from '@thgov/testkit';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import type { RawExtension } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;

const ANY = '2.5.29.32.0';
const P1 = '1.3.6.1.4.1.99999.1.1';
const P2 = '1.3.6.1.4.1.99999.1.2';
const P3 = '1.3.6.1.4.1.99999.1.3';

const der = (a: asn1js.AsnType) => new Uint8Array(a.toBER(false));
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });

function policies(...oids: string[]): RawExtension {
  return {
    oid: '2.5.29.32',
    value: der(new asn1js.Sequence({ value: oids.map((o) => new asn1js.Sequence({ value: [oid(o)] })) })),
  };
}

function skipCerts(tag: number, n: number) {
  return new asn1js.Primitive({
    idBlock: { tagClass: 3, tagNumber: tag },
    valueHex: new Uint8Array([n]).buffer,
  });
}

function constraints(c: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number }): RawExtension {
  const value = [];
  if (c.requireExplicitPolicy !== undefined) value.push(skipCerts(0, c.requireExplicitPolicy));
  if (c.inhibitPolicyMapping !== undefined) value.push(skipCerts(1, c.inhibitPolicyMapping));
  return { oid: '2.5.29.36', critical: true, value: der(new asn1js.Sequence({ value })) };
}

function mappings(...pairs: [string, string][]): RawExtension {
  return {
    oid: '2.5.29.33',
    critical: true,
    value: der(
      new asn1js.Sequence({
        value: pairs.map(([from, to]) => new asn1js.Sequence({ value: [oid(from), oid(to)] })),
      }),
    ),
  };
}

function inhibitAny(n: number): RawExtension {
  return { oid: '2.5.29.54', critical: true, value: der(new asn1js.Integer({ value: n })) };
}

let serial = 1000;

/** Root → one CA per entry of `cas` → end entity; each entry is the extensions of that certificate. */
async function chain(
  cas: RawExtension[][],
  leaf: RawExtension[],
  names: string[] = [],
): Promise<{ leaf: Identity; intermediates: Identity[] }> {
  const intermediates: Identity[] = [];
  let issuer = h.root;
  for (const [i, extensions] of cas.entries()) {
    const ca = await issue(now, names[i] ?? `Policy CA ${serial}`, serial++, issuer, {
      ...CA_USAGE,
      extensions,
    });
    intermediates.push(ca);
    issuer = ca;
  }
  return {
    leaf: await issue(now, `Policy Signer ${serial}`, serial++, issuer, {
      ...SIGNER_USAGE,
      extensions: leaf,
    }),
    intermediates,
  };
}

async function check(cas: RawExtension[][], leaf: RawExtension[], names?: string[]) {
  const c = await chain(cas, leaf, names);
  return validateCertificatePath(c.leaf.cert, {
    trustAnchors: h.root.cert,
    intermediates: c.intermediates.map((i) => i.cert),
    revocation: false,
  });
}

async function expectPolicyFailure(r: Awaited<ReturnType<typeof check>>, position?: number) {
  expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  expect(r.failure?.check).toBe('policy');
  if (position !== undefined) expect(r.failure?.position).toBe(position);
}

describe('requireExplicitPolicy', () => {
  it('requireExplicitPolicy=0 in the CA and an end entity without policies fails', async () => {
    const r = await check([[policies(P1), constraints({ requireExplicitPolicy: 0 })]], []);
    await expectPolicyFailure(r, 0);
    expect(r.message).toMatch(/^the end-entity certificate has no certificate policy/);
    expect(r.message).not.toMatch(/Policy (CA|Signer)/);
  });

  it('requireExplicitPolicy=0 and an end entity with only a policy the CA does not allow fails', async () => {
    await expectPolicyFailure(
      await check([[policies(P1), constraints({ requireExplicitPolicy: 0 })]], [policies(P2)]),
    );
  });

  it("requireExplicitPolicy=0 and an end entity carrying the CA's policy passes", async () => {
    expectOutcome(
      await check([[policies(P1), constraints({ requireExplicitPolicy: 0 })]], [policies(P1)]),
      'PASSED',
    );
    // anyPolicy in the CA allows whatever the end entity asserts.
    expectOutcome(
      await check([[policies(ANY), constraints({ requireExplicitPolicy: 0 })]], [policies(P2)]),
      'PASSED',
    );
  });

  it('requireExplicitPolicy counts the certificates that may follow without a policy', async () => {
    // 1: the next certificate (the end entity) must already carry one.
    await expectPolicyFailure(await check([[policies(ANY), constraints({ requireExplicitPolicy: 1 })]], []));
    // 2: one certificate (the end entity) may be skipped.
    expectOutcome(await check([[policies(ANY), constraints({ requireExplicitPolicy: 2 })]], []), 'PASSED');
    // 1 with a CA below that carries no policy: the tree is empty from there, the end entity fails.
    await expectPolicyFailure(
      await check([[policies(ANY), constraints({ requireExplicitPolicy: 1 })], []], [policies(P1)]),
    );
    // 2 with that CA between: still one policy-less certificate too many.
    await expectPolicyFailure(
      await check([[policies(ANY), constraints({ requireExplicitPolicy: 2 })], []], []),
    );
  });

  it('a self-issued intermediate is not counted (RFC 5280 §6.1.4 (h))', async () => {
    const name = `Rollover CA ${serial}`;
    const cas = [[policies(ANY), constraints({ requireExplicitPolicy: 2 })], [policies(ANY)]];
    // The second CA has the first one's name: a key rollover certificate, not counted.
    expectOutcome(await check(cas, [], [name, name]), 'PASSED');
    // The same path with a second CA of another name is one certificate too long.
    await expectPolicyFailure(await check(cas, []));
  });
});

describe('inhibitAnyPolicy', () => {
  it('inhibitAnyPolicy=0 and an end entity asserting only anyPolicy fails', async () => {
    const ca = [policies(ANY), constraints({ requireExplicitPolicy: 0 }), inhibitAny(0)];
    await expectPolicyFailure(await check([ca], [policies(ANY)]), 0);
    // A specific policy is still allowed through the CA's anyPolicy.
    expectOutcome(await check([ca], [policies(P1)]), 'PASSED');
  });

  it('inhibitAnyPolicy=1 lets the next certificate use anyPolicy', async () => {
    const ca = [policies(ANY), constraints({ requireExplicitPolicy: 0 }), inhibitAny(1)];
    expectOutcome(await check([ca], [policies(ANY)]), 'PASSED');
  });
});

describe('policyMappings', () => {
  it('a mapping from issuerDomain to subjectDomain makes the end entity policy acceptable', async () => {
    const ca = [policies(P1), mappings([P1, P2]), constraints({ requireExplicitPolicy: 0 })];
    expectOutcome(await check([ca], [policies(P2)]), 'PASSED');
    // The issuer-domain policy itself is no longer expected below the mapping.
    await expectPolicyFailure(await check([ca], [policies(P1)]));
  });

  it('a mapping to or from anyPolicy fails, constraints or not', async () => {
    await expectPolicyFailure(await check([[policies(P1), mappings([P1, ANY])]], [policies(P1)]), 1);
    await expectPolicyFailure(await check([[policies(ANY), mappings([ANY, P1])]], [policies(P1)]), 1);
  });

  it('after inhibitPolicyMapping=0 a mapped policy is not accepted', async () => {
    const top = [policies(P1), constraints({ requireExplicitPolicy: 0, inhibitPolicyMapping: 0 })];
    const mapper = [policies(P1), mappings([P1, P2])];
    await expectPolicyFailure(await check([top, mapper], [policies(P2)]));
    // Without the inhibition the same mapping is honoured.
    const free = [policies(P1), constraints({ requireExplicitPolicy: 0 })];
    expectOutcome(await check([free, mapper], [policies(P2)]), 'PASSED');
  });
});

describe('paths without policy constraints are unchanged (guards)', () => {
  it('no policy extension anywhere passes', async () => {
    expectOutcome(await check([[], []], []), 'PASSED');
  });

  it("the trust anchor's own policy extensions are not processed (RFC 5280: the anchor is an input)", async () => {
    const root = await issue(now, 'Policy Root', serial++, undefined, {
      ...CA_USAGE,
      extensions: [policies(P1), constraints({ requireExplicitPolicy: 0 })],
    });
    const leaf = await issue(now, 'Policy-less Signer', serial++, root, SIGNER_USAGE);
    expectOutcome(
      await validateCertificatePath(leaf.cert, { trustAnchors: root.cert, revocation: false }),
      'PASSED',
    );
  });

  it('policies present but no constraints pass, whatever they are', async () => {
    expectOutcome(await check([[policies(P1)], [policies(P2)]], [policies(P3)]), 'PASSED');
    expectOutcome(await check([[policies(P1)]], []), 'PASSED');
    expectOutcome(await check([[policies(P1), mappings([P1, P2])]], [policies(P3)]), 'PASSED');
  });
});

describe('malformed policy extensions are a typed failure', () => {
  const raw = (oidValue: string, bytes: number[], critical = false): RawExtension => ({
    oid: oidValue,
    critical,
    value: new Uint8Array(bytes),
  });

  it('unreadable DER in each policy extension', async () => {
    for (const bad of [
      raw('2.5.29.32', [0x30, 0x05, 0x06]),
      raw('2.5.29.32', [0x30, 0x00]),
      raw('2.5.29.32', [0x30, 0x03, 0x02, 0x01, 0x01]),
      raw('2.5.29.36', [0x30, 0x03, 0x80, 0x01, 0xff], true),
      raw('2.5.29.33', [0x30, 0x02, 0x30, 0x00], true),
      raw('2.5.29.54', [0x04, 0x01, 0x00], true),
      raw('2.5.29.54', [0x02, 0x01, 0xff], true),
    ]) {
      const r = await check([[policies(ANY), bad]], [policies(P1)]);
      await expectPolicyFailure(r, 1);
    }
  });

  it('duplicate policy OIDs in one certificatePolicies (RFC 5280 §4.2.1.4)', async () => {
    await expectPolicyFailure(await check([], [policies(P1, P1)]), 0);
  });

  it('a policyConstraints with neither field', async () => {
    await expectPolicyFailure(await check([[policies(ANY), constraints({})]], [policies(P1)]), 1);
  });
});

describe('hostile policy graphs are bounded', () => {
  it('every policy mapped to every other over several CAs stays cheap', async () => {
    const k = 24;
    const ids = Array.from({ length: k }, (_, i) => `1.3.6.1.4.1.99999.2.${i}`);
    const all: [string, string][] = ids.flatMap((a) => ids.map((b): [string, string] => [a, b]));
    const ca = [policies(...ids), mappings(...all)];
    const c = await chain(
      [[...ca, constraints({ requireExplicitPolicy: 0 })], ca, ca, ca],
      [policies(ids[0]!)],
    );
    let r: Awaited<ReturnType<typeof check>> | undefined;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await validateCertificatePath(c.leaf.cert, {
        trustAnchors: h.root.cert,
        intermediates: c.intermediates.map((i) => i.cert),
        revocation: false,
      });
    });
    expectOutcome(r!, 'PASSED');
    expect(cpuMs).toBeLessThan(10_000);
  });

  it('a policy set over the cap fails the path', async () => {
    const ids = Array.from({ length: 1100 }, (_, i) => `1.3.6.1.4.1.99999.3.${i}`);
    const c = await chain([[policies(...ids)]], [policies(ids[0]!)]);
    let r: Awaited<ReturnType<typeof check>> | undefined;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await validateCertificatePath(c.leaf.cert, {
        trustAnchors: h.root.cert,
        intermediates: c.intermediates.map((i) => i.cert),
        revocation: false,
      });
    });
    await expectPolicyFailure(r!, 1);
    expect(r!.message).toMatch(/too many/);
    expect(cpuMs).toBeLessThan(10_000);
  });
});
