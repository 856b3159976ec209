/**
 * Attack classes: (1) a DTD smuggled past a narrower DOCTYPE rule — an internal subset or external identifier
 * hidden by whitespace, case, a comment before it, a second DOCTYPE or one after the root; entity declarations
 * anywhere. (2) Choosing the XML-DSig key: with several certificates in X509Data, an attacker must not get his own
 * key used while the report names the PDF signer, nor have "some key that verifies" accepted. (3) Weak algorithms
 * in what is signed, whatever strong decoys sit elsewhere; (4) declared encodings that would be read as another
 * charset.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkXml, parseXmlSafely } from '../../src/xml/check-xml.js';
import { SAMPLE_XML } from '../fixtures/generate.js';
import { createTestPki, issueIdentity } from '../helpers/pki.js';
import { xmlSigned } from '../helpers/xml-dsig.js';

const pki = await createTestPki();
const opts = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, strict: true, pdfSigner: pki.signer.cert };
const lenient = { ...opts, strict: false };
const run = (xml: string | Uint8Array, o = opts) =>
  checkXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, o);
const BODY = SAMPLE_XML.replace(/^<\?xml[^>]*>\s*/, '');
const attacker = await issueIdentity(pki.now, 'Mallory', 300, pki.otherRoot, {
  keyUsage: ['digitalSignature', 'nonRepudiation'],
});
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe('DTDs stay refused', () => {
  const refused: [string, string][] = [
    ['an internal subset', `${DECL}<!DOCTYPE Transcript [ <!ELEMENT Transcript ANY> ]>\n${BODY}`],
    ['an empty internal subset', `<!DOCTYPE Transcript []>${BODY}`],
    ['a subset without a space before "["', `<!DOCTYPE Transcript[]>${BODY}`],
    [
      'line breaks and tabs around the subset',
      `<!DOCTYPE\n\tTranscript\r\n[\n<!ATTLIST Student Id ID #IMPLIED>\n]\n>${BODY}`,
    ],
    ['lower case', `<!doctype Transcript [ ]>${BODY}`],
    ['mixed case without a subset', `<!DocType Transcript>${BODY}`],
    ['a SYSTEM identifier', `<!DOCTYPE Transcript SYSTEM "http://127.0.0.1:9/t.dtd">${BODY}`],
    ['a PUBLIC identifier', `<!DOCTYPE Transcript PUBLIC "-//x//EN" "t.dtd">${BODY}`],
    ['a SYSTEM identifier in single quotes', `<!DOCTYPE Transcript SYSTEM 't.dtd'>${BODY}`],
    [
      'a subset after a comment',
      `${DECL}<!-- x --><!DOCTYPE Transcript [<!ATTLIST GPA a CDATA "x">]>${BODY}`,
    ],
    ['a subset after a processing instruction', `<?app x?><!DOCTYPE Transcript [ ]>${BODY}`],
    ['a comment that does not end where it seems', `<!-- a --!> <!DOCTYPE Transcript [ ]> <!-- -->${BODY}`],
    ['two DOCTYPEs', `<!DOCTYPE Transcript><!DOCTYPE Transcript>${BODY}`],
    ['a DOCTYPE after the root', `${BODY}<!DOCTYPE Transcript>`],
    ['a DOCTYPE inside the root', BODY.replace('<GPA>', '<!DOCTYPE Transcript><GPA>')],
    ['a DOCTYPE in a comment that never ends', `<!DOCTYPE Transcript [ ]><!-- ${BODY}`],
    ['no name', `<!DOCTYPE>${BODY}`],
    ['a parameter entity reference', `<!DOCTYPE Transcript [ %x; ]>${BODY}`],
  ];
  it.each(refused)('refuses a DOCTYPE with %s', async (_name, xml) => {
    const r = await run(xml);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(() => parseXmlSafely(xml, 64)).toThrow();
  });

  const entities: [string, string][] = [
    ['in an internal subset', `<!DOCTYPE Transcript [<!ENTITY e "x">]>${BODY.replace('3.75', '&e;')}`],
    ['in element content', BODY.replace('<GPA>', '<Note><!ENTITY e "x"></Note><GPA>')],
    ['in the prolog, without a DOCTYPE', `${DECL}<!ENTITY e "x">${BODY}`],
    ['after a comment that never ends', `${BODY}<!-- <!ENTITY e "x">`],
    ['in lower case, in content', BODY.replace('<GPA>', '<!entity e "x"><GPA>')],
    [
      'after a comment that does not end where it seems',
      BODY.replace('<GPA>', '<!-- a --!> <!ENTITY e "x"> --><GPA>'),
    ],
  ];
  it.each(entities)('refuses an ENTITY declaration %s', async (_name, xml) => {
    const r = await run(xml);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(() => parseXmlSafely(xml, 64)).toThrow();
  });

  // Only a DTD declares entities, and every DTD with a subset is refused: the text "<!ENTITY" inside a comment, a
  // CDATA section or a processing instruction (a course on XML, a note quoting markup) declares nothing.
  const harmless: [string, string][] = [
    ['in a comment', BODY.replace('<GPA>', '<!-- <!ENTITY e "x"> --><GPA>')],
    [
      'in a CDATA section',
      BODY.replace('<GPA>', '<Note><![CDATA[<!ENTITY e SYSTEM "file:///etc/passwd">]]></Note><GPA>'),
    ],
    ['in lower case in a comment', BODY.replace('<GPA>', '<!-- <!entity e "x"> --><GPA>')],
    ['in a processing instruction', BODY.replace('<GPA>', '<?note <!ENTITY e "x">?><GPA>')],
    ['in a comment before the root', `${DECL}<!-- <!ENTITY e "x"> -->\n${BODY}`],
  ];
  it.each(harmless)('passes the text "<!ENTITY" %s', async (_name, xml) => {
    expect((await run(xml)).status).toBe('PASSED');
    expect(parseXmlSafely(xml, 64).elements).toBeGreaterThan(1);
  });

  it('a signed transcript quoting "<!ENTITY" in a CDATA section verifies', async () => {
    const quoted = SAMPLE_XML.replace('<GPA>', '<Note><![CDATA[<!ENTITY x "y">]]></Note><GPA>');
    const r = await run(await xmlSigned(quoted, pki.signer));
    expect(r.status).toBe('PASSED');
    expect(r.evidence?.xmlSignatures).toBe(1);
  });

  it('a billion-laughs document is refused before any parsing', async () => {
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;">]><lolz>&lol1;</lolz>`;
    expect((await run(lol)).subIndication).toBe('FORMAT_FAILURE');
  });

  it('a signed transcript with an internal subset is refused, not verified', async () => {
    const signed = await xmlSigned(SAMPLE_XML, pki.signer);
    const r = await run(`<!DOCTYPE Transcript [<!ATTLIST Student Id ID #IMPLIED>]>${signed}`);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
  });
});

