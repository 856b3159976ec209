// Attack class: a time-stamp token that proves less than it claims, or a valid one made to fail. RFC 3161 and
// RFC 5816 ask for a TSA certificate whose only (critical) extended key usage is id-kp-timeStamping, an ESS
// signing-certificate(-v2) attribute, a contentType attribute equal to id-ct-TSTInfo, and one DER structure;
// a genTime beyond the clock skew is in the future. And a look-alike certificate (the TSA's issuer and serial,
// another key) put first in the token's unsigned certificates must not hide the real TSA certificate.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/engine.js';
import { verifyTimeStampToken } from '../../src/index.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const TS = '1.3.6.1.5.5.7.3.8';
const SERVER = '1.3.6.1.5.5.7.3.1';
const tsa = await issue(now, 'TSA', 300, h.ca, {
  ...SIGNER_USAGE,
  extendedKeyUsage: [TS],
  extendedKeyUsageCritical: true,
});
const data = new TextEncoder().encode('signature value bytes');
const options = {
  data,
  trustAnchors: h.root.cert,
  intermediates: [h.ca.cert],
  revocation: false as const,
  now,
};
const ab = (u: Uint8Array) => Uint8Array.from(u).buffer;

interface Knobs {
  ess?: boolean;
  contentType?: string | null;
  genTime?: Date;
  certs?: Uint8Array[];
}

function attr(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function essV2(cert: Uint8Array): asn1js.Sequence {
  const hash = new asn1js.OctetString({ valueHex: ab(createHash('sha256').update(cert).digest()) });
  const certId = new asn1js.Sequence({ value: [hash] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] });
}

/** A token by `by` over `data`, with the signed attributes the knobs say. */
async function token(by: Identity, k: Knobs = {}): Promise<Uint8Array> {
  const c = pkijs.Certificate.fromBER(ab(by.cert));
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: '1.3.6.1.4.1.99999.1.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
      hashedMessage: new asn1js.OctetString({ valueHex: ab(createHash('sha256').update(data).digest()) }),
    }),
    serialNumber: new asn1js.Integer({ value: 7 }),
    genTime: k.genTime ?? now,
    ordering: false,
  });
  const tstDer = new Uint8Array(tst.toSchema().toBER(false));
  const attrs: pkijs.Attribute[] = [];
  if (k.contentType !== null)
    attrs.push(attr(OID.contentType, new asn1js.ObjectIdentifier({ value: k.contentType ?? OID.tstInfo })));
  const md = createHash('sha256').update(tstDer).digest();
  attrs.push(attr(OID.messageDigest, new asn1js.OctetString({ valueHex: ab(md) })));
  if (k.ess !== false) attrs.push(attr(OID.signingCertificateV2, essV2(by.cert)));
  const sd = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: c.issuer, serialNumber: c.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
      }),
    ],
    certificates: (k.certs ?? [by.cert]).map((d) => pkijs.Certificate.fromBER(ab(d))),
  });
  sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: ab(tstDer) });
  await sd.sign(by.key, 0, 'SHA-256');
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}

async function outcome(t: Uint8Array) {
  const r = await verifyTimeStampToken(t, options);
  return { indication: r.indication, subIndication: r.subIndication, message: r.message };
}

describe('time-stamp tokens', () => {
  it('control: a well-formed token passes', async () => {
    expect((await outcome(await token(tsa))).indication).toBe('PASSED');
  });

  it('a look-alike TSA certificate listed first does not hide the real one', async () => {
    const lookalike = await issue(now, 'TSA', 300, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [TS],
      extendedKeyUsageCritical: true,
    });
    const r = await outcome(await token(tsa, { certs: [lookalike.cert, tsa.cert] }));
    expect(r.indication, r.message).toBe('PASSED');
  });

  it('a TSA certificate whose extended key usage is not critical fails', async () => {
    const soft = await issue(now, 'TSA soft', 301, h.ca, { ...SIGNER_USAGE, extendedKeyUsage: [TS] });
    const r = await outcome(await token(soft));
    expect(r).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' });
  });

  it('a TSA certificate with another extended key usage besides timeStamping fails', async () => {
    const multi = await issue(now, 'TSA multi', 302, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [TS, SERVER],
      extendedKeyUsageCritical: true,
    });
    const r = await outcome(await token(multi));
    expect(r).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' });
  });

  it('a token without ESS signing-certificate(-v2) fails', async () => {
    const r = await outcome(await token(tsa, { ess: false }));
    expect(r).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' });
  });

  it('a token without contentType attribute fails', async () => {
    const r = await outcome(await token(tsa, { contentType: null }));
    expect(r).toMatchObject({ indication: 'FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('a token whose contentType attribute is not id-ct-TSTInfo fails', async () => {
    const r = await outcome(await token(tsa, { contentType: '1.2.840.113549.1.7.1' }));
    expect(r).toMatchObject({ indication: 'FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('non-zero bytes after the token fail; zero padding does not', async () => {
    const t = await token(tsa);
    const r = await outcome(new Uint8Array([...t, 0x41, 0x42]));
    expect(r).toMatchObject({ indication: 'FAILED', subIndication: 'FORMAT_FAILURE' });
    expect((await outcome(new Uint8Array([...t, 0, 0, 0]))).indication).toBe('PASSED');
  });

  it('a genTime beyond the clock skew fails; within it passes', async () => {
    const future = await outcome(await token(tsa, { genTime: new Date(now.getTime() + 2 * DAY) }));
    expect(future.indication, future.message).not.toBe('PASSED');
    expect(future.message).toMatch(/future/);
    const skewed = await outcome(await token(tsa, { genTime: new Date(now.getTime() + 60_000) }));
    expect(skewed.indication, skewed.message).toBe('PASSED');
  });
});
