import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import {
  decodeCertificates,
  importPrivateKey,
  isPkiError,
  parseCrl,
  parseOcspResponse,
  validateCertificatePath,
  verifyTimeStampToken,
} from '../src/index.js';
import { createOcspResponse, createTimeStampAuthority } from '../src/testing.js';
import { createHierarchy, DAY, issue } from './helpers/hierarchy.js';

const h = await createHierarchy();
const crl = await h.crl(h.ca, { revoked: [{ serialNumber: 5, date: h.now }] });
const ocsp = await createOcspResponse({
  certificate: h.signer.cert,
  issuerCertificate: h.ca.cert,
  responderCertificate: h.ca.cert,
  responderKey: h.ca.key,
  status: 'good',
  thisUpdate: h.now,
  nextUpdate: new Date(h.now.getTime() + DAY),
});
const tsaId = await issue(h.now, 'TSA', 9, h.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
});
const data = new Uint8Array([1, 2, 3]);
const token = await createTimeStampAuthority({
  certificate: tsaId.cert,
  privateKey: tsaId.key,
  chain: [h.ca.cert],
})({
  imprint: createHash('sha256').update(data).digest(),
  hashAlgorithm: 'SHA-256',
});

/** The DER of an OCSP response's tbsResponseData (what its signature covers). */
function ocspTbs(der: Uint8Array): Uint8Array {
  const resp = pkijs.OCSPResponse.fromBER(Uint8Array.from(der).buffer);
  const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes!.response.valueBlock.valueHexView);
  return basic.tbsResponseData.tbsView;
}

/** A deterministic PRNG so that a failing mutation can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const kind = Math.floor(next() * 3);
  if (kind === 0)
    for (let i = 0; i < 1 + Math.floor(next() * 4); i++)
      out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
  if (kind === 1) return out.subarray(0, Math.floor(next() * out.length));
  if (kind === 2) out[1] = 0x84; // an absurd length prefix
  return out;
}

/** Parsing may fail only with ERR_PKI_INPUT; nothing else may escape. */
function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(isPkiError(err, 'ERR_PKI_INPUT'), String(err)).toBe(true);
  }
}

describe('hostile revocation data and certificates', () => {
  it('300 mutated CRLs and OCSP responses: a typed error or a parse, never a crash', () => {
    const next = rng(7);
    for (let i = 0; i < 300; i++) {
      onlyTyped(() => parseCrl(mutate(crl, next)));
      onlyTyped(() => parseOcspResponse(mutate(ocsp, next)));
    }
  });

  it('a change anywhere in the signed part of an OCSP response makes it unusable', async () => {
    const next = rng(11);
    const tbs = Buffer.from(ocspTbs(ocsp));
    const start = Buffer.from(ocsp).indexOf(tbs);
    expect(start).toBeGreaterThan(0);
    const rootCrl = await h.crl(h.root);
    for (let i = 0; i < 60; i++) {
      const bytes = Uint8Array.from(ocsp);
      const at = start + Math.floor(next() * tbs.length);
      bytes[at] = (bytes[at]! + 1 + Math.floor(next() * 255)) & 0xff;
      let parsed: ReturnType<typeof parseOcspResponse>;
      try {
        parsed = parseOcspResponse(bytes);
      } catch {
        continue;
      }
      const r = await validateCertificatePath(h.signer.cert, {
        trustAnchors: h.root.cert,
        intermediates: [h.ca.cert],
        revocation: { ocspResponses: [parsed], crls: [rootCrl] },
      });
      expect(r.revocation[0]!.decidedBy).toBeUndefined();
      expect(r.indication).not.toBe('PASSED');
    }
  });

  it('100 mutated time-stamp tokens: a result, never an exception', async () => {
    const next = rng(3);
    for (let i = 0; i < 100; i++) {
      const r = await verifyTimeStampToken(mutate(token, next), {
        data,
        trustAnchors: h.root.cert,
        revocation: false,
      });
      expect(['PASSED', 'FAILED', 'INDETERMINATE']).toContain(r.indication);
      if (r.indication === 'PASSED') expect(r.genTime).toBeDefined();
    }
  });

  it('mutated certificates as input are ERR_PKI_INPUT or a validation result', async () => {
    const next = rng(5);
    for (let i = 0; i < 100; i++) {
      const bytes = mutate(h.signer.cert, next);
      try {
        const r = await validateCertificatePath(bytes, {
          trustAnchors: h.root.cert,
          intermediates: [h.ca.cert],
          revocation: false,
        });
        if (!Buffer.from(bytes).equals(Buffer.from(h.signer.cert))) expect(r.indication).not.toBe('PASSED');
      } catch (err) {
        expect(isPkiError(err, 'ERR_PKI_INPUT'), String(err)).toBe(true);
      }
    }
  });

  it('PEM without the expected block, wrong types and bad keys are typed errors that quote nothing', async () => {
    expect(() => decodeCertificates('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(
      expect.objectContaining({ code: 'ERR_PKI_INPUT' }),
    );
    expect(() => parseCrl(h.signer.cert)).toThrow(expect.objectContaining({ code: 'ERR_PKI_INPUT' }));
    expect(() => parseOcspResponse('text' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_PKI_INPUT' }),
    );
    const secret = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-a-real-key';
    const err = await importPrivateKey(
      `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PKI_KEY', name: 'PkiError' });
    expect(JSON.stringify(err)).not.toContain(secret.slice(0, 20));
  });

  it('a large CRL (4 000 entries, beyond the default asn1js node limit) is read, not ignored', () => {
    // Big CRLs are normal for national and commercial CAs; asn1js alone would stop at about 2 500 entries.
    const entries = Array.from({ length: 4_000 }, (_, i) => i + 1000);
    return h
      .crl(h.ca, { revoked: entries.map((serialNumber) => ({ serialNumber, date: h.now })) })
      .then((big) => expect(parseCrl(big).entries).toBe(4_000));
  });
});