describe('which certificate of X509Data verifies the XML-DSig', () => {
  const forged = (s: string) => s.replace('3.75', '4.00');

  it("signed by the attacker's key, listing the PDF signer first: the PDF signer's key is used and fails", async () => {
    const xml = await xmlSigned(forged(SAMPLE_XML), attacker, { x509Data: [pki.signer.cert, attacker.cert] });
    for (const o of [opts, lenient]) {
      const r = await run(xml, o);
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
    }
  });

  it("signed by the attacker's key, listing the PDF signer after it: still the PDF signer's key, still fails", async () => {
    const xml = await xmlSigned(forged(SAMPLE_XML), attacker, { x509Data: [attacker.cert, pki.signer.cert] });
    for (const o of [opts, lenient]) {
      const r = await run(xml, o);
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
    }
  });

  it("signed by the attacker's key with the PDF signer's CA listed first: verifies, but is not the PDF signer", async () => {
    const xml = await xmlSigned(forged(SAMPLE_XML), attacker, { x509Data: [pki.ca.cert, attacker.cert] });
    const r = await run(xml);
    expect(r.status).toBe('INDETERMINATE');
    expect(r.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
    expect(r.message).toMatch(/not the PDF signer/);
    const loose = await run(xml, lenient);
    expect(loose.warnings?.join(' ')).toMatch(/not the PDF signer/);
  });

  it('signed by the CA key, listing the CA and the PDF signer: the PDF signer is picked and fails', async () => {
    const xml = await xmlSigned(forged(SAMPLE_XML), pki.ca, { x509Data: [pki.ca.cert, pki.signer.cert] });
    const r = await run(xml);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('a certificate outside KeyInfo (in a ds:Object) is never the verification key', async () => {
    const xml = await xmlSigned(forged(SAMPLE_XML), attacker, { x509Data: [pki.signer.cert] });
    const planted = xml.replace(
      '</Signature>',
      `<Object><X509Data><X509Certificate>${Buffer.from(attacker.cert).toString('base64')}</X509Certificate></X509Data></Object></Signature>`,
    );
    const r = await run(planted);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });
});

describe('algorithms of what is signed are judged, wherever decoys sit', () => {
  const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
  const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
  const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
  const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

  it('a SHA-1 reference digest is refused even with a strong CertDigest in XAdES', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { digest: SHA1, xades: true, certDigest: SHA256 });
    const r = await run(xml);
    expect(r.status).toBe('INDETERMINATE');
    expect(r.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE');
  });

  it('an RSA-SHA1 SignatureMethod is refused even with a strong one in a ds:Object', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { signature: RSA_SHA1 });
    const decoy = xml.replace(
      '</Signature>',
      `<Object><SignatureMethod Algorithm="${RSA_SHA256}"/></Object></Signature>`,
    );
    const r = await run(decoy);
    expect(r.status).toBe('INDETERMINATE');
    expect(r.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE');
  });

  it('a weak SignatureMethod in another namespace inside SignedInfo (xml-crypto reads any namespace) is refused', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer);
    const decoy = xml.replace(
      /(<CanonicalizationMethod [^>]*?)\/>/,
      `$1><x:SignatureMethod xmlns:x="urn:x" Algorithm="${RSA_SHA1}"/></CanonicalizationMethod>`,
    );
    expect(decoy).not.toBe(xml);
    const r = await run(decoy);
    expect(r.status).not.toBe('PASSED');
  });

  it('a weak DigestMethod in another namespace before the real one in a Reference is refused', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer);
    const decoy = xml.replace(
      '<DigestMethod ',
      `<x:DigestMethod xmlns:x="urn:x" Algorithm="${SHA1}"/><DigestMethod `,
    );
    expect(decoy).not.toBe(xml);
    const r = await run(decoy);
    expect(r.status).not.toBe('PASSED');
  });

  it('a weak method outside SignedInfo does not sink a strong signature, but is reported', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer);
    const withManifest = xml.replace(
      '</Signature>',
      `<Object><Manifest><Reference URI=""><DigestMethod Algorithm="${SHA1}"/><DigestValue>${createHash('sha1').update('x').digest('base64')}</DigestValue></Reference></Manifest></Object></Signature>`,
    );
    const r = await run(withManifest);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.warnings?.join(' ')).toMatch(/SHA-1/);
  });
});

