// Attack class: editing the CMS fields the signature does not cover. The `certificates` set is unsigned: a
// look-alike (the signer's issuer and serial, another key) put first must not make a valid signature fail, nor
// be taken as the signer. And encapContentInfo.eContentType is unsigned too: the signed contentType attribute
// must equal it (RFC 5652 §11.1), so that a CMS cannot claim one content type and sign another.
import type { webcrypto } from 'node:crypto';
import { generateSigningKeyPair } from '@thgov/pki/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';

const pki = await createSigningPki();
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });
const pdf = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-B',
  subFilter: 'ETSI.CAdES.detached',
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});

/** `pdf` with its first signature's SignedData changed by `edit` (the SignerInfo untouched). */
function withCms(signed: Uint8Array, edit: (sd: pkijs.SignedData) => void): Uint8Array {
  const m = /\/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]/.exec(Buffer.from(signed).toString('latin1'))!;
  const [a, b, c] = m.slice(1, 4).map(Number) as [number, number, number];
  const hex = Buffer.from(signed.subarray(a + b + 1, c - 1)).toString('latin1');
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(Buffer.from(hex, 'hex')).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  edit(sd);
  const cms = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
  const out = Buffer.from(signed);
  const newHex = Buffer.from(cms.toSchema().toBER(false)).toString('hex');
  out.write(newHex.padEnd(c - 1 - (a + b + 1), '0'), a + b + 1, 'latin1');
  return new Uint8Array(out);
}

/** The officer's certificate with another key, re-signed by a stranger: same issuer name and serial. */
async function lookalike(): Promise<pkijs.Certificate> {
  const other = await generateSigningKeyPair({ ec: true });
  const c = pkijs.Certificate.fromBER(Uint8Array.from(pki.officer.cert).buffer);
  const spki = await crypto.subtle.exportKey('spki', other.publicKey as webcrypto.CryptoKey);
  c.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki);
  await c.sign(other.privateKey as webcrypto.CryptoKey, 'SHA-256');
  return pkijs.Certificate.fromBER(c.toSchema(true).toBER(false));
}

function failures(r: Awaited<ReturnType<typeof verify>>): string {
  return JSON.stringify(r.signatures[0]?.checks.filter((c) => c.status !== 'PASSED'));
}

describe('the unsigned CMS certificates', () => {
  it('control: the signature verifies', async () => {
    const r = await verify(pdf);
    expect(r.indication, failures(r)).toBe('TOTAL_PASSED');
  });

  it('a look-alike signer certificate listed first does not make a valid signature fail', async () => {
    const fake = await lookalike();
    const r = await verify(withCms(pdf, (sd) => sd.certificates?.unshift(fake)));
    expect(r.indication, failures(r)).toBe('TOTAL_PASSED');
    expect(r.signatures[0]?.signer?.subject).toContain('Test Officer');
  });

  it('a look-alike alone (the real certificate removed) fails', async () => {
    const fake = await lookalike();
    const r = await verify(
      withCms(pdf, (sd) => {
        sd.certificates = [fake, ...(sd.certificates ?? []).slice(1)];
      }),
    );
    expect(r.indication).toBe('TOTAL_FAILED');
  });
});

describe('eContentType and the contentType attribute', () => {
  it('an eContentType other than the signed contentType attribute fails', async () => {
    const r = await verify(
      withCms(pdf, (sd) => {
        sd.encapContentInfo.eContentType = TST_INFO;
      }),
    );
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(failures(r)).toContain('contentType');
  });
});
