// Attack class: ASN.1 values the decoder throws on. asn1js throws, rather than reporting unreadable bytes, on a
// GeneralizedTime whose text is no time (and on odd-length BMPStrings); it reads a UTCTime whose text is no time
// as 30 November 1899. Such a value in one signature's unsigned certificate set, in its signed attributes, or in
// a trust anchor the caller configured must end as that item's own result or a typed argument error: never an
// exception that turns the whole report into "could not be processed", never a misread time.
import { KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, type Identity, letterPdf, signerFor } from '../helpers/pki.js';

const pki = await createSigningPki();
const verify = (pdf: Uint8Array, anchors: Uint8Array[] = [pki.root.cert]) =>
  verifyPdfSignatures(pdf, { trustAnchors: anchors, revocation: { crls: pki.crls } });
const signedBy = (pdf: Uint8Array, who: Identity, fieldName: string) =>
  signPdf(pdf, {
    signer: signerFor(pki, who),
    level: 'B-B',
    subFilter: 'adbe.pkcs7.detached',
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls },
    fieldName,
  });
/** Two signatures: the officer's, then the director's over the officer's revision. */
const twice = await signedBy(
  await signedBy(await letterPdf(), pki.officer, 'Officer'),
  pki.director,
  'Director',
);

const SUBJECT_KEY_ID = '2.5.29.14';
const SIGNING_TIME = '1.2.840.113549.1.9.5';
/** A GeneralizedTime whose text is no time: asn1js throws on it. */
const NOT_A_TIME = Buffer.from('18034142 43'.replace(' ', ''), 'hex');

/** `pdf` with the SignedData of its last signature changed by `edit` (the placeholder keeps its size). */
function withLastCms(pdf: Uint8Array, edit: (sd: pkijs.SignedData) => void): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]/g)];
  const [a, b, c] = ranges[ranges.length - 1]!.slice(1, 4).map(Number) as [number, number, number];
  const hex = text.slice(a + b + 1, c - 1);
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(Buffer.from(hex, 'hex')).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  edit(sd);
  const cms = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
  const newHex = Buffer.from(cms.toSchema().toBER(false)).toString('hex');
  expect(newHex.length).toBeLessThanOrEqual(hex.length);
  const out = Buffer.from(pdf);
  out.write(newHex.padEnd(hex.length, '0'), a + b + 1, 'latin1');
  return new Uint8Array(out);
}

/** The certificate with its subjectKeyIdentifier value replaced by `value` (left unsigned: the set is unsigned). */
function withKeyIdValue(der: Uint8Array, value: Uint8Array): pkijs.Certificate {
  const cert = asn1js.fromBER(Uint8Array.from(der)).result as asn1js.Sequence;
  const tbs = cert.valueBlock.value[0] as asn1js.Sequence;
  const wrap = tbs.valueBlock.value[tbs.valueBlock.value.length - 1] as asn1js.Constructed;
  for (const ext of (wrap.valueBlock.value[0] as asn1js.Sequence).valueBlock.value as asn1js.Sequence[]) {
    const parts = ext.valueBlock.value;
    if ((parts[0] as asn1js.ObjectIdentifier).valueBlock.toString() === SUBJECT_KEY_ID)
      parts[parts.length - 1] = new asn1js.OctetString({ valueHex: Uint8Array.from(value).buffer });
  }
  return pkijs.Certificate.fromBER(cert.toBER(false));
}

/** The subjectKeyIdentifier sid ([0] IMPLICIT OCTET STRING) of a certificate. */
function keyIdSid(der: Uint8Array): asn1js.Primitive {
  const cert = pkijs.Certificate.fromBER(Uint8Array.from(der).buffer);
  const ext = cert.extensions!.find((e) => e.extnID === SUBJECT_KEY_ID)!;
  const id = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
  return new asn1js.Primitive({
    idBlock: { tagClass: 3, tagNumber: 0 },
    valueHex: Uint8Array.from(id.valueBlock.valueHexView).buffer,
  });
}

