import { generateSigningKeyPair } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyTranscript } from '../src/index.js';
import { decodeXml, parseXmlSafely, xmlToData } from '../src/xml/check-xml.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki, issueIdentity } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const ecSigner = await issueIdentity(pki.now, 'EC University Registrar', 110, pki.ca, {
  keyUsage: ['digitalSignature', 'nonRepudiation'],
  keyPair: await generateSigningKeyPair({ ec: true }),
});

describe('XML checks', () => {
  it('parses plain XML and refuses DTDs, entities, deep nesting and bad encodings', () => {
    expect(parseXmlSafely(SAMPLE_XML, 64).elements).toBe(7);
    expect(() => parseXmlSafely('<!DOCTYPE a [<!ELEMENT a ANY>]><a/>', 64)).toThrow(/DTD/);
    expect(() => parseXmlSafely('<!DOCTYPE a SYSTEM "a.dtd"><a/>', 64)).toThrow(/DTD/);
    // A plain DOCTYPE declares nothing and loads nothing (xml-interop.test.ts).
    expect(parseXmlSafely('<!DOCTYPE a><a/>', 64).elements).toBe(1);
    expect(() => parseXmlSafely('<a>&foo;</a>', 64)).toThrow();
    expect(() => parseXmlSafely(`${'<a>'.repeat(70)}${'</a>'.repeat(70)}`, 64)).toThrow(/deeper/);
    expect(() => parseXmlSafely('<a><b></a>', 64)).toThrow();
    expect(() => decodeXml(new Uint8Array([0x3c, 0x61, 0xff, 0x3e]))).toThrow();
    expect(decodeXml(new Uint8Array([0xfe, 0xff, 0, 0x3c, 0, 0x61, 0, 0x2f, 0, 0x3e]))).toBe('<a/>');
  });

  it('converts XML to plain data for zod', () => {
    const { doc } = parseXmlSafely(SAMPLE_XML, 64);
    expect(xmlToData(doc)).toEqual({
      Transcript: {
        Student: { Name: 'Test Student', Program: 'B.Sc. Computer Science' },
        Course: [
          { '@code': 'CS101', '@grade': 'A', '@credits': '3', '#text': '' },
          { '@code': 'CS102', '@grade': 'B+', '@credits': '3', '#text': '' },
        ],
        GPA: '3.75',
      },
    });
  });

  it('applies a caller-supplied zod schema and validator function', async () => {
    const pdf = await issueGood(pki);
    const schema = z.object({ Transcript: z.object({ GPA: z.string().regex(/^\d\.\d\d$/) }).passthrough() });
    expect((await verifyTranscript(pdf, { trust, xmlSchema: schema })).indication).toBe('TOTAL_PASSED');
    const wrong = z.object({ Diploma: z.object({}) });
    const r = await verifyTranscript(pdf, { trust, xmlSchema: wrong });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.checks.find((c) => c.id === 'xml')?.status).toBe('FAILED');
    const seen: string[] = [];
    const ok = await verifyTranscript(pdf, {
      trust,
      xmlValidator: ({ text }) => {
        seen.push(text);
        return { valid: true };
      },
    });
    expect(ok.indication).toBe('TOTAL_PASSED');
    expect(seen[0]).toBe(SAMPLE_XML);
    const bad = await verifyTranscript(pdf, {
      trust,
      xmlValidator: async () => ({ valid: false, errors: ['cvc-elt.1: no such element'] }),
    });
    expect(bad.checks.find((c) => c.id === 'xml')?.evidence?.errors).toEqual(['cvc-elt.1: no such element']);
  });

  it('verifies an enveloped XML-DSig made by the PDF signer', async () => {
    const signedXml = await xmlSigned(SAMPLE_XML, pki.signer);
    const pdf = await issueGood(pki, { xml: signedXml });
    const r = await verifyTranscript(pdf, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.checks.find((c) => c.id === 'xml')?.evidence?.xmlSignatures).toBe(1);
  });

  it('fails a tampered XML-DSig and flags an XML signer different from the PDF signer', async () => {
    const signedXml = await xmlSigned(SAMPLE_XML, pki.signer);
    const tampered = await issueGood(pki, { xml: signedXml.replace('3.75', '4.00') });
    const t = await verifyTranscript(tampered, { trust });
    expect(t.indication).toBe('TOTAL_FAILED');
    expect(t.subIndication).toBe('SIG_CRYPTO_FAILURE');
    // The same tampering, with the XML-DSig namespace written with a character reference: the DOM resolves it
    // to XML-DSig, so the signature is checked, not passed over as plain XML.
    const disguised = signedXml
      .replace(
        'xmlns="http://www.w3.org/2000/09/xmldsig#"',
        'xmlns="http://www.w3.org/2000/09/xml&#100;sig#"',
      )
      .replace('3.75', '4.00');
    expect(disguised).toContain('xml&#100;sig');
    const d = await verifyTranscript(await issueGood(pki, { xml: disguised }), { trust });
    expect(d.indication).toBe('TOTAL_FAILED');
    expect(d.subIndication).toBe('SIG_CRYPTO_FAILURE');
    const other = await issueGood(pki, { xml: await xmlSigned(SAMPLE_XML, pki.otherSigner) });
    const o = await verifyTranscript(other, { trust });
    expect(o.indication).toBe('INDETERMINATE');
    expect(o.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
  });
});

