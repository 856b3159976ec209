import { describe, expect, it } from 'vitest';
import { type ExchangeClient, isGdxNotFound } from '../../src/index.js';
import { useGateway } from '../helpers/scripted-gateway.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * Guard: a gateway or provider that answers a lookup with HTTP 200 and nothing in it (no body, `{}`, `null`,
 * whitespace, `[]`) gave no record. The SDK must neither hand back an empty record (an application would show a
 * person without a name) nor call it "not found": it is a typed response error, not retried, the record never
 * made up. (DBD's empty `ResultList` is its documented "not found", and stays so.)
 */

const CID = '1101700230708';
const gw = useGateway();
const ctx = { agentId: 'registry-system' };
const LOOKUPS: Record<string, (c: ExchangeClient) => Promise<unknown>> = {
  getPerson: (c) => c.getPerson({ citizenId: CID }, ctx),
  getAddress: (c) => c.getAddress({ citizenId: CID }, ctx),
  getHouse: (c) => c.getHouse({ citizenId: CID }, ctx),
  getHouseholdMembers: (c) => c.getHouseholdMembers({ citizenId: CID }, ctx),
  getAgentPermission: (c) => c.getAgentPermission({}, ctx),
  verifyLaserCode: (c) =>
    c.verifyLaserCode(
      {
        citizenId: CID,
        firstName: 'สมชาย',
        lastName: 'ใจดี',
        birthDateBe: '25300101',
        laserCode: 'JT1234567890',
      },
      ctx,
    ),
  getJuristicProfile: (c) => c.getJuristicProfile({ juristicId: '0105536000186' }, ctx),
};

describe('HTTP 200 without a record', () => {
  for (const [name, lookup] of Object.entries(LOOKUPS)) {
    for (const body of ['', '{}', 'null', '[]', ' \r\n']) {
      it(`${name} ${JSON.stringify(body)}: a typed response error, not a record, not "not found"`, async () => {
        gw.reply = () => ({ status: 200, body });
        const err = await withRawClient(gw.url(), (c) => rejection(lookup(c)));
        expect(['ERR_RESPONSE_SCHEMA', 'ERR_RESPONSE_PARSE']).toContain(err.code);
        expect(isGdxNotFound(err)).toBe(false);
        expect(gw.dataCalls).toBe(1);
      });
    }
  }

  it('DBD {"ResultList": []} stays ERR_GDX_NOT_FOUND', async () => {
    gw.reply = () => ({ status: 200, body: '{"ResultList": []}' });
    const err = await withRawClient(gw.url(), (c) =>
      rejection(LOOKUPS.getJuristicProfile?.(c) as Promise<unknown>),
    );
    expect(isGdxNotFound(err)).toBe(true);
  });
});
