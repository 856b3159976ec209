/**
 * Transcript XML as other registrars' stacks write it: each one is genuine (made with this package's issuer and
 * test PKI) and must verify. Each was refused before: a chain in X509Data with the CA first, a plain DOCTYPE, the
 * text "<!DOCTYPE" in a CDATA section or comment, a Thai legacy encoding, and XAdES with a SHA-1 CertDigest.
 */
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/index.js';
import { checkXml } from '../src/xml/check-xml.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const opts = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, strict: true, pdfSigner: pki.signer.cert };
const BODY = SAMPLE_XML.replace(/^<\?xml[^>]*>\s*/, '');
const THAI_NAME = 'นายทดสอบ ใจดี';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** `text` in TIS-620: ASCII as is, Thai U+0E01–U+0E5B at 0xA1–0xFB. */
export function tis620(text: string): Uint8Array {
  return Uint8Array.from([...text], (c) => {
    const cp = c.codePointAt(0) ?? 0;
    if (cp < 0x80) return cp;
    if ((cp >= 0x0e01 && cp <= 0x0e3a) || (cp >= 0x0e3f && cp <= 0x0e5b)) return cp - 0x0e01 + 0xa1;
    throw new Error(`not in TIS-620: U+${cp.toString(16)}`);
  });
}

describe('X509Data listing a certificate chain', () => {
  it('verifies when the CA certificate comes before the signer (the PDF signer is picked)', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { x509Data: [pki.ca.cert, pki.signer.cert] });
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
    const pdf = await issueGood(pki, { xml });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });

  it('verifies the chain root first, then CA, then signer, without knowing the PDF signer (the leaf is picked)', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, {
      x509Data: [pki.root.cert, pki.ca.cert, pki.signer.cert],
    });
    const r = await checkXml(Buffer.from(xml), { ...opts, pdfSigner: undefined });
    expect(r.status, r.message).toBe('PASSED');
  });

  it('still verifies with the signer first and the CA after it', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { x509Data: [pki.signer.cert, pki.ca.cert] });
    expect((await checkXml(Buffer.from(xml), opts)).status).toBe('PASSED');
  });
});

describe('DOCTYPE without a DTD, and the word in text', () => {
  it('accepts a plain <!DOCTYPE Transcript> (no internal subset, no external identifier)', async () => {
    const xml = SAMPLE_XML.replace('?>\n', '?>\n<!DOCTYPE Transcript>\n');
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
    const pdf = await issueGood(pki, { xml });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });

  it('accepts the DOCTYPE after a comment and a processing instruction, with spaces before ">"', async () => {
    const xml = SAMPLE_XML.replace('?>\n', '?>\n<!-- issued --><?app x?>\n<!DOCTYPE  Transcript \n>\n');
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
  });

  it('accepts "<!DOCTYPE" inside a CDATA section and inside a comment', async () => {
    const cdata = SAMPLE_XML.replace(
      'B.Sc. Computer Science',
      '<![CDATA[Thesis: <!DOCTYPE x [ ]> parsing]]>',
    );
    const comment = SAMPLE_XML.replace('<GPA>', '<!-- old files began with <!DOCTYPE html> --><GPA>');
    for (const xml of [cdata, comment]) {
      const r = await checkXml(Buffer.from(xml), opts);
      expect(r.status, r.message).toBe('PASSED');
    }
    const pdf = await issueGood(pki, { xml: cdata });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });

  it('verifies an XML-DSig over a document with a plain DOCTYPE', async () => {
    const signed = await xmlSigned(SAMPLE_XML, pki.signer);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Transcript>\n${signed}`;
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.evidence?.xmlSignatures).toBe(1);
    const tampered = await checkXml(Buffer.from(xml.replace('3.75', '4.00')), opts);
    expect(tampered.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });
});

describe('XML in a Thai legacy encoding', () => {
  const declared = (encoding: string, body = BODY) =>
    `<?xml version="1.0" encoding="${encoding}"?>\n${body.replace('Test Student', THAI_NAME)}`;

  it.each(['TIS-620', 'windows-874', 'ISO-8859-11', 'tis-620'])(
    'decodes encoding="%s" as declared',
    async (encoding) => {
      const text = declared(encoding);
      const seen: string[] = [];
      const r = await checkXml(tis620(text), {
        ...opts,
        validator: ({ text: t }) => {
          seen.push(t);
          return true;
        },
      });
      expect(r.status, r.message).toBe('PASSED');
      expect(seen[0]).toBe(text);
    },
  );

  it('a TIS-620 transcript verifies end to end', async () => {
    const pdf = await issueGood(pki, { xml: tis620(declared('TIS-620')) });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });

  it('an XML-DSig over TIS-620 text verifies on the decoded text, and fails once a Thai letter changes', async () => {
    const signed = await xmlSigned(SAMPLE_XML.replace('Test Student', THAI_NAME), pki.signer);
    const text = `<?xml version="1.0" encoding="TIS-620"?>\n${signed}`;
    const r = await checkXml(tis620(text), opts);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.evidence?.xmlSignatures).toBe(1);
    const changed = tis620(text.replace('ใจดี', 'ใจร้าย'));
    expect((await checkXml(changed, opts)).subIndication).toBe('SIG_CRYPTO_FAILURE');
  });
});

describe('XAdES with a SHA-1 digest of the signing certificate', () => {
  it('verifies (RSA-SHA256 over SHA-256 references), with a warning about the CertDigest', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { xades: true, certDigest: SHA1 });
    expect(xml).toContain('CertDigest');
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.warnings?.join(' ')).toMatch(/SHA-1/);
    const pdf = await issueGood(pki, { xml });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });

  it('a SHA-256 CertDigest gives no warning', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, {
      xades: true,
      certDigest: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.warnings ?? []).toEqual([]);
  });
});
