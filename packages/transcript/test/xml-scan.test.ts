import { describe, expect, it } from 'vitest';
import { parseXmlSafely } from '../src/xml/check-xml.js';
import { scanXml } from '../src/xml/scan-xml.js';
import { SAMPLE_XML } from './fixtures/generate.js';

// The scanner lets the XML check pass plainly well-formed XML without a DOM. It may refuse more than the DOM
// parser (the DOM parser then decides), never less: whatever it accepts, parseXmlSafely must accept too, with the
// same depth and element count.

const NAMESPACED = `<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<!-- issued by the registrar -->
<?render mode="print"?>
<t:Transcript xmlns:t="urn:example:transcript" xmlns="urn:example:default" xml:lang="th">
  <t:Student t:id="S-1" id="2"><Name>สมชาย &amp; &#x0E01;&#3585; &lt;ok&gt; &quot;q&quot; &apos;a&apos;</Name></t:Student>
  <Notes><![CDATA[ <not a tag> & not a reference ]]></Notes>
  <Course code="CS101" grade="A" credits="3"/>
  <Course code='CS102' grade="B+" credits="3" ></Course >
  <x:Empty xmlns:x="urn:example:x" xmlns=""><Inner/></x:Empty>
  <?pi?>
  <!---->
</t:Transcript>
<!-- after the root -->
`;

const ACCEPTED = [
  SAMPLE_XML,
  NAMESPACED,
  '<a/>',
  '<a></a>',
  '\n\t <a b="1"\n c=\'2\'>text</a>\n',
  `<r>${'<e/>'.repeat(50)}</r>`,
  `${'<d>'.repeat(64)}${'</d>'.repeat(64)}`,
  '<a xmlns:p="urn:p" xmlns:q="urn:q" p:x="1" q:x="2"/>',
  '<a><b xmlns:p="urn:p"><p:c/></b><b><c/></b></a>',
  // A processing instruction whose target begins with "xml" is not the XML declaration.
  '<?xml-stylesheet type="text/xsl" href="transcript.xsl"?>\n<a><b/></a>',
];

const REFUSED: [string, string][] = [
  ['a DOCTYPE', '<!DOCTYPE a><a/>'],
  ['a DOCTYPE inside a comment', '<a><!-- <!doctype a> --></a>'],
  ['an ENTITY word inside CDATA', '<a><![CDATA[<!ENTITY x "y">]]></a>'],
  ['an undeclared entity', '<a>&nbsp;</a>'],
  ['a bare ampersand', '<a>fish & chips</a>'],
  ['a reference without its semicolon', '<a>&amp</a>'],
  ['a character reference to NUL', '<a>&#0;</a>'],
  ['a character reference to a surrogate', '<a>&#xD800;</a>'],
  ['a character reference beyond Unicode', '<a>&#x110000;</a>'],
  ['a control character', '<a>\u0001</a>'],
  ['a lone surrogate', '<a>\uD800</a>'],
  ['U+FFFE', '<a>\uFFFE</a>'],
  ['"<" in an attribute value', '<a b="1<2"/>'],
  ['an unquoted attribute', '<a b=1/>'],
  ['an attribute without a value', '<a b/>'],
  ['attributes not separated by space', '<a b="1"c="2"/>'],
  ['a repeated attribute', '<a b="1" b="2"/>'],
  ['one attribute in one namespace twice', '<a xmlns:p="urn:u" xmlns:q="urn:u" p:x="1" q:x="2"/>'],
  ['an unbound element prefix', '<p:a/>'],
  ['an unbound attribute prefix', '<a p:b="1"/>'],
  ['a prefix undeclared', '<a xmlns:p=""/>'],
  ['the xmlns prefix declared', '<a xmlns:xmlns="urn:x"/>'],
  ['the xml prefix bound elsewhere', '<a xmlns:xml="urn:x"/>'],
  ['another prefix bound to the xml namespace', '<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>'],
  ['the xmlns namespace bound', '<a xmlns:p="http://www.w3.org/2000/xmlns/"/>'],
  ['a prefix used outside its scope', '<a><b xmlns:p="urn:p"/><p:c/></a>'],
  ['two colons in a name', '<a:b:c xmlns:a="urn:a"/>'],
  ['a name starting with a digit', '<1a/>'],
  ['a name beyond the BMP', '<a\u{10000}/>'],
  ['mismatched tags', '<a><b></a></b>'],
  ['an unclosed element', '<a><b></b>'],
  ['an end tag alone', '</a>'],
  ['two roots', '<a/><b/>'],
  ['text before the root', 'x<a/>'],
  ['text after the root', '<a/>x'],
  ['no root', '<!-- only a comment -->'],
  ['an empty document', ''],
  ['"]]>" in text', '<a>]]></a>'],
  ['"--" inside a comment', '<a><!-- a -- b --></a>'],
  ['a comment ending in "--->"', '<a><!-- a ---></a>'],
  ['an unterminated comment', '<a><!-- a </a>'],
  ['an unterminated CDATA section', '<a><![CDATA[ x </a>'],
  ['CDATA outside the root', '<![CDATA[x]]><a/>'],
  ['an XML declaration after whitespace', ' <?xml version="1.0"?><a/>'],
  ['an XML declaration after the root', '<a/><?xml version="1.0"?>'],
  ['a PI target "XmL"', '<a><?XmL x?></a>'],
  ['a PI without a space after its target', '<a><?pi"x"?></a>'],
  ['a malformed XML declaration', '<?xml version="2.0"?><a/>'],
  ['an XML declaration without a version', '<?xml?><a/>'],
  ['an XML declaration in upper case', '<?XML version="1.0"?><a/>'],
  ['XML 1.1 (other characters, other line ends)', '<?xml version="1.1"?><a/>'],
  ['an XML declaration with standalone="maybe"', '<?xml version="1.0" standalone="maybe"?><a/>'],
  ['other markup declarations', '<a><!ELEMENT a ANY></a>'],
  ['too deep', `${'<d>'.repeat(66)}${'</d>'.repeat(66)}`],
];

