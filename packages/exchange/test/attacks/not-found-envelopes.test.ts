import { describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxNotFound } from '../../src/index.js';
import { useGateway } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * A person not found must not look like a failure, nor a failure like "not found": a caller that answers
 * `isGdxNotFound` with "no such person" would report a voided card, or an officer without a DOPA session, as a
 * person who does not exist. DOPA's `[n]` and a Linkage `{Code, Message}` say more than the HTTP status they
 * come with, whichever it is; DOPA's laser check, whose result is an object, may also carry `[n]` in a 200.
 */

const CID = '1101700230708';
const gw = useGateway();
const laser = (c: ExchangeClient) =>
  c.verifyLaserCode(
    {
      citizenId: CID,
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      birthDateBe: '25300101',
      laserCode: 'JT1234567890',
    },
    { agentId: 'registry-system' },
  );
const person = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });
const failed = async (status: number, body: string, call: (c: ExchangeClient) => Promise<unknown>) => {
  gw.reply = () => ({ status, body });
  return (await withRawClient(gw.url(), (c) => rejection(call(c)))) as unknown as GdxError;
};

describe('DOPA’s [n] at any status', () => {
  for (const [status, body] of [
    [200, '[4]'],
    [200, '"[4]"'],
    [400, '[4]'],
    [404, '[4] ไม่พบข้อมูล'],
  ] as const) {
    it(`laser check ${status} ${body}: ERR_GDX_BUSINESS [4], not found`, async () => {
      const err = await failed(status, body, laser);
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'bracket', providerCode: '4' });
      expect(isGdxNotFound(err)).toBe(true);
      expect(gw.dataCalls).toBe(1);
    });
  }

  for (const status of [200, 400, 404]) {
    it(`laser check ${status} [2] (card voided): ERR_GDX_BUSINESS [2], not "not found"`, async () => {
      const err = await failed(status, '[2]', laser);
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '2' });
      expect(isGdxNotFound(err)).toBe(false);
    });
  }

  it('a record that is a JSON array [4] of another service at 200 is data, not a code (guard)', async () => {
    gw.reply = () => ({ status: 200, body: '[4]' });
    const v = await withRawClient(gw.url(), (c) => c.call({ path: '/ws/some/list' }, { agentId: 'sys' }));
    expect(v).toEqual([4]);
  });
});

describe('a Linkage code at HTTP 404', () => {
  it('90001 (officer without a DOPA session) is ERR_GDX_BUSINESS 90001, not "not found"', async () => {
    const err = await failed(404, JSON.stringify({ Code: 90001, Message: 'Agent not available' }), person);
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'linkage', providerCode: '90001' });
    expect(isGdxNotFound(err)).toBe(false);
  });

  it('90002 (office not found: a configuration error) is not "not found"', async () => {
    const err = await failed(404, JSON.stringify({ Code: '90002', Message: 'Office not found' }), person);
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '90002' });
    expect(isGdxNotFound(err)).toBe(false);
  });

  for (const body of ['', 'Not Found', JSON.stringify({ Code: '404', Message: 'ไม่พบข้อมูล' })]) {
    it(`404 ${JSON.stringify(body)}: ERR_GDX_NOT_FOUND (guard)`, async () => {
      const err = await failed(404, body, person);
      expect(err.code).toBe('ERR_GDX_NOT_FOUND');
      expect(isGdxNotFound(err)).toBe(true);
    });
  }
});
