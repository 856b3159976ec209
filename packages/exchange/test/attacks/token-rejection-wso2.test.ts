import { describe, expect, it } from 'vitest';
import { type ExchangeClient, isGdxError } from '../../src/index.js';
import { type GatewayReply, useGateway } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * A WSO2 API Manager in front of the providers rejects a token it no longer accepts with its own codes, whose
 * words need not say "token invalid": 900901 "Invalid Credentials", 900902 "Missing Credentials", 900904
 * "Access Token Inactive" (900903 "Access Token Expired" does say it), as JSON or as an `<ams:fault>`. Read as
 * "no right to the data", the dead token stays cached and every call of the AgentID fails until its traffic stops
 * for the idle period. They are token rejections: one re-validate and one replay. WSO2's codes about rights
 * (900908 resource forbidden, 900910 scope) are not.
 */

const CID = '1101700230708';
const PERSON = JSON.stringify({ firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' });
const gw = useGateway();
const lookup = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });

const json = (status: number, value: unknown): GatewayReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
const xml = (code: string, message: string, description: string): GatewayReply => ({
  status: 401,
  headers: { 'content-type': 'application/xml' },
  body: `<ams:fault xmlns:ams="http://wso2.org/apimanager/security"><ams:code>${code}</ams:code><ams:message>${message}</ams:message><ams:description>${description}</ams:description></ams:fault>`,
});

const REJECTIONS: Array<[string, GatewayReply]> = [
  [
    '900901 Invalid Credentials (JSON)',
    json(401, {
      code: '900901',
      message: 'Invalid Credentials',
      description: 'Invalid Credentials. Make sure you have provided the correct security credentials',
    }),
  ],
  [
    '900901 Invalid Credentials (XML)',
    xml(
      '900901',
      'Invalid Credentials',
      'Access failure for API: /ws/dopa/linkage/v1, version: v1 status: (900901) - Invalid Credentials. Make sure you have given the correct access token',
    ),
  ],
  [
    '900902 Missing Credentials (JSON, numeric code)',
    json(401, {
      code: 900902,
      message: 'Missing Credentials',
      description: 'Invalid Credentials. Make sure your API invocation call has a header: "Token: ***"',
    }),
  ],
  ['900904 Access Token Inactive', json(401, { code: '900904', message: 'Access Token Inactive' })],
  ['text "Access Token Inactive" without a code', { status: 401, body: 'Access Token Inactive' }],
];

describe("WSO2's token rejections that do not say 'token invalid'", () => {
  for (const [name, rejected] of REJECTIONS) {
    it(`${name}: one re-validate and one replay, then the record`, async () => {
      gw.reply = (req) => (req.tokenLive ? { status: 200, body: PERSON } : rejected);
      const p = await withRawClient(gw.url(), async (c) => {
        await lookup(c);
        gw.forgetTokens();
        return lookup(c);
      });
      expect(p.firstName.th).toBe('สมชาย');
      expect(gw.validations).toBe(2);
      expect(gw.dataCalls).toBe(3);
    });
  }

  it('rejected again after the re-validate: ERR_GDX_AUTH (tokenRejected) after exactly one replay', async () => {
    gw.reply = () => REJECTIONS[0]?.[1] as GatewayReply;
    const err = await withRawClient(gw.url(), (c) => rejection(lookup(c)));
    expect(isGdxError(err, 'ERR_GDX_AUTH') && err.tokenRejected).toBe(true);
    expect(gw.validations).toBe(2);
    expect(gw.dataCalls).toBe(2);
  });
});

describe("WSO2's codes about rights stay ERR_GDX_FORBIDDEN, without a re-validate (guards)", () => {
  for (const [code, message] of [
    ['900908', 'Resource forbidden'],
    ['900910', 'The access token does not allow you to access the requested resource'],
  ] as const) {
    it(`403 ${code} ${message}`, async () => {
      gw.reply = () =>
        json(403, { code, message, description: 'User is NOT authorized to access the Resource' });
      const err = await withRawClient(gw.url(), (c) => rejection(lookup(c)));
      expect(isGdxError(err, 'ERR_GDX_FORBIDDEN')).toBe(true);
      expect(gw.validations).toBe(1);
      expect(gw.dataCalls).toBe(1);
    });
  }
});
