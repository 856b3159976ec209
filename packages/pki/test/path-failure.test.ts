// The machine-readable side of a result: `failure` names the rule that decided (so that a format such as e-CMS
// can give its own reasons without reading messages), `weakAlgorithmsAccepted` what a relaxed algorithm policy
// let through, `maxPathLength` and `requireKeyUsage` the options an e-CMS letter profile needs.
import { describe, expect, it } from 'vitest';
import { type PathFailure, validateCertificatePath } from '../src/index.js';
import { generateSigningKeyPair } from '../src/testing.js';
import { expectOutcome } from './helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const noRevocation = { trustAnchors: h.root.cert, revocation: false as const };

async function failureOf(
  leaf: Uint8Array,
  intermediates: Uint8Array[],
  extra: Partial<Parameters<typeof validateCertificatePath>[1]> = {},
): Promise<PathFailure | undefined> {
  return (await validateCertificatePath(leaf, { ...noRevocation, intermediates, ...extra })).failure;
}

describe('failure: the rule that decided', () => {
  it('is absent on a pass and names chain, issuer and usage rules with the position at fault', async () => {
    const good = await validateCertificatePath(h.signer.cert, {
      ...noRevocation,
      intermediates: [h.ca.cert],
    });
    expectOutcome(good, 'PASSED');
    expect(good.failure).toBeUndefined();

    expect(await failureOf(h.signer.cert, [h.ca.cert], { trustAnchors: [] })).toEqual({
      check: 'trust-anchors',
      position: 0,
    });
    expect(await failureOf(h.signer.cert, [])).toEqual({ check: 'chain', position: 0 });

    const limited = await issue(now, 'Limited CA', 10, h.root, { ...CA_USAGE, pathLength: 0 });
    const sub = await issue(now, 'Sub CA', 11, limited, CA_USAGE);
    const underSub = await issue(now, 'Under sub', 12, sub, SIGNER_USAGE);
    expect(await failureOf(underSub.cert, [sub.cert, limited.cert])).toEqual({
      check: 'path-length',
      position: 2,
    });

    const fakeCa = await issue(now, 'Fake CA', 13, h.root, SIGNER_USAGE);
    const underFake = await issue(now, 'Under fake', 14, fakeCa, SIGNER_USAGE);
    expect(await failureOf(underFake.cert, [fakeCa.cert])).toEqual({
      check: 'basic-constraints',
      position: 1,
    });

    const crlOnly = await issue(now, 'CRL-only CA', 15, h.root, { ca: true, keyUsage: ['cRLSign'] });
    const underCrlOnly = await issue(now, 'Under CRL-only', 16, crlOnly, SIGNER_USAGE);
    expect(await failureOf(underCrlOnly.cert, [crlOnly.cert])).toEqual({
      check: 'key-cert-sign',
      position: 1,
    });

    const odd = await issue(now, 'Odd', 17, h.ca, {
      ...SIGNER_USAGE,
      extensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, value: new Uint8Array([5, 0]) }],
    });
    expect(await failureOf(odd.cert, [h.ca.cert])).toEqual({ check: 'critical-extension', position: 0 });

    const tls = await issue(now, 'TLS', 18, h.ca, {
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    });
    expect(await failureOf(tls.cert, [h.ca.cert])).toEqual({ check: 'extended-key-usage', position: 0 });
    const enc = await issue(now, 'Encryption only', 19, h.ca, { keyUsage: ['keyEncipherment'] });
    expect(await failureOf(enc.cert, [h.ca.cert])).toEqual({ check: 'key-usage', position: 0 });
  });

  it('names algorithm, validity and revocation failures', async () => {
    const shortCa = await issue(now, 'Short CA', 20, h.root, {
      ...CA_USAGE,
      keyPair: await generateSigningKeyPair({ modulusLength: 1024 }),
    });
    const underShort = await issue(now, 'Under short CA', 21, shortCa, SIGNER_USAGE);
    expect(await failureOf(underShort.cert, [shortCa.cert])).toEqual({ check: 'public-key', position: 1 });
    const sha1 = await issue(now, 'SHA-1 leaf', 22, shortCa, { ...SIGNER_USAGE, signatureHash: 'SHA-1' });
    expect(
      await failureOf(sha1.cert, [shortCa.cert], { algorithmPolicy: { minRsaModulusBits: 1024 } }),
    ).toEqual({ check: 'signature-algorithm', position: 0 });

    const late = new Date(now.getTime() + 400 * DAY);
    expect(await failureOf(h.signer.cert, [h.ca.cert], { at: late })).toEqual({
      check: 'validity',
      position: 0,
    });

    const revoking = await h.crl(h.ca, { revoked: [{ serialNumber: h.signer.serial, date: now }] });
    const revoked = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls: [revoking, await h.crl(h.root)] },
    });
    expectOutcome(revoked, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(revoked.failure).toEqual({ check: 'revocation', position: 0 });
    const unknownCa = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls: [await h.crl(h.ca)] },
    });
    expectOutcome(unknownCa, 'INDETERMINATE', 'TRY_LATER');
    expect(unknownCa.failure).toEqual({ check: 'revocation', position: 1 });
  });
});

