/**
 * The caller's own XML checks (`xmlSchema`, `xmlValidator`) and the plain data `xmlToData` hands a zod schema.
 * What the caller's code does (an async refinement, a throw, an odd return value) is the XML step's result, never
 * a report that blames the PDF; and element names that are also `Object.prototype` members (`constructor`,
 * `__proto__`, `toString`) are data like any other, not inherited values nor a prototype switch.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type VerificationReport, verifyTranscript, xmlToData } from '../src/index.js';
import { checkXml, parseXmlSafely } from '../src/xml/check-xml.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const pdf = await issueGood(pki);
const CITIZEN_ID = '1101700230708';

const xmlCheck = (r: VerificationReport) => r.checks.find((c) => c.id === 'xml');
/** The engine's catch-all: a throw inside the XML step would be reported as an unreadable PDF. */
const structureFailures = (r: VerificationReport) =>
  r.checks.filter((c) => c.id === 'structure' && c.status !== 'PASSED');
const transcript = z.object({ Transcript: z.object({ GPA: z.string() }).passthrough() });

describe('a caller-supplied zod schema', () => {
  it('an async refinement that accepts: TOTAL_PASSED, the schema recorded as passed', async () => {
    const schema = transcript.refine(async (d) => d.Transcript.GPA === '3.75');
    const r = await verifyTranscript(pdf, { trust, xmlSchema: schema });
    expect(structureFailures(r)).toEqual([]);
    expect(xmlCheck(r)?.evidence?.schema).toBe('passed');
    expect(r.indication).toBe('TOTAL_PASSED');
  });

  it('an async refinement that refuses: the XML check fails, not the PDF structure', async () => {
    const schema = transcript.refine(async (d) => d.Transcript.GPA === '4.00', { message: 'GPA mismatch' });
    const r = await verifyTranscript(pdf, { trust, xmlSchema: schema });
    expect(structureFailures(r)).toEqual([]);
    expect(xmlCheck(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(JSON.stringify(xmlCheck(r)?.evidence)).toContain('GPA mismatch');
    expect(r.indication).toBe('TOTAL_FAILED');
  });

  it('a schema that throws: the XML check fails (redacted message), not the PDF structure', async () => {
    const schema = transcript.refine(() => {
      throw new Error(`lookup failed for ${CITIZEN_ID}`);
    });
    const r = await verifyTranscript(pdf, { trust, xmlSchema: schema });
    expect(structureFailures(r)).toEqual([]);
    expect(xmlCheck(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(xmlCheck(r)?.message).toMatch(/schema/i);
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(JSON.stringify(r)).not.toContain(CITIZEN_ID);
  });
});

describe('a caller-supplied validator function', () => {
  it('returning nothing (an assert-style function): the XML check fails with a clear message, not the PDF structure', async () => {
    const validator = (() => undefined) as unknown as () => boolean;
    const r = await verifyTranscript(pdf, { trust, xmlValidator: validator });
    expect(structureFailures(r)).toEqual([]);
    expect(xmlCheck(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(xmlCheck(r)?.message).toMatch(/validator/i);
  });
});

describe("what the caller's checks say about the document, in the report", () => {
  // An XSD validator's or a zod refinement's message may quote the whole document; the evidence keeps 20 of them.
  const xml = Buffer.from('<Transcript><GPA>3.75</GPA></Transcript>');
  const o = { maxBytes: 1 << 20, maxDepth: 64, strict: true };
  const quote = `value '${CITIZEN_ID} ${'x'.repeat(50_000)}' is not valid`;

  it('each validator error is bounded and redacted', async () => {
    const r = await checkXml(xml, { ...o, validator: () => ({ valid: false, errors: [quote, quote] }) });
    const errors = r.evidence?.errors as string[];
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e.length).toBeLessThan(1_000);
    expect(JSON.stringify(r)).not.toContain(CITIZEN_ID);
  });

  it('each zod issue message is bounded and redacted', async () => {
    const schema = z.object({
      Transcript: z.object({ GPA: z.string().refine(() => false, { message: quote }) }),
    });
    const r = await checkXml(xml, { ...o, schema });
    const issues = r.evidence?.issues as { message: string }[];
    expect(issues[0]?.message.length).toBeLessThan(1_000);
    expect(JSON.stringify(r)).not.toContain(CITIZEN_ID);
  });
});

describe('xmlToData with element names that are Object.prototype members', () => {
  const data = (xml: string) => xmlToData(parseXmlSafely(xml, 64).doc) as Record<string, unknown>;

  it('constructor, toString and valueOf are plain values', () => {
    const d = data('<T><constructor>a</constructor><toString>b</toString><valueOf>c</valueOf></T>');
    expect(d).toEqual({ T: { constructor: 'a', toString: 'b', valueOf: 'c' } });
    expect(JSON.parse(JSON.stringify(d))).toEqual({ T: { constructor: 'a', toString: 'b', valueOf: 'c' } });
  });

  it('a repeated constructor element is an array of its values only', () => {
    expect(data('<T><constructor>a</constructor><constructor>b</constructor></T>')).toEqual({
      T: { constructor: ['a', 'b'] },
    });
  });

  it('a __proto__ element is an own key: its content is kept and the object keeps its prototype', () => {
    const d = data('<T><GPA>3.75</GPA><__proto__><GPA>4.00</GPA></__proto__></T>');
    const t = d.T as Record<string, unknown>;
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    expect(Object.keys(t)).toEqual(['GPA', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(t, '__proto__')?.value).toEqual({ GPA: '4.00' });
    expect(JSON.stringify(d)).toBe('{"T":{"GPA":"3.75","__proto__":{"GPA":"4.00"}}}');
  });

  it('a strict schema sees an unexpected __proto__ element and refuses it', () => {
    const strict = z.object({ T: z.object({ GPA: z.string() }).strict() });
    expect(strict.safeParse(data('<T><GPA>3.75</GPA></T>')).success).toBe(true);
    expect(strict.safeParse(data('<T><GPA>3.75</GPA><__proto__><X>1</X></__proto__></T>')).success).toBe(
      false,
    );
  });

  it('a schema field is not satisfied by a value hidden in a __proto__ element', () => {
    const needsGpa = z.object({ T: z.object({ GPA: z.string() }) });
    expect(needsGpa.safeParse(data('<T><__proto__><GPA>4.00</GPA></__proto__></T>')).success).toBe(false);
  });
});

describe('xmlToData with attributes of the same local name in different namespaces', () => {
  // Serializers (.NET XmlSerializer, JAXB) write xsi:type and xsi:nil beside the schema's own attributes.
  const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
  const data = (xml: string) => xmlToData(parseXmlSafely(xml, 64).doc);

  it.each([
    ['type first', `<C ${XSI} type="elective" xsi:type="t:CourseType"/>`],
    ['xsi:type first', `<C ${XSI} xsi:type="t:CourseType" type="elective"/>`],
  ])('%s: @type is the unqualified attribute, the other is kept under its qualified name', (_name, xml) => {
    expect(data(xml)).toEqual({ C: { '@type': 'elective', '@xsi:type': 't:CourseType', '#text': '' } });
  });

  it('a namespaced attribute alone keeps its local-name key, as before (xml:lang → @lang)', () => {
    expect(data(`<N xml:lang="th" ${XSI} xsi:nil="true"/>`)).toEqual({
      N: { '@lang': 'th', '@nil': 'true', '#text': '' },
    });
  });

  it('two namespaced attributes of one local name are both kept', () => {
    expect(data('<N xmlns:a="urn:a" xmlns:b="urn:b" a:id="1" b:id="2"/>')).toEqual({
      N: { '@id': '1', '@b:id': '2', '#text': '' },
    });
  });
});

describe('xmlToData with text beside child elements (mixed content)', () => {
  const data = (xml: string) => xmlToData(parseXmlSafely(xml, 64).doc);

  it('the text is kept as #text, not dropped', () => {
    expect(data('<T><Name>Somchai <Mid>K.</Mid>Jaidee</Name></T>')).toEqual({
      T: { Name: { Mid: 'K.', '#text': 'Somchai Jaidee' } },
    });
    expect(data('<T><GPA>4.00<Note>x</Note></GPA></T>')).toEqual({
      T: { GPA: { Note: 'x', '#text': '4.00' } },
    });
  });

  it('CDATA counts as text; indentation between elements alone adds no #text', () => {
    expect(data('<T><N><![CDATA[a<b]]><M/></N></T>')).toEqual({ T: { N: { M: '', '#text': 'a<b' } } });
    expect(data('<T>\n  <A>1</A>\n  <B>2</B>\n</T>')).toEqual({ T: { A: '1', B: '2' } });
  });
});
