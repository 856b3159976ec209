// Attack class: ASN.1 values the decoder throws on. asn1js answers "unreadable" (offset -1) for most bad bytes,
// but throws on a GeneralizedTime whose text is no time, a BMPString of an odd length and a UniversalString that
// is not a multiple of four bytes. Wherever such a value can sit in what a verifier is handed (a certificate, a
// CRL, an OCSP response, a time-stamp token, a PKCS#7 or TRUSTED CERTIFICATE bundle), the outcome must be
// ERR_PKI_INPUT or that item's own failure, never an untyped exception, and never a pass it did not earn.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/engine.js';
import {
  decodeCertificates,
  isPkiError,
  parseCrl,
  parseOcspResponse,
  toPem,
  validateCertificatePath,
  verifyTimeStampToken,
} from '../../src/index.js';
import { createOcspResponse, createTimeStampAuthority } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue } from '../helpers/hierarchy.js';
import { children, resigned, timeBlock } from '../helpers/resign.js';

const h = await createHierarchy();
const rootCrl = await h.crl(h.root);
const caCrl = await h.crl(h.ca, { revoked: [{ serialNumber: 5, date: h.now }] });
const tsaId = await issue(h.now, 'Key-id TSA', 9, h.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});
const data = new Uint8Array([1, 2, 3]);
const token = await createTimeStampAuthority({
  certificate: tsaId.cert,
  privateKey: tsaId.key,
  chain: [h.ca.cert],
})({ imprint: createHash('sha256').update(data).digest(), hashAlgorithm: 'SHA-256' });

/** Values asn1js throws on when it meets them, by name. */
const THROWING: Record<string, Uint8Array> = {
  'a GeneralizedTime that is no time': Buffer.from('1803414243', 'hex'),
  'an odd-length BMPString': Buffer.from('1e0141', 'hex'),
  'a UniversalString of one byte': Buffer.from('1c0141', 'hex'),
  'such a time inside a SEQUENCE': Buffer.from('30051803414243', 'hex'),
};
const NOT_A_TIME = { tag: 'generalized', text: '20AB0101000000Z' } as const;

/** The error `fn` throws (or 'no error'). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return 'no error';
}

function expectInputError(fn: () => unknown): void {
  const err = thrownBy(fn);
  expect(isPkiError(err, 'ERR_PKI_INPUT'), String(err)).toBe(true);
}

/** A definite-length DER TLV. */
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

/** A certs-only PKCS#7 bundle (as a CA portal serves .p7b files) holding the given bytes as its certificates. */
function pkcs7(certs: Uint8Array[]): Uint8Array {
  const oid = (o: string) => Buffer.from(new asn1js.ObjectIdentifier({ value: o }).toBER(false));
  const empty = Buffer.from('3100', 'hex');
  const sd = tlv(
    0x30,
    Buffer.from('020101', 'hex'),
    empty,
    tlv(0x30, oid(OID.data)),
    tlv(0xa0, ...certs),
    empty,
  );
  return new Uint8Array(tlv(0x30, oid(OID.signedData), tlv(0xa0, sd)));
}

/** `who`'s certificate with its notAfter written as a GeneralizedTime that is no time, signed again by `by`. */
const badNotAfter = (who: Identity, by: Identity) =>
  resigned(who.cert, by.key, (f) => {
    children(f[4]!)[1] = timeBlock(NOT_A_TIME);
  });

/** `der` with extension `oid` (replaced, or added first) holding `value`, signed again by `by`. */
function withExtension(
  der: Uint8Array,
  by: Identity,
  oid: string,
  value: Uint8Array,
  critical = true,
): Uint8Array {
  return resigned(der, by.key, (f) => {
    const list = children(children(f[f.length - 1]!)[0]!);
    const ext = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: oid }),
        ...(critical ? [new asn1js.Boolean({ value: true })] : []),
        new asn1js.OctetString({ valueHex: Uint8Array.from(value).buffer }),
      ],
    });
    const at = list.findIndex(
      (e) => (children(e)[0] as asn1js.ObjectIdentifier).valueBlock.toString() === oid,
    );
    if (at >= 0) list[at] = ext;
    else list.unshift(ext);
  });
}