describe('path search limits', () => {
  it('maxPathLength cuts the search: no chain within it is chain-length, not a missing issuer', async () => {
    const opts = { ...noRevocation, intermediates: [h.ca.cert] };
    expectOutcome(await validateCertificatePath(h.signer.cert, { ...opts, maxPathLength: 3 }), 'PASSED');
    const short = await validateCertificatePath(h.signer.cert, { ...opts, maxPathLength: 2 });
    expectOutcome(short, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(short.failure).toEqual({ check: 'chain-length', position: 0 });
    await expect(
      validateCertificatePath(h.signer.cert, { ...opts, maxPathLength: 11 }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  it('two CAs that certify each other, under no anchor, are reported as a loop', async () => {
    const kpA = await generateSigningKeyPair({ ec: true });
    const kpB = await generateSigningKeyPair({ ec: true });
    const aSelf = await issue(now, 'Loop A', 30, undefined, { ...CA_USAGE, keyPair: kpA });
    const b = await issue(now, 'Loop B', 31, aSelf, { ...CA_USAGE, keyPair: kpB });
    const a = await issue(now, 'Loop A', 32, b, { ...CA_USAGE, keyPair: kpA });
    const leaf = await issue(now, 'Leaf in a loop', 33, a, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, { ...noRevocation, intermediates: [a.cert, b.cert] });
    expectOutcome(r, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(r.failure).toEqual({ check: 'chain-loop', position: 0 });
    // A self-signed certificate that is simply not trusted is no loop.
    const stranger = await issue(now, 'Stranger', 34, undefined, SIGNER_USAGE);
    expect(await failureOf(stranger.cert, [stranger.cert])).toEqual({ check: 'chain', position: 0 });
  });
});

describe('requireKeyUsage and the document-signing key purposes', () => {
  it('a custom usage can demand the key usage extension that RFC 5280 lets a certificate leave out', async () => {
    const bare = await issue(now, 'No key usage', 40, h.ca, {});
    const opts = { ...noRevocation, intermediates: [h.ca.cert] };
    expectOutcome(await validateCertificatePath(bare.cert, opts), 'PASSED');
    const strict = await validateCertificatePath(bare.cert, {
      ...opts,
      usage: { keyUsage: ['digitalSignature', 'nonRepudiation'], requireKeyUsage: true },
    });
    expectOutcome(strict, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(strict.failure).toEqual({ check: 'key-usage', position: 0 });
    expect(strict.message).toContain('no key usage');
  });
});

describe('weakAlgorithmsAccepted', () => {
  it('lists what a relaxed policy let through, and nothing under the default policy', async () => {
    const rsaCa = await issue(now, 'RSA-1024 CA', 50, h.root, {
      ...CA_USAGE,
      keyPair: await generateSigningKeyPair({ modulusLength: 1024 }),
    });
    const sha1Leaf = await issue(now, 'SHA-1 leaf', 51, rsaCa, { ...SIGNER_USAGE, signatureHash: 'SHA-1' });
    const relaxed = await validateCertificatePath(sha1Leaf.cert, {
      ...noRevocation,
      intermediates: [rsaCa.cert],
      algorithmPolicy: { acceptSha1: true, minRsaModulusBits: 1024 },
    });
    expectOutcome(relaxed, 'PASSED');
    expect(relaxed.weakAlgorithmsAccepted).toEqual([
      {
        check: 'signature-algorithm',
        position: 0,
        message: 'the end-entity certificate: SHA-1 is not accepted',
      },
      {
        check: 'public-key',
        position: 1,
        message: 'CA certificate #1: RSA key of 1024 bits is shorter than 2048',
      },
    ]);
    const strict = await validateCertificatePath(h.signer.cert, {
      ...noRevocation,
      intermediates: [h.ca.cert],
    });
    expect(strict.weakAlgorithmsAccepted).toBeUndefined();
  });
});