/** The SignerInfo's signingTime replaced by a UTCTime holding `text`, signed again with `who`'s key. */
function resignedWithSigningTime(sd: pkijs.SignedData, text: string, who: Identity): void {
  const si = sd.signerInfos[0]!;
  const st = si.signedAttrs!.attributes.find((a) => a.type === SIGNING_TIME)!;
  st.values = [
    new asn1js.Primitive({
      idBlock: { tagClass: 1, tagNumber: 23 },
      valueHex: new TextEncoder().encode(text).buffer as ArrayBuffer,
    }),
  ];
  const attrs = new Uint8Array(si.signedAttrs!.toSchema().toBER(false));
  attrs[0] = 0x31;
  const signature = sign('sha256', attrs, { key: KeyObject.from(who.key as never), dsaEncoding: 'der' });
  si.signature = new asn1js.OctetString({ valueHex: Uint8Array.from(signature).buffer });
}

describe('a value asn1js throws on, in one signature of two', () => {
  it('control: both signatures pass', async () => {
    const r = await verify(twice);
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });

  it('a certificate with such a subjectKeyIdentifier in the unsigned set: the signer is still found by key id', async () => {
    const junk = withKeyIdValue(pki.ca.cert, NOT_A_TIME);
    const pdf = withLastCms(twice, (sd) => {
      sd.certificates = [junk, ...(sd.certificates ?? [])];
      sd.signerInfos[0]!.sid = keyIdSid(pki.director.cert);
      sd.signerInfos[0]!.version = 3;
    });
    const r = await verify(pdf);
    expect(r.errorCode, JSON.stringify(r.checks)).toBeUndefined();
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.signatures[1]!.signer?.subject).toContain('Test Director');
  });

  it('the signer named by a key id only such a certificate carries: that signature alone is INDETERMINATE', async () => {
    const junk = withKeyIdValue(pki.director.cert, NOT_A_TIME);
    const pdf = withLastCms(twice, (sd) => {
      sd.certificates = [junk];
      sd.signerInfos[0]!.sid = keyIdSid(pki.director.cert);
      sd.signerInfos[0]!.version = 3;
    });
    const r = await verify(pdf);
    expect(r.errorCode, JSON.stringify(r.checks)).toBeUndefined();
    expect(r.signatures[0]!.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[1]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
    });
  });
});

describe('a signingTime attribute whose UTCTime text is no time', () => {
  it('is not reported as a claim of 1899, and says why it is left out', async () => {
    const pdf = withLastCms(twice, (sd) => resignedWithSigningTime(sd, 'AB0101000000Z', pki.director));
    const r = await verify(pdf);
    const s = r.signatures[1]!;
    expect(s.indication, JSON.stringify(s.checks)).toBe('TOTAL_PASSED');
    expect(s.signingTime.claimedCms).toBeUndefined();
    const cms = s.checks.find((c) => c.id === 'cms')!;
    expect(cms.warnings?.join(' ')).toMatch(/signingTime/);
    expect(r.signatures[0]!.signingTime.claimedCms).toBeDefined();
  });

  it('guard: a signingTime written as RFC 5652 asks is the claimed time', async () => {
    const pdf = withLastCms(twice, (sd) => resignedWithSigningTime(sd, '260101120000Z', pki.director));
    const r = await verify(pdf);
    expect(r.signatures[1]!.signingTime.claimedCms).toBe('2026-01-01T12:00:00.000Z');
  });
});

describe('a trust anchor that is no readable certificate', () => {
  /** The root with its notAfter rewritten as a GeneralizedTime whose text is no time (the signature is moot). */
  function rootWithBadNotAfter(): Uint8Array {
    const cert = asn1js.fromBER(Uint8Array.from(pki.root.cert)).result as asn1js.Sequence;
    const tbs = cert.valueBlock.value[0] as asn1js.Sequence;
    const validity = tbs.valueBlock.value[4] as asn1js.Sequence;
    validity.valueBlock.value[1] = new asn1js.Primitive({
      idBlock: { tagClass: 1, tagNumber: 24 },
      valueHex: new TextEncoder().encode('20AB0101000000Z').buffer as ArrayBuffer,
    });
    return new Uint8Array(cert.toBER(false));
  }

  it('is refused up front as an argument error naming the option, not reported as a broken PDF', () => {
    const bad = rootWithBadNotAfter();
    const thrown = (options: Parameters<typeof verifyPdfSignatures>[1]) => {
      try {
        void verifyPdfSignatures(twice, options);
      } catch (err) {
        return err;
      }
      return 'no error';
    };
    for (const options of [
      { trustAnchors: [pki.root.cert, bad] },
      { trustAnchors: [pki.root.cert], tsaTrustAnchors: [bad] },
    ])
      expect(thrown(options)).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG',
        message: expect.stringMatching(/trust anchor/),
      });
  });
});
