import { isThGovError } from '@thgov/core';
import { expectCode as expectThrownCode } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeInboundResponse,
  decodeOrganizationListResponse,
  decodeRequest,
  decodeTimeCheckResponse,
  encodeRequest,
} from '../src/codec.js';
import { buildCodeBook, decodeGovernmentDocument, encodeGovernmentDocument } from '../src/index.js';
import { DEFAULT_XML_LIMITS } from '../src/xml/limits.js';
import { splitAtPlaceholders } from '../src/xml/marker.js';
import { scanXml } from '../src/xml/scan.js';
import { DGA, DOPA, pdfBytes, sampleLetter } from './helpers/letters.js';

const TO = 'http://127.0.0.1:1/ecms-ws01/service2';

function envelope(body: string, prefix = 'soap'): string {
  return `<?xml version="1.0" encoding="utf-8"?><${prefix}:Envelope xmlns:${prefix}="http://schemas.xmlsoap.org/soap/envelope/"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;
}

function letterXml(
  opts: {
    id?: string;
    subject?: string;
    date?: string;
    main?: string;
    mime?: string | null;
    extra?: string;
  } = {},
) {
  const mime = opts.mime === null ? '' : ` mimeCode="${opts.mime ?? 'application/pdf'}"`;
  return `<x:GovernmentDocument xmlns:x="urn:th:gov:egif:data:standard:GovernmentDocument:1.0" xmlns:y="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">
  <y:CorrespondenceLetter ID="Letter">
    <y:ID>${opts.id ?? 'มท 0309/77'}</y:ID>
    <y:CorrespondenceDate>${opts.date ?? '2026-11-20'}</y:CorrespondenceDate>
    <y:Subject>${opts.subject ?? 'แจ้งผล'}</y:Subject>
    <y:SecretCode>001</y:SecretCode><y:SpeedCode>003</y:SpeedCode>
    <y:SenderParty><y:DepartmentOrganization><y:ID>${DOPA}</y:ID></y:DepartmentOrganization></y:SenderParty>
    <y:ReceiverParty><y:DepartmentOrganization><y:ID>${DGA}</y:ID></y:DepartmentOrganization></y:ReceiverParty>
    ${opts.extra ?? ''}
    <y:MainLetterBinaryObject${mime}>${opts.main ?? Buffer.from('%PDF-1.4 body').toString('base64')}</y:MainLetterBinaryObject>
  </y:CorrespondenceLetter>
</x:GovernmentDocument>`;
}

/** `fn` throws a thgov error (branded, not just anything with a code) carrying `code`. */
function expectCode(fn: () => unknown, code: string) {
  expect(isThGovError(expectThrownCode(fn, code))).toBe(true);
}

describe('encode: exact wire shape', () => {
  it('emits the SOAP 1.1 envelope, WS-Addressing header and e-GIF element order (golden)', () => {
    const letter = sampleLetter({
      attachments: [],
      references: [],
      mainLetter: { mimeCode: 'application/pdf', content: Buffer.from('%PDF') },
      enclosures: undefined,
      description: undefined,
      sendDate: undefined,
      sender: { departmentId: DGA },
      receiver: { departmentId: DOPA },
    });
    const xml = encodeRequest({ op: 'sendLetter', letter }, { to: TO, messageId: 'uuid:1' }).toString('utf8');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>' +
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing">' +
        `<soap:Header><wsa:MessageID>uuid:1</wsa:MessageID><wsa:To>${TO}</wsa:To></soap:Header>` +
        '<soap:Body><CorrespondenceLetterOutboundRequest>' +
        '<rsm:GovernmentDocument xmlns:rsm="urn:th:gov:egif:data:standard:GovernmentDocument:1.0" xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">' +
        '<ram:CorrespondenceLetter ID="Letter">' +
        '<ram:ID>สพร 0105/1234</ram:ID><ram:CorrespondenceDate>2026-11-27</ram:CorrespondenceDate>' +
        '<ram:Subject>ขอเชิญประชุมคณะทำงานรัฐบาลดิจิทัล</ram:Subject><ram:SecretCode>1</ram:SecretCode><ram:SpeedCode>2</ram:SpeedCode>' +
        '<ram:SenderParty><ram:GivenName/><ram:FamilyName/><ram:JobTitle/><ram:MinistryOrganization><ram:ID>00</ram:ID></ram:MinistryOrganization>' +
        '<ram:DepartmentOrganization><ram:ID>0031500001</ram:ID></ram:DepartmentOrganization></ram:SenderParty>' +
        '<ram:ReceiverParty><ram:GivenName/><ram:FamilyName/><ram:JobTitle/><ram:MinistryOrganization><ram:ID>15</ram:ID></ram:MinistryOrganization>' +
        '<ram:DepartmentOrganization><ram:ID>1500300001</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty>' +
        '<ram:Attachment/><ram:Description/>' +
        '<ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERg==</ram:MainLetterBinaryObject>' +
        '</ram:CorrespondenceLetter></rsm:GovernmentDocument>' +
        '</CorrespondenceLetterOutboundRequest></soap:Body></soap:Envelope>',
    );
  });

  it('escapes markup characters in Thai text exactly once, literal entities included', () => {
    const letter = sampleLetter({ subject: 'ค่าใช้จ่าย < 5,000 & > 1,000 บาท "ด่วน"', id: 'A&B/1' });
    const xml = encodeRequest({ op: 'sendLetter', letter }, { to: TO }).toString('utf8');
    expect(xml).toContain('<ram:Subject>ค่าใช้จ่าย &lt; 5,000 &amp; &gt; 1,000 บาท "ด่วน"</ram:Subject>');
    expect(xml).toContain('<ram:ID>A&amp;B/1</ram:ID>');
    const doc = encodeGovernmentDocument(sampleLetter({ description: 'x &amp; y' })).toString('utf8');
    expect(doc).toContain('<ram:Description>x &amp;amp; y</ram:Description>');
  });

  it('encodes every service request with its body element', () => {
    const key = {
      letterId: 'ก 1/2',
      correspondenceDate: '2026-11-27',
      senderDepartmentId: DGA,
      acceptDepartmentId: DOPA,
    };
    const cases = [
      [{ op: 'fetchNext' }, '<CorrespondenceLetterInboundRequest/>'],
      [
        { op: 'dequeue', processId: 'P1' },
        '<CorrespondenceLetterDeleteRequest><ProcessID>P1</ProcessID></CorrespondenceLetterDeleteRequest>',
      ],
      [{ op: 'outboundStatus' }, '<OutboundStatusRequest/>'],
      [{ op: 'ministries' }, '<GetMinistryOrganizationList/>'],
      [{ op: 'organizations' }, '<GetOrganizationList/>'],
      [{ op: 'secretCodes' }, '<GetSecretCodes/>'],
      [{ op: 'speedCodes' }, '<GetSpeedCodes/>'],
      [{ op: 'mimeCodes' }, '<GetMimeCodes/>'],
      [{ op: 'timeCheck' }, '<TimeCheckRequest/>'],
      [
        { op: 'withdraw', key },
        '<CorrespondenceDeleteGovernmentDocumentRequest><LetterID>ก 1/2</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><SenderDepartment><Code>0031500001</Code></SenderDepartment><AcceptDepartment><Code>1500300001</Code></AcceptDepartment></CorrespondenceDeleteGovernmentDocumentRequest>',
      ],
      [
        { op: 'reRequest', kind: 'accept', key },
        '<CorrespondenceLetterInboundSpecialRequest><AcceptLetterNotifier><LetterID>ก 1/2</LetterID>',
      ],
      [
        {
          op: 'notifier',
          notifier: {
            kind: 'accept',
            letterId: 'ก 1/2',
            correspondenceDate: '2026-11-27',
            subject: 'เรื่อง',
            acceptId: '12/2569',
          },
        },
        '<CorrespondenceLetterOutboundRequest><AcceptLetterNotifier><LetterID>ก 1/2</LetterID><AcceptID>12/2569</AcceptID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>เรื่อง</Subject></AcceptLetterNotifier>',
      ],
    ] as const;
    for (const [req, expected] of cases) {
      const xml = encodeRequest(req as Parameters<typeof encodeRequest>[0], { to: TO }).toString('utf8');
      expect(xml).toContain(expected);
      // and the same request decodes back to the same operation
      expect(decodeRequest(Buffer.from(xml)).op).toBe(req.op);
    }
  });

  it('refuses top-secret letters unless allowed, bad MIME types, invalid fields and control characters', () => {
    expectCode(() => encodeGovernmentDocument(sampleLetter({ secrecy: 'top_secret' })), 'ERR_ECMS_SECRECY');
    expect(
      encodeGovernmentDocument(sampleLetter({ secrecy: 'top_secret' }), { allowTopSecret: true }).toString(),
    ).toContain('<ram:SecretCode>4</ram:SecretCode>');
    expectCode(
      () =>
        encodeGovernmentDocument(
          sampleLetter({ mainLetter: { mimeCode: 'application/x-msdownload', content: pdfBytes() } }),
        ),
      'ERR_ECMS_MIME',
    );
    expectCode(
      () => encodeGovernmentDocument(sampleLetter({ correspondenceDate: '2026-02-30' })),
      'ERR_ECMS_MESSAGE',
    );
    expectCode(() => encodeGovernmentDocument(sampleLetter({ subject: '' })), 'ERR_ECMS_MESSAGE');
    expectCode(() => encodeGovernmentDocument(sampleLetter({ subject: 'bell \u0007' })), 'ERR_ECMS_MESSAGE');
    expectCode(
      () => encodeGovernmentDocument(sampleLetter({ receiver: { departmentId: '12345' } })),
      'ERR_ECMS_MESSAGE',
    );
  });
});

describe('round trips', () => {
  it('letter → request XML → letter is lossless (Thai text, references, binaries, signer)', () => {
    const letter = sampleLetter({
      signature: {
        typeCode: 'XMLDSig',
        signer: { givenName: 'สมชาย', familyName: 'ใจดี', title: 'ผู้อำนวยการ', departmentCode: DGA },
      },
      subject: 'ทดสอบ <ตัวอักษร> & "เครื่องหมาย"\r\nบรรทัดใหม่',
    });
    const xml = encodeRequest({ op: 'sendLetter', letter }, { to: TO });
    const back = decodeRequest(xml);
    expect(back.op).toBe('sendLetter');
    if (back.op !== 'sendLetter') return;
    expect(back.to).toBe(TO);
    const l = back.letter;
    expect(l.id).toBe(letter.id);
    expect(l.subject).toBe('ทดสอบ <ตัวอักษร> & "เครื่องหมาย"\r\nบรรทัดใหม่');
    expect(l.speed).toBe('urgent');
    expect(l.sender).toEqual({ ...letter.sender, ministryId: '00' });
    expect(l.references).toEqual(letter.references);
    expect(Buffer.compare(l.mainLetter.content, letter.mainLetter.content)).toBe(0);
    expect(l.attachments).toHaveLength(1);
    expect(Buffer.from(l.attachments[0]!.content)).toEqual(Buffer.from(letter.attachments![0]!.content));
    expect(l.signature?.signer?.title).toBe('ผู้อำนวยการ');
    expect(l.sendDate).toBe('2026-11-27T10:15:00');
  });

  it('large binaries (5 MB) survive and are decoded from the source bytes', () => {
    const big = pdfBytes(5 * 1024 * 1024, 0x5a);
    const xml = encodeGovernmentDocument(
      sampleLetter({ mainLetter: { mimeCode: 'application/pdf', content: big } }),
    );
    const back = decodeGovernmentDocument(xml);
    expect(back.mainLetter.content.length).toBe(big.length);
    expect(Buffer.compare(back.mainLetter.content, big)).toBe(0);
  });
});

describe('tolerant decoding', () => {
  it('accepts other prefixes, whitespace and line breaks in base64, padded codes, missing optional elements', () => {
    const b64 = Buffer.from(pdfBytes(5000))
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
    const xml = envelope(
      `<CorrespondenceLetterInboundResponse><ProcessID> P9 </ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${letterXml({ main: `\n  ${b64}\n` })}</CorrespondenceLetterInboundResponse>`,
      'SOAP-ENV',
    );
    const item = decodeInboundResponse(xml);
    expect(item?.kind).toBe('letter');
    if (item?.kind !== 'letter') return;
    expect(item.processId).toBe('P9');
    expect(item.letter.secrecy).toBe('normal');
    expect(item.letter.speed).toBe('very_urgent');
    expect(item.letter.mainLetter.content.length).toBe(5000);
    expect(item.letter.references).toEqual([]);
    expect(item.letter.enclosures).toBeUndefined();
  });

  it('undoes double-escaped ID/Subject, converts Buddhist-era dates, sniffs a missing mimeCode', () => {
    const doc = letterXml({
      id: 'มท &amp;lt;0309&amp;gt;/1',
      subject: 'ก &amp;amp; ข',
      date: '2569-11-20',
      mime: null,
    });
    const letter = decodeGovernmentDocument(doc);
    expect(letter.id).toBe('มท <0309>/1');
    expect(letter.subject).toBe('ก & ข');
    expect(letter.correspondenceDate).toBe('2026-11-20');
    expect(letter.mainLetter.mimeCode).toBe('application/pdf');
  });

  it('maps codes through the node code book ("001" style padding)', () => {
    const book = buildCodeBook({
      speed: [
        { value: '001', description: 'ปกติ' },
        { value: '002', description: 'ด่วน' },
        { value: '003', description: 'ด่วนมาก' },
        { value: '004', description: 'ด่วนที่สุด' },
      ],
      secrecy: [
        { value: 'A', description: 'ปกติ' },
        { value: 'B', description: 'ลับ' },
        { value: 'C', description: 'ลับมาก' },
        { value: 'D', description: 'ลับที่สุด' },
      ],
    });
    expect(book.speed.most_urgent).toBe('004');
    expect(book.secrecy.confidential).toBe('B');
    expect(book.secrecy.top_secret).toBe('D');
    const xml = encodeGovernmentDocument(sampleLetter({ speed: 'most_urgent', secrecy: 'secret' }), {
      codes: book,
    }).toString();
    expect(xml).toContain('<ram:SpeedCode>004</ram:SpeedCode>');
    expect(xml).toContain('<ram:SecretCode>C</ram:SecretCode>');
    expect(decodeGovernmentDocument(xml, { codes: book }).speed).toBe('most_urgent');
  });

  it('reads organisation lists and node times in the shapes nodes send', () => {
    const orgs = decodeOrganizationListResponse(
      envelope(
        '<GetOrganizationListResponse><OrganizationList><En-Name>A</En-Name><Th-Name>ก</Th-Name><ECMS-URL>http://n/ecms-ws01/service2</ECMS-URL><OrganizationID>0031500001</OrganizationID></OrganizationList></GetOrganizationListResponse>',
      ),
    );
    expect(orgs).toEqual([
      { organizationId: '0031500001', nameEn: 'A', nameTh: 'ก', ecmsUrl: 'http://n/ecms-ws01/service2' },
    ]);
    const t = decodeTimeCheckResponse(
      envelope('<TimeCheckResponse><ECMSTime>2026-11-27T17:00:00</ECMSTime></TimeCheckResponse>'),
    );
    expect(t.toISOString()).toBe('2026-11-27T10:00:00.000Z');
  });

  it('returns null for an empty queue', () => {
    expect(decodeInboundResponse(envelope('<CorrespondenceLetterInboundResponse/>'))).toBeNull();
  });
});

describe('strict where it matters', () => {
  it('missing required fields, bad dates, bad base64 and unknown MIME types are typed errors', () => {
    expectCode(() => decodeGovernmentDocument(letterXml({ subject: '' })), 'ERR_ECMS_MESSAGE');
    expectCode(() => decodeGovernmentDocument(letterXml({ date: '31/11/2569' })), 'ERR_ECMS_MESSAGE');
    expectCode(() => decodeGovernmentDocument(letterXml({ date: '2026-13-01' })), 'ERR_ECMS_MESSAGE');
    expectCode(() => decodeGovernmentDocument(letterXml({ main: 'not*base64!' })), 'ERR_ECMS_BASE64');
    expectCode(
      () => decodeGovernmentDocument(letterXml({ main: `${'QUJD'.repeat(1000)}Q` })),
      'ERR_ECMS_BASE64',
    );
    expectCode(
      () => decodeGovernmentDocument(letterXml({ main: `${'QUJD'.repeat(1000)}-_==` })),
      'ERR_ECMS_BASE64',
    );
    expectCode(() => decodeGovernmentDocument(letterXml({ mime: 'application/x-sh' })), 'ERR_ECMS_MIME');
    expectCode(
      () =>
        decodeGovernmentDocument(letterXml({ mime: null, main: Buffer.from('MZ....').toString('base64') })),
      'ERR_ECMS_MIME',
    );
  });

  it('ErrorDetail and SOAP faults become ERR_ECMS_FAULT with the node code', () => {
    try {
      decodeEnvelope(
        envelope(
          '<ErrorDetail><ErrorCode>E042</ErrorCode><ErrorDescription>ไม่พบหน่วยงาน</ErrorDescription></ErrorDetail>',
        ),
      );
      throw new Error('no fault');
    } catch (err) {
      expect((err as { code: string }).code).toBe('ERR_ECMS_FAULT');
      expect((err as { nodeCode: string }).nodeCode).toBe('E042');
    }
    expectCode(
      () =>
        decodeEnvelope(
          envelope(
            '<soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad</faultstring></soap:Fault>',
          ),
        ),
      'ERR_ECMS_FAULT',
    );
  });

  it('non-envelopes and malformed XML are ERR_ECMS_XML', () => {
    expectCode(() => decodeEnvelope('<html><body>502 Bad Gateway</body></html>'), 'ERR_ECMS_XML');
    expectCode(() => decodeEnvelope('<a><b></a>'), 'ERR_ECMS_XML');
    expectCode(() => decodeEnvelope('not xml at all'), 'ERR_ECMS_XML');
    expectCode(() => decodeEnvelope(envelope('<X>&undefined;</X>')), 'ERR_ECMS_XML');
    expectCode(() => decodeEnvelope(''), 'ERR_ECMS_XML');
  });
});

describe('hostile XML', () => {
  it('refuses DOCTYPE and entity declarations (XXE, billion laughs)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope('<X>&xxe;</X>')}`;
    expectCode(() => decodeEnvelope(xxe), 'ERR_ECMS_XML_HOSTILE');
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    expectCode(() => decodeEnvelope(lol), 'ERR_ECMS_XML_HOSTILE');
    expectCode(() => decodeGovernmentDocument(`<!doctype x>${letterXml()}`), 'ERR_ECMS_XML_HOSTILE');
  });

  it('bounds size, depth, element count and attribute length', () => {
    expectCode(() => decodeEnvelope(envelope('<X/>'), { limits: { maxBytes: 50 } }), 'ERR_ECMS_XML_HOSTILE');
    const deep = `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`;
    expectCode(() => decodeEnvelope(envelope(deep)), 'ERR_ECMS_XML_HOSTILE');
    const many = '<a/>'.repeat(30_000);
    expectCode(() => decodeEnvelope(envelope(`<X>${many}</X>`)), 'ERR_ECMS_XML_HOSTILE');
    const longAttr = `<X a="${'x'.repeat(10_000)}"/>`;
    expectCode(() => decodeEnvelope(envelope(longAttr)), 'ERR_ECMS_XML_HOSTILE');
    const manyAttrs = `<X ${Array.from({ length: 100 }, (_, i) => `a${i}="1"`).join(' ')}/>`;
    expectCode(() => decodeEnvelope(envelope(manyAttrs)), 'ERR_ECMS_XML_HOSTILE');
    expectCode(
      () =>
        decodeGovernmentDocument(letterXml({ subject: 'ก'.repeat(3000) }), {
          limits: { maxTextLength: 1000 },
        }),
      'ERR_ECMS_XML_HOSTILE',
    );
  });

  it('a placeholder-looking text cannot smuggle a lifted blob into another field', () => {
    const big = Buffer.from(pdfBytes(6000)).toString('base64');
    for (const fake of ['__thgov_blob_000000000000_0__', `__thgov_blob_${'0'.repeat(32)}_0__`]) {
      const doc = letterXml({ subject: fake, main: big });
      expect(decodeGovernmentDocument(doc).subject).toBe(fake);
    }
  });

  it('placeholders are found exactly where a marker is followed by digits and "__"', () => {
    const m = '__thgov_blob_ab_';
    expect(splitAtPlaceholders(`a${m}0__b${m}12__${m}3__`, m)).toEqual(['a', 0, 'b', 12, '', 3, '']);
    // A marker without digits, digits without the closing "__", and a cut-off marker all stay text.
    for (const t of [`${m}__x`, `${m}12_3__`, `${m}7`, m.slice(0, -1)])
      expect(splitAtPlaceholders(t, m)).toEqual([t]);
    expect(splitAtPlaceholders(`x${m}x${m}5__`, m)).toEqual([`x${m}x`, 5, '']);
    expect(splitAtPlaceholders('no marker', m)).toEqual(['no marker']);
  });

  it('every document gets a placeholder marker of its own, 122 random bits that no input can predict', () => {
    const doc = Buffer.from(letterXml({ main: Buffer.from(pdfBytes(6000)).toString('base64') }));
    const markers = Array.from({ length: 200 }, () => scanXml(doc, DEFAULT_XML_LIMITS).marker);
    for (const m of markers) expect(m).toMatch(/^__thgov_blob_[0-9a-f]{32}_$/);
    expect(new Set(markers).size).toBe(markers.length);
  });
});