describe('trust bundles holding a value asn1js throws on', () => {
  const bad = badNotAfter(h.ca, h.root);

  it('a PKCS#7 bundle (DER or PEM) with such a certificate is ERR_PKI_INPUT, for certificates and CRLs', () => {
    const bundle = pkcs7([h.root.cert, bad]);
    expectInputError(() => decodeCertificates(bundle));
    expectInputError(() => decodeCertificates(toPem(bundle, 'PKCS7')));
    expectInputError(() => decodeCertificates(bundle, 'X509 CRL'));
    expectInputError(() => parseCrl(bundle));
  });

  it('so is a TRUSTED CERTIFICATE holding one, or trust settings holding one', () => {
    expectInputError(() => decodeCertificates(toPem(bad, 'TRUSTED CERTIFICATE')));
    for (const [what, value] of Object.entries(THROWING)) {
      expectInputError(() => decodeCertificates(toPem(value, 'TRUSTED CERTIFICATE')));
      const withSettings = Buffer.concat([h.root.cert, value]);
      const err = thrownBy(() => decodeCertificates(toPem(withSettings, 'TRUSTED CERTIFICATE')));
      expect(isPkiError(err, 'ERR_PKI_INPUT'), `${what}: ${String(err)}`).toBe(true);
    }
  });

  it('validation given such a bundle as its anchors fails with ERR_PKI_INPUT, before anything is trusted', async () => {
    await expect(
      validateCertificatePath(h.signer.cert, { trustAnchors: pkcs7([h.root.cert, bad]), revocation: false }),
    ).rejects.toMatchObject({ name: 'PkiError', code: 'ERR_PKI_INPUT' });
  });

  it('guard: the same bundle without it gives every certificate', () => {
    expect(decodeCertificates(pkcs7([h.root.cert, h.ca.cert]))).toHaveLength(2);
  });
});

describe('certificates, CRLs and OCSP responses holding a time that is no time (guards)', () => {
  it('a certificate whose notAfter is such a time is ERR_PKI_INPUT wherever it is given', async () => {
    const bad = badNotAfter(h.signer, h.ca);
    const base = { trustAnchors: h.root.cert, intermediates: [h.ca.cert], revocation: false } as const;
    await expect(validateCertificatePath(bad, base)).rejects.toMatchObject({ code: 'ERR_PKI_INPUT' });
    await expect(
      validateCertificatePath(h.signer.cert, {
        ...base,
        trustAnchors: [h.root.cert, badNotAfter(h.root, h.root)],
      }),
    ).rejects.toMatchObject({ code: 'ERR_PKI_INPUT' });
  });

  it('a CRL whose thisUpdate or revocationDate is such a time is ERR_PKI_INPUT', () => {
    const badThisUpdate = resigned(caCrl, h.ca.key, (f) => {
      f[f.findIndex((b) => b instanceof asn1js.UTCTime)] = timeBlock(NOT_A_TIME);
    });
    const badRevocationDate = resigned(caCrl, h.ca.key, (f) => {
      const entries = f.find(
        (b) => b instanceof asn1js.Sequence && children(b)[0] instanceof asn1js.Sequence,
      )!;
      children(children(entries)[0]!)[1] = timeBlock(NOT_A_TIME);
    });
    expectInputError(() => parseCrl(badThisUpdate));
    expectInputError(() => parseCrl(badRevocationDate));
  });

  it('an OCSP response whose producedAt is such a time is ERR_PKI_INPUT', async () => {
    const der = await createOcspResponse({
      certificate: h.signer.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good',
      thisUpdate: h.now,
      nextUpdate: new Date(h.now.getTime() + DAY),
    });
    const resp = pkijs.OCSPResponse.fromBER(Uint8Array.from(der).buffer);
    const basic = new Uint8Array(resp.responseBytes!.response.valueBlock.valueHexView);
    const badBasic = resigned(basic, h.ca.key, (f) => {
      f[f.findIndex((b) => b instanceof asn1js.GeneralizedTime)] = timeBlock(NOT_A_TIME);
    });
    resp.responseBytes!.response = new asn1js.OctetString({ valueHex: Uint8Array.from(badBasic).buffer });
    expectInputError(() => parseOcspResponse(new Uint8Array(resp.toSchema().toBER(false))));
    expectInputError(() => parseOcspResponse(badBasic));
  });
});

describe('certificate extensions holding a value asn1js throws on', () => {
  const names = [
    'keyUsage',
    'extKeyUsage',
    'basicConstraints',
    'subjectAltName',
    'nameConstraints',
    'subjectKeyIdentifier',
    'authorityKeyIdentifier',
    'crlDistributionPoints',
    'authorityInfoAccess',
    'certificatePolicies',
    'policyMappings',
    'policyConstraints',
    'inhibitAnyPolicy',
  ] as const;
  /** Unreadable, these leave a CA unable to issue (or its path unverifiable): never a pass. */
  const refusedOnCa = new Set([
    'keyUsage',
    'basicConstraints',
    'nameConstraints',
    'certificatePolicies',
    'policyMappings',
    'policyConstraints',
    'inhibitAnyPolicy',
  ]);

  it('guard: a validation result for each, on the end entity and on the CA; on the CA the limiting ones fail', async () => {
    const revocation = { crls: [rootCrl, caCrl] };
    for (const name of names)
      for (const [what, value] of Object.entries(THROWING)) {
        const leaf = withExtension(h.signer.cert, h.ca, OID[name], value);
        const asLeaf = await validateCertificatePath(leaf, {
          trustAnchors: h.root.cert,
          intermediates: [h.ca.cert],
          revocation,
        });
        expect(['PASSED', 'INDETERMINATE', 'FAILED'], `${name}, ${what}`).toContain(asLeaf.indication);
        const ca = withExtension(h.ca.cert, h.root, OID[name], value);
        const asCa = await validateCertificatePath(h.signer.cert, {
          trustAnchors: h.root.cert,
          intermediates: [ca],
          revocation,
        });
        if (refusedOnCa.has(name)) expect(asCa.indication, `${name}, ${what}`).not.toBe('PASSED');
        else expect(['PASSED', 'INDETERMINATE', 'FAILED'], `${name}, ${what}`).toContain(asCa.indication);
      }
  });
});

