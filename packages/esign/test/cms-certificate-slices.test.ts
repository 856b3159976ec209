// The SignedData in /Contents is read with its certificate set taken as DER slices (pki's signedDataFromDer)
// when its outer layers are plain; these guards hold that reading to the whole parse it replaced, over the
// signatures esign writes (signed attributes, a time-stamp token, revocation values) and changed copies of them.
import { certDer, signedDataFromDer, signedDataFromSchema } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { expect, it } from 'vitest';
import { signAs } from './helpers/attack.js';
import { createSigningPki } from './helpers/pki.js';

const pki = await createSigningPki();

/** The CMS bytes (with their zero padding) of the one signature in `pdf`. */
function contentsOf(pdf: Uint8Array): Uint8Array {
  const m = /\/Contents\s*<([0-9a-fA-F]+)>/.exec(Buffer.from(pdf).toString('latin1'));
  if (!m) throw new Error('no /Contents');
  return Buffer.from(m[1]!, 'hex');
}

/** The whole parse verify-cms used before: a SignedData, or what went wrong (a throw included). */
function whole(blob: Uint8Array): pkijs.SignedData | string {
  try {
    const asn = asn1js.fromBER(Uint8Array.from(blob).buffer);
    if (asn.offset === -1) return 'not BER';
    if (blob.subarray(asn.offset).some((b) => b !== 0)) return 'trailing';
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== '1.2.840.113549.1.7.2') return 'not SignedData';
    return signedDataFromSchema(ci.content);
  } catch (e) {
    return `throws: ${(e as Error).message}`;
  }
}

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b as Uint8Array).toString('hex');
const reading = (sd: pkijs.SignedData) => ({
  encoded: hex(sd.toSchema(true).toBER(false)),
  certs: (sd.certificates ?? []).map((c) => hex(certDer(c as pkijs.Certificate))),
  signerInfos: sd.signerInfos.map((s) => hex(s.toSchema().toBER(false))),
  signedAttrs: sd.signerInfos.map((s) => hex(s.signedAttrs?.encodedValue ?? new Uint8Array())),
  crls: (sd.crls ?? []).length,
});

/** True when the slice reading answered; it must then equal the whole parse. */
function sameReading(blob: Uint8Array): boolean {
  const fast = signedDataFromDer(blob);
  if (!fast) return false;
  const full = whole(blob);
  expect(typeof full, String(full)).toBe('object');
  expect(reading(fast)).toEqual(reading(full as pkijs.SignedData));
  return true;
}

const signatures = [
  contentsOf(await signAs(pki.officer, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa })),
  contentsOf(await signAs(pki.officer, [pki.ca.cert], { level: 'B-LT', tsa: pki.tsa, crls: pki.crls })),
  contentsOf(await signAs(pki.director, [])),
];

it('reads the signatures esign writes as the whole parse does, certificates included', () => {
  for (const blob of signatures) {
    expect(sameReading(blob)).toBe(true);
    expect(signedDataFromDer(blob)?.certificates?.length).toBeGreaterThan(0);
  }
});

it('reads changed and truncated signatures as the whole parse does, or leaves them to it', () => {
  let answered = 0;
  let left = 0;
  for (const blob of signatures) {
    const end = blob.length - [...blob].reverse().findIndex((b) => b !== 0);
    for (let at = 0; at < end; at += 37) {
      const m = Uint8Array.from(blob);
      m[at]! ^= at % 2 ? 0x80 : 0x01;
      if (sameReading(m)) answered++;
      else left++;
      if (at % 111 === 0 && sameReading(blob.subarray(0, at))) answered++;
    }
  }
  expect(answered).toBeGreaterThan(50);
  expect(left).toBeGreaterThan(0);
}, 120_000);
