/**
 * issueTranscript and verifyTranscript agree on which transcript XML is valid. Issuing used to attach and sign any
 * bytes: a registrar could issue (and hand out) a signed transcript that the package's own verification then
 * refuses — malformed XML, a DTD, characters XML forbids, nesting past the verifier's depth, bytes that are not
 * the encoding they claim, an XML-DSig that does not verify or was made by another signer. Issuing now runs the
 * verifier's XML check first and refuses such XML with ERR_TRANSCRIPT_XML, before anything is signed, without
 * quoting the document. A string whose UTF-16 is not well-formed (a lone surrogate, which encoding would turn into
 * U+FFFD and so lose the character) is refused as ERR_INVALID_ARG.
 */
import { inspect } from 'node:util';
import { expectCode as rejects } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isTranscriptError, verifyTranscript } from '../src/index.js';
import { type IssueTranscriptInput, issueTranscript } from '../src/issue.js';
import { SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
// A citizen ID (valid check digit) and a name: neither may be echoed by an error.
const ID = '1101700230708';
const NAME = 'Somsri';

function input(xml: string | Uint8Array): IssueTranscriptInput {
  return {
    xml,
    signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
    revocation: { crls: [pki.crlCa, pki.crlRoot] },
    tsa: pki.tsaFn,
    signingTime: pki.now,
  };
}

const utf16le = (s: string) => new Uint8Array([0xff, 0xfe, ...Buffer.from(s, 'utf16le')]);
const signedXml = await xmlSigned(`<T xmlns="urn:t"><Id>${ID}</Id><N>${NAME}</N></T>`, pki.signer);
const otherSignedXml = await xmlSigned(`<T xmlns="urn:t"><Id>${ID}</Id></T>`, pki.otherSigner);

describe('issueTranscript refuses XML its own verification refuses (ERR_TRANSCRIPT_XML, nothing signed)', () => {
  const cases: [string, string | Uint8Array][] = [
    ['mismatched tags', `<T><N>${NAME} ${ID}</T>`],
    ['an internal DTD subset with an entity', `<!DOCTYPE T [<!ENTITY e "${ID}">]><T>&e;</T>`],
    ['an external DTD', `<!DOCTYPE T SYSTEM "file:///etc/passwd"><T>${ID}</T>`],
    ['plain text, not XML', `${NAME} ${ID}`],
    ['a C0 control character', `<T>${ID}\u0001</T>`],
    ['a U+2028 in markup', `<T\u2028a="${ID}"/>`],
    ['nesting deeper than the verifier allows (64)', `${'<a>'.repeat(70)}${ID}${'</a>'.repeat(70)}`],
    ['two root elements', `<T>${ID}</T><T/>`],
    ['an undeclared prefix', `<x:T>${ID}</x:T>`],
    ['only whitespace', '   \n'],
    ['no bytes at all', new Uint8Array()],
    [
      'Latin-1 bytes undeclared (not UTF-8)',
      new Uint8Array([...Buffer.from(`<T>${ID}`), 0xe9, ...Buffer.from('</T>')]),
    ],
    ['an encoding the verifier cannot read', `<?xml version="1.0" encoding="ISO-8859-1"?><T>${ID}</T>`],
    ['an XML-DSig over other content (tampered)', signedXml.replace(NAME, 'Somchai')],
    ['an XML-DSig made by another signer than the PDF signer', otherSignedXml],
  ];
  it.each(cases)('%s', async (_name, xml) => {
    const err = await rejects(issueTranscript(input(xml)), 'ERR_TRANSCRIPT_XML');
    expect(isTranscriptError(err, 'ERR_TRANSCRIPT_XML')).toBe(true);
    for (const s of [err.message, JSON.stringify(err), inspect(err)]) {
      expect(s).not.toContain(ID);
      expect(s).not.toContain(NAME);
    }
  });

  it('larger than the verifier reads by default (5 MiB)', async () => {
    const filler = 'x'.repeat(5 * 1024 * 1024);
    await rejects(issueTranscript(input(`<T>${filler}</T>`)), 'ERR_TRANSCRIPT_XML');
  });

  it('a string with a lone surrogate (it would be attached as U+FFFD): ERR_INVALID_ARG, not echoed', async () => {
    const err = await rejects(issueTranscript(input(`<T><N>${NAME}\uD83D</N></T>`)), 'ERR_INVALID_ARG');
    expect(err.message).toMatch(/xml/);
    for (const s of [err.message, inspect(err)]) expect(s).not.toContain(NAME);
  });
});

describe('issueTranscript accepts what verification accepts (guard)', () => {
  const cases: [string, string | Uint8Array][] = [
    ['UTF-8 with a byte order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(SAMPLE_XML)])],
    ['UTF-16LE with a byte order mark', utf16le('<?xml version="1.0" encoding="UTF-16"?><T>ใบแสดงผล</T>')],
    ['CRLF line endings', SAMPLE_XML.replace(/\n/g, '\r\n')],
    ['a plain DOCTYPE without a subset', '<!DOCTYPE T><T>ok</T>'],
    [
      'TIS-620 declared',
      new Uint8Array([
        ...Buffer.from('<?xml version="1.0" encoding="TIS-620"?><T>'),
        0xa1,
        ...Buffer.from('</T>'),
      ]),
    ],
    ['an XML-DSig by the PDF signer', signedXml],
  ];
  it.each(cases)('%s: issued, TOTAL_PASSED, the bytes attached as given', async (_name, xml) => {
    const pdf = await issueTranscript(input(xml));
    const r = await verifyTranscript(pdf, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    const bytes = typeof xml === 'string' ? new TextEncoder().encode(xml) : xml;
    expect(r.attachment?.size).toBe(bytes.length);
  });
});