describe('a critical extension that cannot be read (RFC 5280 §4.2: the certificate must be rejected)', () => {
  const informative = [
    'subjectAltName',
    'subjectKeyIdentifier',
    'authorityKeyIdentifier',
    'crlDistributionPoints',
    'authorityInfoAccess',
    'basicConstraints',
    'nameConstraints',
    'ocspNoCheck',
  ] as const;

  it('on the end entity, one the path would otherwise pass over fails the path', async () => {
    for (const name of informative) {
      const leaf = withExtension(
        h.signer.cert,
        h.ca,
        OID[name],
        THROWING['a GeneralizedTime that is no time']!,
      );
      const r = await validateCertificatePath(leaf, {
        trustAnchors: h.root.cert,
        intermediates: [h.ca.cert],
        revocation: { crls: [rootCrl, caCrl] },
      });
      expect({ indication: r.indication, failure: r.failure }, `${name}: ${r.message}`).toEqual({
        indication: 'INDETERMINATE',
        failure: { check: 'critical-extension', position: 0 },
      });
    }
  });

  it('guard: some of the same extensions, readable and critical, pass', async () => {
    const readable = {
      subjectAltName: tlv(0x30, tlv(0x82, Buffer.from('signer.example'))),
      basicConstraints: tlv(0x30),
      ocspNoCheck: tlv(0x05),
    };
    for (const name of ['subjectAltName', 'basicConstraints', 'ocspNoCheck'] as const) {
      const leaf = withExtension(h.signer.cert, h.ca, OID[name], readable[name]);
      const r = await validateCertificatePath(leaf, {
        trustAnchors: h.root.cert,
        intermediates: [h.ca.cert],
        revocation: { crls: [rootCrl, caCrl] },
      });
      expect(r.indication, `${name}: ${r.message}`).toBe('PASSED');
    }
  });
});

describe('time-stamp tokens whose signer is named by key identifier', () => {
  const verify = (t: Uint8Array, intermediates: Uint8Array[] = []) =>
    verifyTimeStampToken(t, { data, trustAnchors: h.root.cert, intermediates, revocation: false });

  /** The TSA's subjectKeyIdentifier as a SignerInfo sid ([0] IMPLICIT OCTET STRING). */
  const sid = (() => {
    const c = pkijs.Certificate.fromBER(Uint8Array.from(tsaId.cert).buffer);
    const e = c.extensions!.find((x) => x.extnID === OID.subjectKeyIdentifier)!;
    const id = asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
    return new asn1js.Primitive({
      idBlock: { tagClass: 3, tagNumber: 0 },
      valueHex: Uint8Array.from(id.valueBlock.valueHexView).buffer,
    });
  })();
  /** The CA's certificate with a (non-critical) subjectKeyIdentifier value that is a GeneralizedTime of no time. */
  const junk = withExtension(
    h.ca.cert,
    h.root,
    OID.subjectKeyIdentifier,
    THROWING['a GeneralizedTime that is no time']!,
    false,
  );

  /** The token with the sid by key identifier and its certificates replaced by `certs` (the SignerInfo unchanged). */
  function byKeyId(certs: (list: pkijs.Certificate[]) => pkijs.Certificate[]): Uint8Array {
    const ci = pkijs.ContentInfo.fromBER(Uint8Array.from(token).buffer);
    const sd = new pkijs.SignedData({ schema: ci.content });
    sd.signerInfos[0]!.sid = sid;
    sd.signerInfos[0]!.version = 3;
    sd.certificates = certs((sd.certificates ?? []) as pkijs.Certificate[]);
    const out = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
    return new Uint8Array(out.toSchema().toBER(false));
  }
  const parsedJunk = () => pkijs.Certificate.fromBER(Uint8Array.from(junk).buffer);

  it('control: the TSA is found by its key identifier', async () => {
    expectOutcome((await verify(byKeyId((l) => l))) as never, 'PASSED');
  });

  it('such a certificate in the token, or among the supplied ones, is passed over: the TSA is still found', async () => {
    const r = await verify(byKeyId((l) => [parsedJunk(), ...l]));
    expect(r.indication, r.message).toBe('PASSED');
    const supplied = await verify(
      byKeyId(() => []),
      [junk, tsaId.cert],
    );
    expect(supplied.indication, supplied.message).toBe('PASSED');
  });

  it('such a certificate alone names no TSA: INDETERMINATE, no exception', async () => {
    const r = await verify(byKeyId(() => [parsedJunk()]));
    expect({ indication: r.indication, subIndication: r.subIndication }, r.message).toEqual({
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
    });
  });
});
