/**
 * Attack class: personal data through parser messages. A malformed transcript XML can carry a student's name and
 * citizen ID in its markup — element and attribute names, entity references, text outside the root — and the XML
 * parser quotes markup in its messages ("tag mismatch: Somsri_1101700230708 != …"). A name the redactor cannot
 * recognise (no title, joined to an ID by "_") must not reach the report a registrar logs nor the error issuing
 * throws: the step says what kind of fault, and where (line and column), never what the document wrote.
 */
import { inspect } from 'node:util';
import { expectCode as rejects } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { type IssueTranscriptInput, issueTranscript } from '../../src/issue.js';
import { checkXml } from '../../src/xml/check-xml.js';
import { createTestPki } from '../helpers/pki.js';

const pki = await createTestPki();
// A citizen ID (valid check digit) and names a redactor cannot tell from other words.
const ID = '1101700230708';
const NAME = 'Somsri';
const THAI_NAME = 'สมศรี';
const PERSONAL = [ID, '1-1017-00230-70-8', NAME, THAI_NAME];

const cases: [string, string, RegExp][] = [
  ['an end tag that does not match', `<T><${NAME}_${ID}>x</${THAI_NAME}_${ID}></T>`, /end tag/],
  ['an element left open', `<T>\n  <${NAME}_${ID}>`, /not closed/],
  ['an undeclared entity reference', `<T>&${NAME}_${ID};</T>`, /entity/],
  ['text after the root element', `<T/>${NAME}_${ID}`, /outside the root/],
  ['a second root element', `<T/><${NAME}_${ID}/>`, /outside the root/],
  ['an invalid element name', `<T><1-1017-00230-70-8_${NAME}/></T>`, /name/],
  ['a repeated attribute', `<T ${NAME}_${ID}="a" ${NAME}_${ID}="b"/>`, /attribute/],
  ['an attribute without a value', `<T ${NAME}_${ID}/>`, /attribute/],
  ['a character reference beyond Unicode', `<T>&#${ID};</T>`, /character reference/],
  ['a Thai name in a mismatched tag', `<T><${THAI_NAME}>x</${THAI_NAME}_1-1017-00230-70-8></T>`, /end tag/],
];

const leaks = (s: string) => PERSONAL.filter((p) => s.includes(p));

describe('XML parser messages never quote the document', () => {
  it.each(cases)('%s: the XML step says the kind of fault, not the names', async (_name, xml, kind) => {
    for (const schema of [undefined, { safeParseAsync: async () => ({ success: true }) }]) {
      const r = await checkXml(Buffer.from(xml), {
        maxBytes: 1_000_000,
        maxDepth: 64,
        strict: true,
        // With a schema the DOM parser reads the XML; without one the scanner goes first.
        schema: schema as never,
      });
      expect(r.status).toBe('FAILED');
      expect(r.message).toMatch(kind);
      expect(leaks(JSON.stringify(r))).toEqual([]);
    }
  });

  it.each(cases)('%s: issueTranscript refuses it without echoing the names', async (_name, xml) => {
    const input: IssueTranscriptInput = {
      xml,
      signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
      revocation: { crls: [pki.crlCa, pki.crlRoot] },
      tsa: pki.tsaFn,
      signingTime: pki.now,
    };
    const err = await rejects(issueTranscript(input), 'ERR_TRANSCRIPT_XML');
    for (const s of [err.message, JSON.stringify(err), inspect(err)]) expect(leaks(s)).toEqual([]);
  });

  it('the position of the fault is given instead (line and column)', async () => {
    const r = await checkXml(Buffer.from(`<T>\n  <${NAME}_${ID}>x</Other>\n</T>`), {
      maxBytes: 1_000_000,
      maxDepth: 64,
      strict: true,
    });
    expect(r.message).toMatch(/line 2, column \d+/);
  });
});

/**
 * xmldom reads some markup XML 1.0 calls not well-formed as HTML would, reporting it as a mere warning: an
 * attribute without a value (`<T a/>`, read as a="a"), without quotes, or run into the next one. Other parsers
 * refuse such a document, so a transcript passed as "well-formed" here would not be readable there.
 */
describe('markup xmldom only warns about is not well-formed XML', () => {
  const xmlCheck = (xml: string) =>
    checkXml(Buffer.from(xml), {
      maxBytes: 1_000_000,
      maxDepth: 64,
      strict: true,
      schema: { safeParseAsync: async () => ({ success: true }) } as never,
    });

  it.each([
    ['an attribute without a value', '<T><S cid/></T>'],
    ['an attribute value without quotes', '<T><S grade=4.00/></T>'],
    ['two attributes without white space between them', '<T><S a="1"b="2"/></T>'],
    ['an attribute without a value before another', '<T><S cid grade="4.00"/></T>'],
  ])('%s: FAILED', async (_name, xml) => {
    const r = await xmlCheck(xml);
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/attribute/);
  });

  it('a U+FFFD in text, a legal character, still passes (guard)', async () => {
    expect((await xmlCheck('<T><S>ชื่อ\uFFFD</S></T>')).status).toBe('PASSED');
  });
});
