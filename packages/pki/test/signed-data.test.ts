import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { takeParsedToken } from '../src/cms/signed-data.js';
import { verifyTimeStampToken } from '../src/index.js';
import { certDer, signedDataFromSchema, withParsedToken } from '../src/internal.js';
import { createTimeStampAuthority } from '../src/testing.js';
import { createHierarchy, issue } from './helpers/hierarchy.js';

/*
 * signedDataFromSchema reads a CMS SignedData as pkijs does, except that each certificate of the set comes from
 * its own bytes through the process-wide certificate cache. These tests hold it to pkijs's own reading.
 */

const h = await createHierarchy();
const tsaId = await issue(h.now, 'Test TSA', 200, h.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});
const tsa = createTimeStampAuthority({
  certificate: tsaId.cert,
  privateKey: tsaId.key,
  chain: [h.ca.cert],
  now: () => h.now,
});
const token = await tsa({ imprint: new Uint8Array(32).fill(7), hashAlgorithm: 'SHA-256' });

/** The token's SignedData, freshly parsed (the tests change the tree). */
function content(): asn1js.Sequence {
  const asn = asn1js.fromBER(Uint8Array.from(token).buffer);
  return new pkijs.ContentInfo({ schema: asn.result }).content as asn1js.Sequence;
}
const certSet = (sd: asn1js.Sequence) =>
  sd.valueBlock.value.find(
    (b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0,
  ) as asn1js.Constructed;
const encode = (sd: pkijs.SignedData) => Buffer.from(sd.toSchema(true).toBER(false));

describe('signedDataFromSchema', () => {
  it('reads the same SignedData as pkijs, its certificates with their DER as they are in the CMS', () => {
    const ours = signedDataFromSchema(content());
    const theirs = new pkijs.SignedData({ schema: content() });
    expect(ours.certificates).toHaveLength(2);
    expect(encode(ours).equals(encode(theirs))).toBe(true);
    for (const c of ours.certificates ?? []) {
      const der = Buffer.from(certDer(c as pkijs.Certificate));
      expect(Buffer.from(token).indexOf(der)).toBeGreaterThan(0);
    }
    expect(
      Buffer.from(certDer(ours.certificates?.[0] as pkijs.Certificate)).equals(Buffer.from(tsaId.cert)),
    ).toBe(true);
  });

  it('parses a certificate met before once: the same object in a second CMS', () => {
    const a = signedDataFromSchema(content());
    const b = signedDataFromSchema(content());
    expect(b.certificates?.[1]).toBe(a.certificates?.[1]);
  });

  it('fails on an entry of the set that is a SEQUENCE but not a certificate, as pkijs does', () => {
    const bad = () => {
      const sd = content();
      certSet(sd).valueBlock.value[1] = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] });
      return sd;
    };
    expect(() => new pkijs.SignedData({ schema: bad() })).toThrow();
    expect(() => signedDataFromSchema(bad())).toThrow(/certificate/i);
  });

  it('leaves a set with another certificate format ([3] other) to pkijs', () => {
    const withOther = () => {
      const sd = content();
      const other = new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 3 },
        value: [new asn1js.ObjectIdentifier({ value: '1.2.3.4' }), new asn1js.Null()],
      });
      certSet(sd).valueBlock.value.push(other);
      return sd;
    };
    const ours = signedDataFromSchema(withOther());
    const theirs = new pkijs.SignedData({ schema: withOther() });
    expect(ours.certificates).toHaveLength(3);
    expect(ours.certificates?.[2]).toBeInstanceOf(pkijs.OtherCertificateFormat);
    expect(encode(ours).equals(encode(theirs))).toBe(true);
  });

  it('reads a SignedData without certificates as pkijs does', () => {
    const sd = content();
    sd.valueBlock.value = sd.valueBlock.value.filter((b) => b !== certSet(sd));
    const ours = signedDataFromSchema(sd);
    expect(ours.certificates).toBeUndefined();
    expect(ours.signerInfos).toHaveLength(1);
  });
});

/** The token's SignedData re-encoded with `change` applied (pkijs objects), parsed afresh. */
async function changedContent(change: (sd: pkijs.SignedData) => void): Promise<() => asn1js.Sequence> {
  const sd = new pkijs.SignedData({ schema: content() });
  change(sd);
  const der = sd.toSchema(true).toBER(false);
  return () => asn1js.fromBER(der.slice(0)).result as asn1js.Sequence;
}

