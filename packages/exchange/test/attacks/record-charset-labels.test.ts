import { describe, expect, it } from 'vitest';
import type { ExchangeClient } from '../../src/index.js';
import { tis620, useGateway } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * A Thai record's bytes and the charset its Content-Type names disagree in the wild: Thai web servers long ran
 * with `AddDefaultCharset TIS-620` (or windows-874), Java containers default to `charset=ISO-8859-1`, and a
 * provider that has since moved to UTF-8 keeps the old label. UTF-8 Thai decoded as TIS-620 is the well-known
 * "เธชเธกเธจเธฃเธต" mojibake, decoded as Latin-1 it is "à¸ªà¸¡...": a citizen's name stored wrong, silently.
 * A body that is valid UTF-8 with non-ASCII bytes is UTF-8 whatever single-byte label it carries (TIS-620
 * Thai text is not valid UTF-8), and a UTF-8 byte-order mark outranks the label (as WHATWG's decode does).
 * A body in the charset it declares, and one that is not UTF-8 without declaring any, are unchanged (guards).
 */

const CID = '1101700230708';
const gw = useGateway();
const NAME = { firstName: 'สมศรี', lastName: 'ใจดี' };
const record = JSON.stringify({ ...NAME, dateOfBirth: '25300000' });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const person = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });
const served = (contentType: string, body: Buffer) => {
  gw.reply = () => ({ status: 200, headers: { 'content-type': contentType }, body });
};

describe('a UTF-8 record under a legacy single-byte label reads as UTF-8', () => {
  for (const charset of ['tis-620', 'TIS620', 'windows-874', 'iso-8859-11', 'ISO-8859-1', 'windows-1252']) {
    it(`charset=${charset}`, async () => {
      served(`application/json; charset=${charset}`, Buffer.from(record));
      const p = await withRawClient(gw.url(), person);
      expect(p).toMatchObject({ firstName: { th: NAME.firstName }, lastName: { th: NAME.lastName } });
    });
  }

  it('a generic call too', async () => {
    served('application/json;charset=TIS-620', Buffer.from(record));
    const v = await withRawClient(gw.url(), (c) => c.call({ path: '/ws/x/person' }, { agentId: 'sys-a' }));
    expect(v).toMatchObject(NAME);
  });

  it("a provider's UTF-8 message under charset=tis-620 reads as Thai in the error", async () => {
    const message = 'ไม่พบรายการชำระเงิน';
    gw.reply = () => ({
      status: 200,
      headers: { 'content-type': 'application/json; charset=tis-620' },
      body: Buffer.from(JSON.stringify({ status: 1, errorCode: 'E201', message, data: null })),
    });
    const err = await withRawClient(gw.url(), (c) =>
      rejection(c.call({ path: '/ws/dga/payment/status', envelope: 'payment' }, { agentId: 'sys-a' })),
    );
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: 'E201' });
    expect(err.message).toContain(message);
  });

  it('a UTF-8 byte-order mark outranks charset=tis-620', async () => {
    served('application/json; charset=tis-620', Buffer.concat([BOM, Buffer.from(record)]));
    const p = await withRawClient(gw.url(), person);
    expect(p).toMatchObject({ firstName: { th: NAME.firstName } });
  });
});

describe('what the label says stays (guards)', () => {
  for (const charset of ['tis-620', 'windows-874']) {
    it(`a TIS-620 record with charset=${charset} is decoded as TIS-620`, async () => {
      served(`application/json; charset=${charset}`, tis620(record));
      const p = await withRawClient(gw.url(), person);
      expect(p).toMatchObject({ firstName: { th: NAME.firstName }, lastName: { th: NAME.lastName } });
    });
  }

  it('a Latin-1 record with charset=iso-8859-1 is decoded as Latin-1', async () => {
    const latin = JSON.stringify({ firstName: 'José', lastName: 'Müller', dateOfBirth: '25300000' });
    served('application/json; charset=iso-8859-1', Buffer.from(latin, 'latin1'));
    const p = await withRawClient(gw.url(), person);
    expect(p).toMatchObject({ firstName: { th: 'José' }, lastName: { th: 'Müller' } });
  });

  it('a TIS-620 record without a charset is refused, not guessed', async () => {
    served('application/json', tis620(record));
    const err = await withRawClient(gw.url(), (c) => rejection(person(c)));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false });
  });
});
