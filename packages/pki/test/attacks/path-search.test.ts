// Attack class: path building over a pool with several candidate issuers per certificate (re-issued CA
// certificates with the same name and key, cross-certificates, a CMS certificate bag filled by the signer).
// The search must stay bounded in work however the pool fans out, and must find the one path that meets the rules
// even when many candidate paths that break them come first in the pool.
import { cpuMsOfAsync } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { generateSigningKeyPair } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;

/**
 * `layers` CA names, one key each, `width` certificates per name; every certificate of a layer is issued by one
 * of the layer above, so that each verifies under every certificate above it (same name, same key).
 */
async function lattice(width: number, layers: number, top: Identity) {
  const pool: Uint8Array[] = [];
  let above: Identity[] = [top];
  let serial = 1000;
  for (let i = layers - 1; i >= 0; i--) {
    const keyPair = await generateSigningKeyPair({ ec: true });
    const layer: Identity[] = [];
    for (let j = 0; j < width; j++)
      layer.push(
        await issue(now, `Fan CA ${i}`, serial++, above[j % above.length], { ...CA_USAGE, keyPair }),
      );
    pool.push(...layer.map((c) => c.cert));
    above = layer;
  }
  return { pool, bottom: above[0]! };
}

describe('path search: bounded work', () => {
  it('a pool whose issuers fan out (4 certificates per CA key, 10 levels, under no anchor) costs bounded CPU', async () => {
    const stranger = await issue(now, 'Fan Root', 900, undefined, CA_USAGE);
    const { pool, bottom } = await lattice(4, 10, stranger);
    const leaf = await issue(now, 'Fan Leaf', 901, bottom, SIGNER_USAGE);
    let r: Awaited<ReturnType<typeof validateCertificatePath>> | undefined;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await validateCertificatePath(leaf.cert, {
        trustAnchors: h.root.cert,
        intermediates: pool,
        revocation: false,
      });
    });
    expectOutcome(r!, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(r!.failure).toEqual({ check: 'chain', position: 0 });
    expect(r!.message).toMatch(/too many ways/);
    // 4^10 ways up: searched in full, this took over 20 s of CPU.
    expect(cpuMs).toBeLessThan(5_000);
  }, 120_000);

  it('the same fan-out above a real anchor still finds a path', async () => {
    const { pool, bottom } = await lattice(4, 4, h.root);
    const leaf = await issue(now, 'Fan Leaf 2', 902, bottom, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: pool,
      revocation: false,
    });
    expectOutcome(r, 'PASSED');
    expect(r.path).toHaveLength(6);
  });
});

describe('path search: the path that meets the rules among many candidates', () => {
  it('a CA re-issued nine times with one key: the current certificate is found behind the expired ones', async () => {
    const keyPair = await generateSigningKeyPair({ ec: true });
    const expired: Uint8Array[] = [];
    for (let i = 0; i < 9; i++) {
      const notAfter = new Date(now.getTime() - 400 * (i + 1) * DAY);
      const notBefore = new Date(notAfter.getTime() - 400 * DAY);
      expired.push(
        (await issue(now, 'Renewed CA', 200 + i, h.root, { ...CA_USAGE, keyPair, notBefore, notAfter })).cert,
      );
    }
    const current = await issue(now, 'Renewed CA', 220, h.root, { ...CA_USAGE, keyPair });
    const leaf = await issue(now, 'Renewed CA signer', 221, current, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: [...expired, current.cert],
      revocation: false,
    });
    expectOutcome(r, 'PASSED');
    expect(r.certificates[1]).toEqual(current.cert);
  });

  it('two CAs each re-issued to correct a constraint: the one good pair of nine combinations is chosen', async () => {
    const caKeys = await generateSigningKeyPair({ ec: true });
    const subKeys = await generateSigningKeyPair({ ec: true });
    // Earlier certificates of the CA had pathLen 0 (no sub-CA allowed); the sub-CA's lacked keyCertSign.
    const cas = [
      await issue(now, 'Policy CA', 300, h.root, { ...CA_USAGE, keyPair: caKeys, pathLength: 0 }),
      await issue(now, 'Policy CA', 301, h.root, { ...CA_USAGE, keyPair: caKeys, pathLength: 0 }),
      await issue(now, 'Policy CA', 302, h.root, { ...CA_USAGE, keyPair: caKeys }),
    ];
    const oldSub = { ca: true, keyUsage: ['cRLSign' as const], keyPair: subKeys };
    const subs = [
      await issue(now, 'Policy Sub CA', 310, cas[2], oldSub),
      await issue(now, 'Policy Sub CA', 311, cas[2], oldSub),
      await issue(now, 'Policy Sub CA', 312, cas[2], { ...CA_USAGE, keyPair: subKeys }),
    ];
    const leaf = await issue(now, 'Policy signer', 320, subs[2], SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: [...subs, ...cas].map((c) => c.cert),
      revocation: false,
    });
    expectOutcome(r, 'PASSED');
    expect(r.certificates.slice(1, 3)).toEqual([subs[2]!.cert, cas[2]!.cert]);
  });

  it('when no candidate path meets the rules, the first failure is reported', async () => {
    const keyPair = await generateSigningKeyPair({ ec: true });
    const ca = await issue(now, 'Never CA', 400, h.root, { ...CA_USAGE, keyPair, pathLength: 0 });
    const sub = await issue(now, 'Never Sub CA', 401, ca, CA_USAGE);
    const leaf = await issue(now, 'Never signer', 402, sub, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: [sub.cert, ca.cert],
      revocation: false,
    });
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.failure).toEqual({ check: 'path-length', position: 2 });
  });
});
