// Attack class: characters XML forbids. Numeric character references outside Unicode (&#9999999;, &#x110000;),
// surrogates, NUL and other C0 controls, raw or escaped — in a field, in a large text run, or escaped twice
// the way some saraban clients escape — crashed the decoder with a RangeError or slipped into letters.
// Each must be a typed ERR_ECMS_XML; in a fetched item, a poison item (see poison-items.test.ts).
import { isThGovError } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { decodeInboundResponse, decodeNotifierResponse } from '../../src/codec.js';
import { decodeGovernmentDocument, verifyLetterSignature } from '../../src/index.js';
import { DGA, DOPA } from '../helpers/letters.js';

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

function letter(fields: { id?: string; subject?: string; description?: string } = {}): string {
  return `<GovernmentDocument><CorrespondenceLetter ID="Letter"><ID>${fields.id ?? 'มท 1/1'}</ID><CorrespondenceDate>2026-11-20</CorrespondenceDate><Subject>${fields.subject ?? 'เรื่อง'}</Subject><SenderParty><DepartmentOrganization><ID>${DGA}</ID></DepartmentOrganization></SenderParty><ReceiverParty><DepartmentOrganization><ID>${DOPA}</ID></DepartmentOrganization></ReceiverParty>${fields.description === undefined ? '' : `<Description>${fields.description}</Description>`}<MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQ=</MainLetterBinaryObject></CorrespondenceLetter></GovernmentDocument>`;
}

const inbound = (item: string) =>
  envelope(
    `<CorrespondenceLetterInboundResponse><ProcessID>P1</ProcessID><ProcessTime>2026-11-20T10:00:00</ProcessTime>${item}</CorrespondenceLetterInboundResponse>`,
  );

function failure(fn: () => unknown): { code: unknown; isThGov: boolean; name: string } {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code?: unknown }).code, isThGov: isThGovError(err), name: (err as Error).name };
  }
  return { code: 'no error', isThGov: false, name: '' };
}

const HOSTILE: [string, string][] = [
  ['decimal reference beyond U+10FFFF', '&#9999999;'],
  ['hexadecimal reference beyond U+10FFFF', '&#x110000;'],
  ['reference to a surrogate', '&#xD800;'],
  ['reference to NUL', '&#0;'],
  ['reference to a C0 control', '&#x1B;'],
  ['raw NUL', 'a\u0000b'],
  ['raw C0 control (escape)', 'a\u001bb'],
  ['raw U+FFFF', 'a\uffffb'],
  ['double-escaped reference beyond U+10FFFF', '&amp;#9999999;'],
  ['double-escaped hexadecimal reference beyond U+10FFFF', '&amp;#x110000;'],
  ['double-escaped reference to NUL', '&amp;#0;'],
];

describe('forbidden characters are a typed ERR_ECMS_XML, never a RangeError', () => {
  for (const [name, text] of HOSTILE) {
    // Only the book number and the subject are unescaped a second time (where clients double-escape); in
    // other fields a double-escaped reference is literal text and stays so.
    const doubled = text.startsWith('&amp;');
    it(`${name}: in the book number, the subject${doubled ? '' : ', and a long text run'}`, () => {
      const places: Parameters<typeof letter>[0][] = [{ id: `มท ${text}/1` }, { subject: text }];
      if (!doubled) places.push({ description: `${'ก'.repeat(3000)}${text}` });
      for (const fields of places) {
        expect(failure(() => decodeGovernmentDocument(letter(fields)))).toEqual({
          code: 'ERR_ECMS_XML',
          isThGov: true,
          name: 'EcmsError',
        });
      }
    });
  }

  it('in a fetched item the same character makes a poison item carrying ERR_ECMS_XML, with its ProcessID', () => {
    for (const [, text] of HOSTILE) {
      const item = decodeInboundResponse(inbound(letter({ subject: text })));
      expect(item?.kind).toBe('poison');
      if (item?.kind !== 'poison') continue;
      expect(item.processId).toBe('P1');
      expect(item.error.code).toBe('ERR_ECMS_XML');
    }
  });

  it('in answers to other operations it is a typed error too', () => {
    const answer = envelope(
      '<CorrespondenceLetterOutboundResponse><ProcessID>P2</ProcessID><ProcessTime>&#9999999;</ProcessTime></CorrespondenceLetterOutboundResponse>',
    );
    expect(failure(() => decodeNotifierResponse(answer)).code).toBe('ERR_ECMS_XML');
  });

  it('a signed-letter check on such a document ends in a typed error, not a crash', async () => {
    const doc = letter({ subject: '&#9999999;' }).replace(
      '</GovernmentDocument>',
      '<GovernmentSignature><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></GovernmentSignature></GovernmentDocument>',
    );
    const outcome = await verifyLetterSignature(doc, { policy: 'require', trustAnchors: [] }).then(
      () => 'verified',
      (err: unknown) => (isThGovError(err) ? 'typed' : `untyped ${(err as Error).name}`),
    );
    expect(outcome).toBe('typed');
  });

  it('a double-escaped reference outside the unescaped fields stays literal text', () => {
    const decoded = decodeGovernmentDocument(letter({ description: 'code &amp;#9999999; as written' }));
    expect(decoded.description).toBe('code &#9999999; as written');
  });

  it('valid references still decode (Thai text, astral characters, escaped markup)', () => {
    const decoded = decodeGovernmentDocument(
      letter({
        subject: '&#3585;&#x0E02; &#x1F4DC; &amp;lt;ร่าง&amp;gt;',
        description: `${'ข'.repeat(3000)}&#x10FFFD;`,
      }),
    );
    expect(decoded.subject).toBe('กข 📜 <ร่าง>');
    expect(decoded.description?.endsWith('\u{10FFFD}')).toBe(true);
  });
});
