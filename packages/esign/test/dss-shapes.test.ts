// /DSS as other signers write it. PAdES (ETSI EN 319 142-1 §5.4) keeps validation data in the store's /Certs,
// /CRLs and /OCSPs arrays and, per signature, in /VRI entries (/Cert, /CRL, /OCSP); some writers fill only the
// /VRI entries. The verifier must find the data in either place, read each piece once, and stay bounded.
import { createHash } from 'node:crypto';
import { parseCrl } from '@thgov/pki';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { dictOf, PdfDict } from '../src/pdf/objects.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { readsAsValidationData } from '../src/verify/dss-changes.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { REQUIRE_REVOCATION } from './helpers/attack.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const signed = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-LT',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
});
// No revocation data supplied: what the verifier knows comes from the file.
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], policy: REQUIRE_REVOCATION });

/** `pdf` with a later revision whose /DSS keeps only its /VRI entries (no top-level arrays). */
function vriOnly(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ doc, catalog, rootRef }) => {
    const dss = dictOf(doc.resolve(catalog.get('DSS'), doc.last))!;
    expect(dss.get('VRI')).toBeDefined();
    const bare = edited(dss, { Certs: undefined, CRLs: undefined, OCSPs: undefined });
    return new Map([[rootRef.num, { value: edited(catalog, { DSS: bare }) }]]);
  });
}

describe('/DSS with validation data only in /VRI', () => {
  it('the store as esign writes it: revocation from /DSS, each piece once', async () => {
    const r = await verify(signed);
    expect(r.indication).toBe('TOTAL_PASSED');
    const evidence = r.signatures[0]!.revocation;
    expect(evidence.length).toBeGreaterThan(0);
    for (const e of evidence) {
      expect(e.source).toBe('dss');
      const hashes = (e.considered ?? []).map((c) => c.sha256);
      expect(new Set(hashes).size).toBe(hashes.length);
    }
  });

  it('/VRI only: the same certificates and revocation data are found, each once', async () => {
    const pdf = vriOnly(signed);
    const doc = new PdfDocument(pdf);
    const dss = dictOf(doc.resolve(doc.catalog(doc.last)?.get('DSS'), doc.last)) as PdfDict;
    expect(dss.get('CRLs')).toBeUndefined();
    const r = await verify(pdf);
    const sig = r.signatures[0]!;
    expect(r.indication, JSON.stringify(sig.checks.filter((c) => c.status !== 'PASSED'))).toBe(
      'TOTAL_PASSED',
    );
    for (const e of sig.revocation) {
      expect(e.source).toBe('dss');
      const hashes = (e.considered ?? []).map((c) => c.sha256);
      expect(new Set(hashes).size).toBe(hashes.length);
    }
  });

  it('5,000 /VRI entries that all point at the same arrays: read once, bounded, still verifies', async () => {
    const pdf = appendUpdate(signed, ({ doc, catalog, rootRef }) => {
      const dss = dictOf(doc.resolve(catalog.get('DSS'), doc.last))!;
      const entry = new PdfDict(
        new Map([
          ['Cert', dss.get('Certs')!],
          ['CRL', dss.get('CRLs')!],
          ['OCSP', dss.get('OCSPs')!],
        ]),
        -1,
        -1,
      );
      const vri = new PdfDict(
        new Map(
          Array.from({ length: 5000 }, (_, i) => [i.toString(16).toUpperCase().padStart(40, '0'), entry]),
        ),
        -1,
        -1,
      );
      return new Map([[rootRef.num, { value: edited(catalog, { DSS: edited(dss, { VRI: vri }) }) }]]);
    });
    const r = await verify(pdf);
    expect(r.indication).toBe('TOTAL_PASSED');
    for (const e of r.signatures[0]!.revocation) {
      const hashes = (e.considered ?? []).map((c) => c.sha256);
      expect(new Set(hashes).size).toBe(hashes.length);
    }
  });
});

describe('/DSS data is what its slot says', () => {
  it('certificates, CRLs, OCSP responses and time-stamp tokens each read only as their own kind', async () => {
    const token = await pki.tsa({
      imprint: new Uint8Array(createHash('sha256').update('x').digest()),
      hashAlgorithm: 'SHA-256',
    });
    const samples = {
      certificate: pki.officer.cert,
      crl: pki.crls[0]!,
      ocsp: pki.officerOcsp,
      timestamp: token,
    } as const;
    for (const [kind, der] of Object.entries(samples)) {
      for (const slot of Object.keys(samples) as (keyof typeof samples)[])
        expect([kind, slot, readsAsValidationData(slot, der)]).toEqual([kind, slot, slot === kind]);
    }
    expect(readsAsValidationData('certificate', Buffer.from('0 g BT (x) Tj ET'))).toBe(false);
  });

  it('a CRL the CRL reader refuses (as it refuses CRLs beyond its node limit) still counts by its outline', () => {
    const crl = Uint8Array.from(pki.crls[0]!);
    // The issuer's first RDN SET becomes an OCTET STRING: no Name any more, the CertificateList outline unchanged.
    const at = Buffer.from(crl).indexOf(Buffer.from([0x31]), 20);
    crl[at] = 0x04;
    expect(() => parseCrl(crl)).toThrow();
    expect(readsAsValidationData('crl', crl)).toBe(true);
    expect(readsAsValidationData('crl', crl.subarray(0, crl.length - 1))).toBe(false);
  });
});
