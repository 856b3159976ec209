// Attribute names go through the same tolerant fold as element names (`nameKey`: case, dashes, underscores).
// `MimeCode` (a .NET XmlSerializer property name), `MIMECode` or `mime-code` on a binary object used to be
// read as no mimeCode at all: the type was then sniffed from the bytes — a Word document labelled a zip file, a
// .doc or .xlsx refused — or the whole letter refused, although the sender had declared the type.
import { describe, expect, it } from 'vitest';
import { decodeInboundResponse } from '../src/codec.js';
import { decodeGovernmentDocument } from '../src/index.js';
import { DGA, DOPA } from './helpers/letters.js';

const GD = 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0';
const RAM = 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2, 3]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 9, 9, 9]);
const PDF = Buffer.from('%PDF-1.7\n%%EOF');

function documentXml(attribute: string, binaries: string): string {
  return `<rsm:GovernmentDocument xmlns:rsm="${GD}" xmlns:ram="${RAM}"><ram:CorrespondenceLetter ID="Letter"><ram:ID>มท 0309/88</ram:ID><ram:CorrespondenceDate>2026-11-20</ram:CorrespondenceDate><ram:Subject>ส่งเอกสาร</ram:Subject><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${DOPA}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${DGA}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty><ram:MainLetterBinaryObject ${attribute}="application/pdf">${PDF.toString('base64')}</ram:MainLetterBinaryObject>${binaries}</ram:CorrespondenceLetter></rsm:GovernmentDocument>`;
}

const attachments = (attribute: string) =>
  `<ram:AttachmentBinaryObject ${attribute}="${DOCX}">${ZIP.toString('base64')}</ram:AttachmentBinaryObject>` +
  `<ram:AttachmentBinaryObject ${attribute}="application/msword">${OLE.toString('base64')}</ram:AttachmentBinaryObject>`;

describe('the mimeCode attribute, however a client spells it', () => {
  for (const attribute of [
    'mimeCode',
    'MimeCode',
    'MIMECode',
    'mimecode',
    'mime-code',
    'mime_code',
    'ram:MimeCode',
  ]) {
    it(`${attribute}: every file keeps the type its sender declared`, () => {
      const letter = decodeGovernmentDocument(documentXml(attribute, attachments(attribute)));
      expect(letter.mainLetter.mimeCode).toBe('application/pdf');
      expect(letter.attachments.map((a) => a.mimeCode)).toEqual([DOCX, 'application/msword']);
      expect(Buffer.compare(letter.attachments[1]!.content, OLE)).toBe(0);
    });
  }

  it('in a fetched item too: a letter, not a poison item', () => {
    const item = decodeInboundResponse(
      `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><CorrespondenceLetterInboundResponse><ProcessID>P-A</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${documentXml('MimeCode', attachments('MimeCode'))}</CorrespondenceLetterInboundResponse></S:Body></S:Envelope>`,
    );
    expect(item?.kind).toBe('letter');
    if (item?.kind !== 'letter') return;
    expect(item.letter.attachments.map((a) => a.mimeCode)).toEqual([DOCX, 'application/msword']);
  });

  it('an empty attachment element is still skipped, and a declared zero-byte file still kept', () => {
    const letter = decodeGovernmentDocument(
      documentXml(
        'MimeCode',
        '<ram:AttachmentBinaryObject MimeCode=""/><ram:AttachmentBinaryObject MimeCode="text/plain"/>',
      ),
    );
    expect(letter.attachments).toHaveLength(1);
    expect(letter.attachments[0]).toMatchObject({ mimeCode: 'text/plain' });
    expect(letter.attachments[0]!.content.length).toBe(0);
  });

  it('a type that is not allowed is refused whichever spelling declares it', () => {
    expect(() =>
      decodeGovernmentDocument(
        documentXml(
          'MIMECode',
          '<ram:AttachmentBinaryObject MIMECode="application/x-msdownload">TVqQ</ram:AttachmentBinaryObject>',
        ),
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_ECMS_MIME' }));
  });
});

describe('decodeGovernmentDocument honours the contentType it documents', () => {
  it('a TIS-620 document with its charset in the Content-Type reads its Thai subject', () => {
    // TIS-620 puts Thai letter U+0E01 + k at byte 0xA1 + k; no byte-order mark, no declaration: only the
    // Content-Type says what the bytes are. Read as UTF-8 they are invalid and the document was refused.
    const xml = documentXml('mimeCode', '');
    const bytes = Buffer.from(
      [...xml].map((ch) => {
        const cp = ch.codePointAt(0)!;
        if (cp < 0x80) return cp;
        if (cp >= 0x0e01 && cp <= 0x0e5b) return cp - 0x0e01 + 0xa1;
        throw new Error(`no TIS-620 byte for ${ch}`);
      }),
    );
    const letter = decodeGovernmentDocument(bytes, { contentType: 'text/xml; charset=TIS-620' });
    expect(letter.subject).toBe('ส่งเอกสาร');
    expect(letter.id).toBe('มท 0309/88');
  });
});