describe('weak algorithms in the transcript XML-DSig', () => {
  // A SHA-1 XML signature vouches for nothing a chosen-prefix collision could not forge: refused as the CMS's is.
  const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
  const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
  const cases: [string, { signature?: string; digest?: string }][] = [
    ['RSA-SHA1 signature and SHA-1 digest', { signature: RSA_SHA1, digest: SHA1 }],
    ['RSA-SHA256 signature over a SHA-1 digest', { digest: SHA1 }],
    ['RSA-SHA1 signature over a SHA-256 digest', { signature: RSA_SHA1 }],
  ];
  it.each(cases)(
    '%s: INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, under both policies',
    async (_name, algorithms) => {
      const pdf = await issueGood(pki, { xml: await xmlSigned(SAMPLE_XML, pki.signer, algorithms) });
      for (const policy of ['transcript', 'pdf'] as const) {
        const r = await verifyTranscript(pdf, { trust, ...(policy === 'pdf' ? { policy: 'pdf' } : {}) });
        const xml = r.checks.find((c) => c.id === 'xml');
        expect(xml, policy).toMatchObject({
          status: 'INDETERMINATE',
          subIndication: 'CRYPTO_CONSTRAINTS_FAILURE',
        });
        expect(xml?.message).toContain('SHA-1');
        expect(r.indication).not.toBe('TOTAL_PASSED');
      }
    },
  );

  it('SHA-512 digests with RSA-SHA512 verify', async () => {
    const pdf = await issueGood(pki, {
      xml: await xmlSigned(SAMPLE_XML, pki.signer, {
        signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
        digest: 'http://www.w3.org/2001/04/xmlenc#sha512',
      }),
    });
    expect((await verifyTranscript(pdf, { trust })).indication).toBe('TOTAL_PASSED');
  });
});

describe('algorithms other registrars use in the transcript XML-DSig', () => {
  // The PDF's CMS accepts ECDSA and SHA-384, so the XML-DSig beside it must too: a registrar with an EC key, or
  // one whose stack defaults to SHA-384, issues transcripts as valid as any other.
  const MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
  const SHA384 = `${MORE}sha384`;
  const cases: [string, typeof pki.signer, { signature: string; digest: string; xades?: boolean }][] = [
    ['ECDSA-SHA256 over SHA-256 digests', ecSigner, { signature: `${MORE}ecdsa-sha256`, digest: SHA256 }],
    ['ECDSA-SHA384 over SHA-384 digests', ecSigner, { signature: `${MORE}ecdsa-sha384`, digest: SHA384 }],
    ['RSA-SHA384 over SHA-384 digests', pki.signer, { signature: `${MORE}rsa-sha384`, digest: SHA384 }],
    [
      'XAdES-BES shape, RSA-SHA256',
      pki.signer,
      { signature: `${MORE}rsa-sha256`, digest: SHA256, xades: true },
    ],
    [
      'XAdES-BES shape, ECDSA-SHA384',
      ecSigner,
      { signature: `${MORE}ecdsa-sha384`, digest: SHA384, xades: true },
    ],
  ];
  it.each(cases)('%s: verifies, and fails once the XML is changed', async (_name, signer, algorithms) => {
    const signedXml = await xmlSigned(SAMPLE_XML, signer, algorithms);
    const r = await verifyTranscript(await issueGood(pki, { signer, xml: signedXml }), { trust });
    expect(r.checks.find((c) => c.id === 'xml')).toMatchObject({ status: 'PASSED' });
    expect(r.indication).toBe('TOTAL_PASSED');
    const tampered = await issueGood(pki, { signer, xml: signedXml.replace('3.75', '4.00') });
    const t = await verifyTranscript(tampered, { trust });
    expect(t.indication).toBe('TOTAL_FAILED');
    expect(t.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('a changed XAdES signed property fails: the second reference is checked too', async () => {
    const signedXml = await xmlSigned(SAMPLE_XML, pki.signer, { xades: true });
    expect(signedXml).toContain('2026-01-15T09:00:00Z');
    const changed = signedXml.replace('2026-01-15T09:00:00Z', '2025-01-15T09:00:00Z');
    const r = await verifyTranscript(await issueGood(pki, { xml: changed }), { trust });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('an ECDSA value in DER form, not the r||s form RFC 4051 prescribes, does not verify', async () => {
    const signedXml = await xmlSigned(SAMPLE_XML, ecSigner, {
      signature: `${MORE}ecdsa-sha256`,
      digest: SHA256,
    });
    const value = /<SignatureValue>([^<]+)<\/SignatureValue>/.exec(signedXml)?.[1] ?? '';
    const raw = Buffer.from(value, 'base64');
    expect(raw.length).toBe(64);
    const der = derEcdsa(raw.subarray(0, 32), raw.subarray(32));
    const asDer = signedXml.replace(value, der.toString('base64'));
    const r = await verifyTranscript(await issueGood(pki, { signer: ecSigner, xml: asDer }), { trust });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });
});

/** An ECDSA signature's DER form (SEQUENCE of two INTEGERs) from its r and s. */
function derEcdsa(r: Buffer, s: Buffer): Buffer {
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && (v[1] ?? 0) < 0x80) v = v.subarray(1);
    if ((v[0] ?? 0) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('personal data in XML errors', () => {
  it('never copies a citizen ID from a broken XML into the report', async () => {
    const citizenId = '1101700230708';
    const broken = `<Transcript><CitizenID>${citizenId}</CitizenID><Name>Somchai</Transcript>`;
    const pdf = await issueGood(pki, { xml: broken });
    const r = await verifyTranscript(pdf, { trust });
    expect(r.checks.find((c) => c.id === 'xml')?.status).toBe('FAILED');
    expect(JSON.stringify(r)).not.toContain(citizenId);
    const failing = await verifyTranscript(await issueGood(pki), {
      trust,
      xmlValidator: () => {
        throw new Error(`bad id ${citizenId}`);
      },
    });
    expect(failing.checks.find((c) => c.id === 'xml')?.status).toBe('FAILED');
    expect(JSON.stringify(failing)).not.toContain(citizenId);
  });
});
