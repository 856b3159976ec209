import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { certDer, signedDataFromDer, signedDataFromSchema } from '../src/internal.js';
import { createTimeStampAuthority } from '../src/testing.js';
import { createHierarchy, issue } from './helpers/hierarchy.js';

/*
 * signedDataFromDer must read exactly what the whole parse (asn1js over the blob, then signedDataFromSchema)
 * reads, or give up (undefined) so that the caller parses the whole: never a different SignedData.
 */

const h = await createHierarchy();
const tsaId = await issue(h.now, 'Test TSA', 210, h.ca, {
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

/** The reading before signedDataFromDer (esign's whole parse): a SignedData or the reason there is none. */
function whole(blob: Uint8Array): pkijs.SignedData | string {
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(Uint8Array.from(blob).buffer);
  } catch (e) {
    return `throws: ${(e as Error).message}`;
  }
  if (asn.offset === -1) return 'not BER';
  if (blob.subarray(asn.offset).some((b) => b !== 0)) return 'trailing';
  try {
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== '1.2.840.113549.1.7.2') return 'not SignedData';
    return signedDataFromSchema(ci.content);
  } catch {
    return 'unreadable';
  }
}

const encode = (sd: pkijs.SignedData) => Buffer.from(sd.toSchema(true).toBER(false)).toString('hex');
const certs = (sd: pkijs.SignedData) =>
  (sd.certificates ?? []).map((c) => Buffer.from(certDer(c as pkijs.Certificate)).toString('hex'));

/** Reads `blob` both ways; true when the fast reading answered (and then equals the whole one). */
function sameReading(blob: Uint8Array): boolean {
  const fast = signedDataFromDer(blob); // never throws: on what asn1js throws at, the whole parse throws as before
  if (!fast) return false;
  const full = whole(blob);
  expect(typeof full).toBe('object');
  const sd = full as pkijs.SignedData;
  expect(encode(fast)).toBe(encode(sd));
  expect(certs(fast)).toEqual(certs(sd));
  expect(
    fast.signerInfos.map((s) => Buffer.from(s.signature.valueBlock.valueHexView).toString('hex')),
  ).toEqual(sd.signerInfos.map((s) => Buffer.from(s.signature.valueBlock.valueHexView).toString('hex')));
  return true;
}

/** A TLV header for `len` bytes of tag `tag`, DER length form. */
function header(tag: number, len: number): number[] {
  if (len < 0x80) return [tag, len];
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l % 256);
  return [tag, 0x80 | bytes.length, ...bytes];
}

/** The three outer layers (ContentInfo, [0], SignedData) and the certificate set respelled with indefinite lengths. */
function indefinite(blob: Uint8Array, layers: number): Uint8Array {
  const tree = asn1js.fromBER(Uint8Array.from(blob).buffer).result as asn1js.Sequence;
  const encodeLayer = (block: asn1js.BaseBlock, depth: number): number[] => {
    const children = (block as asn1js.Constructed).valueBlock.value;
    if (depth >= layers || !block.idBlock.isConstructed || !Array.isArray(children))
      return [...new Uint8Array(block.valueBeforeDecodeView)];
    const inner = children.flatMap((c) =>
      depth === 2 && !(c.idBlock.tagClass === 3 && c.idBlock.tagNumber === 0)
        ? [...new Uint8Array(c.valueBeforeDecodeView)]
        : encodeLayer(c, depth + 1),
    );
    const tag = new Uint8Array(block.valueBeforeDecodeView)[0]!;
    return [tag, 0x80, ...inner, 0, 0];
  };
  return Uint8Array.from(encodeLayer(tree, 0));
}

describe('signedDataFromDer', () => {
  it('reads a DER CMS as the whole parse does, with zero padding after it', () => {
    expect(sameReading(token)).toBe(true);
    const padded = new Uint8Array(token.length + 500);
    padded.set(token);
    expect(sameReading(padded)).toBe(true);
    const sd = signedDataFromDer(token)!;
    expect(
      Buffer.from(certDer(sd.certificates?.[0] as pkijs.Certificate)).equals(Buffer.from(tsaId.cert)),
    ).toBe(true);
  });

  it('reads indefinite-length outer layers and certificate set as the whole parse does', () => {
    for (const layers of [1, 2, 3, 4]) {
      const blob = indefinite(token, layers);
      expect(Buffer.from(blob).equals(Buffer.from(token))).toBe(false);
      expect(sameReading(blob)).toBe(true);
    }
  });

  it('gives up on trailing bytes, a non-minimal length and a primitive set, which the whole parse judges', () => {
    const trailing = Uint8Array.from([...token, 1]);
    expect(signedDataFromDer(trailing)).toBeUndefined();
    expect(whole(trailing)).toBe('trailing');
    const t = Buffer.from(token);
    // ContentInfo length respelled with a leading zero byte: BER accepts it, the strict walker does not.
    const n = t[1]! & 0x7f;
    const loose = Buffer.concat([Buffer.from([0x30, 0x80 | (n + 1), 0]), t.subarray(2)]);
    expect(signedDataFromDer(loose)).toBeUndefined();
    expect(typeof whole(loose)).toBe('object');
    expect(signedDataFromDer(Buffer.from(header(0x30, 0)))).toBeUndefined();
  });

  it('never reads a truncated or byte-changed CMS differently from the whole parse', () => {
    let answered = 0;
    for (let cut = 0; cut < token.length; cut += 7) if (sameReading(token.subarray(0, cut))) answered++;
    expect(answered).toBe(0);
    const variants = [token, indefinite(token, 3)];
    for (const base of variants) {
      for (let at = 0; at < base.length; at += 5) {
        const m = Uint8Array.from(base);
        m[at]! ^= [0x01, 0x80, 0xff][at % 3]!;
        if (sameReading(m)) answered++;
      }
    }
    // Most changes fall in values (certificates, signature) and are read; the rest fall back.
    expect(answered).toBeGreaterThan(100);
  }, 120_000);
});
