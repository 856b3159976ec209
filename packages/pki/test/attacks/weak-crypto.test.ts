// Attack class: weak cryptography on the path. A SHA-1 certificate signature (SHAttered-style collisions) or a
// short RSA key lets an attacker forge what the path vouches for. Refused by default (CRYPTO_CONSTRAINTS_FAILURE);
// a policy may relax SHA-1 explicitly, never MD5.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { generateSigningKeyPair } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;

describe('algorithm policy on the path', () => {
  it('a certificate signed with SHA-1 is refused unless the policy accepts SHA-1', async () => {
    const rsaCa = await issue(now, 'RSA CA', 60, h.root, {
      ...CA_USAGE,
      keyPair: await generateSigningKeyPair(),
    });
    const sha1Leaf = await issue(now, 'SHA-1 leaf', 61, rsaCa, { ...SIGNER_USAGE, signatureHash: 'SHA-1' });
    const opts = { trustAnchors: h.root.cert, intermediates: [rsaCa.cert], revocation: false as const };
    const r = await validateCertificatePath(sha1Leaf.cert, opts);
    expectOutcome(r, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('SHA-1');
    expectOutcome(
      await validateCertificatePath(sha1Leaf.cert, { ...opts, algorithmPolicy: { acceptSha1: true } }),
      'PASSED',
    );
  });

  it('an intermediate CA signed with SHA-1 by the root is refused as well', async () => {
    const rsaRoot = await issue(now, 'RSA Root', 62, undefined, {
      ...CA_USAGE,
      keyPair: await generateSigningKeyPair(),
    });
    const sha1Ca = await issue(now, 'SHA-1 CA', 63, rsaRoot, { ...CA_USAGE, signatureHash: 'SHA-1' });
    const leaf = await issue(now, 'Leaf', 64, sha1Ca, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: rsaRoot.cert,
      intermediates: [sha1Ca.cert],
      revocation: false,
    });
    expectOutcome(r, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('CA certificate #1');
  });

  it('an RSA key shorter than 2048 bits is refused; the policy minimum is configurable', async () => {
    const short = await issue(now, 'Short key', 65, h.ca, {
      ...SIGNER_USAGE,
      keyPair: await generateSigningKeyPair({ modulusLength: 1024 }),
    });
    const opts = { trustAnchors: h.root.cert, intermediates: [h.ca.cert], revocation: false as const };
    const r = await validateCertificatePath(short.cert, opts);
    expectOutcome(r, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE');
    expect(r.message).toContain('1024');
    expectOutcome(
      await validateCertificatePath(short.cert, { ...opts, algorithmPolicy: { minRsaModulusBits: 1024 } }),
      'PASSED',
    );
  });

  it('a SHA-1 signed CRL is not usable evidence, so the status stays unknown', async () => {
    const rsaCa = await issue(now, 'RSA CA 2', 66, h.root, {
      ...CA_USAGE,
      keyPair: await generateSigningKeyPair(),
    });
    const leaf = await issue(now, 'Leaf 2', 67, rsaCa, SIGNER_USAGE);
    const crl = await h.crl(rsaCa, { signatureHash: 'SHA-1' });
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: [rsaCa.cert],
      revocation: { crls: [crl, await h.crl(h.root)] },
    });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining('SHA-1'),
    });
  });

  it('the policy itself is validated', async () => {
    await expect(
      validateCertificatePath(h.signer.cert, {
        trustAnchors: h.root.cert,
        algorithmPolicy: { minRsaModulusBits: 512 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(
      validateCertificatePath(h.signer.cert, {
        trustAnchors: h.root.cert,
        algorithmPolicy: { acceptMd5: true } as never,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
