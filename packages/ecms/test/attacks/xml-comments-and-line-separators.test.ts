// Attack class: XML the two parsers of a signature check read differently, or cheaply make expensive.
// (1) Comments: C14N drops them, so empty comments inside a signed letter keep its signature valid, while
// xml-crypto's comment removal (an XPath `.//comment()`) is quadratic in their number — 20,000 comments
// (144 KB) cost 11 s. Comments and processing instructions are counted against a limit before any DOM exists.
// (2) Line separators: @xmldom/xmldom 0.9 (our DOM) turns raw U+2028/U+2029/U+0085 into line breaks, the
// 0.8 copy inside xml-crypto keeps them, so a correctly signed letter holding U+2029 was refused as
// not-what-was-signed — and in a name (`<Subject\u2029>`) the two parsers would see different elements.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_XML_LIMITS,
  decodeGovernmentDocument,
  encodeGovernmentDocument,
  signGovernmentDocument,
  verifyLetterSignature,
} from '../../src/index.js';
import { parseDom } from '../../src/xml/dom.js';
import { standardChain } from '../helpers/certs.js';
import { sampleLetter } from '../helpers/letters.js';

const chain = standardChain();
const key = { privateKey: chain.signer.key.privatePem, certificate: chain.signer.pem + chain.ca.pem };
const trust = { policy: 'require' as const, trustAnchors: [chain.root.pem] };

function signed(subject = 'ขอเชิญประชุม'): string {
  const doc = encodeGovernmentDocument(sampleLetter({ subject }), { withSignatureBlock: true });
  return signGovernmentDocument(doc, key).toString('utf8');
}

/** Puts `insert` right after the `<Subject>` start tag of a signed letter. */
function intoSubject(xml: string, insert: string): string {
  const out = xml.replace(/(<(\w+:)?Subject>)/, `$1${insert}`);
  expect(out).not.toBe(xml);
  return out;
}

async function refusal(run: () => unknown): Promise<{ code: unknown; reason: unknown }> {
  try {
    await run();
  } catch (err) {
    return { code: (err as { code?: unknown }).code, reason: (err as { reason?: unknown }).reason };
  }
  return { code: 'no error', reason: undefined };
}

describe('comments and processing instructions', () => {
  it('refuses a signed letter padded with 5,000 empty comments as hostile, before xml-crypto runs', async () => {
    const xml = intoSubject(signed(), '<!---->'.repeat(5_000));
    expect((await refusal(() => verifyLetterSignature(xml, trust))).code).toBe('ERR_ECMS_XML_HOSTILE');
    expect((await refusal(() => decodeGovernmentDocument(xml))).code).toBe('ERR_ECMS_XML_HOSTILE');
  });

  it('counts processing instructions with comments', async () => {
    const xml = intoSubject(
      signed(),
      '<!--a--><?pi x?>'.repeat(DEFAULT_XML_LIMITS.maxCommentsAndInstructions),
    );
    expect((await refusal(() => verifyLetterSignature(xml, trust))).code).toBe('ERR_ECMS_XML_HOSTILE');
  });

  it('still verifies a letter with as many comments as the limit allows (the XML declaration not counted)', async () => {
    const padded = intoSubject(signed(), '<!---->'.repeat(DEFAULT_XML_LIMITS.maxCommentsAndInstructions));
    const xml = `<?xml version="1.0" encoding="utf-8"?>${padded}`;
    expect((await verifyLetterSignature(xml, trust)).status).toBe('valid');
  });

  it('honours a client limit', async () => {
    const xml = intoSubject(signed(), '<!---->'.repeat(3));
    const limits = { maxCommentsAndInstructions: 2 };
    expect((await refusal(() => verifyLetterSignature(xml, { ...trust, limits }))).code).toBe(
      'ERR_ECMS_XML_HOSTILE',
    );
  });
});

describe('U+2028, U+2029 and U+0085', () => {
  for (const [name, ch] of [
    ['U+2029', '\u2029'],
    ['U+2028', '\u2028'],
    ['U+0085', '\u0085'],
  ] as const) {
    it(`signs and verifies a letter whose subject holds ${name}, and decodes the character unchanged`, async () => {
      const subject = `บรรทัดหนึ่ง${ch}บรรทัดสอง`;
      const xml = signed(subject);
      expect((await verifyLetterSignature(xml, trust)).status).toBe('valid');
      expect((await verifyLetterSignature(Buffer.from(xml, 'utf8'), trust)).status).toBe('valid');
      expect(decodeGovernmentDocument(xml).subject).toBe(subject);
    });
  }

  it('signs a document handed over with a raw U+2028 as the character, not as a line break', async () => {
    const subject = 'บรรทัดหนึ่ง\u2028บรรทัดสอง';
    const encoded = encodeGovernmentDocument(sampleLetter({ subject }), { withSignatureBlock: true });
    const raw = encoded.toString().replace(/&#(x2028|X2028|8232);/g, '\u2028');
    expect(raw).toContain('\u2028');
    const xml = signGovernmentDocument(raw, key).toString('utf8');
    expect((await verifyLetterSignature(xml, trust)).status).toBe('valid');
    expect(decodeGovernmentDocument(xml).subject).toBe(subject);
  });

  it('still refuses a letter whose U+2029 was altered after signing', async () => {
    const xml = signed('a\u2029b').replace('a\u2029b', 'a\u2028b');
    expect(await refusal(() => verifyLetterSignature(xml, trust))).toEqual({
      code: 'ERR_ECMS_SIGNATURE',
      reason: 'digest-mismatch',
    });
  });

  it('reads text and attribute values with the characters as written', () => {
    const { doc } = parseDom('<a b="x\u2029y\u0085z">t\u2028u</a>', DEFAULT_XML_LIMITS);
    expect(doc.documentElement?.getAttribute('b')).toBe('x\u2029y\u0085z');
    expect(doc.documentElement?.textContent).toBe('t\u2028u');
  });

  it('hands a document without them to both parsers byte for byte as received', () => {
    const xml = signed();
    expect(parseDom(xml, DEFAULT_XML_LIMITS).xml).toBe(xml);
  });

  it('refuses U+2029 in an element name instead of reading another element', async () => {
    const xml = signed('ขอเชิญประชุม').replace(/<(\w+:)?Subject>/, (t) => t.replace('>', '\u2029>'));
    expect((await refusal(() => verifyLetterSignature(xml, trust))).code).toBe('ERR_ECMS_XML');
    const endTag = signed('ขอเชิญประชุม').replace(/<\/(\w+:)?Subject>/, (t) => t.replace('>', '\u2029>'));
    expect((await refusal(() => verifyLetterSignature(endTag, trust))).code).toBe('ERR_ECMS_XML');
  });

  for (const [where, xml] of [
    ['a CDATA section', '<a><![CDATA[x\u2029y]]></a>'],
    ['a comment', '<a><!-- x\u2029y --></a>'],
    ['a processing instruction', '<a><?pi x\u2029y?></a>'],
    ['an attribute name', '<a b\u2029="1"/>'],
    ['between attributes', '<a b="1"\u2029c="2"/>'],
  ] as const) {
    it(`refuses them in ${where}, where a reference would change the meaning`, async () => {
      expect((await refusal(() => parseDom(xml, DEFAULT_XML_LIMITS))).code).toBe('ERR_ECMS_XML');
    });
  }
});
