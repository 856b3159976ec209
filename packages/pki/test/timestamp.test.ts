import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { verifyTimeStampToken } from '../src/index.js';
import { createTimeStampAuthority, generateSigningKeyPair } from '../src/testing.js';
import { createHierarchy, DAY, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const TS = '1.3.6.1.5.5.7.3.8';
const tsaId = await issue(now, 'Test TSA', 200, h.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: [TS],
  extendedKeyUsageCritical: true,
});
const tsa = createTimeStampAuthority({
  certificate: tsaId.cert,
  privateKey: tsaId.key,
  chain: [h.ca.cert],
  now: () => now,
});
const data = new TextEncoder().encode('the signature value being stamped');
const imprint = createHash('sha256').update(data).digest();
const token = await tsa({ imprint, hashAlgorithm: 'SHA-256' });
const crls = [await h.crl(h.ca), await h.crl(h.root)];

/**
 * The token as a TSA answers a request with certReq false (RFC 3161 §2.4.1): the same SignedData without its
 * certificates. The SignerInfo is untouched, so its signature still verifies.
 */
function withoutCertificates(t: Uint8Array): Uint8Array {
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(Uint8Array.from(t)).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  delete sd.certificates;
  const out = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
  return new Uint8Array(out.toSchema().toBER(false));
}

describe('verifyTimeStampToken', () => {
  it('verifies imprint, signature and the TSA path at genTime, and reports the TSA', async () => {
    const r = await verifyTimeStampToken(token, { data, trustAnchors: h.root.cert, revocation: { crls } });
    expect(r.indication, r.message).toBe('PASSED');
    expect(r.genTime).toBe(now.toISOString());
    expect(r.tsa?.subject).toContain('Test TSA');
    expect(r.path?.timeProven).toBe(true);
    expect(r.path?.revocation[0]?.status).toBe('good');
    expect(r.certificates).toHaveLength(2);
    // The data may come in parts (the two ByteRange pieces of a PDF).
    const parts = [data.subarray(0, 5), data.subarray(5)];
    expect(
      (await verifyTimeStampToken(token, { data: parts, trustAnchors: h.root.cert, revocation: false }))
        .indication,
    ).toBe('PASSED');
  });

  it('a token without certificates (certReq false) verifies with the TSA certificate supplied apart', async () => {
    const bare = withoutCertificates(token);
    expect(bare.length).toBeLessThan(token.length);
    const alone = await verifyTimeStampToken(bare, { data, trustAnchors: h.root.cert, revocation: false });
    expect([alone.indication, alone.subIndication]).toEqual([
      'INDETERMINATE',
      'NO_SIGNING_CERTIFICATE_FOUND',
    ]);
    const r = await verifyTimeStampToken(bare, {
      data,
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert, tsaId.cert],
      revocation: { crls },
    });
    expect(r.indication, r.message).toBe('PASSED');
    expect(r.tsa?.subject).toContain('Test TSA');
    expect(r.certificates).toEqual([]);
  });

  it('a token without certificates is not verified with a look-alike of the TSA certificate', async () => {
    // Same issuer and serial (what the SignerInfo's sid names), another key: the ESS binding refuses it, and
    // listed before the real certificate it does not hide it.
    const impostor = await issue(now, 'Test TSA', 200, h.ca, {
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: [TS],
      extendedKeyUsageCritical: true,
    });
    const bare = withoutCertificates(token);
    const opts = { data, trustAnchors: h.root.cert, revocation: false as const };
    const r = await verifyTimeStampToken(bare, { ...opts, intermediates: [h.ca.cert, impostor.cert] });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(r.message).toContain('ESS');
    const both = await verifyTimeStampToken(bare, {
      ...opts,
      intermediates: [impostor.cert, tsaId.cert, h.ca.cert],
    });
    expect(both.indication, both.message).toBe('PASSED');
  });

  it('other data: FAILED/HASH_FAILURE', async () => {
    const r = await verifyTimeStampToken(token, {
      data: new Uint8Array([1, 2, 3]),
      trustAnchors: h.root.cert,
    });
    expect([r.indication, r.subIndication]).toEqual(['FAILED', 'HASH_FAILURE']);
  });

  it('an unknown TSA root: NO_CERTIFICATE_CHAIN_FOUND; an unknown TSA status is only a warning', async () => {
    const other = await issue(now, 'Other root', 1, undefined, { ca: true, keyUsage: ['keyCertSign'] });
    const r = await verifyTimeStampToken(token, { data, trustAnchors: other.cert });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    const noRev = await verifyTimeStampToken(token, { data, trustAnchors: h.root.cert });
    expect(noRev.indication).toBe('PASSED');
    expect(noRev.warnings.join(' ')).toContain('No usable revocation data');
  });

  it('a TSA without id-kp-timeStamping is refused', async () => {
    const plain = await issue(now, 'Not a TSA', 201, h.ca, SIGNER_USAGE);
    const t = await createTimeStampAuthority({
      certificate: plain.cert,
      privateKey: plain.key,
      chain: [h.ca.cert],
    })({ imprint, hashAlgorithm: 'SHA-256' });
    const r = await verifyTimeStampToken(t, { data, trustAnchors: h.root.cert, revocation: false });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(r.message).toContain('TSA certificate');
  });

  it('a TSA revoked before the stamped time proves nothing: FAILED/REVOKED', async () => {
    const revoked = await h.crl(h.ca, {
      revoked: [{ serialNumber: 200, date: new Date(now.getTime() - DAY) }],
    });
    const r = await verifyTimeStampToken(token, {
      data,
      trustAnchors: h.root.cert,
      revocation: { crls: [revoked, crls[1]!] },
    });
    expect([r.indication, r.subIndication]).toEqual(['FAILED', 'REVOKED']);
  });

  it('a token whose signature was made by another key fails', async () => {
    const thief = await generateSigningKeyPair({ ec: true });
    const forged = await createTimeStampAuthority({ certificate: tsaId.cert, privateKey: thief.privateKey })({
      imprint,
      hashAlgorithm: 'SHA-256',
    });
    const r = await verifyTimeStampToken(forged, { data, trustAnchors: h.root.cert, revocation: false });
    expect([r.indication, r.subIndication]).toEqual(['FAILED', 'SIG_CRYPTO_FAILURE']);
  });

  it('garbage is a FORMAT_FAILURE result, bad options a typed error', async () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([0x30, 0x80, 0]), crls[0]!]) {
      const r = await verifyTimeStampToken(bad, { data, trustAnchors: h.root.cert });
      expect([r.indication, r.subIndication]).toEqual(['FAILED', 'FORMAT_FAILURE']);
    }
    await expect(
      verifyTimeStampToken(token, { data, trustAnchors: h.root.cert, imprint } as never),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });
});
