import { describe, expect, it } from 'vitest';
import { xmlAsUtf8 } from '../src/xml/encoding.js';

// A saraban server behind an old SOAP stack spells the Content-Type's parameter name its own way: parameter names
// are case-insensitive (RFC 9110 section 5.6.6), so `Charset=TIS-620` declares TIS-620 as `charset=tis-620` does.
describe('the Content-Type charset parameter, in any letter case', () => {
  // "<r>สวัสดี</r>" in TIS-620, without an XML declaration: only the transport names its encoding.
  const tis620 = Buffer.from([0x3c, 0x72, 0x3e, 0xca, 0xc7, 0xd1, 0xca, 0xb4, 0xd5, 0x3c, 0x2f, 0x72, 0x3e]);

  for (const contentType of [
    'text/xml; charset=tis-620',
    'text/xml; Charset=TIS-620',
    'text/xml;CHARSET="windows-874"',
    'application/soap+xml; action="urn:x"; CharSet=TIS-620',
  ]) {
    it(`reads the body as the declared Thai charset: ${contentType}`, () => {
      expect(xmlAsUtf8(tis620, contentType).toString('utf8')).toBe('<r>สวัสดี</r>');
    });
  }
});