describe('signedDataFromSchema against the schema it builds once', () => {
  it('reads CRLs and other revocation formats ([1] crls) as pkijs does', async () => {
    const crl = pkijs.CertificateRevocationList.fromBER(Uint8Array.from(await h.crl(h.ca)).buffer);
    const other = new pkijs.OtherRevocationInfoFormat({
      otherRevInfoFormat: '1.3.6.1.5.5.7.16.2',
      otherRevInfo: new asn1js.OctetString({ valueHex: new Uint8Array([1, 2, 3]) }),
    });
    const withCrls = await changedContent((sd) => {
      sd.crls = [crl, other];
    });
    const ours = signedDataFromSchema(withCrls());
    const theirs = new pkijs.SignedData({ schema: withCrls() });
    expect(ours.crls?.[0]).toBeInstanceOf(pkijs.CertificateRevocationList);
    expect(ours.crls?.[1]).toBeInstanceOf(pkijs.OtherRevocationInfoFormat);
    expect(encode(ours).equals(encode(theirs))).toBe(true);
  });

  it('refuses what pkijs refuses (no SignerInfos, no version, a digest algorithm that is no SEQUENCE)', () => {
    const cases: ((sd: asn1js.Sequence) => void)[] = [
      (sd) => {
        sd.valueBlock.value.pop();
      },
      (sd) => {
        sd.valueBlock.value.shift();
      },
      (sd) => {
        (sd.valueBlock.value[1] as asn1js.Set).valueBlock.value = [new asn1js.Integer({ value: 5 })];
      },
    ];
    for (const change of cases) {
      const bad = () => {
        const sd = content();
        change(sd);
        return sd;
      };
      expect(() => new pkijs.SignedData({ schema: bad() })).toThrow();
      expect(() => signedDataFromSchema(bad())).toThrow();
    }
  });

  it('reads a good SignedData alike after refusing a bad one: matching leaves nothing behind', () => {
    const first = encode(signedDataFromSchema(content()));
    const bad = content();
    bad.valueBlock.value.pop();
    expect(() => signedDataFromSchema(bad)).toThrow();
    const again = signedDataFromSchema(content());
    expect(encode(again).equals(first)).toBe(true);
    expect(again.signerInfos).toHaveLength(1);
    expect(again.crls).toBeUndefined();
  });

  it('reads the same parts as pkijs: version, digest algorithms, content, SignerInfo', () => {
    const ours = signedDataFromSchema(content());
    const theirs = new pkijs.SignedData({ schema: content() });
    expect(ours.version).toBe(theirs.version);
    expect(ours.digestAlgorithms.map((a) => a.algorithmId)).toEqual(
      theirs.digestAlgorithms.map((a) => a.algorithmId),
    );
    expect(ours.encapContentInfo.eContentType).toBe(theirs.encapContentInfo.eContentType);
    const eContent = (sd: pkijs.SignedData) =>
      Buffer.from(new Uint8Array(sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0)));
    expect(eContent(ours).equals(eContent(theirs))).toBe(true);
    const si = (sd: pkijs.SignedData) => Buffer.from(sd.signerInfos[0]!.toSchema().toBER(false));
    expect(si(ours).equals(si(theirs))).toBe(true);
  });
});

describe('a time-stamp token parsed once', () => {
  const block = () => asn1js.fromBER(Uint8Array.from(token).buffer).result;

  it('is taken once, and only while its bytes are the ones it was read from', () => {
    const b = block();
    const bytes = withParsedToken(Uint8Array.from(token), b);
    expect(takeParsedToken(bytes)).toBe(b);
    expect(takeParsedToken(bytes)).toBeUndefined();
    const changed = withParsedToken(Uint8Array.from(token), block());
    changed.set([(changed.at(-1) ?? 0) ^ 1], changed.length - 1);
    expect(takeParsedToken(changed)).toBeUndefined();
  });

  it('a block that is not the bytes is ignored: the verifier reads the bytes it was given', async () => {
    const data = new TextEncoder().encode('other stamped data');
    const imprint = createHash('sha256').update(data).digest();
    const other = await tsa({ imprint, hashAlgorithm: 'SHA-256' });
    const bytes = withParsedToken(Uint8Array.from(other), block());
    const r = await verifyTimeStampToken(bytes, { data, trustAnchors: h.root.cert, revocation: false });
    expect(r.indication, r.message).toBe('PASSED');
  });
});
