// End-of-line handling (XML 1.0 §2.11): a parser reads a literal CR LF, or a CR alone, as one LF. A .NET
// XmlWriter writes every line break in text as CR LF (NewLineHandling.Replace), and hand-concatenated XML from
// Windows carries CR LF. The codec kept the CR: the letter read differently with its signature checked (the
// signed bytes come from the DOM, which normalises) than without, and a receipt echoed the subject with a
// CR (`&#13;`) the sender never wrote, so a sender matching its receipts by subject could not match ours.
// A character reference (`&#13;`) is a CR the writer meant, and stays one.
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { decodeInboundItem } from '../src/codec/inbound.js';
import { decodeInboundResponse, encodeRequest } from '../src/codec.js';
import { decodeGovernmentDocument, encodeGovernmentDocument, signGovernmentDocument } from '../src/index.js';
import { standardChain } from './helpers/certs.js';
import { DGA, DOPA, sampleLetter } from './helpers/letters.js';

const GD = 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0';
const RAM = 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1';

function documentXml(subject: string, description: string): string {
  return `<rsm:GovernmentDocument xmlns:rsm="${GD}" xmlns:ram="${RAM}"><ram:CorrespondenceLetter ID="Letter"><ram:ID>มท 0309/13</ram:ID><ram:CorrespondenceDate>2026-11-20</ram:CorrespondenceDate><ram:Subject>${subject}</ram:Subject><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${DOPA}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty><ram:Description>${description}</ram:Description><ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQKJeLjz9M=</ram:MainLetterBinaryObject></ram:CorrespondenceLetter></rsm:GovernmentDocument>`;
}

const inbound = (item: string) =>
  `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><CorrespondenceLetterInboundResponse><ProcessID>P-CR</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${item}</CorrespondenceLetterInboundResponse></S:Body></S:Envelope>`;

/** What a conformant parser (xmldom, as the DOM of every signature check) reads in an element. */
function conformant(xml: string, local: string): string | undefined {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const el = Array.from(doc.getElementsByTagNameNS('*', local))[0];
  return el?.textContent ?? undefined;
}

describe('line ends in text are read as XML 1.0 §2.11 says', () => {
  // Both lifted out of the skeleton (more than 2 KB of UTF-8), the subject within its 2,000 characters.
  const long = 'รายละเอียด '.repeat(300);
  const longSubject = 'รายละเอียด '.repeat(100);

  it('CR LF and a lone CR are one LF, in short and long text and in CDATA; &#13; stays a CR', () => {
    const cases: [string, string, string][] = [
      ['ขอเชิญประชุม\r\nครั้งที่ ๒', 'a\rb', 'a\nb'],
      [`${longSubject}\r\nท้าย`, `${long}\r\r\nb`, `${long}\n\nb`],
      ['<![CDATA[บรรทัดหนึ่ง\r\nบรรทัดสอง]]>', `<![CDATA[${long}\r\nb]]>`, `${long}\nb`],
      ['ตั้งใจ&#13;\nมี CR', 'x&#13;&#10;y', 'x\r\ny'],
    ];
    for (const [subject, description, wantDescription] of cases) {
      const xml = documentXml(subject, description);
      const letter = decodeGovernmentDocument(xml);
      expect(letter.subject, subject.slice(0, 30)).toBe(conformant(xml, 'Subject')?.trim());
      expect(letter.description, subject.slice(0, 30)).toBe(wantDescription);
      expect(letter.description).toBe(conformant(xml, 'Description'));
    }
  });

  it('in a notifier too', () => {
    const item = decodeInboundResponse(
      inbound(
        '<AcceptLetterNotifier><LetterID>สพร 0105/1</LetterID><AcceptID>รับ 12</AcceptID><CorrespondenceDate>2026-11-20</CorrespondenceDate><Subject>ขอเชิญ\r\nประชุม</Subject></AcceptLetterNotifier>',
      ),
    );
    expect(item).toMatchObject({ kind: 'notifier', notifier: { subject: 'ขอเชิญ\nประชุม' } });
  });

  it('a receipt echoes the subject the sender wrote, as a conformant sender reads it', () => {
    const sent = 'ขอเชิญประชุม\nครั้งที่ ๒';
    const onWire = documentXml(sent.replace('\n', '\r\n'), 'x');
    const item = decodeInboundResponse(inbound(onWire));
    expect(item?.kind).toBe('letter');
    if (item?.kind !== 'letter') return;
    const receipt = encodeRequest(
      {
        op: 'notifier',
        notifier: {
          kind: 'receive',
          letterId: item.letter.id,
          correspondenceDate: item.letter.correspondenceDate,
          subject: item.letter.subject,
        },
      },
      { to: 'http://127.0.0.1:1/ecms-ws01/service2' },
    ).toString('utf8');
    expect(conformant(receipt, 'Subject')).toBe(sent);
  });
});

describe('a signed letter reads the same with and without its signature checked', () => {
  const chain = standardChain();
  const key = { privateKey: chain.signer.key.privatePem, certificate: chain.signer.pem + chain.ca.pem };

  it('a subject whose line break a .NET writer sent as CR LF', () => {
    const subject = 'ขอเชิญประชุม\nครั้งที่ ๒';
    const doc = encodeGovernmentDocument(sampleLetter({ subject }), { withSignatureBlock: true });
    const signed = signGovernmentDocument(doc, key).toString('utf8');
    // The same characters as the signer signed them, the line break written as CR LF.
    const crlf = signed.replace(/(<(?:\w+:)?Subject>[^<]*)\n/, '$1\r\n');
    expect(crlf).not.toBe(signed);
    const answer = inbound(crlf.replace(/^<\?xml[^>]*\?>/, ''));
    const plain = decodeInboundResponse(answer);
    const checked = decodeInboundItem(answer, {
      verify: { policy: 'require', trustAnchors: [chain.root.pem] },
    }).item;
    expect(checked?.kind).toBe('letter');
    expect(plain?.kind).toBe('letter');
    if (checked?.kind !== 'letter' || plain?.kind !== 'letter') return;
    expect(checked.verification?.status).toBe('valid');
    expect(checked.letter.subject).toBe(subject);
    expect(plain.letter.subject).toBe(subject);
  });
});
