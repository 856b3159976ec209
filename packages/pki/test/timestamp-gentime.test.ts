// A time-stamp's genTime is the proof of time (RFC 3161 §2.4.2: GeneralizedTime in UTC, "Z", with an optional
// fraction of a second). asn1js misreads a local time or an offset (by the process time zone, with the day of the
// week as the day): such a token must be refused as malformed, never turned into a proof of another time.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { cryptoEngine, OID } from '../src/engine.js';
import { verifyTimeStampToken } from '../src/index.js';
import { createTimeStampAuthority } from '../src/testing.js';
import { createHierarchy, issue } from './helpers/hierarchy.js';
import { children, generalizedText, timeBlock, type WrittenTime } from './helpers/resign.js';

const h = await createHierarchy();
const now = h.now;
const tsaId = await issue(now, 'GenTime TSA', 200, h.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});
const tsa = createTimeStampAuthority({ certificate: tsaId.cert, privateKey: tsaId.key, chain: [h.ca.cert] });
const data = new TextEncoder().encode('the signature value being stamped');
const imprint = createHash('sha256').update(data).digest();

/** A token from the TSA whose genTime is written as given, the TSA's signature made again over it. */
async function tokenWithGenTime(genTime: WrittenTime): Promise<Uint8Array> {
  const token = await tsa({ imprint, hashAlgorithm: 'SHA-256' });
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(token).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const fields = children(asn1js.fromBER(sd.encapContentInfo.eContent!.getValue()).result);
  fields[4] = timeBlock(genTime);
  const tstDer = new Uint8Array(new asn1js.Sequence({ value: fields }).toBER(false));
  sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: tstDer.buffer });
  const si = sd.signerInfos[0]!;
  const md = si.signedAttrs!.attributes.find((a) => a.type === OID.messageDigest)!;
  md.values = [new asn1js.OctetString({ valueHex: createHash('sha256').update(tstDer).digest() })];
  si.signedAttrs!.encodedValue = new ArrayBuffer(0);
  await sd.sign(tsaId.key, 0, 'SHA-256', undefined, cryptoEngine());
  const out = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
  return new Uint8Array(out.toSchema().toBER(false));
}

const verify = (token: Uint8Array) =>
  verifyTimeStampToken(token, { data, trustAnchors: h.root.cert, revocation: false, now });

describe('time-stamp genTime as written', () => {
  it('a genTime in local time or with an offset is a FORMAT_FAILURE, not a proof of a misread time', async () => {
    for (const tail of ['00', '00+0700']) {
      const r = await verify(await tokenWithGenTime(generalizedText(now, tail)));
      expect({ indication: r.indication, subIndication: r.subIndication }, `${tail}: ${r.message}`).toEqual({
        indication: 'FAILED',
        subIndication: 'FORMAT_FAILURE',
      });
      expect(r.message).toMatch(/genTime/);
      expect(r.genTime).toBeUndefined();
    }
  });

  it('a genTime of month 13 is a FORMAT_FAILURE, not a proof of January of the next year', async () => {
    const r = await verify(
      await tokenWithGenTime({ tag: 'generalized', text: `${now.getUTCFullYear() - 1}1301000000Z` }),
    );
    expect({ indication: r.indication, subIndication: r.subIndication }, r.message).toEqual({
      indication: 'FAILED',
      subIndication: 'FORMAT_FAILURE',
    });
    expect(r.genTime).toBeUndefined();
  });

  it('guard: a genTime in UTC with a fraction of a second is read to the millisecond', async () => {
    const r = await verify(
      await tokenWithGenTime(generalizedText(now, `${String(now.getUTCSeconds()).padStart(2, '0')}.25Z`)),
    );
    expect(r.indication, r.message).toBe('PASSED');
    expect(r.genTime).toBe(new Date(now.getTime() + 250).toISOString());
  });
});
