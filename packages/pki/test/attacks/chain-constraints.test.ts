// Attack class: chain constraints. A certificate that may not issue or may not sign is used anyway — a
// pathLen=0 CA issuing a sub-CA, an end entity acting as a CA, a CA without keyCertSign, names outside a CA's
// name constraints, a TLS server certificate as a document signer. pkijs enforces none of pathLen, name
// constraints or EKU; each must end CHAIN_CONSTRAINTS_FAILURE, never PASSED.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { createCertificate, generateSigningKeyPair } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** Validates without revocation: these rules must fail before any revocation data is looked at. */
function check(
  leaf: Uint8Array,
  intermediates: Uint8Array[],
  usage?: Parameters<typeof validateCertificatePath>[1]['usage'],
) {
  return validateCertificatePath(leaf, {
    trustAnchors: h.root.cert,
    intermediates,
    revocation: false,
    ...(usage ? { usage } : {}),
  });
}

describe('basic constraints and pathLenConstraint', () => {
  it('a pathLen=0 CA that issues a sub-CA which signs is refused (the attack pkijs lets through)', async () => {
    const limited = await issue(now, 'Limited CA', 10, h.root, { ...CA_USAGE, pathLength: 0 });
    const sub = await issue(now, 'Sub CA', 11, limited, CA_USAGE);
    const leaf = await issue(now, 'Signer under sub-CA', 12, sub, SIGNER_USAGE);
    const r = await check(leaf.cert, [limited.cert, sub.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('pathLenConstraint');
    // The same CA signing an end entity directly is fine.
    expectOutcome(
      await check((await issue(now, 'Direct', 13, limited, SIGNER_USAGE)).cert, [limited.cert]),
      'PASSED',
    );
  });

  it("the root's own pathLen counts too, and pathLen=1 allows exactly one CA below", async () => {
    const root = await issue(now, 'Tight Root', 20, undefined, { ...CA_USAGE, pathLength: 1 });
    const a = await issue(now, 'A', 21, root, CA_USAGE);
    const b = await issue(now, 'B', 22, a, CA_USAGE);
    const leafA = await issue(now, 'Leaf A', 23, a, SIGNER_USAGE);
    const leafB = await issue(now, 'Leaf B', 24, b, SIGNER_USAGE);
    const opts = { trustAnchors: root.cert, intermediates: [a.cert, b.cert], revocation: false as const };
    expectOutcome(await validateCertificatePath(leafA.cert, opts), 'PASSED');
    expectOutcome(
      await validateCertificatePath(leafB.cert, opts),
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
    );
  });

  it('an end-entity certificate (cA false) cannot issue', async () => {
    const fake = await issue(now, 'Fake CA', 30, h.root, SIGNER_USAGE);
    const leaf = await issue(now, 'Leaf of fake CA', 31, fake, SIGNER_USAGE);
    const r = await check(leaf.cert, [fake.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toMatch(/not a CA/);
  });

  it('a v3 CA certificate without basicConstraints cannot issue', async () => {
    const bare = await issue(now, 'No BC CA', 32, h.root, {
      keyUsage: ['keyCertSign', 'cRLSign'],
      omitBasicConstraints: true,
    });
    const leaf = await issue(now, 'Leaf of bare CA', 33, bare, SIGNER_USAGE);
    expectOutcome(await check(leaf.cert, [bare.cert]), 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a CA whose key usage lacks keyCertSign cannot issue', async () => {
    const crlOnly = await issue(now, 'CRL-only CA', 34, h.root, { ca: true, keyUsage: ['cRLSign'] });
    const leaf = await issue(now, 'Leaf of CRL-only CA', 35, crlOnly, SIGNER_USAGE);
    const r = await check(leaf.cert, [crlOnly.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('keyCertSign');
  });

  it('an unknown critical extension anywhere below the anchor is refused', async () => {
    const leaf = await issue(now, 'Odd', 36, h.ca, {
      ...SIGNER_USAGE,
      extensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, value: new Uint8Array([5, 0]) }],
    });
    const r = await check(leaf.cert, [h.ca.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('1.3.6.1.4.1.99999.7');
  });
});

describe('name constraints', () => {
  const constrained = issue(now, 'Constrained CA', 40, h.root, {
    ...CA_USAGE,
    nameConstraints: {
      permitted: [
        { directory: { country: 'TH', organization: 'Good University' } },
        { dns: 'good.ac.th' },
        { email: 'good.ac.th' },
      ],
      excluded: [{ dns: 'bad.good.ac.th' }],
    },
  });
  const leaf = async (o: string, extra = {}) => {
    const ca = await constrained;
    const kp = await generateSigningKeyPair({ ec: true });
    return createCertificate({
      subject: { country: 'TH', organization: o, commonName: 'Registrar' },
      publicKey: kp.publicKey,
      signingKey: ca.key,
      issuer: { certificate: ca.cert },
      serialNumber: 41,
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + 86_400_000),
      keyUsage: ['digitalSignature'],
      ...extra,
    });
  };

  it('a subject inside the permitted directory subtree passes', async () => {
    expectOutcome(await check(await leaf('Good University'), [(await constrained).cert]), 'PASSED');
  });

  it('a subject outside the permitted directory subtree is refused', async () => {
    const r = await check(await leaf('Other University'), [(await constrained).cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('name constraints');
  });

  it('alternative names are constrained: outside the DNS subtree, in an excluded one, or a foreign e-mail', async () => {
    const ca = (await constrained).cert;
    for (const san of [
      [{ dns: 'evil.example' }],
      [{ dns: 'x.bad.good.ac.th' }],
      [{ email: 'registrar@evil.example' }],
    ]) {
      expectOutcome(
        await check(await leaf('Good University', { subjectAltName: san }), [ca]),
        'INDETERMINATE',
        'CHAIN_CONSTRAINTS_FAILURE',
      );
    }
    expectOutcome(
      await check(
        await leaf('Good University', {
          subjectAltName: [{ dns: 'reg.good.ac.th' }, { email: 'reg@good.ac.th' }],
        }),
        [ca],
      ),
      'PASSED',
    );
  });

  it('an IP address outside a permitted range is refused', async () => {
    const ipCa = await issue(now, 'IP CA', 42, h.root, {
      ...CA_USAGE,
      nameConstraints: { permitted: [{ ip: '10.1.0.0/16' }] },
    });
    const inside = await issue(now, 'In', 43, ipCa, {
      ...SIGNER_USAGE,
      subjectAltName: [{ ip: '10.1.2.3' }],
    });
    const outside = await issue(now, 'Out', 44, ipCa, {
      ...SIGNER_USAGE,
      subjectAltName: [{ ip: '10.2.2.3' }],
    });
    expectOutcome(await check(inside.cert, [ipCa.cert]), 'PASSED');
    expectOutcome(await check(outside.cert, [ipCa.cert]), 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  });
});

describe('end-entity usage', () => {
  it('a TLS server certificate (EKU serverAuth only) is no document signer', async () => {
    const tls = await issue(now, 'www.example.ac.th', 50, h.ca, {
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: [OID_SERVER_AUTH],
    });
    const r = await check(tls.cert, [h.ca.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('extended key usage');
  });

  it.each([
    ['id-kp-documentSigning', '1.3.6.1.5.5.7.3.36'],
    ['emailProtection', '1.3.6.1.5.5.7.3.4'],
    ['anyExtendedKeyUsage', '2.5.29.37.0'],
    ['Adobe authentic documents', '1.2.840.113583.1.1.5'],
  ])('an EKU with %s allows document signing', async (_n, oid) => {
    const c = await issue(now, `EKU ${oid}`, 51, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [OID_SERVER_AUTH, oid],
    });
    expectOutcome(await check(c.cert, [h.ca.cert]), 'PASSED');
  });

  it('an encryption-only key usage may not sign', async () => {
    const enc = await issue(now, 'Encryption only', 52, h.ca, { keyUsage: ['keyEncipherment'] });
    expectOutcome(await check(enc.cert, [h.ca.cert]), 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a time-stamping certificate needs id-kp-timeStamping; an OCSP responder needs id-kp-OCSPSigning', async () => {
    const plain = await issue(now, 'Plain', 53, h.ca, SIGNER_USAGE);
    expectOutcome(
      await check(plain.cert, [h.ca.cert], 'timestamping'),
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
    );
    expectOutcome(
      await check(plain.cert, [h.ca.cert], 'ocsp-signing'),
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
    );
    const tsa = await issue(now, 'TSA', 54, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
      extendedKeyUsageCritical: true,
    });
    expectOutcome(await check(tsa.cert, [h.ca.cert], 'timestamping'), 'PASSED');
    // A custom rule: only nonRepudiation, and an EKU must be present.
    expectOutcome(
      await check(plain.cert, [h.ca.cert], {
        keyUsage: ['nonRepudiation'],
        extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'],
        requireExtendedKeyUsage: true,
      }),
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
    );
  });
});