describe('declared encodings are honoured or refused, never read as UTF-8', () => {
  it.each(['ISO-8859-1', 'Shift_JIS', 'windows-1252', 'EBCDIC-US'])(
    'encoding="%s": INDETERMINATE, unsupported encoding',
    async (encoding) => {
      const bytes = Buffer.from(`<?xml version="1.0" encoding="${encoding}"?>\n${BODY}`, 'latin1');
      const r = await run(bytes);
      expect(r.status).toBe('INDETERMINATE');
      expect(r.message).toMatch(/unsupported encoding/i);
    },
  );

  it('a TIS-620 declaration over UTF-8 bytes is not valid TIS-620', async () => {
    const r = await run(`<?xml version="1.0" encoding="TIS-620"?>\n${BODY.replace('Test', 'ทดสอบ')}`);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
  });

  it('TIS-620 bytes 0x80–0x9F (windows-874 punctuation, C1 in ISO-8859-11) are refused for TIS-620', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`<?xml version="1.0" encoding="TIS-620"?>\n${BODY.split('Test')[0]}`, 'latin1'),
      Buffer.from([0x85]),
      Buffer.from(BODY.split('Test')[1]!, 'latin1'),
    ]);
    const r = await run(bytes);
    expect(r.status).toBe('FAILED');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
  });

  it('a declaration that contradicts the byte order mark is refused', async () => {
    const utf8Bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`<?xml version="1.0" encoding="TIS-620"?>\n${BODY}`),
    ]);
    expect((await run(utf8Bom)).status).not.toBe('PASSED');
  });

  it('US-ASCII is accepted only when every byte is ASCII', async () => {
    const ok = await run(`<?xml version="1.0" encoding="US-ASCII"?>\n${BODY}`);
    expect(ok.status, ok.message).toBe('PASSED');
    const bad = await run(`<?xml version="1.0" encoding="US-ASCII"?>\n${BODY.replace('Test', 'ทดสอบ')}`);
    expect(bad.status).toBe('FAILED');
    expect(bad.subIndication).toBe('FORMAT_FAILURE');
  });
});
