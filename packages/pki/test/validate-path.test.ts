import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toPem, validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const crls = [await h.crl(h.ca), await h.crl(h.root)];
const base = { trustAnchors: h.root.cert, intermediates: [h.ca.cert], revocation: { crls } };

describe('validateCertificatePath', () => {
  it('passes a good path and reports it leaf first, with the evidence that decided each status', async () => {
    const r = await validateCertificatePath(h.signer.cert, base);
    expectOutcome(r, 'PASSED');
    expect(r.path.map((c) => c.subject.replace(/.*CN=/, ''))).toEqual([
      'Test Signer',
      'Test CA',
      'Test Root',
    ]);
    expect(r.certificates[0]).toEqual(h.signer.cert);
    expect(r.revocation.map((s) => [s.position, s.status, s.decidedBy?.type, s.decidedBy?.source])).toEqual([
      [0, 'good', 'crl', 'supplied'],
      [1, 'good', 'crl', 'supplied'],
    ]);
    expect(r.timeProven).toBe(false);
  });

  it('takes PEM text, DER and X509Certificate alike; a PEM bundle puts the rest into the intermediates', async () => {
    const bundle = toPem(h.signer.cert) + toPem(h.ca.cert);
    const r = await validateCertificatePath(bundle, {
      trustAnchors: new X509Certificate(Buffer.from(h.root.cert)),
      revocation: { crls: [toPem(crls[0]!, 'X509 CRL'), crls[1]!] },
    });
    expectOutcome(r, 'PASSED');
  });

  it('never trusts without anchors, nor a root that is not configured', async () => {
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, trustAnchors: [] }),
      'INDETERMINATE',
      'NO_CERTIFICATE_CHAIN_FOUND',
    );
    const other = await issue(h.now, 'Other Root', 1, undefined, CA_USAGE);
    const r = await validateCertificatePath(h.signer.cert, { ...base, trustAnchors: other.cert });
    expectOutcome(r, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(r.path).toHaveLength(1);
  });

  it('a missing intermediate means no path; a certificate with the same name but another key is no issuer', async () => {
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, intermediates: [] }),
      'INDETERMINATE',
      'NO_CERTIFICATE_CHAIN_FOUND',
    );
    // Same subject name as the CA, different key: the signature check refuses the link.
    const impostor = await issue(h.now, 'Test CA', 2, h.root, CA_USAGE);
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, intermediates: [impostor.cert] }),
      'INDETERMINATE',
      'NO_CERTIFICATE_CHAIN_FOUND',
    );
  });

  it('picks the path that meets the rules when several exist (a re-issued CA certificate)', async () => {
    // The CA's key certified twice: once expired, once valid. The builder must not stop at the first.
    const expiredCa = await issue(h.now, 'Test CA', 3, h.root, {
      ...CA_USAGE,
      keyPair: { publicKey: h.ca.publicKey, privateKey: h.ca.key },
      notBefore: new Date(h.now.getTime() - 400 * DAY),
      notAfter: new Date(h.now.getTime() - 10 * DAY),
    });
    const r = await validateCertificatePath(h.signer.cert, {
      ...base,
      intermediates: [expiredCa.cert, h.ca.cert],
    });
    expectOutcome(r, 'PASSED');
    expect(r.path[1]!.serialNumber).toBe('02');
  });

  it('validity: not yet valid fails; expired is FAILED/EXPIRED at a proven time, OUT_OF_BOUNDS_NO_POE otherwise', async () => {
    const early = new Date(h.now.getTime() - 60 * DAY);
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, at: early }),
      'FAILED',
      'NOT_YET_VALID',
    );
    const late = new Date(h.now.getTime() + 400 * DAY);
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, at: late }),
      'INDETERMINATE',
      'OUT_OF_BOUNDS_NO_POE',
    );
    expectOutcome(
      await validateCertificatePath(h.signer.cert, { ...base, at: late, timeProven: true }),
      'FAILED',
      'EXPIRED',
    );
  });

  it('without revocation data the status is TRY_LATER, unless revocation is optional or skipped', async () => {
    const none = { trustAnchors: h.root.cert, intermediates: [h.ca.cert] };
    const r = await validateCertificatePath(h.signer.cert, none);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.message).toContain('the end-entity certificate');
    const optional = await validateCertificatePath(h.signer.cert, {
      ...none,
      revocation: { required: false },
    });
    expectOutcome(optional, 'PASSED');
    expect(optional.warnings[0]).toContain('No usable revocation data');
    expectOutcome(await validateCertificatePath(h.signer.cert, { ...none, revocation: false }), 'PASSED');
  });

  it('a trust anchor used directly as the signer still needs the right usage', async () => {
    const selfSigned = await issue(h.now, 'Self-signed signer', 9, undefined, SIGNER_USAGE);
    const r = await validateCertificatePath(selfSigned.cert, { trustAnchors: selfSigned.cert });
    expectOutcome(r, 'PASSED');
    expect(r.revocation).toEqual([]);
    expectOutcome(
      await validateCertificatePath(h.root.cert, { trustAnchors: h.root.cert }),
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
    );
  });
});

describe('bad input', () => {
  it('unknown option keys, wrong types and unreadable certificates are typed errors', async () => {
    await expect(
      validateCertificatePath(h.signer.cert, { ...base, trust: [] } as never),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining('trust'),
    });
    await expect(
      validateCertificatePath(h.signer.cert, { ...base, at: 'yesterday' } as never),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(validateCertificatePath(new Uint8Array([0x30, 0x03, 1, 2, 3]), base)).rejects.toMatchObject({
      code: 'ERR_PKI_INPUT',
      name: 'PkiError',
    });
    await expect(validateCertificatePath('not a pem', base)).rejects.toMatchObject({ code: 'ERR_PKI_INPUT' });
    await expect(
      validateCertificatePath(h.signer.cert, {
        ...base,
        revocation: { crls: [new Uint8Array(64).fill(0x30)] },
      }),
    ).rejects.toMatchObject({ code: 'ERR_PKI_INPUT' });
  });

  it('a certificate followed by trailing bytes is refused, not half-read', async () => {
    const trailing = new Uint8Array([...h.signer.cert, 0, 0, 0]);
    await expect(validateCertificatePath(trailing, base)).rejects.toMatchObject({ code: 'ERR_PKI_INPUT' });
  });

  it('an aborted signal stops before any work', async () => {
    const c = new AbortController();
    c.abort();
    await expect(
      validateCertificatePath(h.signer.cert, { ...base, abortSignal: c.signal }),
    ).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
  });
});
