import { describe, expect, it } from 'vitest';
import { type ExchangeClient, isGdxError } from '../../src/index.js';
import { type GatewayReply, tis620, useGateway } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * GDX and the Thai gateways behind it word "your token is no longer valid" in Thai too ("Token หมดอายุ",
 * "ไม่พบ Token", "โทเค็นไม่ถูกต้อง"), in a 401 or in a 200 error object, in UTF-8 or TIS-620. Missed, the dead
 * token stays cached and every call of the AgentID fails (with a hint to ask DGA for permissions) until its
 * traffic stops for an hour. Each must be one re-validate and one replay; Thai words about missing data or
 * rights without the token are not.
 */

const CID = '1101700230708';
const PERSON = JSON.stringify({ firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' });
const gw = useGateway();
const lookup = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });

/** A gateway that rejects a token it does not know with `rejected`, and answers the record otherwise. */
function rejectWith(rejected: GatewayReply): void {
  gw.reply = (req) => (req.tokenLive ? { status: 200, body: PERSON } : rejected);
}

const json = (status: number, value: unknown): GatewayReply => ({ status, body: JSON.stringify(value) });
const THAI: Array<[string, GatewayReply]> = [
  ['401 "Token หมดอายุ"', { status: 401, body: 'Token หมดอายุ' }],
  ['401 "ไม่พบ Token"', { status: 401, body: 'ไม่พบ Token' }],
  ['401 {message: "โทเค็นไม่ถูกต้อง"}', json(401, { message: 'โทเค็นไม่ถูกต้อง' })],
  ['401 {message: "โทเคนหมดอายุการใช้งาน"}', json(401, { message: 'โทเคนหมดอายุการใช้งาน' })],
  ['200 {Code: "401", Message: "Token หมดอายุแล้ว"}', json(200, { Code: '401', Message: 'Token หมดอายุแล้ว' })],
  ['500 {error: "ไม่พบโทเค็นในระบบ"}', json(500, { error: 'ไม่พบโทเค็นในระบบ' })],
  [
    '401 TIS-620 "โทเค็นหมดอายุ", no charset',
    { status: 401, headers: { 'content-type': 'text/plain' }, body: tis620('โทเค็นหมดอายุ') },
  ],
];

describe('a token rejected in Thai words', () => {
  for (const [name, rejected] of THAI) {
    it(`${name}: one re-validate and one replay, then the record`, async () => {
      rejectWith(rejected);
      await withRawClient(gw.url(), async (c) => {
        await lookup(c);
        gw.forgetTokens();
        const p = await lookup(c);
        expect(p.firstName.th).toBe('สมชาย');
        expect(gw.validations).toBe(2);
        expect(gw.dataCalls).toBe(3);
        expect(c.stats().tokenReplays).toBe(1);
      });
    });
  }

  it('rejected again after the re-validate: ERR_GDX_AUTH (tokenRejected) after exactly one replay', async () => {
    gw.reply = () => ({ status: 401, body: 'Token หมดอายุ' });
    const err = await withRawClient(gw.url(), (c) => rejection(lookup(c)));
    expect(isGdxError(err, 'ERR_GDX_AUTH') && err.tokenRejected).toBe(true);
    expect(gw.validations).toBe(2);
    expect(gw.dataCalls).toBe(2);
  });
});

describe('Thai words that are not about the token (no re-validate)', () => {
  const NOT_TOKEN: Array<[string, GatewayReply, string]> = [
    ['401 "ไม่มีสิทธิ์เข้าถึงข้อมูล"', { status: 401, body: 'ไม่มีสิทธิ์เข้าถึงข้อมูล' }, 'ERR_GDX_FORBIDDEN'],
    [
      '200 {Code: "00404", Message: "ไม่พบข้อมูล"}',
      json(200, { Code: '00404', Message: 'ไม่พบข้อมูล' }),
      'ERR_GDX_BUSINESS',
    ],
  ];
  for (const [name, reply, code] of NOT_TOKEN) {
    it(`${name}: ${code}, one validate`, async () => {
      gw.reply = () => reply;
      const err = await withRawClient(gw.url(), (c) => rejection(lookup(c)));
      expect(err.code).toBe(code);
      expect(isGdxError(err) && err.tokenRejected).toBe(false);
      expect(gw.validations).toBe(1);
    });
  }
});
