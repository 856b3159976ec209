// A text run longer than 2 KB is lifted out of the document before the XML parser runs and its references are
// decoded by the codec itself; a shorter one is read by sax. The two disagreed: `A & B` was refused short and
// accepted long; `&nbsp;` (an entity XML does not define, refused by the DOM of every signature check, by .NET
// and by Java) was read as U+00A0 short and kept as the six characters `&nbsp;` long. A field's value depended
// on how long it was. Now one rule (XML 1.0 §4.1, WFC Entity Declared; there is no DTD): the five predefined
// entities and character references are read, anything else after `&` is a typed ERR_ECMS_XML.
import { describe, expect, it } from 'vitest';
import { decodeInboundResponse } from '../src/codec.js';
import { decodeGovernmentDocument } from '../src/index.js';
import { DGA, DOPA } from './helpers/letters.js';

const GD = 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0';
const RAM = 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1';

function documentXml(subject: string, description: string): string {
  return `<rsm:GovernmentDocument xmlns:rsm="${GD}" xmlns:ram="${RAM}"><ram:CorrespondenceLetter ID="Letter"><ram:ID>มท 0309/26</ram:ID><ram:CorrespondenceDate>2026-11-20</ram:CorrespondenceDate><ram:Subject>${subject}</ram:Subject><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${DOPA}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty><ram:Description>${description}</ram:Description><ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQKJeLjz9M=</ram:MainLetterBinaryObject></ram:CorrespondenceLetter></rsm:GovernmentDocument>`;
}

// More than 2 KB of UTF-8 (lifted), within the subject's 2,000 characters.
const LONG = 'รายละเอียด '.repeat(100);
const LENGTHS = [
  ['short', ''],
  ['long', LONG],
] as const;

function refusal(xml: string): unknown {
  try {
    decodeGovernmentDocument(xml);
  } catch (err) {
    return (err as { code?: unknown }).code;
  }
  return 'decoded';
}

describe('references in text read by one rule, whatever the length of the text', () => {
  it('an entity XML does not define, a bare & and an unterminated reference are ERR_ECMS_XML', () => {
    for (const [length, pad] of LENGTHS) {
      for (const text of ['ไม่เว้น&nbsp;วรรค', 'R&D', 'A & B', 'x &foo; y', 'ค่า &#3588 ไม่ปิด', '&#X41;']) {
        expect(refusal(documentXml(`${pad}${text}`, 'x')), `${length} subject ${text}`).toBe('ERR_ECMS_XML');
        expect(refusal(documentXml('x', `${pad}${text}`)), `${length} description ${text}`).toBe(
          'ERR_ECMS_XML',
        );
      }
    }
  });

  it('the predefined entities and character references read the same, short or long', () => {
    const written = '&lt;ด่วน&gt; &amp; &quot;ที่สุด&quot; &apos;&#3588;&#x0E01;&#x1F4C4;';
    const meant = `<ด่วน> & "ที่สุด" 'คก📄`;
    for (const [length, pad] of LENGTHS) {
      const letter = decodeGovernmentDocument(documentXml(`${pad}${written}`, `${pad}${written}`));
      expect(letter.subject, length).toBe(`${pad}${meant}`.trim());
      expect(letter.description, length).toBe(`${pad}${meant}`.trim());
    }
  });

  it('in a fetched item such a letter is a poison item with its ProcessID, not a letter or a blocked queue', () => {
    for (const [length, pad] of LENGTHS) {
      const item = decodeInboundResponse(
        `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><CorrespondenceLetterInboundResponse><ProcessID>P-E</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${documentXml('x', `${pad}R&D`)}</CorrespondenceLetterInboundResponse></S:Body></S:Envelope>`,
      );
      expect(item, length).toMatchObject({
        kind: 'poison',
        processId: 'P-E',
        error: { code: 'ERR_ECMS_XML' },
      });
    }
  });
});