describe('XML scanner', () => {
  it('accepts well-formed XML and counts elements and depth as the DOM parser does', () => {
    for (const xml of ACCEPTED) {
      const scan = scanXml(xml, 64);
      const dom = parseXmlSafely(xml, 64);
      expect(scan, xml).toEqual({ depth: dom.depth, elements: dom.elements, mentionsXmlDsig: false });
    }
  });

  it.each(REFUSED)('leaves %s to the DOM parser', (_what, xml) => {
    expect(scanXml(xml, 64)).toBeUndefined();
  });

  it('says when a namespace declaration names XML-DSig, however the URI is written', () => {
    const forms = [
      'http://www.w3.org/2000/09/xmldsig#',
      'http://www.w3.org/2000/09/xml&#100;sig#',
      'http&#x3A;//www.w3.org/2000/09/&#x78;&#x6D;&#x6C;dsig#',
      'http://www.w3.org/2000/09/XMLDSIG#',
    ];
    for (const uri of forms) {
      expect(scanXml(`<a><Signature xmlns="${uri}"/></a>`, 64)?.mentionsXmlDsig, uri).toBe(true);
      expect(scanXml(`<a xmlns:ds="${uri}"><ds:Signature/></a>`, 64)?.mentionsXmlDsig, uri).toBe(true);
    }
  });

  it('accepts nothing the DOM parser refuses: 30,000 mutations of well-formed documents', () => {
    // A small deterministic generator (xorshift32): the same mutants on every run.
    let seed = 0x9e3779b9;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const alphabet = [
      ...'<>/!?-[]&#;:="\' \nabxX1',
      ']]>',
      '<!--',
      '-->',
      '<?',
      '?>',
      '&amp;',
      '&#x41;',
      'xmlns:p',
      'p:',
    ];
    const seeds = [SAMPLE_XML, NAMESPACED, '<a xmlns:p="urn:p"><p:b c="1"><!-- c --><![CDATA[d]]></p:b></a>'];
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 30_000; n++) {
      let xml = seeds[n % seeds.length] as string;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (xml.length + 1));
        const piece = alphabet[Math.floor(next() * alphabet.length)] as string;
        const op = next();
        if (op < 0.4) xml = xml.slice(0, at) + xml.slice(at + 1);
        else if (op < 0.7) xml = xml.slice(0, at) + piece + xml.slice(at);
        else xml = xml.slice(0, at) + piece + xml.slice(at + piece.length);
      }
      const scan = scanXml(xml, 64);
      if (!scan) {
        refused++;
        continue;
      }
      accepted++;
      let dom: ReturnType<typeof parseXmlSafely> | undefined;
      try {
        dom = parseXmlSafely(xml, 64);
      } catch (err) {
        throw new Error(
          `the scanner accepted what the DOM parser refuses (${(err as Error).message}): ${xml}`,
        );
      }
      expect({ depth: scan.depth, elements: scan.elements }, xml).toEqual({
        depth: dom.depth,
        elements: dom.elements,
      });
    }
    // Neither side is empty, or the property above would say nothing.
    expect(accepted).toBeGreaterThan(3_000);
    expect(refused).toBeGreaterThan(3_000);
  });

  it('counts a document of 20,001 elements', () => {
    const xml = `<r>${'<e a="v">text</e>'.repeat(20_000)}</r>`;
    const scan = scanXml(xml, 64);
    expect(scan).toEqual({ depth: 1, elements: 20_001, mentionsXmlDsig: false });
  });

  // Hostile shapes within a large size limit: each would cost time quadratic in its count if the scanner compared
  // every attribute with those before it, searched the rest of the document again for each one, or copied the
  // namespaces in scope for each element.
  it('scans one element with 100,000 attributes, and finds the one repeated at its end', () => {
    const attributes = Array.from({ length: 100_000 }, (_, i) => ` a${i}="${i}"`).join('');
    expect(scanXml(`<r${attributes}/>`, 64)).toEqual({ depth: 0, elements: 1, mentionsXmlDsig: false });
    expect(scanXml(`<r${attributes} a7="again"/>`, 64)).toBeUndefined();
  });

  it('scans 50,000 namespace declarations on the root and 50,000 children each declaring its own', () => {
    const declarations = Array.from({ length: 50_000 }, (_, i) => ` xmlns:p${i}="urn:p:${i}"`).join('');
    const children = Array.from(
      { length: 50_000 },
      (_, i) => `<q${i}:c xmlns:q${i}="urn:q" p${i}:a="1"/>`,
    ).join('');
    expect(scanXml(`<r${declarations}>${children}</r>`, 64)).toEqual({
      depth: 1,
      elements: 50_001,
      mentionsXmlDsig: false,
    });
  });
});
