import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { checkXml, checkXmlSignature, parseXmlSafely } from '../../src/xml/check-xml.js';
import { SAMPLE_XML } from '../fixtures/generate.js';
import { createTestPki } from '../helpers/pki.js';
import { xmlSigned } from '../helpers/xml-dsig.js';

const pki = await createTestPki();
const signed = (await xmlSigned(SAMPLE_XML, pki.signer)).replace(/^<\?xml[^>]*>\s*/, '');
const opts = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, strict: true, pdfSigner: pki.signer.cert };
const run = (xml: string) => checkXml(Buffer.from(xml, 'utf8'), opts);
const DS = 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';

/** The signed transcript inside a forged wrapper whose names end in `sep` (a line break to xmldom 0.9 only). */
function wrapped(sep: string): string {
  return (
    `<Transcript${sep}xmlns="urn:example:transcript:1">` +
    `<Student${sep}><Name${sep}>Mallory Forged</Name${sep}><Program${sep}>M.D.</Program${sep}></Student${sep}>` +
    `<GPA${sep}>4.00</GPA${sep}>${signed}</Transcript${sep}>`
  );
}

describe('XML-DSig wrapping through parser differentials', () => {
  it('still verifies the signed transcript (control)', async () => {
    const r = await run(signed);
    expect(r.status, r.message).toBe('PASSED');
  });

  it('verifies a signed transcript with U+2028/U+2029/U+0085 in its text', async () => {
    const xml = await xmlSigned(
      SAMPLE_XML.replace('Test Student', 'Test\u2029Stu\u2028de\u0085nt'),
      pki.signer,
    );
    const r = await run(xml);
    expect(r.status, r.message).toBe('PASSED');
  });

  for (const [name, sep] of [
    ['U+2029', '\u2029'],
    ['U+2028', '\u2028'],
    ['U+0085', '\u0085'],
  ] as const) {
    it(`refuses a forged wrapper whose tag names end in ${name}`, async () => {
      const r = await run(wrapped(sep));
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('FORMAT_FAILURE');
    });
  }

  it('refuses a line-break character between attributes or in a processing instruction', () => {
    expect(() => parseXmlSafely('<a\u2029b="1"/>', 64)).toThrow(/markup/);
    expect(() => parseXmlSafely('<a x=">"\u2029y="1"/>', 64)).toThrow(/markup/);
    expect(() => parseXmlSafely('<a><?pi\u2029x?></a>', 64)).toThrow(/markup/);
    expect(parseXmlSafely('<a x="1\u2029">t\u2029<!--\u2029--><![CDATA[\u2029]]></a>', 64).elements).toBe(1);
  });

  it('fails a signature whose signed bytes are not what our DOM resolves the reference to', () => {
    // Our DOM parsed past the name check: the canonical comparison alone must catch the wrapper.
    const text = wrapped('\u2029');
    const doc = new DOMParser({ onError: () => {} }).parseFromString(text, 'text/xml');
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const r = checkXmlSignature(sig as never, text, doc as never, opts, {}, []);
    expect(r?.status).toBe('FAILED');
    expect(r?.subIndication).toBe('SIG_CRYPTO_FAILURE');
    expect(r?.message).toMatch(/not what was signed|does not cover/);
  });

  it('fails an #id reference that our DOM resolves to another element', async () => {
    const xades = (await xmlSigned(SAMPLE_XML, pki.signer, { xades: true })).replace(/^<\?xml[^>]*>\s*/, '');
    expect((await run(xades)).status).toBe('PASSED');
    // Same text, but our DOM sees the Id on an element xml-crypto does not (the differential again).
    const text = xades.replace(
      '<Student>',
      '<Student><Decoy\u2029Id="xades-signed-properties"\u2029xmlns="urn:x">forged</Decoy\u2029>',
    );
    const doc = new DOMParser({ onError: () => {} }).parseFromString(text, 'text/xml');
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const r = checkXmlSignature(sig as never, text, doc as never, opts, {}, []);
    expect(r?.status).toBe('FAILED');
  });
});

describe('XML resource limits before XML-DSig verification', () => {
  it('refuses 40,000 comments in signed text by the count, before xml-crypto', async () => {
    const xml = signed.replace('3.75', `3.${'<!---->'.repeat(40_000)}75`);
    const r = await run(xml);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toMatch(/comments and processing instructions/);
  });

  it('accepts a signed transcript with a few comments and processing instructions', async () => {
    const xml = await xmlSigned(
      SAMPLE_XML.replace('3.75', `3.${'<!--x--><?p x?>'.repeat(100)}75`),
      pki.signer,
    );
    const r = await run(xml);
    expect(r.status, r.message).toBe('PASSED');
  });

  it('refuses too many comments in unsigned XML whichever parser path it takes', async () => {
    const r = await run(`<a>${'<!---->'.repeat(2000)}</a>`);
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toMatch(/comments/);
  });

  it('refuses 25,000 elements under a signature before the signature is checked', async () => {
    const xml = signed.replace('<GPA>', `${'<c/>'.repeat(25_000)}<GPA>`);
    const r = await run(xml);
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toMatch(/elements/);
  });

  it('refuses too many elements without a signature too', async () => {
    const r = await run(`<a>${'<b/>'.repeat(20_001)}</a>`);
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toMatch(/elements/);
  });

  it('a ds:Signature deeper than 512 levels is still checked when the caller allows such depth', async () => {
    // Before: the search for signatures stopped at 512 levels, so with maxXmlDepth raised (up to 10,000) a broken
    // signature below that was never checked and the XML PASSED as unsigned.
    const depth = 600;
    const xml = `<a ${DS}>${'<n>'.repeat(depth)}<ds:Signature/>${'</n>'.repeat(depth)}</a>`;
    const r = await checkXml(Buffer.from(xml, 'utf8'), { ...opts, maxDepth: 1_000 });
    expect(r.status).not.toBe('PASSED');
  });

  it('refuses more than 8 ds:Signature elements', async () => {
    const sigs = '<ds:Signature/>'.repeat(9);
    const r = await run(`<a ${DS}>${sigs}</a>`);
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toMatch(/Signature/);
  });
});

describe('characters XML forbids', () => {
  for (const [name, xml] of [
    ['raw NUL', `<a ${DS}>\u0000</a>`],
    ['raw U+0001', `<a>\u0001</a>`],
    ['raw U+FFFE', `<a>\uFFFE</a>`],
    ['&#xD800;', `<a ${DS}>&#xD800;</a>`],
    ['&#x110000;', `<a ${DS}>&#x110000;</a>`],
    ['&#0;', `<a x="&#0;"/>`],
    ['&#x1F; in an attribute', `<a ${DS} x="&#x1F;"/>`],
    ['&#1114113;', `<a>&#1114113;</a>`],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const r = await run(xml);
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('FORMAT_FAILURE');
      expect(() => parseXmlSafely(xml, 64)).toThrow(/forbids/);
    });
  }

  it('refuses a lone surrogate in the decoded text', () => {
    expect(() => parseXmlSafely('<a>\uD800</a>', 64)).toThrow(/forbids/);
    expect(() => parseXmlSafely('<a x="\uDC00"/>', 64)).toThrow(/forbids/);
  });

  it('accepts tab, LF, CR and their references', async () => {
    const r = await run(`<a ${DS} x="&#9;&#xA;&#13;">\t\n\r&#x10FFFF;\u{1F600}</a>`);
    expect(r.status, r.message).toBe('PASSED');
  });
});
